/**
 * `energy-auction ledger`: list, export and replay the rounds committed on the Fabric ledger
 * (docs/workbench.md "Rounds from the ledger"). The work is in ../ledger/.
 */
import { Command, Option } from 'commander';
import type { RoundStatus } from '../../../chaincode/src/model';
import { formatJson } from '../format-result';
import { withLedger } from '../ledger/connection';
import { formatRoundList } from '../ledger/format';
import { listLedgerRounds } from '../ledger/run';
import { writeOutput } from '../output';
import { exportCommand } from './ledger-export';
import { addIdentityOptions, addRangeOptions, EXIT_HELP, IDENTITY_HELP, identityOf } from './ledger-options';
import { replayCommand } from './ledger-replay';
import type { IdentityFlags } from '../ledger/connection';

interface ListFlags extends IdentityFlags {
  status?: RoundStatus;
  from?: number;
  to?: number;
  json?: boolean;
}

function listCommand(): Command {
  const cmd = new Command('list')
    .summary('list the rounds on the ledger')
    .description(
      'List the rounds on the ledger (public records: any org may list them), oldest close time first.',
    )
    .addOption(
      new Option('--status <status>', 'only rounds with this status').choices(['OPEN', 'CLOSED', 'CLEARED']),
    )
    .option('--json', 'print the round records as one JSON array');
  addRangeOptions(cmd);
  addIdentityOptions(cmd);
  return cmd
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction ledger list
  $ energy-auction ledger list --status CLEARED --from 2026-12-03T00:00:00Z --json
${IDENTITY_HELP}
${EXIT_HELP}`,
    )
    .action(async (flags: ListFlags) => {
      const rounds = await withLedger(identityOf(flags), (market) => listLedgerRounds(market, flags));
      await writeOutput(undefined, [flags.json ? formatJson(rounds) : formatRoundList(rounds)]);
    });
}

/** Hands the group's output and exit settings (set by main.ts) on to the subcommand that runs. */
function inheritSettings(group: Command, sub: Command): void {
  sub.copyInheritedSettings(group);
}

export function ledgerCommand(): Command {
  return new Command('ledger')
    .summary('list, export and replay rounds committed on the Fabric ledger')
    .description(
      'Read committed rounds through the Fabric gateway: list them, export one as a round file that ' +
        '"clear" accepts, or replay it with the engine and check the recorded clearing is byte-identical. ' +
        'Every sealed batch read is checked against its salted commitment first.',
    )
    .addCommand(listCommand())
    .addCommand(exportCommand())
    .addCommand(replayCommand())
    .hook('preSubcommand', inheritSettings)
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction ledger list --status CLEARED
  $ energy-auction ledger export r-20261203T1000 --out work/r.json
  $ energy-auction ledger replay r-20261203T1000
  $ energy-auction ledger replay --from 2026-12-03T00:00:00Z --to 2026-12-04T00:00:00Z
${EXIT_HELP}`,
    );
}

/** `energy-auction ledger replay`: re-clear committed rounds and check the recorded clearing. */
import { Command, Option } from 'commander';
import type { Profile } from '../../../engine/src/mechanism/types';
import type { LedgerReadPort } from '../../../fabric-client/src/ledger-read';
import { CliError } from '../errors';
import { formatJson } from '../format-result';
import type { IdentityFlags } from '../ledger/connection';
import { withLedger } from '../ledger/connection';
import { LEDGER_EXIT } from '../ledger/errors';
import { formatReport } from '../ledger/format';
import { exitCodeOf, formatSummary, type RoundOutcome } from '../ledger/outcome';
import type { ReplayReport } from '../ledger/replay';
import { replayMany, replayOne, selectedRounds } from '../ledger/run';
import { isRange, type RoundSelection } from '../ledger/select';
import { progressOption } from '../options';
import { writeOutput } from '../output';
import { createProgress, shouldShowProgress } from '../progress';
import {
  addIdentityOptions,
  addRangeOptions,
  EXIT_HELP,
  IDENTITY_HELP,
  identityOf,
  MECHANISMS,
} from './ledger-options';

interface ReplayFlags extends IdentityFlags {
  from?: number;
  to?: number;
  mechanism?: Profile;
  json?: boolean;
  progress?: boolean;
}

/** A replay that does not reproduce the recorded clearing (a what-if with another mechanism aside). */
export const replayDiffers = (r: ReplayReport): boolean => !r.identical && !r.counterfactual;

async function replaySingle(market: LedgerReadPort, roundId: string, flags: ReplayFlags): Promise<void> {
  const report = await replayOne(market, roundId, flags.mechanism);
  await writeOutput(undefined, [flags.json ? formatJson(report) : formatReport(report)]);
  if (replayDiffers(report)) {
    throw new CliError(
      `round ${roundId}: the replay differs from the recorded clearing in ${report.differences.map((d) => d.field).join(', ')}`,
      LEDGER_EXIT.differs,
    );
  }
}

/** The JSON form of an outcome: the report, or the error's text. */
const outcomeJson = (o: RoundOutcome): unknown =>
  o.kind === 'replayed'
    ? { roundId: o.report.roundId, outcome: o.kind, report: o.report }
    : {
        roundId: o.round.id,
        outcome: o.kind,
        status: o.round.status,
        ...(o.kind === 'skipped' ? {} : { error: o.error.message }),
      };

async function replaySelection(market: LedgerReadPort, s: RoundSelection, flags: ReplayFlags): Promise<void> {
  const rounds = await selectedRounds(market, s);
  const progress = createProgress(shouldShowProgress(flags.progress));
  let outcomes: RoundOutcome[];
  try {
    outcomes = await replayMany(market, rounds, { mechanism: flags.mechanism, progress });
  } finally {
    progress.stop();
  }
  await writeOutput(undefined, [
    flags.json ? formatJson(outcomes.map(outcomeJson)) : formatSummary(outcomes),
  ]);
  const code = exitCodeOf(outcomes);
  if (code !== 0) {
    throw new CliError(
      `not every round reproduced its recorded clearing (exit ${code}: see the table)`,
      code,
    );
  }
}

export function replayCommand(): Command {
  const cmd = new Command('replay')
    .summary('re-clear committed rounds and check the recorded clearing is byte-identical')
    .description(
      "Read committed rounds with the operator's identity: the public commitments, every sealed batch " +
        "(checked against its salted commitment with the chaincode's own check), and the committed result. " +
        'Re-clear each with the engine and report whether the recorded clearing is byte-identical (the full ' +
        "result's canonical JSON hashes to the committed resultDigest and every public field and net " +
        'position agrees), naming what differs. One round id gives a report; several ids, or --from/--to ' +
        '(close times), replay many rounds with a progress bar and print one summary table.',
    )
    .argument('[roundIds...]', 'the rounds to replay')
    .addOption(
      new Option(
        '--mechanism <profile>',
        "clear with this profile instead of the round's: a what-if, reported but not a failure",
      ).choices(MECHANISMS),
    )
    .option('--json', 'print the report (or one entry per round) as JSON');
  addRangeOptions(cmd);
  addIdentityOptions(cmd);
  return cmd
    .addOption(progressOption())
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction ledger replay r1
  $ energy-auction ledger replay r1 --mechanism doan2021
  $ energy-auction ledger replay r1 r2 r3
  $ energy-auction ledger replay --from 2026-12-03T00:00:00Z --to 2026-12-03T12:00:00Z --json
${IDENTITY_HELP}
${EXIT_HELP}
With many rounds the exit status is the worst of them (4, then 3, then 1); rounds not yet cleared are
listed as such and are not a failure.`,
    )
    .action(async (ids: string[], flags: ReplayFlags) => {
      const s: RoundSelection = { ids, from: flags.from, to: flags.to };
      if (ids.length === 0 && !isRange(s)) {
        throw new CliError('name a round id, several, or a range of close times (--from/--to)', 2);
      }
      await withLedger(identityOf(flags), (market) =>
        ids.length === 1 && !isRange(s)
          ? replaySingle(market, ids[0] ?? '', flags)
          : replaySelection(market, s, flags),
      );
    });
}

/** `energy-auction ledger export <roundId>`: a ledger round as a round file that `clear` reads. */
import { Command, Option } from 'commander';
import type { Profile } from '../../../engine/src/mechanism/types';
import { roundCsvChunks, roundJsonChunks } from '../format-round';
import type { IdentityFlags } from '../ledger/connection';
import { withLedger } from '../ledger/connection';
import { csvParamFlags } from '../ledger/round-file';
import { exportLedgerRound, type ExportedRound } from '../ledger/run';
import { writeOutput } from '../output';
import { detectFormat, ROUND_FORMATS, type RoundFormat } from '../read-round';
import { addIdentityOptions, EXIT_HELP, IDENTITY_HELP, identityOf, MECHANISMS } from './ledger-options';

interface ExportFlags extends IdentityFlags {
  out?: string;
  format?: RoundFormat;
  own?: boolean;
  mechanism?: Profile;
}

/** What was written, on stderr (stdout may be the file itself). */
function exportNote(e: ExportedRound, target: string, format: RoundFormat): string {
  const what = e.own
    ? `${e.batches} of the round's ${e.roundBatches} batch(es): only your own bids, so clearing the file is not the round's clearing`
    : `all ${e.batches} batch(es)`;
  const lines = [
    `${target}: round ${e.round.id} (${e.round.status}), ${what}, ${e.file.bids.length} bid(s); ` +
      'every batch checked against its salted commitment',
  ];
  if (format === 'csv') {
    lines.push(`a CSV file carries no params: clear it with ${csvParamFlags(e.file.params)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function exportCommand(): Command {
  const cmd = new Command('export')
    .summary('write a ledger round as a round file')
    .description(
      'Read a closed round from the ledger, check every sealed batch against its salted commitment and ' +
        'write the clearing input as a round file that "clear" accepts (bid ids are the market ids ' +
        '<batchId>.<position>, so "clear" reproduces the recorded result byte for byte). ' +
        "The whole round needs the operator's identity; a utility exports only its own bids (--own).",
    )
    .argument('<roundId>', 'the round to export')
    .option('--out <file>', 'write to this file (.json or .csv) instead of stdout')
    .addOption(
      new Option('--format <format>', 'output format (default: from --out extension, else json)').choices(
        ROUND_FORMATS as RoundFormat[],
      ),
    )
    .option('--own', "export only the calling utility's own batches (what a utility may read)")
    .addOption(
      new Option('--mechanism <profile>', "write this profile into the file's params").choices(MECHANISMS),
    );
  addIdentityOptions(cmd);
  return cmd
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction ledger export r1 --out work/r1.json && energy-auction clear work/r1.json --json
  $ energy-auction ledger export r1 --out work/r1.csv
  $ energy-auction ledger export r1 --own --msp Utility1MSP --out work/r1-mine.json
${IDENTITY_HELP}
${EXIT_HELP}`,
    )
    .action(async (roundId: string, flags: ExportFlags) => {
      const format =
        flags.out === undefined ? (flags.format ?? 'json') : detectFormat(flags.out, flags.format);
      const exported = await withLedger(identityOf(flags), (market) =>
        exportLedgerRound(market, roundId, { own: flags.own === true, profile: flags.mechanism }),
      );
      await writeOutput(
        flags.out,
        format === 'csv' ? roundCsvChunks(exported.file) : roundJsonChunks(exported.file),
      );
      process.stderr.write(exportNote(exported, flags.out ?? 'standard output', format));
    });
}

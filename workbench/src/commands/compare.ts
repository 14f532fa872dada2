/** `energy-auction compare`: clears a round with both profiles, side by side. */
import { Command } from 'commander';
import { clear } from '../../../engine/src/mechanism';
import type { Profile, WireClearingResult } from '../../../engine/src/mechanism/types';
import { COMPARED_PROFILES, formatComparisonTable, formatJson } from '../format-result';
import { addParamOptions, inputFormatOption, paramOverrides, progressOption } from '../options';
import { writeOutput } from '../output';
import { createProgress, shouldShowProgress } from '../progress';
import type { RoundFormat } from '../read-round';
import { loadRound } from './load';

interface CompareFlags {
  alpha?: string;
  fee?: string;
  gridStep?: string;
  format?: RoundFormat;
  json?: boolean;
  progress?: boolean;
}

export function compareCommand(): Command {
  const cmd = new Command('compare')
    .summary('clear a round with both profiles, side by side')
    .description(
      'Clear one round with both profiles (default and doan2021) and show them side by side:\n' +
        'price, traded kWh, percent of supply traded, buyer/seller/social welfare, efficiency\n' +
        '(the two profiles and the metrics: docs/mechanism.md §5 and §8).',
    )
    .argument('<round>', 'round file (.json or .csv, as for clear); "-" for stdin');
  addParamOptions(cmd);
  return cmd
    .addOption(inputFormatOption())
    .option('--json', 'print {"default": <result>, "doan2021": <result>} as one JSON document')
    .addOption(progressOption())
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction compare round.json
  $ energy-auction simulate --buyers 1000 --sellers 1000 --seed 1 --out r.json && energy-auction compare r.json
  $ energy-auction compare round.csv --alpha 0.5 --json

Exit status: 0 compared; 1 unreadable or invalid input; 2 bad command line.`,
    )
    .action(async (file: string, flags: CompareFlags) => {
      const progress = createProgress(shouldShowProgress(flags.progress));
      try {
        const { params, bids } = await loadRound(file, {
          format: flags.format,
          overrides: paramOverrides(flags),
          progress,
        });
        const results = {} as Record<Profile, WireClearingResult>;
        for (const profile of COMPARED_PROFILES) {
          progress.step(`clearing ${profile}`);
          results[profile] = clear({ ...params, profile }, bids);
        }
        progress.stop();
        await writeOutput(undefined, [flags.json ? formatJson(results) : formatComparisonTable(results)]);
      } finally {
        progress.stop();
      }
    });
}

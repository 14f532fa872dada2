/** `energy-auction clear`: clears one round file and prints the result. */
import { Command, Option } from 'commander';
import { clear } from '../../../engine/src/mechanism';
import type { Profile } from '../../../engine/src/mechanism/types';
import { formatCsv, formatJson, formatTable } from '../format-result';
import { addParamOptions, inputFormatOption, paramOverrides, parseCount, progressOption } from '../options';
import { writeOutput } from '../output';
import { createProgress, shouldShowProgress } from '../progress';
import type { RoundFormat } from '../read-round';
import { clearChart, clearPlotData } from '../plot/clear-chart';
import { parsePlotPath, writePlot } from '../plot/render';
import { loadRound } from './load';

interface ClearFlags {
  profile?: Profile;
  alpha?: string;
  fee?: string;
  gridStep?: string;
  format?: RoundFormat;
  json?: boolean;
  csv?: boolean;
  table?: boolean;
  maxRows?: number;
  progress?: boolean;
  plot?: string;
}

const PROFILES: Profile[] = ['default', 'doan2021'];

export function clearCommand(): Command {
  const cmd = new Command('clear')
    .summary('clear a round file and print the result')
    .description('Clear one round (a JSON or CSV file of bids) and print the result.')
    .argument(
      '<round>',
      'round file: .json ({"params": {...}, "bids": [...]}) or .csv (id,side,price,quantity[,alpha]); "-" for stdin',
    )
    .addOption(
      new Option('--profile <profile>', 'clearing profile (default: the file\'s, else "default")').choices(
        PROFILES,
      ),
    );
  addParamOptions(cmd);
  return cmd
    .addOption(inputFormatOption())
    .addOption(
      new Option('--json', 'print the clearing result as one JSON document').conflicts(['csv', 'table']),
    )
    .addOption(
      new Option(
        '--csv',
        'print one CSV line per bid: id,side,price,quantity_offered,quantity_allocated,payment',
      ).conflicts(['json', 'table']),
    )
    .addOption(
      new Option('--table', 'print a readable summary and the winners (the default)').conflicts([
        'json',
        'csv',
      ]),
    )
    .option('--max-rows <n>', 'table: at most this many winner lines, 0 = all', parseCount, 50)
    .option(
      '--plot <file.svg>',
      'also write supply, demand, the price range, the price and A(p) as SVG',
      parsePlotPath,
    )
    .addOption(progressOption())
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction clear round.json
  $ energy-auction clear round.csv --profile doan2021 --alpha 4 --json > result.json
  $ energy-auction clear bids.txt --format csv --fee 0.5 --csv
  $ cat round.json | energy-auction clear - --format json
  $ energy-auction clear round.json --plot work/round.svg

The profiles and every rule of the clearing: docs/mechanism.md.
Numbers in JSON files must be strings ("14.1"), as on the wire. A CSV file carries no params:
--profile, --alpha, --fee and --grid-step then set them (flags always override the file's params).
Exit status: 0 cleared or no-trade; 1 unreadable or invalid input; 2 bad command line.`,
    )
    .action(async (file: string, flags: ClearFlags) => {
      const progress = createProgress(shouldShowProgress(flags.progress));
      try {
        const { round, params, bids } = await loadRound(file, {
          format: flags.format,
          overrides: paramOverrides(flags),
          progress,
        });
        progress.step('clearing');
        const result = clear(params, bids);
        progress.stop();
        if (flags.plot !== undefined)
          await writePlot(flags.plot, clearChart(clearPlotData(params, bids, result)));
        let text: string;
        if (flags.json) text = formatJson(result);
        else if (flags.csv) text = formatCsv(result, round);
        else text = formatTable(result, round, { maxRows: flags.maxRows });
        await writeOutput(undefined, [text]);
      } finally {
        progress.stop();
      }
    });
}

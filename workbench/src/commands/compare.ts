/** `energy-auction compare`: clears a round with several mechanisms (docs/mechanisms.md). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { MECHANISM_NAMES, MECHANISMS, type MechanismName } from '../../../engine/src/mechanisms';
import {
  formatMechanismCsv,
  formatMechanismTable,
  formatSideBySide,
  type Comparison,
} from '../compare-format';
import { formatJson } from '../format-result';
import { compareChart } from '../plot/compare-chart';
import { parsePlotPath, writePlot } from '../plot/render';
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
  csv?: boolean;
  mechanisms?: MechanismName[];
  progress?: boolean;
  plot?: string;
}

/** Without --mechanisms: the two Stackelberg profiles, side by side, as before. */
const DEFAULT_MECHANISMS: readonly MechanismName[] = ['default', 'doan2021'];

const isMechanism = (s: string): s is MechanismName => (MECHANISM_NAMES as readonly string[]).includes(s);

/** --mechanisms a,b,…: known names (or "all"), in the order given, each once. */
export function parseMechanisms(value: string): MechanismName[] {
  const out: MechanismName[] = [];
  for (const raw of value.split(',')) {
    const name = raw.trim();
    const names = name === 'all' ? MECHANISM_NAMES : isMechanism(name) ? [name] : undefined;
    if (names === undefined) {
      throw new InvalidArgumentError(
        `unknown mechanism ${JSON.stringify(name)}; expected a comma-separated list of ` +
          `${MECHANISM_NAMES.join(', ')}, or all.`,
      );
    }
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out;
}

function render(c: Comparison, flags: CompareFlags): string {
  if (flags.json === true) return formatJson(c);
  if (flags.csv === true) return formatMechanismCsv(c);
  return flags.mechanisms === undefined ? formatSideBySide(c) : formatMechanismTable(c);
}

async function compare(file: string, flags: CompareFlags): Promise<void> {
  const progress = createProgress(shouldShowProgress(flags.progress));
  try {
    const { params, bids } = await loadRound(file, {
      format: flags.format,
      overrides: paramOverrides(flags),
      progress,
    });
    const results: Comparison = {};
    for (const name of flags.mechanisms ?? DEFAULT_MECHANISMS) {
      progress.step(`clearing ${name}`);
      results[name] = MECHANISMS[name](params, bids);
    }
    progress.stop();
    if (flags.plot !== undefined) await writePlot(flags.plot, compareChart(Object.values(results)));
    await writeOutput(undefined, [render(results, flags)]);
  } finally {
    progress.stop();
  }
}

export function compareCommand(): Command {
  const cmd = new Command('compare')
    .summary('clear a round with several mechanisms, side by side')
    .description(
      'Clear one round with several mechanisms and compare them: price(s), traded kWh, percent of\n' +
        'supply traded, buyer/seller/social welfare, efficiency, the operator surplus or deficit,\n' +
        'winners and individual-rationality violations (docs/mechanisms.md; the Stackelberg\n' +
        'profiles and the metrics: docs/mechanism.md §5 and §8). Without --mechanisms: the two\n' +
        'profiles default and doan2021 side by side; with it, one row per mechanism.',
    )
    .argument('<round>', 'round file (.json or .csv, as for clear); "-" for stdin');
  addParamOptions(cmd);
  return cmd
    .addOption(inputFormatOption())
    .addOption(
      new Option(
        '--mechanisms <list>',
        `comma-separated, from ${MECHANISM_NAMES.join(', ')}, or all (default: default,doan2021)`,
      ).argParser(parseMechanisms),
    )
    .option('--json', 'print {"<mechanism>": <result>, ...} as one JSON document')
    .addOption(new Option('--csv', 'print one CSV line per mechanism').conflicts('json'))
    .addOption(
      new Option('--plot <file.svg>', 'also write welfare and efficiency per mechanism as SVG').argParser(
        parsePlotPath,
      ),
    )
    .addOption(progressOption())
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction compare round.json
  $ energy-auction compare round.json --mechanisms all
  $ energy-auction compare round.json --mechanisms uniform,mcafee,vcg --csv
  $ energy-auction compare round.json --mechanisms all --plot work/compare.svg
  $ energy-auction simulate --buyers 1000 --sellers 1000 --seed 1 --out r.json && energy-auction compare r.json
  $ energy-auction compare round.csv --alpha 0.5 --json

Exit status: 0 compared; 1 unreadable or invalid input; 2 bad command line.`,
    )
    .action(compare);
}

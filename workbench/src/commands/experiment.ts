/** `energy-auction experiment`: many simulated rounds per setting, every mechanism, summarized. */
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { load as loadYaml } from 'js-yaml';
import { MECHANISM_NAMES, type MechanismName } from '../../../engine/src/mechanisms';
import { CliError, osReason } from '../errors';
import {
  checkCount,
  checkMechanism,
  configFromDocument,
  ExperimentConfigError,
  mergeConfig,
  parseVary,
  VARIABLES,
  type ExperimentConfig,
  type Variable,
} from '../experiment/config';
import { roundsCsv, summaryCsv, summaryRows, summaryTable } from '../experiment/report';
import { runExperiment } from '../experiment/run';
import { parseCount, parseSeed, progressOption } from '../options';
import { writeOutput } from '../output';
import { experimentChart } from '../plot/experiment-chart';
import { parsePlotPath, writePlot } from '../plot/render';
import { createProgress, shouldShowProgress } from '../progress';

interface ExperimentFlags {
  rounds?: number;
  buyers?: number;
  sellers?: number;
  seed?: number;
  profile?: 'flat' | 'day';
  mechanisms?: MechanismName[];
  vary: [Variable, string[]][];
  workers: number;
  out?: string;
  plot?: string;
  progress?: boolean;
}

/** A config check as a flag parser: a bad value is a bad command line (exit 2). */
function asFlag<T>(check: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return check(value);
    } catch (e) {
      if (e instanceof ExperimentConfigError) throw new InvalidArgumentError(`${e.message}.`);
      throw e;
    }
  };
}

const collectVary = (value: string, previous: [Variable, string[]][]): [Variable, string[]][] => [
  ...previous,
  asFlag(parseVary)(value),
];

function flagConfig(flags: ExperimentFlags): Partial<ExperimentConfig> {
  const c: Partial<ExperimentConfig> = { vary: flags.vary };
  if (flags.rounds !== undefined) c.rounds = flags.rounds;
  if (flags.buyers !== undefined) c.buyers = flags.buyers;
  if (flags.sellers !== undefined) c.sellers = flags.sellers;
  if (flags.seed !== undefined) c.seed = flags.seed;
  if (flags.profile !== undefined) c.profile = flags.profile;
  if (flags.mechanisms !== undefined) c.mechanisms = flags.mechanisms;
  return c;
}

/** An experiment file: YAML for .yaml/.yml, else JSON. */
async function fileConfig(path: string): Promise<Partial<ExperimentConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${osReason(e)}`);
  }
  try {
    const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
    return configFromDocument(yaml ? loadYaml(text) : JSON.parse(text));
  } catch (e) {
    throw new CliError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function writeFiles(out: string, files: Record<string, string>): Promise<void> {
  try {
    await mkdir(out, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create the directory ${out}: ${osReason(e)}`);
  }
  for (const [name, text] of Object.entries(files)) await writeOutput(join(out, name), [text]);
}

async function experiment(file: string | undefined, flags: ExperimentFlags): Promise<void> {
  const fromFile = file === undefined ? {} : await fileConfig(file);
  const config = mergeConfig(fromFile, flagConfig(flags));
  const progress = createProgress(shouldShowProgress(flags.progress));
  try {
    const run = await runExperiment(config, flags.workers, {
      start: (total) => {
        progress.start('rounds', total);
      },
      update: (done) => {
        progress.update(done);
      },
    });
    progress.stop();
    const summary = summaryRows(config, run.settings, run.rows);
    if (flags.out !== undefined) {
      await writeFiles(flags.out, {
        'rounds.csv': roundsCsv(config, run.settings, run.rows),
        'summary.csv': summaryCsv(config, summary),
      });
    }
    if (flags.plot !== undefined) await writePlot(flags.plot, experimentChart(run.rows, run.settings));
    await writeOutput(undefined, [summaryTable(summary)]);
  } finally {
    progress.stop();
  }
}

export function experimentCommand(): Command {
  return new Command('experiment')
    .summary('run many simulated rounds per setting with every mechanism, and summarize')
    .description(
      'Simulate rounds, clear each with the chosen mechanisms for every setting (combination of the\n' +
        'varied parameters), and summarize per setting and mechanism: mean, standard deviation and\n' +
        '95 % confidence interval (Student t). Runs on worker threads; the same seed gives the same\n' +
        'bytes whatever the number of workers.',
    )
    .argument('[file]', 'experiment file, JSON or YAML (.yaml/.yml); flags override its values')
    .option(
      '--rounds <n>',
      'rounds per setting (default 20)',
      asFlag((v) => checkCount('--rounds', v, 1)),
    )
    .option('--buyers <n>', 'buy bids per simulated round (default 100)', parseCount)
    .option('--sellers <n>', 'sell bids per simulated round (default 100)', parseCount)
    .option('--seed <n>', 'experiment seed, an integer in [0, 4294967295] (default 1)', parseSeed)
    .addOption(
      new Option(
        '--profile <profile>',
        'flat: independent rounds (default); day: 96 quarter-hour slots a day',
      ).choices(['flat', 'day']),
    )
    .option(
      '--mechanisms <list>',
      `comma-separated, of ${MECHANISM_NAMES.join(', ')} (default all)`,
      asFlag((v) => v.split(',').map((m) => checkMechanism(m.trim()))),
    )
    .option(
      '--vary <name=v1,v2>',
      `a parameter to vary, repeatable: ${VARIABLES.join(', ')} (e.g. --vary alpha=1,2,4,8 --vary fee=0,0.5)`,
      collectVary,
      [],
    )
    .option(
      '--workers <n>',
      'worker threads (default: os.availableParallelism())',
      asFlag((v) => checkCount('--workers', v, 1)),
      availableParallelism(),
    )
    .option('--out <dir>', 'write rounds.csv and summary.csv to this directory (created if missing)')
    .option(
      '--plot <file.svg>',
      'write box plots of efficiency and social welfare across rounds (SVG)',
      parsePlotPath,
    )
    .addOption(progressOption())
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction experiment --rounds 50 --vary alpha=1,2,4,8 --vary fee=0,0.5 --out work/exp
  $ energy-auction experiment examples/experiment.yaml --out work/exp --plot work/exp/efficiency.svg
  $ energy-auction experiment --profile day --rounds 96 --buyers 50 --sellers 20 --mechanisms default,uniform

An experiment file has the keys rounds, buyers, sellers, seed, profile, mechanisms and vary
(e.g. vary: {alpha: [1, 2, 4], fee: [0, 0.5]}). Round r of every setting has the same bids
(seeded from the experiment seed and r), so settings differ only in what they vary.
Exit status: 0 done; 1 unreadable or invalid experiment file; 2 bad command line.`,
    )
    .action(async (file: string | undefined, flags: ExperimentFlags) => {
      await experiment(file, flags);
    });
}

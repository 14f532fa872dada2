/** `energy-auction simulate`: writes a reproducible random round (or a day of 96 rounds). */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { simulateDay, slotTime } from '../../../engine/src/sim/day';
import {
  SIM_DEFAULTS,
  SimulateOptionsError,
  simulateRound,
  type DecimalRange,
} from '../../../engine/src/sim/simulate';
import type { WireRound } from '../../../engine/src/mechanism/types';
import { CliError, osReason } from '../errors';
import { roundCsvChunks, roundJsonChunks } from '../format-round';
import {
  decimalsParser,
  parseCount,
  parseSeed,
  parseSimAlpha,
  rangeParser,
  simFlagMessage,
} from '../options';
import { writeOutput } from '../output';
import { detectFormat, ROUND_FORMATS, type RoundFormat } from '../read-round';

interface SimulateFlags {
  buyers: number;
  sellers: number;
  seed: number;
  out?: string;
  format?: RoundFormat;
  buyPrice?: DecimalRange;
  sellPrice?: DecimalRange;
  quantity?: DecimalRange;
  priceDecimals?: number;
  quantityDecimals?: number;
  alpha?: string;
  profile?: SimProfile;
}

type SimProfile = 'flat' | 'day';

const range = (r: DecimalRange): string => `${r.min}:${r.max}`;

export function simulateCommand(): Command {
  return new Command('simulate')
    .summary('write a reproducible random round')
    .description(
      'Write a reproducible random round (default distribution: the benchmark of Doan et al. 2021).\n' +
        'The same options and seed always give a byte-identical file.',
    )
    .requiredOption('--buyers <n>', 'number of buy bids', parseCount)
    .requiredOption('--sellers <n>', 'number of sell bids', parseCount)
    .requiredOption('--seed <n>', 'PRNG seed, an integer in [0, 4294967295]', parseSeed)
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(
      new Option('--format <format>', 'output format (default: from --out extension, else json)').choices(
        ROUND_FORMATS as RoundFormat[],
      ),
    )
    .option(
      '--buy-price <min:max>',
      `buy price range per kWh (default ${range(SIM_DEFAULTS.buyPrice)})`,
      rangeParser('buyPrice'),
    )
    .option(
      '--sell-price <min:max>',
      `sell price range per kWh (default ${range(SIM_DEFAULTS.sellPrice)})`,
      rangeParser('sellPrice'),
    )
    .option(
      '--quantity <min:max>',
      `quantity range in kWh (default ${range(SIM_DEFAULTS.quantity)})`,
      rangeParser('quantity'),
    )
    .option(
      '--price-decimals <n>',
      `decimals of prices, 0-4 (default ${SIM_DEFAULTS.priceDecimals})`,
      decimalsParser('priceDecimals'),
    )
    .option(
      '--quantity-decimals <n>',
      `decimals of quantities, 0-3 (default ${SIM_DEFAULTS.quantityDecimals})`,
      decimalsParser('quantityDecimals'),
    )
    .option('--alpha <alpha>', `the round's alpha param (default ${SIM_DEFAULTS.alpha})`, parseSimAlpha)
    .addOption(
      new Option(
        '--profile <profile>',
        'flat: one round (the default); day: 96 quarter-hour rounds, PV-shaped supply, load-shaped demand, written to the directory --out as slot-HHMM.json',
      ).choices(['flat', 'day']),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ energy-auction simulate --buyers 100 --sellers 100 --seed 1 > round.json
  $ energy-auction simulate --buyers 500000 --sellers 500000 --seed 7 --out big.csv
  $ energy-auction simulate --buyers 10 --sellers 10 --seed 3 --buy-price 20:30 --quantity 1:2
  $ energy-auction simulate --buyers 50 --sellers 20 --seed 1 --profile day --out work/day1

A day (--profile day) is 96 rounds, slot-0000.json (00:00) to slot-2345.json (23:45), in the
directory --out (created if missing; --format csv for .csv files). Sellers are PV owners (no
supply before 06:00 and after 20:00, a bell around 13:00), buyers households (morning and evening
peaks); each keeps its id all day and bids only when its quantity in that slot is above 0.

Bids are b0000001.. (buy) then s0000001.. (sell). In JSON the alpha is a round param; a CSV file has
no params, so a non-default --alpha is written as a per-bid alpha column on the buy bids.
Exit status: 0 written; 1 cannot write the output; 2 bad command line.`,
    )
    .action(async (flags: SimulateFlags) => {
      if (flags.profile === 'day') {
        await writeDay(flags);
        return;
      }
      const format = flags.format ?? (flags.out && flags.out !== '-' ? detectOutFormat(flags.out) : 'json');
      await writeRound(simulate(flags), format, flags.out);
    });
}

/**
 * The round the flags describe. Each flag was checked on its own while parsing; what is left are
 * combinations (e.g. a range without a value of --price-decimals decimals): a bad command line.
 */
function simulate(flags: SimulateFlags): WireRound {
  return simOrCliError(() => simulateRound(simOptions(flags)));
}

function simOptions(flags: SimulateFlags): Parameters<typeof simulateRound>[0] {
  return {
    buyers: flags.buyers,
    sellers: flags.sellers,
    seed: flags.seed,
    buyPrice: flags.buyPrice,
    sellPrice: flags.sellPrice,
    quantity: flags.quantity,
    priceDecimals: flags.priceDecimals,
    quantityDecimals: flags.quantityDecimals,
    alpha: flags.alpha,
  };
}

function simOrCliError<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof SimulateOptionsError) throw new CliError(`simulate: ${simFlagMessage(e.message)}`, 2);
    throw e;
  }
}

/**
 * Writes the round as JSON or CSV. A CSV file has no params, so a non-default alpha becomes a
 * per-bid alpha on the buy bids.
 */
async function writeRound(round: WireRound, format: RoundFormat, out: string | undefined): Promise<void> {
  if (format === 'json') {
    await writeOutput(out, roundJsonChunks(round));
    return;
  }
  const alpha = round.params?.alpha;
  if (alpha !== undefined && alpha !== SIM_DEFAULTS.alpha) {
    for (const b of round.bids) if (b.side === 'buy') b.alpha = alpha;
  }
  await writeOutput(out, roundCsvChunks(round));
}

/** --profile day: the 96 rounds as slot-HHMM.<format> files in the directory --out. */
async function writeDay(flags: SimulateFlags): Promise<void> {
  const dir = flags.out;
  if (dir === undefined || dir === '-') {
    throw new CliError('simulate --profile day writes 96 files: name a directory with --out', 2);
  }
  const format = flags.format ?? 'json';
  const rounds = simOrCliError(() => simulateDay(simOptions(flags)));
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create the directory ${dir}: ${osReason(e)}`);
  }
  for (const [slot, round] of rounds.entries()) {
    await writeRound(round, format, join(dir, `slot-${slotTime(slot)}.${format}`));
  }
}

function detectOutFormat(path: string): RoundFormat {
  try {
    return detectFormat(path);
  } catch {
    throw new CliError(
      `cannot tell the output format from ${path}: name it .json or .csv, or use --format`,
      2,
    );
  }
}

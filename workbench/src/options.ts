/** Option parsers shared by the commands; they throw commander's InvalidArgumentError. */
import { InvalidArgumentError, Option } from 'commander';
import { validateRound } from '../../engine/src/mechanism';
import { RoundValidationError, type WireRoundParams } from '../../engine/src/mechanism/types';
import { DECIMALS } from '../../engine/src/mechanism/units';
import { SimulateOptionsError, simulateRound, type DecimalRange } from '../../engine/src/sim/simulate';
import { ROUND_FORMATS, type RoundFormat } from './read-round';

// Every flag is checked here, while commander parses the command line: a bad value is reported as
// a bad command line (exit 2, naming the flag and what it accepts) before any file is read, and is
// never blamed on the round file. The rules themselves are the engine's: a flag is accepted iff
// the engine accepts the value it becomes.

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a non-negative integer.');
  }
  return Number(value);
}

/** "14:22" -> { min: "14", max: "22" } (the bounds are checked by the simulator). */
export function parseRange(value: string): DecimalRange {
  const m = /^\s*([^:\s]+)\s*:\s*([^:\s]+)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError('must be MIN:MAX, e.g. 14:22.');
  return { min: m[1] ?? '', max: m[2] ?? '' };
}

export const inputFormatOption = (): Option =>
  new Option('--format <format>', 'input format (default: from the file extension)').choices(
    ROUND_FORMATS as RoundFormat[],
  );

export const progressOption = (): Option =>
  new Option('--progress', 'show progress on stderr even when it is not a terminal');

/** The engine's reason for refusing a round with this one param (others default), if any. */
function paramProblem(field: keyof WireRoundParams, value: string): string | undefined {
  try {
    validateRound({ params: { [field]: value }, bids: [] });
    return undefined;
  } catch (e) {
    if (e instanceof RoundValidationError) return e.issues[0]?.reason ?? 'invalid';
    throw e;
  }
}

/** A parser for a round-param flag: the value as given, if the engine accepts it for `field`. */
function paramParser(field: keyof WireRoundParams, accepted: string): (value: string) => string {
  return (value) => {
    const problem = paramProblem(field, value);
    if (problem !== undefined) throw new InvalidArgumentError(`${problem}; expected ${accepted}.`);
    return value;
  };
}

/** --alpha, --fee, --grid-step: round parameters that override the file's. */
export function addParamOptions<T extends { addOption(o: Option): T }>(cmd: T): T {
  const decimals = `at most ${DECIMALS.price} decimals`;
  return cmd
    .addOption(
      new Option('--alpha <alpha>', "the round's default buyer alpha (currency/kWh², e.g. 4)").argParser(
        paramParser('alpha', `a number greater than 0 and at most 1000000, ${decimals}, e.g. 4`),
      ),
    )
    .addOption(
      new Option('--fee <fee>', 'service fee per kWh paid by buyers (e.g. 0.5)').argParser(
        paramParser('serviceFee', `a number in [0, 1000000], ${decimals}, e.g. 0.5`),
      ),
    )
    .addOption(
      new Option('--grid-step <step>', 'price grid step of the doan2021 profile (e.g. 0.1)').argParser(
        paramParser('gridStep', `a number greater than 0, ${decimals}, e.g. 0.1`),
      ),
    );
}

type SimOptions = Parameters<typeof simulateRound>[0];

/** The simulator's option names as the flags that set them (for its messages). */
const SIM_FLAGS: Record<string, string> = {
  buyers: '--buyers',
  sellers: '--sellers',
  seed: '--seed',
  buyPrice: '--buy-price',
  sellPrice: '--sell-price',
  quantity: '--quantity',
  priceDecimals: '--price-decimals',
  quantityDecimals: '--quantity-decimals',
  alpha: '--alpha',
};

/** "buyPrice: min 5 is ..." -> "--buy-price: min 5 is ..." */
export function simFlagMessage(message: string): string {
  return message.replace(/^[A-Za-z]+/, (name) => SIM_FLAGS[name] ?? name);
}

/**
 * Checks one simulate flag by a dry run of the simulator (no bids) with only that option set;
 * throws the simulator's reason without its option name (commander names the flag).
 */
function checkSimOption(option: Partial<SimOptions>, accepted?: string): void {
  try {
    simulateRound({ buyers: 0, sellers: 0, seed: 0, ...option });
  } catch (e) {
    if (!(e instanceof SimulateOptionsError)) throw e;
    const reason = e.message.replace(/^[A-Za-z]+:? /, '');
    throw new InvalidArgumentError(
      accepted === undefined ? `${reason}.` : `${reason}; expected ${accepted}.`,
    );
  }
}

/** --seed: an integer the simulator accepts as a seed. */
export function parseSeed(value: string): number {
  const seed = parseCount(value);
  checkSimOption({ seed });
  return seed;
}

/** --price-decimals / --quantity-decimals: a count the simulator accepts for that option. */
export function decimalsParser(name: 'priceDecimals' | 'quantityDecimals'): (value: string) => number {
  return (value) => {
    const n = parseCount(value);
    checkSimOption({ [name]: n });
    return n;
  };
}

/**
 * --buy-price / --sell-price / --quantity: MIN:MAX with bounds the simulator accepts. The range is
 * checked with the most decimals allowed, so that it does not depend on --price-decimals or
 * --quantity-decimals (the combination is checked when the round is simulated).
 */
export function rangeParser(name: 'buyPrice' | 'sellPrice' | 'quantity'): (value: string) => DecimalRange {
  const accepted =
    name === 'quantity'
      ? `MIN:MAX in kWh with MIN <= MAX and MAX > 0, at most ${DECIMALS.energy} decimals, e.g. 0.1:5`
      : `MIN:MAX per kWh with MIN <= MAX, at most ${DECIMALS.price} decimals, e.g. 14:22`;
  const mostDecimals =
    name === 'quantity' ? { quantityDecimals: DECIMALS.energy } : { priceDecimals: DECIMALS.price };
  return (value) => {
    const range = parseRange(value);
    checkSimOption({ [name]: range, ...mostDecimals }, accepted);
    return range;
  };
}

/** --alpha of simulate: the round alpha the simulator accepts. */
export function parseSimAlpha(value: string): string {
  checkSimOption({ alpha: value }, `a number greater than 0, at most ${DECIMALS.alpha} decimals, e.g. 4`);
  return value;
}

interface ParamFlags {
  profile?: WireRoundParams['profile'];
  alpha?: string;
  fee?: string;
  gridStep?: string;
}

/** The flags as WireRoundParams overrides (only the ones given). */
export function paramOverrides(flags: ParamFlags): Partial<WireRoundParams> {
  const o: Partial<WireRoundParams> = {};
  if (flags.profile !== undefined) o.profile = flags.profile;
  if (flags.alpha !== undefined) o.alpha = flags.alpha;
  if (flags.fee !== undefined) o.serviceFee = flags.fee;
  if (flags.gridStep !== undefined) o.gridStep = flags.gridStep;
  return o;
}

/**
 * Reproducible random rounds for benchmarks and demos. Every value is drawn as an integer from a
 * seeded PRNG (pure-rand xoroshiro128+) and formatted with units.ts — no floating point, so the
 * same options always give a byte-identical round on every platform.
 *
 * Default distribution: the benchmark of Doan et al. (2021): buy prices uniform in [14, 22] and
 * sell prices uniform in [5, 13] with 1 decimal, quantities uniform in [0.1, 5] kWh with 3
 * decimals, round alpha "4".
 */
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import {
  DECIMALS,
  DecimalFormatError,
  formatAlpha,
  formatEnergy,
  formatPrice,
  parseDecimal,
} from '../mechanism/units';
import type { Side, WireBid, WireRound } from '../mechanism/types';

/** An inclusive range of decimal strings, e.g. { min: '14', max: '22' }. */
export interface DecimalRange {
  min: string;
  max: string;
}

export interface SimulateOptions {
  /** number of buy bids (0 allowed) */
  buyers: number;
  /** number of sell bids (0 allowed) */
  sellers: number;
  /** PRNG seed, an integer in [0, 2^32 - 1] */
  seed: number;
  /** buy prices per kWh (default 14..22) */
  buyPrice?: DecimalRange;
  /** sell prices per kWh (default 5..13) */
  sellPrice?: DecimalRange;
  /** quantities in kWh, both sides (default 0.1..5) */
  quantity?: DecimalRange;
  /** decimals of generated prices, 0..4 (default 1) */
  priceDecimals?: number;
  /** decimals of generated quantities, 0..3 (default 3) */
  quantityDecimals?: number;
  /** the round's alpha (default "4") */
  alpha?: string;
}

export const SIM_DEFAULTS = {
  buyPrice: { min: '14', max: '22' },
  sellPrice: { min: '5', max: '13' },
  quantity: { min: '0.1', max: '5' },
  priceDecimals: 1,
  quantityDecimals: 3,
  alpha: '4',
} as const;

/** Thrown for options that cannot produce a valid round; the message names the option. */
export class SimulateOptionsError extends Error {
  readonly code = 'BAD_SIM_OPTIONS';
  constructor(message: string) {
    super(message);
    this.name = 'SimulateOptionsError';
  }
}

const MAX_SEED = 0xffffffff;
const MAX_PRICE_UNITS = 1_000_000 * 10 ** DECIMALS.price;
const MAX_ENERGY_UNITS = 1_000_000 * 10 ** DECIMALS.energy;

/** A round the simulator can hold in memory: 5·10^7 bids is ≈ 10 GB of wire bids. */
export const MAX_SIMULATED_BIDS = 50_000_000;

function checkCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SimulateOptionsError(`${name} must be a non-negative integer, got ${String(n)}`);
  }
}

/** Refuses rounds too large to build (a RangeError from the array allocation otherwise). */
function checkTotal(buyers: number, sellers: number): void {
  if (buyers + sellers > MAX_SIMULATED_BIDS) {
    const most = MAX_SIMULATED_BIDS.toLocaleString('en-US');
    throw new SimulateOptionsError(
      `too many bids: buyers + sellers = ${String(buyers + sellers)}, at most ${most} can be simulated`,
    );
  }
}

function checkDecimals(name: string, d: number, max: number): void {
  if (!Number.isInteger(d) || d < 0 || d > max) {
    throw new SimulateOptionsError(`${name} must be an integer in [0, ${max}], got ${String(d)}`);
  }
}

function parseBound(name: string, value: string, decimals: number): number {
  try {
    return parseDecimal(value, decimals);
  } catch (e) {
    if (e instanceof DecimalFormatError) throw new SimulateOptionsError(`${name}: ${e.message}`);
    throw e;
  }
}

/**
 * A range in grid steps: values are k · step (in internal units) for k in [lo, hi]. `step` is
 * 10^(internalDecimals − outputDecimals) units, so the output has at most outputDecimals decimals.
 */
export interface Grid {
  lo: number;
  hi: number;
  step: number;
}

function toGrid(
  name: string,
  range: DecimalRange,
  internalDecimals: number,
  outputDecimals: number,
  limits: { min: number; max: number },
): Grid {
  const min = parseBound(`${name} min`, range.min, internalDecimals);
  const max = parseBound(`${name} max`, range.max, internalDecimals);
  if (min > max) {
    throw new SimulateOptionsError(`${name}: min ${range.min} is greater than max ${range.max}`);
  }
  const step = 10 ** (internalDecimals - outputDecimals);
  const lo = Math.max(Math.ceil(min / step), Math.ceil(limits.min / step));
  const hi = Math.min(Math.floor(max / step), Math.floor(limits.max / step));
  if (lo > hi) {
    throw new SimulateOptionsError(
      `${name}: no valid value with ${outputDecimals} decimal(s) in [${range.min}, ${range.max}]`,
    );
  }
  return { lo, hi, step };
}

function draw(grid: Grid, rng: RandomGenerator): number {
  return unsafeUniformIntDistribution(grid.lo, grid.hi, rng) * grid.step;
}

/** Zero-padded id: b0000001, s0000042, ... (wider past 9,999,999). */
export function simId(prefix: 'b' | 's', n: number): string {
  return prefix + String(n).padStart(7, '0');
}

/** The checked options of a round: where every value is drawn from. */
export interface RoundPlan {
  buyGrid: Grid;
  sellGrid: Grid;
  qtyGrid: Grid;
  alphaUnits: number;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new SimulateOptionsError(`seed must be an integer in [0, ${MAX_SEED}], got ${String(seed)}`);
  }
}

const PRICE_LIMITS = { min: 0, max: MAX_PRICE_UNITS };
// quantity must be > 0
const ENERGY_LIMITS = { min: 1, max: MAX_ENERGY_UNITS };

/** Checks the options (in the order they are listed) and turns them into grids. */
export function planRound(opts: SimulateOptions): RoundPlan {
  checkCount('buyers', opts.buyers);
  checkCount('sellers', opts.sellers);
  checkTotal(opts.buyers, opts.sellers);
  checkSeed(opts.seed);
  const priceDecimals = opts.priceDecimals ?? SIM_DEFAULTS.priceDecimals;
  const quantityDecimals = opts.quantityDecimals ?? SIM_DEFAULTS.quantityDecimals;
  checkDecimals('priceDecimals', priceDecimals, DECIMALS.price);
  checkDecimals('quantityDecimals', quantityDecimals, DECIMALS.energy);
  const priceGrid = (name: string, range: DecimalRange): Grid =>
    toGrid(name, range, DECIMALS.price, priceDecimals, PRICE_LIMITS);
  const buyGrid = priceGrid('buyPrice', opts.buyPrice ?? SIM_DEFAULTS.buyPrice);
  const sellGrid = priceGrid('sellPrice', opts.sellPrice ?? SIM_DEFAULTS.sellPrice);
  const quantity = opts.quantity ?? SIM_DEFAULTS.quantity;
  const qtyGrid = toGrid('quantity', quantity, DECIMALS.energy, quantityDecimals, ENERGY_LIMITS);
  const alphaUnits = parseBound('alpha', opts.alpha ?? SIM_DEFAULTS.alpha, DECIMALS.alpha);
  if (alphaUnits <= 0) throw new SimulateOptionsError('alpha must be greater than 0');
  return { buyGrid, sellGrid, qtyGrid, alphaUnits };
}

/** Draws `count` bids of one side into bids[start ..], ids numbered from 1. */
function drawSide(
  bids: WireBid[],
  start: number,
  count: number,
  side: Side,
  priceGrid: Grid,
  qtyGrid: Grid,
  rng: RandomGenerator,
): void {
  const prefix = side === 'buy' ? 'b' : 's';
  for (let i = 0; i < count; i++) {
    const price = draw(priceGrid, rng);
    const quantity = draw(qtyGrid, rng);
    bids[start + i] = {
      id: simId(prefix, i + 1),
      side,
      price: formatPrice(price),
      quantity: formatEnergy(quantity),
    };
  }
}

/**
 * Generates a reproducible random round. Buy bids come first (b0000001..), then sell bids
 * (s0000001..). Buyers and sellers draw from two independent PRNG streams (the seller stream is
 * the buyer stream jumped by 2^64), so adding sellers never changes the buyers and vice versa.
 */
export function simulateRound(opts: SimulateOptions): WireRound {
  const plan = planRound(opts);
  const buyRng = xoroshiro128plus(opts.seed);
  const sellRng = buyRng.jump?.();
  if (!sellRng) throw new Error('pure-rand xoroshiro128plus has no jump()');

  const bids: WireBid[] = new Array<WireBid>(opts.buyers + opts.sellers);
  drawSide(bids, 0, opts.buyers, 'buy', plan.buyGrid, plan.qtyGrid, buyRng);
  drawSide(bids, opts.buyers, opts.sellers, 'sell', plan.sellGrid, plan.qtyGrid, sellRng);
  return { params: { alpha: formatAlpha(plan.alphaUnits) }, bids };
}

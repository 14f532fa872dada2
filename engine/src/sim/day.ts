/**
 * A simulated day (issue #14): 96 quarter-hour rounds of one neighbourhood. Sellers are PV owners,
 * buyers are households; both keep their ids all day (b0000001 is the same household at 08:00 and
 * at 20:00).
 *
 * - Supply is PV-shaped: zero before 06:00 and after 20:00, a bell around 13:00.
 * - Demand is load-shaped: a base load with a morning peak (07:30) and an evening peak (19:00).
 *
 * Each participant draws a capacity once (from the quantity range); in slot t its quantity is
 * capacity × shape(t) × noise, noise uniform in [80 %, 120 %], rounded down to the quantity grid.
 * A bid whose quantity rounds down to 0 is not placed (no sellers at night). Prices are drawn per
 * slot as in simulateRound. Everything is integer arithmetic on a seeded PRNG: the same options
 * always give the same 96 rounds, byte for byte.
 */
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import type { Side, WireBid, WireRound } from '../mechanism/types';
import { formatAlpha, formatEnergy, formatPrice } from '../mechanism/units';
import { planRound, simId, type Grid, type RoundPlan, type SimulateOptions } from './simulate';

/** Quarter-hour slots in a day. */
export const DAY_SLOTS = 96;

/** Shapes are per-mille factors in [0, 1000]. */
const PER_MILLE = 1000;

/**
 * A bell (the biweight kernel (1 − x²)², integer-exact) of half-width `width` slots centred on
 * `centre`, as a per-mille factor: 1000 at the centre, 0 at and beyond centre ± width.
 */
function bell(slot: number, centre: number, width: number): number {
  const d = slot - centre;
  if (Math.abs(d) >= width) return 0;
  const w2 = width * width;
  const r = w2 - d * d;
  return Math.floor((PER_MILLE * r * r) / (w2 * w2));
}

/** PV output in slot t (per mille of capacity): 06:00 (slot 24) to 20:00 (slot 80), peak 13:00. */
export function pvShape(slot: number): number {
  return bell(slot, 52, 28);
}

/** Household load in slot t (per mille of capacity): base 250, peaks at 07:30 and 19:00. */
export function loadShape(slot: number): number {
  return Math.min(
    PER_MILLE,
    250 +
      Math.floor((500 * bell(slot, 30, 10)) / PER_MILLE) +
      Math.floor((750 * bell(slot, 76, 14)) / PER_MILLE),
  );
}

/** "HHMM" of a slot: 0 -> "0000", 95 -> "2345". */
export function slotTime(slot: number): string {
  const minutes = slot * 15;
  return String(Math.floor(minutes / 60)).padStart(2, '0') + String(minutes % 60).padStart(2, '0');
}

/** The day's PRNG streams: capacities of each side, then one stream per slot (each a 2^64 jump). */
interface DayStreams {
  buyCaps: RandomGenerator;
  sellCaps: RandomGenerator;
  slot(t: number): RandomGenerator;
}

function jumped(rng: RandomGenerator): RandomGenerator {
  const next = rng.jump?.();
  if (!next) throw new Error('pure-rand xoroshiro128plus has no jump()');
  return next;
}

function dayStreams(seed: number): DayStreams {
  const buyCaps = xoroshiro128plus(seed);
  const sellCaps = jumped(buyCaps);
  const slots: RandomGenerator[] = [jumped(sellCaps)];
  return {
    buyCaps,
    sellCaps,
    slot: (t) => {
      for (let i = slots.length; i <= t; i++) slots.push(jumped(slots[i - 1] as RandomGenerator));
      return slots[t] as RandomGenerator;
    },
  };
}

function capacities(count: number, grid: Grid, rng: RandomGenerator): number[] {
  const caps = new Array<number>(count);
  for (let i = 0; i < count; i++) caps[i] = unsafeUniformIntDistribution(grid.lo, grid.hi, rng);
  return caps;
}

/** The checked plan and the participants' capacities (in quantity grid steps). */
export interface DayPlan {
  plan: RoundPlan;
  seed: number;
  buyCaps: number[];
  sellCaps: number[];
}

export function planDay(opts: SimulateOptions): DayPlan {
  const plan = planRound(opts);
  const streams = dayStreams(opts.seed);
  return {
    plan,
    seed: opts.seed,
    buyCaps: capacities(opts.buyers, plan.qtyGrid, streams.buyCaps),
    sellCaps: capacities(opts.sellers, plan.qtyGrid, streams.sellCaps),
  };
}

/** Capacity × shape × noise (percent), in grid steps, rounded down. */
function slotSteps(cap: number, shape: number, rng: RandomGenerator): number {
  const noise = unsafeUniformIntDistribution(80, 120, rng);
  return Math.floor((cap * shape * noise) / (PER_MILLE * 100));
}

function slotSide(
  bids: WireBid[],
  side: Side,
  caps: readonly number[],
  shape: number,
  priceGrid: Grid,
  qtyGrid: Grid,
  rng: RandomGenerator,
): void {
  const prefix = side === 'buy' ? 'b' : 's';
  for (let i = 0; i < caps.length; i++) {
    const price = unsafeUniformIntDistribution(priceGrid.lo, priceGrid.hi, rng) * priceGrid.step;
    const steps = slotSteps(caps[i] as number, shape, rng);
    if (steps === 0) continue;
    bids.push({
      id: simId(prefix, i + 1),
      side,
      price: formatPrice(price),
      quantity: formatEnergy(steps * qtyGrid.step),
    });
  }
}

/** The round of slot t (0..95) of the planned day. */
export function simulateDaySlot(day: DayPlan, slot: number): WireRound {
  if (!Number.isInteger(slot) || slot < 0 || slot >= DAY_SLOTS) {
    throw new RangeError(`slot must be an integer in [0, ${DAY_SLOTS - 1}], got ${String(slot)}`);
  }
  const { plan } = day;
  const rng = dayStreams(day.seed).slot(slot);
  const bids: WireBid[] = [];
  slotSide(bids, 'buy', day.buyCaps, loadShape(slot), plan.buyGrid, plan.qtyGrid, rng);
  slotSide(bids, 'sell', day.sellCaps, pvShape(slot), plan.sellGrid, plan.qtyGrid, rng);
  return { params: { alpha: formatAlpha(plan.alphaUnits) }, bids };
}

/** The 96 rounds of a day, slot 0 (00:00) first. */
export function simulateDay(opts: SimulateOptions): WireRound[] {
  const day = planDay(opts);
  const rounds: WireRound[] = [];
  for (let t = 0; t < DAY_SLOTS; t++) rounds.push(simulateDaySlot(day, t));
  return rounds;
}

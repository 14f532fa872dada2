import type { WireBid } from '../../../engine/src/mechanism/types';
import { DECIMALS, formatEnergy, formatPrice, parseDecimal } from '../../../engine/src/mechanism/units';

/**
 * Supply and demand step curves of a set of bids, evaluated exactly at (at most `maxPoints`) price
 * levels: supply[i] = kWh offered at or below prices[i], demand[i] = kWh asked for at or above it.
 * A round of 10^5 bids becomes a few hundred points, so the page never loads the bids themselves.
 */
export interface Curves {
  /** price levels, ascending, currency per kWh */
  prices: string[];
  /** kWh of sell bids priced at or below each level */
  supply: string[];
  /** kWh of buy bids priced at or above each level */
  demand: string[];
  /** true when every distinct bid price is a level (the curves are the exact steps) */
  exact: boolean;
  bidCount: number;
}

export const MAX_CURVE_POINTS = 500;

/** Wh per price tick, summed per side: the bids collapsed onto their distinct prices. */
interface Levels {
  ticks: number[];
  sellWh: bigint[];
  buyWh: bigint[];
}

/** The distinct prices (ascending) with the sell and buy energy at each. */
function levelsOf(bids: readonly WireBid[]): Levels {
  const sell = new Map<number, bigint>();
  const buy = new Map<number, bigint>();
  for (const b of bids) {
    const p = parseDecimal(b.price, DECIMALS.price);
    const m = b.side === 'sell' ? sell : buy;
    m.set(p, (m.get(p) ?? 0n) + BigInt(parseDecimal(b.quantity, DECIMALS.energy)));
  }
  const ticks = [...new Set([...sell.keys(), ...buy.keys()])].sort((a, b) => a - b);
  return {
    ticks,
    sellWh: ticks.map((t) => sell.get(t) ?? 0n),
    buyWh: ticks.map((t) => buy.get(t) ?? 0n),
  };
}

/**
 * Which of `n` ascending levels to keep: all if n ≤ max, else max evenly spaced by rank (the first
 * and last always), plus the level nearest `keepTick` (the clearing price) so the crossing shows.
 */
export function pickLevels(ticks: readonly number[], max: number, keepTick?: number): number[] {
  const n = ticks.length;
  if (n <= max) return ticks.map((_, i) => i);
  const picked = new Set<number>();
  for (let k = 0; k < max - 1; k++) picked.add(Math.round((k * (n - 1)) / (max - 2)));
  if (keepTick !== undefined) {
    const at = ticks.findIndex((t) => t >= keepTick);
    picked.add(at < 0 ? n - 1 : at);
  }
  return [...picked].sort((a, b) => a - b);
}

/** Running sums: from the low end (supply) or the high end (demand). */
function cumulative(wh: readonly bigint[], fromHigh: boolean): bigint[] {
  const out = new Array<bigint>(wh.length);
  let sum = 0n;
  for (let k = 0; k < wh.length; k++) {
    const i = fromHigh ? wh.length - 1 - k : k;
    sum += wh[i] ?? 0n;
    out[i] = sum;
  }
  return out;
}

/** The curves of `bids` at ≤ `maxPoints` levels (keeping the one at `clearingPrice` if given). */
export function aggregateCurves(
  bids: readonly WireBid[],
  maxPoints = MAX_CURVE_POINTS,
  clearingPrice?: string,
): Curves {
  const { ticks, sellWh, buyWh } = levelsOf(bids);
  const supplyAt = cumulative(sellWh, false);
  const demandAt = cumulative(buyWh, true);
  const keep = clearingPrice === undefined ? undefined : parseDecimal(clearingPrice, DECIMALS.price);
  const idx = pickLevels(ticks, Math.max(2, maxPoints), keep);
  return {
    prices: idx.map((i) => formatPrice(ticks[i] ?? 0)),
    supply: idx.map((i) => formatEnergy(supplyAt[i] ?? 0n)),
    demand: idx.map((i) => formatEnergy(demandAt[i] ?? 0n)),
    exact: idx.length === ticks.length,
    bidCount: bids.length,
  };
}

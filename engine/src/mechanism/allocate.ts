/**
 * docs/mechanism.md §6: allocation in whole Wh at the clearing price, with largest-remainder rationing.
 * Integer-exact: numbers while provably safe, bigint otherwise.
 */
import { floorDiv, SAFE_HALF } from './exact';
import type { SortedSide } from './order';
import { stableOrder } from './radix';

/** d_j = min(floor(1000·(b_j − P)/α_j), xmax_j), 0 if b_j ≤ P; Wh. */
function demandAt(price: number, alpha: number, xmax: number, P: number): number {
  if (price <= P) return 0;
  // 1000·(b − P) ≤ 10^13: exact
  return Math.min(floorDiv(1000 * (price - P), alpha), xmax);
}

/**
 * Splits T whole units in proportion to the weights (Σ weights = W ≥ T ≥ 0): each k gets
 * floor(T·w_k / W), and the T − Σ floor leftover units go one each to the largest remainders
 * T·w_k mod W, ties to the lower index (the caller passes §3 order). Σ result = T exactly.
 */
export function proportionalShares(T: number, weights: ArrayLike<number>): Float64Array {
  const m = weights.length;
  const out = new Float64Array(m);
  const { W, maxW } = totalAndMax(weights);
  if (T === W) {
    for (let k = 0; k < m; k++) out[k] = weights[k] as number;
    return out;
  }
  if (T === 0) return out;

  const rem = new Float64Array(m); // remainders are < W < 2^53
  const given =
    T * maxW <= SAFE_HALF ? floorShares(T, W, weights, out, rem) : floorSharesBig(T, W, weights, out, rem);
  const leftover = T - given; // < m
  if (leftover > 0) {
    for (const k of largestRemainders(rem, leftover)) out[k] = (out[k] as number) + 1;
  }
  return out;
}

/** Σ weights and the largest weight. */
function totalAndMax(weights: ArrayLike<number>): { W: number; maxW: number } {
  let W = 0;
  let maxW = 0;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k] as number;
    W += w;
    if (w > maxW) maxW = w;
  }
  return { W, maxW };
}

/**
 * out[k] = floor(T·w_k / W) and rem[k] = T·w_k mod W, in numbers (T·max w ≤ 2^52: exact);
 * returns Σ out.
 */
function floorShares(
  T: number,
  W: number,
  weights: ArrayLike<number>,
  out: Float64Array,
  rem: Float64Array,
): number {
  let given = 0;
  for (let k = 0; k < out.length; k++) {
    const num = T * (weights[k] as number);
    const q = floorDiv(num, W);
    out[k] = q;
    rem[k] = num - q * W;
    given += q;
  }
  return given;
}

/** floorShares in bigint, for products beyond 2^52. */
function floorSharesBig(
  T: number,
  W: number,
  weights: ArrayLike<number>,
  out: Float64Array,
  rem: Float64Array,
): number {
  const bT = BigInt(T);
  const bW = BigInt(W);
  let given = 0;
  for (let k = 0; k < out.length; k++) {
    const num = bT * BigInt(weights[k] as number);
    const q = Number(num / bW);
    out[k] = q;
    rem[k] = Number(num % bW);
    given += q;
  }
  return given;
}

/** Indices of the `count` largest remainders, ties to the lower index. */
function largestRemainders(rem: Float64Array, count: number): Uint32Array {
  // Only positive remainders can be among them: Σ rem = leftover · W with every rem < W.
  let c = 0;
  for (let k = 0; k < rem.length; k++) if ((rem[k] as number) > 0) c++;
  const idx = new Uint32Array(c);
  const keys = new Float64Array(c);
  for (let k = 0, i = 0; k < rem.length; k++) {
    const r = rem[k] as number;
    if (r > 0) {
      idx[i] = k;
      keys[i++] = r;
    }
  }
  // remainder descending; the sort is stable, so ties keep index (§3) order
  const order = stableOrder(keys, { descending: true });
  const chosen = new Uint32Array(count);
  for (let i = 0; i < count; i++) chosen[i] = idx[order[i] as number] as number;
  return chosen;
}

interface Allocation {
  /** Wh per winning buyer (§3 order) */
  buyers: Float64Array;
  /** Wh per winning seller (§3 order) */
  sellers: Float64Array;
  /** Σ buyers = Σ sellers, Wh */
  traded: number;
}

/** docs/mechanism.md §6 for the winning buyers and sellers (§3 order) at price P (ticks). */
export function allocate(buyers: SortedSide, sellers: SortedSide, P: number): Allocation {
  const d = new Float64Array(buyers.n);
  let D = 0;
  for (let j = 0; j < buyers.n; j++) {
    const v = demandAt(buyers.price[j] as number, buyers.alpha[j] as number, buyers.qty[j] as number, P);
    d[j] = v;
    D += v;
  }
  const e = sellers.qty;
  let S = 0;
  for (let i = 0; i < sellers.n; i++) S += e[i] as number;
  if (D <= S) return { buyers: d, sellers: proportionalShares(D, e), traded: D };
  return { buyers: proportionalShares(S, d), sellers: e, traded: S };
}

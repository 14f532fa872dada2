/**
 * docs/mechanism.md §5: the leader's price.
 *
 * FLOATING POINT: the objectives are evaluated in float64 (docs/mechanism.md §1 allows it inside the
 * search); the search returns an integer tick, and everything after it is integer-exact. Two
 * objective values are tied when |A1 − A2| ≤ 1e-12 · max(|A1|, |A2|), so that mathematically
 * equal values (e.g. a maximum exactly between two ticks) are not decided by rounding noise.
 *
 * The mean asks are split as q + r/d (q, r integers, 0 ≤ r < d) so that p − mean is exact in
 * sign and exactly 0 when p equals the mean.
 */
import type { DemandCurve } from './demand';
import { ceilDiv, ExactSum } from './exact';
import type { SortedSide } from './order';

const TIE_TOLERANCE = 1e-12;

/** The project's tie rule for objective values. */
export function tied(a: number, b: number): boolean {
  return Math.abs(a - b) <= TIE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** sum / d as { q, r } with q = floor(sum / d), 0 ≤ r < d; sum ≥ 0 is exact (bigint). */
function splitMean(sum: bigint, d: number): { q: number; r: number } {
  const D = BigInt(d);
  const q = sum / D;
  return { q: Number(q), r: Number(sum - q * D) };
}

/**
 * Profile `default`: A(p) = (p − s̃) · min(X(p), S) / n_S with s̃ = Σ s_i·e_i / S over the winning
 * sellers and X the winning buyers' demand (Wh). Returns the objective as a function of the tick.
 */
export function defaultObjective(curve: DemandCurve, sellers: SortedSide): (p: number) => number {
  let S = 0;
  const SE = new ExactSum();
  for (let i = 0; i < sellers.n; i++) {
    const e = sellers.qty[i] as number;
    S += e;
    SE.addProduct(sellers.price[i] as number, e);
  }
  const { q, r } = splitMean(SE.value(), S);
  const nS = sellers.n;
  return (p: number): number => {
    const x = curve.at(p);
    return ((p - q - r / S) * (x < S ? x : S)) / nS;
  };
}

/** Profile `doan2021`: A(p) = (mean_i (p − s_i)) · X(p), plain mean, X not capped by supply. */
function doanObjectiveParts(sellers: SortedSide): (p: number, x: number) => number {
  const sum = new ExactSum();
  for (let i = 0; i < sellers.n; i++) sum.add(sellers.price[i] as number);
  const n = sellers.n;
  const { q, r } = splitMean(sum.value(), n);
  return (p: number, x: number): number => (p - q - r / n) * x;
}

export function doanObjective(curve: DemandCurve, sellers: SortedSide): (p: number) => number {
  const value = doanObjectiveParts(sellers);
  return (p: number): number => value(p, curve.at(p));
}

/**
 * Profile `default`: the tick in [lo, hi] maximizing A, ties (as defined by tied()) to the higher
 * price; precisely: with M the maximum over the ticks, the highest tick whose value is tied with M.
 *
 * A is log-concave and > 0 strictly inside [p_min, p_max] (p > p_min ≥ s̃ and X > 0 below every
 * winning bid ≥ p_max), and may be 0 at the ends, so over the ticks it increases strictly, then
 * decreases strictly (with at most one equal pair at the top). A binary search for the first tick
 * that does not increase finds the maximum in O(log(range)) evaluations of O(log n); a hill climb
 * guards against rounding noise in the comparison, and the final walk up collects the ticks tied
 * with the maximum (a handful at most for any price ≤ 10^6; half-tick ties give two).
 */
export function defaultLeaderPrice(A: (p: number) => number, lo: number, hi: number): number {
  const top = climb(A, firstNonIncreasing(A, lo, hi), lo, hi);
  return highestTied(A, top.best, top.M, hi);
}

/** Binary search: the first tick m in [lo, hi] with A(m) ≥ A(m + 1) (hi if there is none). */
function firstNonIncreasing(A: (p: number) => number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = a + Math.floor((b - a) / 2);
    if (A(m) < A(m + 1)) a = m + 1;
    else b = m;
  }
  return a;
}

/** Hill climb from `start` within [lo, hi] (downwards first) to a tick no neighbour beats. */
function climb(A: (p: number) => number, start: number, lo: number, hi: number): { best: number; M: number } {
  let best = start;
  let M = A(best);
  for (;;) {
    const down = best > lo ? A(best - 1) : -Infinity;
    if (down > M) {
      best -= 1;
      M = down;
      continue;
    }
    const up = best < hi ? A(best + 1) : -Infinity;
    if (up > M) {
      best += 1;
      M = up;
      continue;
    }
    return { best, M };
  }
}

/** Walks up from `best` (value M) while the values stay tied with the maximum seen. */
function highestTied(A: (p: number) => number, best: number, M: number, hi: number): number {
  let max = M;
  let p = best;
  while (p < hi) {
    const v = A(p + 1);
    if (v > max) max = v;
    else if (!tied(v, max)) break;
    p += 1;
  }
  return p;
}

/**
 * Profile `doan2021`: evaluates A at p_max, p_max − δ, ... down to and including the first
 * candidate ≤ p_min; the first value strictly larger (not tied) than the best so far wins, starting
 * from 0. Returns undefined when no candidate is > 0. One sweep: O(candidates + n).
 *
 * Candidates below 0 are skipped: there p < s̄ and X ≥ 0, so A ≤ 0 and they can never win.
 */
export function doanLeaderPrice(
  curve: DemandCurve,
  sellers: SortedSide,
  pMin: number,
  pMax: number,
  step: number,
): number | undefined {
  const value = doanObjectiveParts(sellers);
  const last = pMax - ceilDiv(pMax - pMin, step) * step;
  let best = 0;
  let bestP: number | undefined;
  curve.sweepDown(pMax, step, Math.max(last, 0), (p, x) => {
    const v = value(p, x);
    if (v > best && !tied(v, best)) {
      best = v;
      bestP = p;
    }
  });
  return bestP;
}

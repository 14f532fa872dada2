/**
 * The followers' continuous demand X(p) = Σ_j min(max((b_j − p)/α_j, 0), xmax_j) (docs/mechanism.md §5),
 * in Wh, evaluated in O(log n) after an O(n log n) preparation.
 *
 * FLOATING POINT: X is a float. It is only used inside searches (the leader's price, the
 * competitive benchmark) whose results are then fixed by integer rules (docs/mechanism.md §1).
 *
 * In Wh and ticks, buyer j's best response at price p is 1000·(b_j − p)/α_j = bw_j − p·w_j with
 * w_j = 1000/α_j and bw_j = 1000·b_j/α_j. Buyer j is
 *   - at zero      when p ≥ b_j,
 *   - capped       when 1000·p ≤ N_j := 1000·b_j − α_j·xmax_j (then it wants xmax_j),
 *   - linear       in between.
 * N_j < 1000·b_j, so the capped buyers are a subset of {b_j > p}. With the buyers in §3 order
 * (b descending) and, separately, in "cap order" (N descending, ties by §3 index), both sets are
 * prefixes (for p ≥ 0; N_j is clamped at −1): k1 = #{b_j > p}, k2 = #{N_j ≥ 1000·p}, and
 *   X(p) = cap[k2] + (bwB[k1] − bwC[k2]) − p·(wB[k1] − wC[k2])
 * with prefix sums over the two orders. Every evaluation of X at a given p, whether through binary
 * search (at) or a monotone sweep (sweep), runs the same arithmetic on the same prefixes, so it
 * gives bit-identical values.
 */
import type { SortedSide } from './order';
import { stableOrder } from './radix';

export class DemandCurve {
  /** number of buyers */
  readonly n: number;
  /** b_j in §3 order (descending) */
  private readonly b: Float64Array;
  /** N_j in cap order (descending), clamped at −1 */
  private readonly nCap: Float64Array;
  /** prefix sums over §3 order, length n + 1 */
  private readonly bwB: Float64Array;
  private readonly wB: Float64Array;
  /** prefix sums over cap order, length n + 1; cap is exact (integers < 2^53) */
  private readonly bwC: Float64Array;
  private readonly wC: Float64Array;
  private readonly cap: Float64Array;

  /**
   * @param buyers buyers in §3 order
   * @param order the cap order of these buyers (capOrder(), or a part of splitCapOrder())
   */
  constructor(buyers: SortedSide, order: ArrayLike<number>) {
    const n = buyers.n;
    this.n = n;
    this.b = buyers.price;
    const bwB = new Float64Array(n + 1);
    const wB = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) {
      bwB[j + 1] = (bwB[j] as number) + bwOf(buyers, j);
      wB[j + 1] = (wB[j] as number) + 1000 / (buyers.alpha[j] as number);
    }
    const nCap = new Float64Array(n);
    const bwC = new Float64Array(n + 1);
    const wC = new Float64Array(n + 1);
    const cap = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) {
      const j = order[k] as number;
      nCap[k] = capThreshold(buyers, j);
      bwC[k + 1] = (bwC[k] as number) + bwOf(buyers, j);
      wC[k + 1] = (wC[k] as number) + 1000 / (buyers.alpha[j] as number);
      cap[k + 1] = (cap[k] as number) + (buyers.qty[j] as number);
    }
    this.bwB = bwB;
    this.wB = wB;
    this.nCap = nCap;
    this.bwC = bwC;
    this.wC = wC;
    this.cap = cap;
  }

  /** #{j : b_j > p} */
  countAbove(p: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.b[mid] as number) > p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** #{j : N_j ≥ 1000·p} */
  countCapped(p: number): number {
    const t = 1000 * p;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.nCap[mid] as number) >= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** X(p) in Wh given k1 = countAbove(p) and k2 = countCapped(p). */
  private value(p: number, k1: number, k2: number): number {
    const capped = this.cap[k2] as number;
    if (k1 === k2) return capped;
    const x =
      capped +
      ((this.bwB[k1] as number) - (this.bwC[k2] as number)) -
      p * ((this.wB[k1] as number) - (this.wC[k2] as number));
    return x > 0 ? x : 0;
  }

  /** X(p) in Wh, for p ≥ 0. */
  at(p: number): number {
    return this.value(p, this.countAbove(p), this.countCapped(p));
  }

  /**
   * Calls visit(p, X(p)) for p = start, start − step, ... while p ≥ stop ≥ 0 (step > 0), in
   * O(count + n). Values are identical to at(p).
   */
  sweepDown(start: number, step: number, stop: number, visit: (p: number, x: number) => void): void {
    let k1 = 0;
    let k2 = 0;
    const n = this.n;
    for (let p = start; p >= stop; p -= step) {
      while (k1 < n && (this.b[k1] as number) > p) k1++;
      const t = 1000 * p;
      while (k2 < n && (this.nCap[k2] as number) >= t) k2++;
      visit(p, this.value(p, k1, k2));
    }
  }
}

/** bw_j = 1000·b_j/α_j (the same operation wherever it is needed, so the same value). */
function bwOf(buyers: SortedSide, j: number): number {
  return (1000 * (buyers.price[j] as number)) / (buyers.alpha[j] as number);
}

/**
 * N_j = 1000·b_j − α_j·xmax_j, clamped at −1: the buyer is capped iff 1000·p ≤ N_j, and prices
 * are ≥ 0. Exact whenever it can matter: if α·xmax exceeds 2^53, N_j < 0 anyway.
 */
function capThreshold(buyers: SortedSide, j: number): number {
  const N = 1000 * (buyers.price[j] as number) - (buyers.alpha[j] as number) * (buyers.qty[j] as number);
  return N > -1 ? N : -1;
}

/** The permutation of the buyers (§3 order) by N_j descending, ties by index (radix sort). */
export function capOrder(buyers: SortedSide): Uint32Array {
  const n = buyers.n;
  const t = new Float64Array(n);
  for (let j = 0; j < n; j++) t[j] = capThreshold(buyers, j) + 1; // ≥ 0
  return stableOrder(t, { descending: true });
}

/**
 * Splits the cap order of a side at m: the cap order of its first m buyers and that of the rest
 * (indices relative to the rest), each still N descending, ties by index.
 */
export function splitCapOrder(order: Uint32Array, m: number): { head: Uint32Array; tail: Uint32Array } {
  const head = new Uint32Array(m);
  const tail = new Uint32Array(order.length - m);
  let h = 0;
  let t = 0;
  for (let i = 0; i < order.length; i++) {
    const j = order[i] as number;
    if (j < m) head[h++] = j;
    else tail[t++] = j - m;
  }
  return { head, tail };
}

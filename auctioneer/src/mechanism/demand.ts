/**
 * The followers' continuous demand X(p) = Σ_j min(max((b_j − p)/α_j, 0), xmax_j) (MECHANISM §5),
 * in Wh, evaluated in O(log n) after an O(n log n) preparation.
 *
 * FLOATING POINT: X is a float. It is only used inside searches (the leader's price, the
 * competitive benchmark) whose results are then fixed by integer rules (MECHANISM §1).
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
import type { Bid } from './types';

export class DemandCurve {
  /** number of buyers */
  readonly n: number;
  /** b_j in §3 order (descending) */
  private readonly b: Float64Array;
  /** N_j in cap order (descending) */
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
   * @param capOrder a permutation of 0..buyers.length-1 sorting N_j descending, ties by index
   *   (see capOrder()); pass a filtered one for a prefix of the buyers
   */
  constructor(buyers: readonly Bid[], capOrder: ArrayLike<number>) {
    const n = buyers.length;
    this.n = n;
    this.b = new Float64Array(n);
    this.bwB = new Float64Array(n + 1);
    this.wB = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) {
      const bid = buyers[j] as Bid;
      this.b[j] = bid.price;
      this.bwB[j + 1] = (this.bwB[j] as number) + (1000 * bid.price) / bid.alpha;
      this.wB[j + 1] = (this.wB[j] as number) + 1000 / bid.alpha;
    }
    this.nCap = new Float64Array(n);
    this.bwC = new Float64Array(n + 1);
    this.wC = new Float64Array(n + 1);
    this.cap = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) {
      const bid = buyers[capOrder[k] as number] as Bid;
      this.nCap[k] = Math.max(capThreshold(bid), -1);
      this.bwC[k + 1] = (this.bwC[k] as number) + (1000 * bid.price) / bid.alpha;
      this.wC[k + 1] = (this.wC[k] as number) + 1000 / bid.alpha;
      this.cap[k + 1] = (this.cap[k] as number) + bid.quantity;
    }
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

  /** X(p) in Wh. */
  at(p: number): number {
    return this.value(p, this.countAbove(p), this.countCapped(p));
  }

  /**
   * Calls visit(p, X(p)) for p = start, start − step, ... while p ≥ stop (step > 0), in O(count + n).
   * Values are identical to at(p). visit may return false to stop early.
   */
  sweepDown(
    start: number,
    step: number,
    stop: number,
    visit: (p: number, x: number) => boolean | void,
  ): void {
    let k1 = 0;
    let k2 = 0;
    const n = this.n;
    for (let p = start; p >= stop; p -= step) {
      while (k1 < n && (this.b[k1] as number) > p) k1++;
      const t = 1000 * p;
      while (k2 < n && (this.nCap[k2] as number) >= t) k2++;
      if (visit(p, this.value(p, k1, k2)) === false) return;
    }
  }
}

/**
 * N_j = 1000·b_j − α_j·xmax_j: the buyer is capped iff 1000·p ≤ N_j. Callers clamp it at −1, as
 * prices are ≥ 0. Exact whenever it can matter: if α·xmax exceeds 2^53, N_j < 0 anyway.
 */
function capThreshold(bid: Bid): number {
  return 1000 * bid.price - bid.alpha * bid.quantity;
}

/**
 * The permutation of buyers (in §3 order) by N_j descending, ties by index. Uses a packed float64
 * key sort when exact (N_j clamped at −1: every price is ≥ 0), a comparator sort otherwise (or
 * when `packed` is false: tests compare the two).
 */
export function capOrder(buyers: readonly Bid[], packed = true): Uint32Array {
  const n = buyers.length;
  const t = new Float64Array(n);
  let max = -1;
  for (let j = 0; j < n; j++) {
    const v = Math.max(capThreshold(buyers[j] as Bid), -1);
    t[j] = v;
    if (v > max) max = v;
  }
  const order = new Uint32Array(n);
  if (packed && (max + 2) * n <= Number.MAX_SAFE_INTEGER) {
    // key = (max − N_j) · n + j ascending ⇔ N_j descending, then j ascending
    const keys = new Float64Array(n);
    for (let j = 0; j < n; j++) keys[j] = (max - (t[j] as number)) * n + j;
    keys.sort();
    for (let k = 0; k < n; k++) order[k] = (keys[k] as number) % n;
  } else {
    for (let j = 0; j < n; j++) order[j] = j;
    order.sort((a, b) => (t[b] as number) - (t[a] as number) || a - b);
  }
  return order;
}

/** The cap order restricted to the first m buyers (a prefix of §3 order). */
export function capOrderPrefix(order: Uint32Array, m: number): Uint32Array {
  if (m === order.length) return order;
  const out = new Uint32Array(m);
  let k = 0;
  for (let i = 0; i < order.length; i++) {
    const j = order[i] as number;
    if (j < m) out[k++] = j;
  }
  return out;
}

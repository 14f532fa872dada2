/**
 * docs/mechanism.md §8 metrics. Everything here is exact (integers or rationals of bigints) and rounded
 * once, at output: welfare to money units, efficiency from the exact social and maximum welfare.
 *
 * Money units are 1e-7 currency = 1 tick × 1 Wh. Buyer j's utility of q Wh is
 *   U_j(q) = b·q − α·q²/2000   [money units; b in ticks, α in 1e-4 currency/kWh²]
 * so 2000·U is an integer and welfare is summed ×2000 exactly, then rounded once, half-up.
 */
import { capOrder, DemandCurve } from './demand';
import {
  addRatio,
  cmpRatio,
  ExactSum,
  mulExact,
  mulExact3,
  type Ratio,
  ratio,
  roundHalfUpBig,
  SAFE_HALF,
} from './exact';
import type { SortedSide } from './order';
import { formatFixed } from './units';

/** traded / offered × 100, 2 decimals, half-up ("0.00" when nothing is offered). */
export function supplyTradedPercent(tradedWh: number, offeredWh: number): string {
  if (offeredWh <= 0) return formatFixed(0, 2);
  return formatFixed(roundHalfUpBig(BigInt(tradedWh) * 10000n, BigInt(offeredWh)), 2);
}

interface Welfare {
  /** Σ (U_j(q_j) − P·q_j), money units rounded half-up */
  buyer: bigint;
  /** Σ (P − s_i)·q_i, exact */
  seller: bigint;
  /**
   * buyer + seller welfare computed from the exact sum and rounded once. The service fee is a
   * transfer from buyers to the distribution operator, so it appears in neither term (buyer
   * welfare is before fees, as in docs/mechanism.md §8) and social welfare = Σ U_j(q_j) − Σ s_i·q_i.
   * Since seller welfare is an integer, social = buyer + seller exactly.
   */
  social: bigint;
  /** social welfare before rounding (money units), for efficiency */
  socialExact: Ratio;
}

/** Exact welfare of an allocation (winners in §3 order, Wh per winner) at price P. */
export function welfare(
  buyers: SortedSide,
  qB: ArrayLike<number>,
  sellers: SortedSide,
  qS: ArrayLike<number>,
  P: number,
): Welfare {
  const b2000 = new ExactSum(); // 2000 · Σ (U_j(q) − P·q) = Σ 2000·(b − P)·q − α·q²
  for (let j = 0; j < qB.length; j++) {
    const q = qB[j] as number;
    if (q === 0) continue;
    b2000.addProduct(2000 * ((buyers.price[j] as number) - P), q);
    const aq = mulExact(buyers.alpha[j] as number, q);
    const aqq = typeof aq === 'number' ? mulExact(aq, q) : aq * BigInt(q);
    b2000.add(-aqq);
  }
  const s = new ExactSum();
  for (let i = 0; i < qS.length; i++) {
    const q = qS[i] as number;
    if (q !== 0) s.addProduct(P - (sellers.price[i] as number), q);
  }
  const b2 = b2000.value();
  const seller = s.value();
  return {
    buyer: roundHalfUpBig(b2, 2000n),
    seller,
    social: roundHalfUpBig(b2 + 2000n * seller, 2000n),
    socialExact: ratio(b2 + 2000n * seller, 2000n),
  };
}

/**
 * The competitive benchmark over ALL bids, exactly: max Σ U_j(x_j) − Σ s_i·y_i subject to Σx = Σy,
 * 0 ≤ x_j ≤ xmax_j, 0 ≤ y_i ≤ e_i, over real (not whole-Wh) quantities, as an exact rational in
 * money units. By duality it is D(p*) = min_p D(p), where D(p) = Σ_j max_x (U_j(x) − p·x) +
 * Σ_i (p − s_i)⁺·e_i is convex and p* is the competitive price, where the continuous demand X meets
 * the step supply: the first seller k (ascending ask) with X(s_k) ≤ Σ_{i≤k} e_i either is marginal
 * (p* = s_k) or p* lies on the flat supply segment before it, X(p*) = Σ_{i<k} e_i; if there is no
 * such seller, all supply trades.
 *
 * Float64 only guesses where p* is (`demand` and a bisection, as before); every decision is then
 * checked in exact arithmetic and redone exactly when the guess was wrong, and D(p*) is exact. A
 * linear buyer's terms have denominator α_j, so the exact sums are over one fraction per distinct
 * α (a balanced tree of bigint products): cheap when the bids share a few α's, O(m·log m) bigint
 * work in the size of the product of all m distinct α's otherwise.
 *
 * @param buyers all buyers in §3 order, `demand` their continuous demand X(p) in Wh (p ≥ 0), a
 *   float approximation (only used to guess); sellers all sellers in §3 order; order the buyers'
 *   capOrder(), when the caller has it
 * @returns the maximum in money units, exact (≥ 0); round it once with roundRatio
 */
export function maxSocialWelfare(
  buyers: SortedSide,
  demand: (p: number) => number,
  sellers: SortedSide,
  order: Uint32Array = capOrder(buyers),
): Ratio {
  if (buyers.n === 0 || sellers.n === 0) return ZERO;
  const ycum = cumulativeSupply(sellers);
  const bm = new Benchmark(buyers, sellers, ycum, order);
  const k = bm.coveringSeller(firstCoveringSeller(demand, sellers, ycum));
  if (k < sellers.n) {
    const sk = ratio(BigInt(sellers.price[k] as number));
    const at = bm.sumsAt(sk);
    // seller k is marginal (and earns no surplus) unless demand at its ask is below the supply before it
    if (cmpRatio(at.demand(sk), ratio(BigInt(ycum[k] as number))) >= 0) return bm.dual(at, sk);
  }
  const guess = competitivePrice(buyers, demand, sellers, ycum, k);
  return bm.flatSegmentOptimum(k, guess);
}

/** The exact benchmark of a bid set (both sides in §3 order); see maxSocialWelfare. */
export function maxSocialWelfareOf(buyers: SortedSide, sellers: SortedSide): Ratio {
  const order = capOrder(buyers);
  const curve = new DemandCurve(buyers, order);
  return maxSocialWelfare(buyers, (p) => curve.at(p), sellers, order);
}

/** r rounded half-up to an integer (money units for a welfare). */
export function roundRatio(r: Ratio): bigint {
  return roundHalfUpBig(r.num, r.den);
}

const ZERO: Ratio = ratio(0n);

/** Exact sums over the buyers of one classification at a price (see Benchmark.sumsAt). */
class BuyerSums {
  constructor(
    /** Σ 1/α_j, Σ b_j/α_j, Σ b_j²/α_j over the linear buyers, numerators over den */
    private readonly nA: bigint,
    private readonly nB: bigint,
    private readonly nB2: bigint,
    private readonly den: bigint,
    /** Σ xmax_j over the capped buyers (Wh) */
    readonly capped: bigint,
    /** Σ (2000·b_j·xmax_j − α_j·xmax_j²) over the capped buyers */
    readonly capped2000: bigint,
  ) {}

  /** X(p) = C + 1000·(Σ b_j/α_j − p·Σ 1/α_j), in Wh. */
  demand(p: Ratio): Ratio {
    const lin = ratio(1000n * (this.nB * p.den - p.num * this.nA), this.den * p.den);
    return addRatio(ratio(this.capped), lin);
  }

  /** Σ_j max_x (U_j(x) − p·x): 500·(p²·A − 2p·B + B2) for the linear, (b − p)·q − α·q²/2000 capped. */
  surplus(p: Ratio): Ratio {
    const { num: P, den: R } = p;
    const lin = ratio(500n * (this.nA * P * P - 2n * this.nB * P * R + this.nB2 * R * R), this.den * R * R);
    const cap = ratio(this.capped2000 * R - 2000n * P * this.capped, 2000n * R);
    return addRatio(lin, cap);
  }

  /** The p with X(p) = Q on this classification (there is a linear buyer). */
  solve(Q: bigint): Ratio {
    return ratio((this.capped - Q) * this.den + 1000n * this.nB, 1000n * this.nA);
  }
}

/** Per distinct α: the linear buyers' count, Σ b and Σ b² (exact). */
interface AlphaGroup {
  alpha: number;
  count: number;
  b: ExactSum;
  b2: ExactSum;
}

/** Fractions with a common denominator: Σ count/α, Σ b/α, Σ b²/α over groups. */
interface GroupSum {
  a: bigint;
  b: bigint;
  b2: bigint;
  den: bigint;
}

/** Σ over groups[lo, hi) as fractions over Π α (a balanced tree keeps the operands small). */
function sumGroups(groups: readonly AlphaGroup[], lo: number, hi: number): GroupSum {
  if (hi - lo === 1) {
    const g = groups[lo] as AlphaGroup;
    return { a: BigInt(g.count), b: g.b.value(), b2: g.b2.value(), den: BigInt(g.alpha) };
  }
  const mid = (lo + hi) >>> 1;
  const x = sumGroups(groups, lo, mid);
  const y = sumGroups(groups, mid, hi);
  return {
    a: x.a * y.den + y.a * x.den,
    b: x.b * y.den + y.b * x.den,
    b2: x.b2 * y.den + y.b2 * x.den,
    den: x.den * y.den,
  };
}

const negate = (v: number | bigint): number | bigint => -v;

/** The exact side of the benchmark: classifications, sums and checks at rational prices. */
class Benchmark {
  private readonly order: Uint32Array;
  /** N_j = 1000·b_j − α_j·xmax_j in cap order (descending), −1 when negative: capped iff 1000·p ≤ N_j */
  private readonly nCap: Float64Array;
  private readonly memo = new Map<number, BuyerSums>();
  private readonly classes: BuyerClasses;

  constructor(
    private readonly buyers: SortedSide,
    private readonly sellers: SortedSide,
    private readonly ycum: Float64Array,
    order: Uint32Array,
  ) {
    this.order = order;
    // N in §3 order (sequential reads), then gathered into cap order
    const nOf = new Float64Array(buyers.n);
    for (let j = 0; j < buyers.n; j++) nOf[j] = capThresholdExact(buyers, j);
    this.nCap = new Float64Array(buyers.n);
    for (let c = 0; c < buyers.n; c++) this.nCap[c] = nOf[order[c] as number] as number;
    this.classes = new BuyerClasses(buyers, this.order);
  }

  /** The first seller k with X(s_k) ≤ Σ_{i≤k} e_i (exactly), given a float guess; n if none. */
  coveringSeller(guess: number): number {
    const n = this.sellers.n;
    const okHigh = guess === n || this.covered(guess);
    if (okHigh && (guess === 0 || !this.covered(guess - 1))) return guess;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.covered(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private covered(i: number): boolean {
    const s = ratio(BigInt(this.sellers.price[i] as number));
    return cmpRatio(this.sumsAt(s).demand(s), ratio(BigInt(this.ycum[i + 1] as number))) <= 0;
  }

  /**
   * The optimum when p* lies strictly between s_{k−1} and s_k (b_0 for k = n), where X(p*) = Q =
   * Σ_{i<k} e_i: the segment between consecutive buyer breakpoints (b_j and N_j/1000, in
   * milli-ticks) where X crosses Q is found exactly, starting at the float guess, and X is solved
   * on it.
   */
  flatSegmentOptimum(k: number, guess: number): Ratio {
    const T = this.breakpoints(k);
    const Q = BigInt(this.ycum[k] as number);
    const above = (i: number): boolean => {
      const p = ratio(BigInt(T[i] as number), 1000n);
      return cmpRatio(this.sumsAt(p).demand(p), ratio(Q)) > 0;
    };
    // the last i with X(T_i) > Q; X(T_0) > Q ≥ X(T_last)
    let i = lastAtOrBelow(T, 1000 * guess);
    if (!(above(i) && !above(i + 1))) {
      let lo = 0;
      let hi = T.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (above(mid)) lo = mid;
        else hi = mid;
      }
      i = lo;
    }
    const sums = this.sumsAt(ratio(BigInt((T[i] as number) + (T[i + 1] as number)), 2000n));
    const p = sums.solve(Q);
    return this.dual(sums, p);
  }

  /** The sorted distinct buyer breakpoints inside (1000·s_{k−1}, end), with both ends, in milli-ticks. */
  private breakpoints(k: number): Float64Array {
    const lo = 1000 * (this.sellers.price[k - 1] as number);
    const hi =
      1000 * (k < this.sellers.n ? (this.sellers.price[k] as number) : (this.buyers.price[0] as number));
    // both lists descend, so the breakpoints inside are one run of each
    const t: number[] = [lo, hi];
    pushInside(t, this.buyers.price, 1000, lo, hi);
    pushInside(t, this.nCap, 1, lo, hi);
    const sorted = Float64Array.from(t).sort();
    return sorted.filter((v, idx) => idx === 0 || v !== sorted[idx - 1]);
  }

  /** D(p) = buyer surplus + Σ_{s_i < p} (p − s_i)·e_i, exact. */
  dual(sums: BuyerSums, p: Ratio): Ratio {
    const cnt = countBelow(this.sellers.price, p);
    const cost = new ExactSum();
    for (let i = 0; i < cnt; i++)
      cost.addProduct(this.sellers.price[i] as number, this.sellers.qty[i] as number);
    const E = BigInt(this.ycum[cnt] as number);
    const sellers = ratio(p.num * E - cost.value() * p.den, p.den);
    const total = addRatio(sums.surplus(p), sellers);
    return total.num > 0n ? total : ZERO;
  }

  /** The buyers' exact sums at price p: the first k1 bid above p, the first k2 in cap order are capped. */
  sumsAt(p: Ratio): BuyerSums {
    const k1 = countAbove(this.buyers.price, p);
    const k2 = countCappedAt(this.nCap, p);
    // the same classification gives the same sums: each O(n) pass is made once
    const key = k1 * (this.buyers.n + 1) + k2;
    let sums = this.memo.get(key);
    if (sums === undefined) {
      sums = this.sumsOf(k1, k2);
      this.memo.set(key, sums);
    }
    return sums;
  }

  /** Sums over the first k1 buyers, of which the first k2 in cap order are capped, the rest linear. */
  private sumsOf(k1: number, k2: number): BuyerSums {
    this.classes.moveTo(k1, k2);
    return this.classes.sums();
  }
}

const LINEAR = 1;
const CAPPED = 2;

/**
 * Running exact sums over the buyers of a classification (k1, k2): buyer j is capped if it is among
 * the first k2 in cap order, else linear if j < k1, else at zero. Moving to another classification
 * only touches the buyers whose class can change, so the checks near one price cost little after
 * the first.
 */
class BuyerClasses {
  private k1 = 0;
  private k2 = 0;
  /** each buyer's position in cap order */
  private readonly rank: Uint32Array;
  private readonly capped = new ExactSum();
  private readonly capped2000 = new ExactSum();
  private readonly groups = new Map<number, AlphaGroup>();
  private last: AlphaGroup | undefined;

  constructor(
    private readonly buyers: SortedSide,
    private readonly order: Uint32Array,
  ) {
    this.rank = new Uint32Array(buyers.n);
    for (let c = 0; c < buyers.n; c++) this.rank[order[c] as number] = c;
  }

  moveTo(k1: number, k2: number): void {
    // the buyers whose class can change: between the old and new k1 (§3 order), k2 (cap order)
    const r = {
      lo1: Math.min(k1, this.k1),
      hi1: Math.max(k1, this.k1),
      lo2: Math.min(k2, this.k2),
      hi2: Math.max(k2, this.k2),
    };
    this.each(r, -1);
    this.k1 = k1;
    this.k2 = k2;
    this.each(r, 1);
  }

  /** Adds (sign 1) or removes (−1) the buyers of the ranges, each once, in their current class. */
  private each(r: { lo1: number; hi1: number; lo2: number; hi2: number }, sign: 1 | -1): void {
    for (let j = r.lo1; j < r.hi1; j++) this.apply(j, sign);
    for (let c = r.lo2; c < r.hi2; c++) {
      const j = this.order[c] as number;
      if (j < r.lo1 || j >= r.hi1) this.apply(j, sign); // not already done above
    }
  }

  private classOf(j: number): number {
    if ((this.rank[j] as number) < this.k2) return CAPPED;
    return j < this.k1 ? LINEAR : 0;
  }

  private apply(j: number, sign: 1 | -1): void {
    const cls = this.classOf(j);
    if (cls === 0) return;
    const b = this.buyers.price[j] as number;
    const q = this.buyers.qty[j] as number;
    const a = this.buyers.alpha[j] as number;
    if (cls === CAPPED) {
      this.capped.add(sign * q);
      const t = mulExact3(2000, b, q);
      const u = mulExact3(a, q, q);
      this.capped2000.add(sign === 1 ? t : negate(t));
      this.capped2000.add(sign === 1 ? negate(u) : u);
      return;
    }
    const g = this.group(a);
    g.count += sign;
    g.b.add(sign * b);
    const bb = mulExact(b, b);
    g.b2.add(sign === 1 ? bb : negate(bb));
  }

  private group(a: number): AlphaGroup {
    // rounds mostly share one α: the last group answers without a lookup
    if (this.last?.alpha === a) return this.last;
    let g = this.groups.get(a);
    this.last = g;
    if (g === undefined) {
      g = { alpha: a, count: 0, b: new ExactSum(), b2: new ExactSum() };
      this.groups.set(a, g);
      this.last = g;
    }
    return g;
  }

  sums(): BuyerSums {
    // a group without linear buyers has zero sums: leaving it out keeps the denominator small
    const list = [...this.groups.values()].filter((g) => g.count > 0);
    const s = list.length > 0 ? sumGroups(list, 0, list.length) : { a: 0n, b: 0n, b2: 0n, den: 1n };
    return new BuyerSums(s.a, s.b, s.b2, s.den, this.capped.value(), this.capped2000.value());
  }
}

/** Pushes scale·v for the v of a descending list with lo < scale·v < hi. */
function pushInside(out: number[], desc: Float64Array, scale: number, lo: number, hi: number): void {
  let a = 0;
  let b = desc.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (scale * (desc[mid] as number) >= hi) a = mid + 1;
    else b = mid;
  }
  for (let i = a; i < desc.length && scale * (desc[i] as number) > lo; i++)
    out.push(scale * (desc[i] as number));
}

/** N_j = 1000·b_j − α_j·xmax_j exactly, or −1 when it is negative (prices are ≥ 0). */
function capThresholdExact(buyers: SortedSide, j: number): number {
  const aq = (buyers.alpha[j] as number) * (buyers.qty[j] as number);
  // up to 2^52 the float product is exact; beyond it N_j < 0 anyway (1000·b_j ≤ 10^13)
  if (aq > SAFE_HALF) return -1;
  const n = 1000 * (buyers.price[j] as number) - aq;
  return n >= 0 ? n : -1;
}

/** #{j : b_j > p} for prices descending. */
function countAbove(price: Float64Array, p: Ratio): number {
  let lo = 0;
  let hi = price.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (BigInt(price[mid] as number) * p.den > p.num) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** #{c : N_c ≥ 1000·p} for thresholds descending. */
function countCappedAt(nCap: Float64Array, p: Ratio): number {
  let lo = 0;
  let hi = nCap.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (BigInt(nCap[mid] as number) * p.den >= 1000n * p.num) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** #{i : s_i < p} for asks ascending. */
function countBelow(price: Float64Array, p: Ratio): number {
  let lo = 0;
  let hi = price.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (BigInt(price[mid] as number) * p.den < p.num) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the last T_i ≤ x, clamped to [0, length − 2] (T ascending, length ≥ 2). */
function lastAtOrBelow(T: Float64Array, x: number): number {
  let lo = 0;
  let hi = T.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((T[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(Math.max(lo - 1, 0), T.length - 2);
}

/** ycum[i] = Σ_{i' < i} e_i', length n + 1; exact (Wh totals < 2^53). */
function cumulativeSupply(sellers: SortedSide): Float64Array {
  const ycum = new Float64Array(sellers.n + 1);
  for (let i = 0; i < sellers.n; i++) ycum[i + 1] = (ycum[i] as number) + (sellers.qty[i] as number);
  return ycum;
}

/** A float guess of the first seller k (ascending ask) with X(s_k) ≤ Σ_{i≤k} e_i; n if there is none. */
function firstCoveringSeller(demand: (p: number) => number, sellers: SortedSide, ycum: Float64Array): number {
  const ask = sellers.price;
  let lo = 0;
  let hi = sellers.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (demand(ask[mid] as number) <= (ycum[mid + 1] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A float guess of p* on the flat segment before seller k (X(p) = Σ_{i<k} e_i). */
function competitivePrice(
  buyers: SortedSide,
  demand: (p: number) => number,
  sellers: SortedSide,
  ycum: Float64Array,
  k: number,
): number {
  const ask = sellers.price;
  const hi = k >= sellers.n ? (buyers.price[0] as number) : (ask[k] as number);
  return solveDemand(demand, ycum[k] as number, ask[k - 1] as number, hi);
}

/** The price p in [lo, hi] with X(p) = Q, given X(lo) > Q ≥ X(hi) (X continuous, non-increasing). */
function solveDemand(demand: (p: number) => number, Q: number, lo: number, hi: number): number {
  for (let it = 0; it < 200; it++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (demand(mid) > Q) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * social / max with 6 decimals, rounded once, half-up, from the exact values. Both may be exact
 * rationals (welfare().socialExact, maxSocialWelfare) or integer money units. "0" when the
 * maximum as reported (rounded to money units) is 0: a benchmark below 0.5e-7 currency gives no
 * meaningful ratio, and the reported pair (maxSocialWelfare "0.0000000", efficiency "0") stays
 * consistent.
 */
export function efficiency(social: bigint | Ratio, max: bigint | Ratio): string {
  const s = typeof social === 'bigint' ? ratio(social) : social;
  const m = typeof max === 'bigint' ? ratio(max) : max;
  if (roundHalfUpBig(m.num, m.den) <= 0n) return '0';
  return formatFixed(roundHalfUpBig(s.num * m.den * 1_000_000n, s.den * m.num), 6);
}

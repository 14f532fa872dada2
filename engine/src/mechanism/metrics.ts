/**
 * docs/mechanism.md §8 metrics. Everything here is integer-exact except maxSocialWelfare (see there).
 *
 * Money units are 1e-7 currency = 1 tick × 1 Wh. Buyer j's utility of q Wh is
 *   U_j(q) = b·q − α·q²/2000   [money units; b in ticks, α in 1e-4 currency/kWh²]
 * so 2000·U is an integer and welfare is summed ×2000 exactly, then rounded once, half-up.
 */
import { ExactSum, mulExact, roundHalfUpBig } from './exact';
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
  };
}

/**
 * The competitive benchmark over ALL bids: max Σ U_j(x_j) − Σ s_i·y_i subject to Σx = Σy,
 * 0 ≤ x_j ≤ xmax_j, 0 ≤ y_i ≤ e_i. It is reached at the competitive price p* where the continuous
 * demand X meets the step supply: the first seller k (ascending ask) with X(s_k) ≤ Σ_{i≤k} e_i
 * either is the marginal seller (p* = s_k) or the price lies on the flat supply segment before it
 * (X(p*) = Σ_{i<k} e_i, solved by bisection); if there is none, all supply trades. O(n log n).
 *
 * FLOATING POINT, and only here among the reported values: with distinct α's the optimum is a
 * rational with a denominator up to the product of all α's, so an exact value is out of reach. It
 * is computed in float64 in a fixed order (surpluses at p*, buyers then sellers, in §3 order) and
 * rounded to whole money units; it is a benchmark, never paid or compared for equality except as
 * a deterministic function of the bids.
 *
 * @param buyers all buyers in §3 order, `demand` their continuous demand X(p) in Wh (p ≥ 0);
 *   sellers all sellers in §3 order
 */
export function maxSocialWelfare(
  buyers: SortedSide,
  demand: (p: number) => number,
  sellers: SortedSide,
): bigint {
  const nS = sellers.n;
  if (buyers.n === 0 || nS === 0) return 0n;
  const ycum = cumulativeSupply(sellers);
  const k = firstCoveringSeller(demand, sellers, ycum);
  const price = competitivePrice(buyers, demand, sellers, ycum, k);
  // one accumulator, buyers then sellers, in §3 order: the float sum's order is part of the result
  const w = sellerSurplus(buyerSurplus(buyers, price), sellers, price, Math.min(k, nS));
  return w > 0 ? BigInt(Math.round(w)) : 0n;
}

/** ycum[i] = Σ_{i' < i} e_i', length n + 1; exact (Wh totals < 2^53). */
function cumulativeSupply(sellers: SortedSide): Float64Array {
  const ycum = new Float64Array(sellers.n + 1);
  for (let i = 0; i < sellers.n; i++) ycum[i + 1] = (ycum[i] as number) + (sellers.qty[i] as number);
  return ycum;
}

/** The first seller k (ascending ask) with X(s_k) ≤ Σ_{i≤k} e_i; n if there is none. */
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

/** p*, given the first covering seller k (see maxSocialWelfare). */
function competitivePrice(
  buyers: SortedSide,
  demand: (p: number) => number,
  sellers: SortedSide,
  ycum: Float64Array,
  k: number,
): number {
  const ask = sellers.price;
  const nS = sellers.n;
  if (k >= nS)
    return solveDemand(demand, ycum[nS] as number, ask[nS - 1] as number, buyers.price[0] as number);
  const s = ask[k] as number;
  if (demand(s) >= (ycum[k] as number)) return s; // seller k is marginal and earns no surplus
  return solveDemand(demand, ycum[k] as number, ask[k - 1] as number, s);
}

/** Σ over the buyers above `price` of U_j(x_j) − price·x_j, in §3 order, from 0. */
function buyerSurplus(buyers: SortedSide, price: number): number {
  let w = 0;
  for (let j = 0; j < buyers.n; j++) {
    const b = buyers.price[j] as number;
    if (b <= price) break; // §3 order: all later buyers bid even less
    const a = buyers.alpha[j] as number;
    const x = Math.min((1000 * (b - price)) / a, buyers.qty[j] as number);
    w += (b - price) * x - (a * x * x) / 2000;
  }
  return w;
}

/** w plus the surplus of the first `full` sellers (who sell all they offer), in §3 order. */
function sellerSurplus(w: number, sellers: SortedSide, price: number, full: number): number {
  let sum = w;
  for (let i = 0; i < full; i++) sum += (price - (sellers.price[i] as number)) * (sellers.qty[i] as number);
  return sum;
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

/** social / max with 6 decimals, half-up; "0" when the maximum is 0. */
export function efficiency(social: bigint, max: bigint): string {
  if (max <= 0n) return '0';
  return formatFixed(roundHalfUpBig(social * 1_000_000n, max), 6);
}

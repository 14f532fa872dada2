/**
 * McAfee (1992) trade reduction for divisible step bids, in the multi-unit form of Huang,
 * Scheller-Wolf and Sycara (2002) (docs/mechanisms.md §4). Every bid is one agent with a fixed
 * quantity. In the efficient allocation let m_b, m_s be the marginal (last filled) buyer and
 * seller. They are excluded whole: buyers [0, m_b) and sellers [0, m_s) trade Q = min(their
 * totals); the short side trades in full, the long side shares Q in proportion to quantity
 * (largest remainders, ties in id order: nothing here depends on a reported price). Buyers pay
 * b_{m_b} per kWh, sellers receive s_{m_s}; the operator keeps (b_{m_b} − s_{m_s})·Q ≥ 0.
 *
 * McAfee's other case (all efficient trades at p0 = (b' + s')/2 of the first excluded bids when it
 * lies in [s_{m_s}, b_{m_b}]) is left out: with multi-unit bids it is not truthful (a marginal
 * seller can raise its ask, shrink the efficient quantity and so switch p0 on; docs/mechanisms.md
 * §4 has the example).
 */
import { proportionalShares } from '../mechanism/allocate';
import { floorDiv, mulExact } from '../mechanism/exact';
import type { SortedSide } from '../mechanism/order';
import type { Bid, RoundParams } from '../mechanism/types';
import {
  book,
  efficientTrade,
  lastPositive,
  maxStepWelfare,
  pricedAt,
  stepResult,
  totalQty,
  type Book,
  type Trade,
} from './book';
import type { MechanismResult } from './types';

/** floor(Q·w / W) and Q·w mod W, exact (Q·w in bigint beyond 2^52). */
function split(Q: number, w: number, W: number): [floor: number, rem: number] {
  const p = mulExact(Q, w);
  if (typeof p === 'bigint') return [Number(p / BigInt(W)), Number(p % BigInt(W))];
  const f = floorDiv(p, W);
  return [f, p - f * W];
}

/**
 * Q Wh shared by the first m bids of a side in proportion to quantity: docs/mechanism.md §6's
 * split (proportionalShares: floor shares, then one Wh each to the largest remainders), except
 * that remainders tie in id order instead of §3 order, so that no share depends on a reported
 * price. Only the bids whose remainder equals the smallest one that still got a Wh can be
 * affected; they are re-decided by id.
 */
function ration(side: SortedSide, m: number, Q: number): Float64Array {
  const weights = side.qty.subarray(0, m);
  const shares = proportionalShares(Q, weights);
  const W = totalQty(side, m);
  const parts = Array.from(weights, (w) => split(Q, w, W));
  const floorOf = (k: number): number => (parts[k] as [number, number])[0];
  const remOf = (k: number): number => (parts[k] as [number, number])[1];
  const gotExtra = (k: number): boolean => (shares[k] as number) > floorOf(k);
  let cutoff = Number.POSITIVE_INFINITY;
  for (let k = 0; k < m; k++) if (gotExtra(k)) cutoff = Math.min(cutoff, remOf(k));
  const tied: number[] = [];
  for (let k = 0; k < m; k++) if (remOf(k) === cutoff) tied.push(k);
  const extras = tied.filter(gotExtra).length;
  tied.sort((x, y) => ((side.ids[x] as string) < (side.ids[y] as string) ? -1 : 1));
  tied.forEach((k, r) => (shares[k] = floorOf(k) + (r < extras ? 1 : 0)));
  const q = new Float64Array(side.n);
  q.set(shares);
  return q;
}

/** The first m bids of a side, in full. */
function full(side: SortedSide, m: number): Float64Array {
  const q = new Float64Array(side.n);
  q.set(side.qty.subarray(0, m));
  return q;
}

/** The reduced trade: buyers [0, mB) and sellers [0, mS), the long side rationed. */
function reducedTrade(b: Book, mB: number, mS: number): Trade {
  const fB = totalQty(b.buyers, mB);
  const fS = totalQty(b.sellers, mS);
  const energy = Math.min(fB, fS);
  const qB = fB > energy ? ration(b.buyers, mB, energy) : full(b.buyers, mB);
  const qS = fS > energy ? ration(b.sellers, mS, energy) : full(b.sellers, mS);
  return { qB, qS, energy };
}

export function mcafee(_params: RoundParams, bids: readonly Bid[]): MechanismResult {
  const b = book(bids);
  const t = efficientTrade(b);
  const maxSocial = maxStepWelfare(b, t);
  // no efficient trade: nothing to reduce
  if (t.energy === 0) {
    const none = (): number => 0;
    const [payB, payS] = [pricedAt(b.buyers, t.qB, none), pricedAt(b.sellers, t.qS, none)];
    return stepResult(b, { mechanism: 'mcafee', trade: t, payB, payS, price: null, maxSocial });
  }
  const mB = lastPositive(t.qB);
  const mS = lastPositive(t.qS);
  const bm = b.buyers.price[mB] as number;
  const sm = b.sellers.price[mS] as number;
  const r = reducedTrade(b, mB, mS);
  return stepResult(b, {
    mechanism: 'mcafee',
    trade: r,
    payB: pricedAt(b.buyers, r.qB, () => bm),
    payS: pricedAt(b.sellers, r.qS, () => sm),
    price: null,
    maxSocial,
    reason: 'trade-reduction',
  });
}

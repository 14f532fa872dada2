/**
 * Competitive uniform price, pay-as-clear (docs/mechanisms.md §2): the k-double auction with
 * k = 1/2 (Chatterjee & Samuelson 1983; Satterthwaite & Williams 1989) at the marginal pair. The
 * efficient allocation of step bids; one price for both sides, the midpoint of the marginal
 * (last filled) buyer's and seller's prices, rounded down to a whole tick: s_m ≤ P < b_m, so
 * every trade is individually rational, and Σ payments = P·Q = Σ receipts.
 */
import type { Bid, RoundParams } from '../mechanism/types';
import { book, efficientTrade, lastPositive, maxStepWelfare, pricedAt, stepResult } from './book';
import type { MechanismResult } from './types';

export function uniformPrice(_params: RoundParams, bids: readonly Bid[]): MechanismResult {
  const b = book(bids);
  const t = efficientTrade(b);
  const mB = lastPositive(t.qB);
  const mS = lastPositive(t.qS);
  // b_m > s_m ≥ 0 are integers below 2^31·10: the sum is exact
  const P =
    t.energy > 0 ? Math.floor(((b.buyers.price[mB] as number) + (b.sellers.price[mS] as number)) / 2) : 0;
  const at = (): number => P;
  return stepResult(b, {
    mechanism: 'uniform',
    trade: t,
    payB: pricedAt(b.buyers, t.qB, at),
    payS: pricedAt(b.sellers, t.qS, at),
    price: P,
    maxSocial: maxStepWelfare(b, t),
  });
}

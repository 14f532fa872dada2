/**
 * Pay-as-bid, discriminatory (docs/mechanisms.md §3): the efficient allocation of step bids; every
 * bid pays (buyer) or receives (seller) its own price per kWh. The operator keeps the spread
 * Σ b·q − Σ s·q ≥ 0: the whole gains from trade, buyers' and sellers' welfare are 0.
 */
import type { Bid, RoundParams } from '../mechanism/types';
import { book, efficientTrade, maxStepWelfare, pricedAt, stepResult } from './book';
import type { MechanismResult } from './types';

export function payAsBid(_params: RoundParams, bids: readonly Bid[]): MechanismResult {
  const b = book(bids);
  const t = efficientTrade(b);
  return stepResult(b, {
    mechanism: 'pay-as-bid',
    trade: t,
    payB: pricedAt(b.buyers, t.qB, (k) => b.buyers.price[k] as number),
    payS: pricedAt(b.sellers, t.qS, (k) => b.sellers.price[k] as number),
    price: null,
    maxSocial: maxStepWelfare(b, t),
  });
}

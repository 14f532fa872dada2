/**
 * MECHANISM §4, stage 1: the break-even walk over the cumulative quantity curves and the trade
 * reduction that picks the winners and the leader's price range.
 */
import { compatible } from './order';
import type { Bid } from './types';

export type Stage1 =
  | { ok: false; reason: 'no-buyers' | 'no-sellers' | 'no-compatible-pair' }
  | {
      ok: false;
      reason: 'empty-price-range';
      breakEven: { buyer: number; seller: number };
      pMin: number;
      pMax: number;
    }
  | {
      ok: true;
      breakEven: { buyer: number; seller: number };
      /** winning buyers are buyers[0 .. nBuyers) */
      nBuyers: number;
      /** winning sellers are sellers[0 .. nSellers) */
      nSellers: number;
      /** price range of the leader, ticks */
      pMin: number;
      pMax: number;
    };

/**
 * The break-even pair (K, L) of the walk, for buyers/sellers in §3 order with at least one of
 * each and B_0 compatible with S_0.
 */
export function breakEven(
  buyers: readonly Bid[],
  sellers: readonly Bid[],
): { buyer: number; seller: number } {
  const lastB = buyers.length - 1;
  const lastS = sellers.length - 1;
  const B = (k: number): Bid => buyers[k] as Bid;
  const S = (k: number): Bid => sellers[k] as Bid;
  let i = 0;
  let j = 0;
  let cb = B(0).quantity;
  let cs = S(0).quantity;
  for (;;) {
    const canB = i < lastB;
    const canS = j < lastS;
    if (cb < cs || (cb === cs && canB && !canS)) {
      if (!canB) break;
      i += 1;
      if (!compatible(B(i), S(j))) return { buyer: i - 1, seller: j };
      cb += B(i).quantity;
    } else if (cb > cs || (cb === cs && canS && !canB)) {
      if (!canS) break;
      j += 1;
      if (!compatible(B(i), S(j))) return { buyer: i, seller: j - 1 };
      cs += S(j).quantity;
    } else if (canB && canS) {
      // cb === cs and both sides can advance
      i += 1;
      j += 1;
      if (!compatible(B(i), S(j))) return { buyer: i - 1, seller: j - 1 };
      cb += B(i).quantity;
      cs += S(j).quantity;
    } else {
      break; // cb === cs and neither side can advance
    }
  }
  return { buyer: i, seller: j };
}

/** Break-even and trade reduction (MECHANISM §4). */
export function stage1(buyers: readonly Bid[], sellers: readonly Bid[]): Stage1 {
  if (buyers.length === 0) return { ok: false, reason: 'no-buyers' };
  if (sellers.length === 0) return { ok: false, reason: 'no-sellers' };
  if (!compatible(buyers[0] as Bid, sellers[0] as Bid)) return { ok: false, reason: 'no-compatible-pair' };

  const be = breakEven(buyers, sellers);
  const K = be.buyer;
  const L = be.seller;
  const nBuyers = K > 0 ? K : 1;
  const nSellers = L > 0 ? L : 1;
  let pMax = (buyers[K] as Bid).price; // K = 0: b(B_0), which is also B_K
  const pMin = (sellers[nSellers - 1] as Bid).price; // L = 0: s(S_0)
  if (pMax < pMin) pMax = (buyers[nBuyers - 1] as Bid).price;
  if (pMax < pMin) return { ok: false, reason: 'empty-price-range', breakEven: be, pMin, pMax };
  return { ok: true, breakEven: be, nBuyers, nSellers, pMin, pMax };
}

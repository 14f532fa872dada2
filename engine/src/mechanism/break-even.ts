/**
 * docs/mechanism.md §4, stage 1: the break-even walk over the cumulative quantity curves and the trade
 * reduction that picks the winners and the leader's price range. A pair (B_i, S_j) is compatible
 * iff b_i > s_j (docs/mechanism.md §3).
 */
import type { SortedSide } from './order';

type Stage1 =
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

/** Steps of the walk, as bits: which side(s) advance next (STOP: neither can). */
const STOP = 0;
const BUYER = 1;
const SELLER = 2;

/**
 * The next step from cumulative quantities cb (buyers) and cs (sellers): the side that is behind
 * advances; on equal quantities both advance, or the one that still can.
 */
function nextStep(cb: number, cs: number, canB: boolean, canS: boolean): number {
  if (cb < cs) return canB ? BUYER : STOP;
  if (cb > cs) return canS ? SELLER : STOP;
  return (canB ? BUYER : STOP) | (canS ? SELLER : STOP);
}

/**
 * The break-even pair (K, L) of the walk, for sides in §3 order with at least one bid each and
 * B_0 compatible with S_0: the walk stops at the last compatible state before an incompatible
 * pair, or where neither side can advance.
 */
export function breakEven(buyers: SortedSide, sellers: SortedSide): { buyer: number; seller: number } {
  const b = buyers.price;
  const s = sellers.price;
  const xmax = buyers.qty;
  const e = sellers.qty;
  const lastB = buyers.n - 1;
  const lastS = sellers.n - 1;
  let i = 0;
  let j = 0;
  let cb = xmax[0] as number;
  let cs = e[0] as number;
  for (let step = nextStep(cb, cs, i < lastB, j < lastS); step !== STOP; ) {
    const ni = step & BUYER ? i + 1 : i;
    const nj = step & SELLER ? j + 1 : j;
    if (!((b[ni] as number) > (s[nj] as number))) break;
    if (ni !== i) cb += xmax[ni] as number;
    if (nj !== j) cs += e[nj] as number;
    i = ni;
    j = nj;
    step = nextStep(cb, cs, i < lastB, j < lastS);
  }
  return { buyer: i, seller: j };
}

/**
 * Break-even and trade reduction (docs/mechanism.md §4).
 *
 * Note: with this walk p_max > p_min always holds (every state (i, j) the walk reaches has been
 * checked compatible, and p_max, p_min are read from such a state's buyer and from sellers at or
 * before its seller), so the "p_max < p_min" fallback and 'empty-price-range' cannot occur. They
 * are kept as the specification states them.
 */
export function stage1(buyers: SortedSide, sellers: SortedSide): Stage1 {
  if (buyers.n === 0) return { ok: false, reason: 'no-buyers' };
  if (sellers.n === 0) return { ok: false, reason: 'no-sellers' };
  if (!((buyers.price[0] as number) > (sellers.price[0] as number))) {
    return { ok: false, reason: 'no-compatible-pair' };
  }

  const be = breakEven(buyers, sellers);
  const K = be.buyer;
  const L = be.seller;
  const nBuyers = K > 0 ? K : 1;
  const nSellers = L > 0 ? L : 1;
  let pMax = buyers.price[K] as number; // K = 0: b(B_0), which is also B_K
  const pMin = sellers.price[nSellers - 1] as number; // L = 0: s(S_0)
  if (pMax < pMin) pMax = buyers.price[nBuyers - 1] as number;
  if (pMax < pMin) return { ok: false, reason: 'empty-price-range', breakEven: be, pMin, pMax };
  return { ok: true, breakEven: be, nBuyers, nSellers, pMin, pMax };
}

/**
 * MECHANISM §3 ordering: buyers by (price descending, id ascending), sellers by (price ascending,
 * id ascending). Ids are unique after validation, so this is a total order and the result does not
 * depend on the input order.
 *
 * Fast path: the price and the input index are packed into one float64 key (exact while
 * (maxKey + 1) · n ≤ 2^53) and sorted as a typed array; then each run of equal prices is put in
 * id order (skipped when it already is, which is common: generated ids ascend). Fallback: a
 * comparator sort on (price, id).
 */
import type { Bid } from './types';

const byId = (a: Bid, b: Bid): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Buyer b and seller s can trade iff b's price is strictly greater (MECHANISM §3). */
export const compatible = (buyer: Bid, seller: Bid): boolean => buyer.price > seller.price;

/** One side in §3 order. `packed = false` forces the comparator sort (tests compare the two). */
export function sortSide(bids: readonly Bid[], descending: boolean, packed = true): Bid[] {
  const n = bids.length;
  if (n < 2) return bids.slice();
  let maxPrice = 0;
  for (let i = 0; i < n; i++) maxPrice = Math.max(maxPrice, (bids[i] as Bid).price);
  if (!packed || (maxPrice + 1) * n > Number.MAX_SAFE_INTEGER) {
    const cmp = descending
      ? (a: Bid, b: Bid) => b.price - a.price || byId(a, b)
      : (a: Bid, b: Bid) => a.price - b.price || byId(a, b);
    return bids.slice().sort(cmp);
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = (bids[i] as Bid).price;
    keys[i] = (descending ? maxPrice - p : p) * n + i;
  }
  keys.sort();
  const out = new Array<Bid>(n);
  for (let k = 0; k < n; k++) out[k] = bids[(keys[k] as number) % n] as Bid;
  // Equal prices: id order.
  let start = 0;
  while (start < n) {
    const price = (out[start] as Bid).price;
    let end = start + 1;
    let sorted = true;
    while (end < n && (out[end] as Bid).price === price) {
      if (sorted && (out[end - 1] as Bid).id > (out[end] as Bid).id) sorted = false;
      end++;
    }
    if (!sorted) {
      const run = out.slice(start, end).sort(byId);
      for (let k = 0; k < run.length; k++) out[start + k] = run[k] as Bid;
    }
    start = end;
  }
  return out;
}

/** Splits validated bids by side, each in MECHANISM §3 order. Does not modify the input. */
export function orderBids(bids: readonly Bid[]): { buyers: Bid[]; sellers: Bid[] } {
  const buyers: Bid[] = [];
  const sellers: Bid[] = [];
  for (const b of bids) (b.side === 'buy' ? buyers : sellers).push(b);
  return { buyers: sortSide(buyers, true), sellers: sortSide(sellers, false) };
}

/**
 * MECHANISM §3 ordering: buyers by (price descending, id ascending), sellers by (price ascending,
 * id ascending). Ids are unique after validation, so this is a total order and the result does not
 * depend on the input order.
 *
 * After ordering, a side is held as a struct of typed arrays (SortedSide): every later stage makes
 * sequential passes over compact arrays instead of chasing pointers to scattered bid objects.
 *
 * Method: a stable radix sort on the price (ties keep the input order), then each run of equal
 * prices is put in id order. When the side's ids already ascend in input order (common: generated
 * ids), the stable sort has done that already and the runs are not even looked at.
 */
import { stableOrder } from './radix';
import type { Bid, Side } from './types';

/** One side of the book in §3 order. */
export interface SortedSide {
  readonly n: number;
  /** ids[0 .. n) (a prefix of a side may share a longer array) */
  readonly ids: readonly string[];
  /** ticks */
  readonly price: Float64Array;
  /** Wh */
  readonly qty: Float64Array;
  /** 1e-4 currency/kWh² (0 for sellers) */
  readonly alpha: Float64Array;
}

/** The first m entries of a side (views: nothing is copied). */
export function prefixOf(side: SortedSide, m: number): SortedSide {
  if (m === side.n) return side;
  return {
    n: m,
    ids: side.ids,
    price: side.price.subarray(0, m),
    qty: side.qty.subarray(0, m),
    alpha: side.alpha.subarray(0, m),
  };
}

/** The entries from m on of a side (views; the ids are copied). */
export function suffixOf(side: SortedSide, m: number): SortedSide {
  return {
    n: side.n - m,
    ids: side.ids.slice(m, side.n),
    price: side.price.subarray(m, side.n),
    qty: side.qty.subarray(m, side.n),
    alpha: side.alpha.subarray(m, side.n),
  };
}

/** The bids of a side, in its order (tests, tools). */
export function bidsOf(side: SortedSide, kind: Side): Bid[] {
  return side.ids.slice(0, side.n).map((id, k) => ({
    id,
    side: kind,
    price: side.price[k] as number,
    quantity: side.qty[k] as number,
    alpha: side.alpha[k] as number,
  }));
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One side (the bids with isBuy[i] === flag, m of them) in §3 order. */
function orderSide(
  bids: readonly Bid[],
  isBuy: Uint8Array,
  flag: number,
  m: number,
  descending: boolean,
): SortedSide {
  // read the side's bids once, in input order
  const ids0 = new Array<string>(m);
  const price0 = new Float64Array(m);
  const qty0 = new Float64Array(m);
  const alpha0 = new Float64Array(m);
  let idsAscend = true;
  for (let i = 0, k = 0; k < m; i++) {
    if (isBuy[i] !== flag) continue;
    const b = bids[i] as Bid;
    ids0[k] = b.id;
    price0[k] = b.price;
    qty0[k] = b.quantity;
    alpha0[k] = b.alpha;
    if (k > 0 && idsAscend && (ids0[k - 1] as string) >= b.id) idsAscend = false;
    k++;
  }
  const price = new Float64Array(m); // the prices in §3 order
  const perm = stableOrder(price0, { descending, sorted: price });

  if (!idsAscend) {
    // equal prices: id order (the stable sort left them in input order)
    let start = 0;
    while (start < m) {
      const p = price[start] as number;
      let end = start + 1;
      let sorted = true;
      while (end < m && price[end] === p) {
        if (sorted && (ids0[perm[end - 1] as number] as string) > (ids0[perm[end] as number] as string)) {
          sorted = false;
        }
        end++;
      }
      if (!sorted) {
        const run = Array.from(perm.subarray(start, end)).sort((a, b) =>
          byId(ids0[a] as string, ids0[b] as string),
        );
        perm.set(run, start);
      }
      start = end;
    }
  }

  const ids = new Array<string>(m);
  const qty = new Float64Array(m);
  const alpha = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = perm[k] as number;
    ids[k] = ids0[i] as string;
    qty[k] = qty0[i] as number;
    alpha[k] = alpha0[i] as number;
  }
  return { n: m, ids, price, qty, alpha };
}

/** Splits validated bids by side, each in MECHANISM §3 order. Does not modify the input. */
export function orderBids(bids: readonly Bid[]): { buyers: SortedSide; sellers: SortedSide } {
  const n = bids.length;
  const isBuy = new Uint8Array(n);
  let nBuy = 0;
  for (let i = 0; i < n; i++) {
    if ((bids[i] as Bid).side === 'buy') {
      isBuy[i] = 1;
      nBuy++;
    }
  }
  return {
    buyers: orderSide(bids, isBuy, 1, nBuy, true),
    sellers: orderSide(bids, isBuy, 0, n - nBuy, false),
  };
}

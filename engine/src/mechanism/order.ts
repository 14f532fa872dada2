/**
 * docs/mechanism.md §3 ordering: buyers by (price descending, id ascending), sellers by (price ascending,
 * id ascending). Ids are unique after validation, so this is a total order and the result does not
 * depend on the input order.
 *
 * After ordering, a side is held as a struct of typed arrays (SortedSide): every later stage makes
 * sequential passes over compact arrays instead of chasing pointers to scattered bid objects.
 *
 * Method: stable radix sorts. When the side's ids already ascend in input order (common:
 * generated ids), one stable sort by price does it. Otherwise the bids are first sorted by a
 * numeric key of their ids (see idKeys), then by price; only ids whose keys tie are compared as
 * strings. No string comparator sort over a whole side, no cache-missing string compares.
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

const KEY_CHARS = 7;

/**
 * Numeric keys ordering ids like strings do (UTF-16 code units), as far as KEY_CHARS characters
 * after the ids' longest common prefix tell: each character c in 45..122 (every character an id
 * may have) becomes c − 44 in base 128, a missing one 0, so a shorter id sorts first. `exact`:
 * the keys alone decide every comparison (no id extends beyond the window). Ids with other
 * characters (not validated) get key 0 and are compared as strings.
 */
function idKeys(ids: readonly string[]): { keys: Float64Array; exact: boolean } {
  const m = ids.length;
  const keys = new Float64Array(m);
  if (m === 0) return { keys, exact: true };
  const first = ids[0] as string;
  let lcp = first.length;
  for (let k = 1; k < m && lcp > 0; k++) {
    const id = ids[k] as string;
    const lim = Math.min(lcp, id.length);
    let l = 0;
    while (l < lim && id.charCodeAt(l) === first.charCodeAt(l)) l++;
    lcp = l;
  }
  let exact = true;
  for (let k = 0; k < m; k++) {
    const id = ids[k] as string;
    let key = 0;
    for (let c = lcp; c < lcp + KEY_CHARS; c++) {
      const code = c < id.length ? id.charCodeAt(c) - 44 : 0;
      if (code < 0 || code > 127) return { keys: keys.fill(0), exact: false };
      key = key * 128 + code;
    }
    keys[k] = key;
    if (id.length > lcp + KEY_CHARS) exact = false;
  }
  return { keys, exact };
}

/** Puts runs of equal (price, id key) in id order, comparing the ids as strings. */
function fixTies(perm: Uint32Array, price: Float64Array, idKey: Float64Array, ids: readonly string[]): void {
  const m = perm.length;
  let start = 0;
  while (start < m) {
    const p = price[start] as number;
    const key = idKey[perm[start] as number] as number;
    let end = start + 1;
    while (end < m && price[end] === p && idKey[perm[end] as number] === key) end++;
    if (end - start > 1) {
      const run = Array.from(perm.subarray(start, end)).sort((a, b) =>
        byId(ids[a] as string, ids[b] as string),
      );
      perm.set(run, start);
    }
    start = end;
  }
}

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
  let perm: Uint32Array;
  if (idsAscend) {
    // the stable sort keeps equal prices in input order, which is id order
    perm = stableOrder(price0, { descending, sorted: price });
  } else {
    // LSD: stable sort by an order-preserving numeric id key, then stable sort by price; ids
    // whose keys tie (a common stretch beyond the key's 7 characters) are compared as strings
    const { keys: idKey, exact } = idKeys(ids0);
    const byKey = stableOrder(idKey);
    const keys = new Float64Array(m);
    for (let r = 0; r < m; r++) keys[r] = price0[byKey[r] as number] as number;
    perm = stableOrder(keys, { descending, sorted: price });
    for (let k = 0; k < m; k++) perm[k] = byKey[perm[k] as number] as number;
    if (!exact) fixTies(perm, price, idKey, ids0);
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

/** Splits validated bids by side, each in docs/mechanism.md §3 order. Does not modify the input. */
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

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
  const keys = new Float64Array(ids.length);
  const lcp = commonPrefixLength(ids);
  let exact = true;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k] as string;
    const key = idKey(id, lcp);
    if (key < 0) return { keys: keys.fill(0), exact: false };
    keys[k] = key;
    if (id.length > lcp + KEY_CHARS) exact = false;
  }
  return { keys, exact };
}

/** The length of the longest prefix all ids share (0 for no ids). */
function commonPrefixLength(ids: readonly string[]): number {
  if (ids.length === 0) return 0;
  const first = ids[0] as string;
  let lcp = first.length;
  for (let k = 1; k < ids.length && lcp > 0; k++) {
    const id = ids[k] as string;
    const lim = Math.min(lcp, id.length);
    let l = 0;
    while (l < lim && id.charCodeAt(l) === first.charCodeAt(l)) l++;
    lcp = l;
  }
  return lcp;
}

/** The key of the KEY_CHARS characters of `id` from `from` on; −1 if one cannot be keyed. */
function idKey(id: string, from: number): number {
  let key = 0;
  for (let c = from; c < from + KEY_CHARS; c++) {
    const code = c < id.length ? id.charCodeAt(c) - 44 : 0;
    if (code < 0 || code > 127) return -1;
    key = key * 128 + code;
  }
  return key;
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

/** A side's bids as read, in input order (struct of arrays). */
interface RawSide {
  ids: string[];
  price: Float64Array;
  qty: Float64Array;
  alpha: Float64Array;
  /** the ids ascend in input order */
  idsAscend: boolean;
}

/** Reads the side's bids (isBuy[i] === flag, m of them) once, in input order. */
function readSide(bids: readonly Bid[], isBuy: Uint8Array, flag: number, m: number): RawSide {
  const ids = new Array<string>(m);
  const price = new Float64Array(m);
  const qty = new Float64Array(m);
  const alpha = new Float64Array(m);
  let idsAscend = true;
  for (let i = 0, k = 0; k < m; i++) {
    if (isBuy[i] !== flag) continue;
    const b = bids[i] as Bid;
    ids[k] = b.id;
    price[k] = b.price;
    qty[k] = b.quantity;
    alpha[k] = b.alpha;
    if (k > 0 && idsAscend && (ids[k - 1] as string) >= b.id) idsAscend = false;
    k++;
  }
  return { ids, price, qty, alpha, idsAscend };
}

/** The §3 permutation of a raw side; `price` receives the prices in that order. */
function sidePermutation(raw: RawSide, descending: boolean, price: Float64Array): Uint32Array {
  // the stable sort keeps equal prices in input order, which is id order
  if (raw.idsAscend) return stableOrder(raw.price, { descending, sorted: price });
  // LSD: stable sort by an order-preserving numeric id key, then stable sort by price; ids
  // whose keys tie (a common stretch beyond the key's 7 characters) are compared as strings
  const { ids: ids0, price: price0 } = raw;
  const m = ids0.length;
  const { keys: idKey, exact } = idKeys(ids0);
  const byKey = stableOrder(idKey);
  const keys = new Float64Array(m);
  for (let r = 0; r < m; r++) keys[r] = price0[byKey[r] as number] as number;
  const perm = stableOrder(keys, { descending, sorted: price });
  for (let k = 0; k < m; k++) perm[k] = byKey[perm[k] as number] as number;
  if (!exact) fixTies(perm, price, idKey, ids0);
  return perm;
}

/** One side (the bids with isBuy[i] === flag, m of them) in §3 order. */
function orderSide(
  bids: readonly Bid[],
  isBuy: Uint8Array,
  flag: number,
  m: number,
  descending: boolean,
): SortedSide {
  const raw = readSide(bids, isBuy, flag, m);
  const price = new Float64Array(m); // the prices in §3 order
  const perm = sidePermutation(raw, descending, price);
  const { ids: ids0, qty: qty0, alpha: alpha0 } = raw;
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

/**
 * docs/mechanism.md §3 ordering: buyers by (price descending, id ascending), sellers by (price ascending,
 * id ascending). Ids are unique after validation, so this is a total order and the result does not
 * depend on the input order.
 *
 * After ordering, a side is held as a struct of typed arrays (SortedSide): every later stage makes
 * sequential passes over compact arrays instead of chasing pointers to scattered bid objects.
 *
 * Method: stable radix sorts, after one pass over the bid objects (readSides). When the side's ids
 * already ascend in input order (common: generated ids), one stable sort by price does it.
 * Otherwise each id gets an order-preserving numeric key (id-keys.ts, from the characters copied
 * while reading) and the side is sorted once by (price, id key) as one number, or, when that
 * number would not stay below 2^53, by id key then by price; only ids whose keys tie are compared
 * as strings. No string comparator sort over a whole side, no cache-missing string compares.
 */
import { allocIdChars, copyIdChars, idKeysOf, KEY_LIMIT, type IdChars, type IdKeys } from './id-keys';
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

/**
 * The side's id keys (id-keys.ts): from the characters copied while reading, or, when the ids share
 * a prefix as long as that copy, from the strings past their common prefix (one more pass over
 * them). Ids that cannot be keyed (not validated) all get key 0: the strings decide (fixTies).
 */
function sideIdKeys(raw: RawSide, limit: number): IdKeys {
  const m = raw.ids.length;
  if (!raw.keyable) return { keys: new Float64Array(m), range: 1, exact: false };
  const fromCopy = idKeysOf(raw.chars, limit);
  if (fromCopy) return fromCopy;
  const lcp = commonPrefixLength(raw.ids);
  const suffixes = allocIdChars(m);
  for (let k = 0; k < m; k++) copyIdChars((raw.ids[k] as string).slice(lcp), suffixes, k);
  return idKeysOf(suffixes, limit) ?? { keys: new Float64Array(m), range: 1, exact: false };
}

/** Puts runs of equal sort keys (price rank and id key, by input index) in id order, comparing the ids as strings. */
function fixTies(perm: Uint32Array, key: Float64Array, ids: readonly string[]): void {
  const m = perm.length;
  let start = 0;
  while (start < m) {
    const k = key[perm[start] as number] as number;
    let end = start + 1;
    while (end < m && key[perm[end] as number] === k) end++;
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
  /** quantity and alpha of bid k at 2k and 2k + 1: one cache line for both when gathered */
  qtyAlpha: Float64Array;
  /** the ids' first characters (id-keys.ts) */
  chars: IdChars;
  /** every id's characters can be keyed */
  keyable: boolean;
  /** the ids ascend in input order */
  idsAscend: boolean;
}

/**
 * Reads every bid once, in input order: buyers fill the arrays from the front, sellers from the
 * back (then reversed into input order), so one pass over the bid objects serves both sides. The
 * loop only loads each object's fields: with no load that depends on another (such as the id's
 * characters), the CPU overlaps the cache misses of objects scattered in the heap.
 */
function readSides(bids: readonly Bid[]): { buyers: RawSide; sellers: RawSide } {
  const n = bids.length;
  const ids = new Array<string>(n);
  const price = new Float64Array(n);
  const qtyAlpha = new Float64Array(2 * n);
  let front = 0;
  let back = n - 1;
  for (let i = 0; i < n; i++) {
    const b = bids[i] as Bid;
    const k = b.side === 'buy' ? front++ : back--;
    ids[k] = b.id;
    price[k] = b.price;
    qtyAlpha[2 * k] = b.quantity;
    qtyAlpha[2 * k + 1] = b.alpha;
  }
  const nBuy = front;
  const side = (from: number, m: number, reversed: boolean): RawSide => {
    const sideIds = ids.slice(from, from + m);
    const raw = {
      price: price.subarray(from, from + m),
      qtyAlpha: qtyAlpha.subarray(2 * from, 2 * (from + m)),
    };
    if (reversed) {
      sideIds.reverse();
      raw.price.reverse();
      reversePairs(raw.qtyAlpha);
    }
    return { ids: sideIds, ...raw, ...readIds(sideIds) };
  };
  return { buyers: side(0, nBuy, false), sellers: side(nBuy, n - nBuy, true) };
}

/** Reverses the order of the pairs (a[2k], a[2k + 1]) in place. */
function reversePairs(a: Float64Array): void {
  for (let x = 0, y = a.length - 2; x < y; x += 2, y -= 2) {
    const t0 = a[x] as number;
    const t1 = a[x + 1] as number;
    a[x] = a[y] as number;
    a[x + 1] = a[y + 1] as number;
    a[y] = t0;
    a[y + 1] = t1;
  }
}

/** Ids per block in readIds: their strings stay in cache between its two loops. */
const ID_BLOCK = 256;

/**
 * Whether the ids ascend, and if not their characters for the keys (copied once they are found not
 * to). Block by block: one loop touches each string (its length, independent loads whose misses
 * overlap), the next copies the characters from cache.
 */
function readIds(ids: readonly string[]): { idsAscend: boolean; chars: IdChars; keyable: boolean } {
  const m = ids.length;
  let k = 1;
  while (k < m && (ids[k - 1] as string) < (ids[k] as string)) k++;
  if (k >= m) return { idsAscend: true, chars: allocIdChars(0), keyable: true };
  const chars = allocIdChars(m);
  let keyable = true;
  for (let start = 0; start < m; start += ID_BLOCK) {
    const end = Math.min(m, start + ID_BLOCK);
    for (let j = start; j < end; j++) chars.length[j] = (ids[j] as string).length;
    for (let j = start; j < end; j++) keyable = copyIdChars(ids[j] as string, chars, j) && keyable;
  }
  return { idsAscend: false, chars, keyable };
}

/** The §3 permutation of a raw side; `price` receives the prices in that order. */
function sidePermutation(raw: RawSide, descending: boolean, price: Float64Array): Uint32Array {
  // the stable sort keeps equal prices in input order, which is id order
  if (raw.idsAscend) return stableOrder(raw.price, { descending, sorted: price });
  // one stable sort by (price rank, id key) as one number below 2^53
  const { ids: ids0, price: price0 } = raw;
  const m = ids0.length;
  const { rank, count } = priceRanks(price0, descending);
  const { keys: idKey, range, exact } = sideIdKeys(raw, Math.floor(KEY_LIMIT / Math.max(count, 1)));
  const keys = idKey; // combined in place
  for (let k = 0; k < m; k++) keys[k] = (rank[k] as number) * range + (idKey[k] as number);
  const perm = stableOrder(keys);
  for (let k = 0; k < m; k++) price[k] = price0[perm[k] as number] as number;
  // ids whose keys tie (a common stretch beyond the keyed characters) are compared as strings
  if (!exact) fixTies(perm, keys, ids0);
  return perm;
}

/**
 * Each price's rank among the side's distinct prices in §3 order (0 first), and their number: a
 * smaller key than the price itself, so the combined sort key needs fewer radix passes.
 */
function priceRanks(price: Float64Array, descending: boolean): { rank: Uint32Array; count: number } {
  const { lo, hi } = priceBounds(price);
  return hi - lo + 1 > Math.max(4 * price.length, 1 << 16)
    ? ranksBySort(price, descending)
    : ranksByTable(price, descending, lo, hi);
}

/** Ranks of prices spread wide: in the order of a sort of them. */
function ranksBySort(price: Float64Array, descending: boolean): { rank: Uint32Array; count: number } {
  const rank = new Uint32Array(price.length);
  const order = stableOrder(price, { descending });
  let r = -1;
  let prev = -1;
  for (let j = 0; j < order.length; j++) {
    const i = order[j] as number;
    const p = price[i] as number;
    if (p !== prev) r++;
    prev = p;
    rank[i] = r;
  }
  return { rank, count: r + 1 };
}

/** Ranks from a table over the price span [lo, hi]: which prices occur, then their 1-based rank. */
function ranksByTable(
  price: Float64Array,
  descending: boolean,
  lo: number,
  hi: number,
): { rank: Uint32Array; count: number } {
  const span = hi - lo + 1;
  const table = new Uint32Array(span);
  for (let k = 0; k < price.length; k++) table[(price[k] as number) - lo] = 1;
  let count = 0;
  for (let j = 0; j < span; j++) {
    const v = descending ? span - 1 - j : j;
    if (table[v] === 1) table[v] = ++count;
  }
  const rank = new Uint32Array(price.length);
  for (let k = 0; k < price.length; k++) rank[k] = (table[(price[k] as number) - lo] as number) - 1;
  return { rank, count };
}

/** The smallest and largest price (0, 0 for none). */
function priceBounds(price: Float64Array): { lo: number; hi: number } {
  if (price.length === 0) return { lo: 0, hi: 0 };
  let lo = price[0] as number;
  let hi = lo;
  for (let k = 1; k < price.length; k++) {
    const p = price[k] as number;
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  return { lo, hi };
}

/** One side in §3 order. */
function orderSide(raw: RawSide, descending: boolean): SortedSide {
  const m = raw.ids.length;
  const price = new Float64Array(m); // the prices in §3 order
  const perm = sidePermutation(raw, descending, price);
  const { ids: ids0, qtyAlpha } = raw;
  const ids = new Array<string>(m);
  const qty = new Float64Array(m);
  const alpha = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = perm[k] as number;
    ids[k] = ids0[i] as string;
    qty[k] = qtyAlpha[2 * i] as number;
    alpha[k] = qtyAlpha[2 * i + 1] as number;
  }
  return { n: m, ids, price, qty, alpha };
}

/** Splits validated bids by side, each in docs/mechanism.md §3 order. Does not modify the input. */
export function orderBids(bids: readonly Bid[]): { buyers: SortedSide; sellers: SortedSide } {
  const raw = readSides(bids);
  return { buyers: orderSide(raw.buyers, true), sellers: orderSide(raw.sellers, false) };
}

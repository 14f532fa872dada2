/**
 * Order-preserving numeric keys for bid ids, made from a compact copy of their first characters
 * (IdChars) rather than from the strings: the strings of a large round lie scattered in the heap,
 * and reading each one again per pass costs a cache miss per id. Reading the bids copies the
 * characters once (copyIdChars); the key is then made in sequential passes over that buffer.
 *
 * The key orders ids like string comparison does (UTF-16 code units; validated ids are ASCII): past
 * the ids' longest common prefix, each position is a digit whose base is the number of different
 * characters the ids have there (plus one for "the id has ended", which sorts first), as many
 * positions as a key below 2^53 holds. `exact`: the keys alone decide every comparison (every id
 * ends within those positions); otherwise ids with equal keys must be compared as strings.
 */

/**
 * Characters of each id copied into the compact buffer. A key holds at most 53 bits, one or more per
 * position that tells ids apart: the 13 hex digits it takes of a market id `<16 hex>.<4 digits>` fit.
 */
export const ID_WINDOW = 16;

/** The ids' first ID_WINDOW character codes, slot k at [k · ID_WINDOW, (k + 1) · ID_WINDOW), and lengths. */
export interface IdChars {
  chars: Uint8Array;
  /** each id's full length (it may exceed ID_WINDOW) */
  length: Uint16Array;
}

export function allocIdChars(n: number): IdChars {
  return { chars: new Uint8Array(n * ID_WINDOW), length: new Uint16Array(n) };
}

/**
 * Copies `id`'s first characters into slot k; returns false if one of them cannot be keyed (a code
 * above 127: not a validated id).
 */
export function copyIdChars(id: string, into: IdChars, k: number): boolean {
  const end = Math.min(id.length, ID_WINDOW);
  const base = k * ID_WINDOW;
  let ok = true;
  for (let c = 0; c < end; c++) {
    const code = id.charCodeAt(c);
    if (code > 127) ok = false;
    into.chars[base + c] = code;
  }
  into.length[k] = id.length;
  return ok;
}

export interface IdKeys {
  keys: Float64Array;
  /** every key is below this */
  range: number;
  /** the keys alone order the ids (no two ids share a key) */
  exact: boolean;
}

/** Keys stay below this (exact integers in a double). */
export const KEY_LIMIT = 2 ** 53;

/**
 * The keys of the m ids in `ids`, each below `limit` (≤ 2^53), or undefined when the buffer cannot
 * make them (the ids share a prefix as long as the window): the caller keys the strings instead.
 */
export function idKeysOf(ids: IdChars, limit = KEY_LIMIT): IdKeys | undefined {
  const { chars, length } = ids;
  const m = length.length;
  if (m <= 1) return { keys: new Float64Array(m), range: 1, exact: true };
  let maxLength = 0;
  for (let k = 0; k < m; k++) maxLength = Math.max(maxLength, length[k] as number);
  const lcp = commonPrefix(ids, Math.min(maxLength, ID_WINDOW));
  if (lcp >= ID_WINDOW) return undefined;
  const last = Math.min(maxLength, ID_WINDOW); // positions [lcp, last) are in the buffer
  const digits = digitTables(ids, lcp, last);
  // as many positions as the key holds below the limit
  let end = lcp;
  let range = 1;
  while (end < last && range * (digits.base[end - lcp] as number) <= limit) {
    range *= digits.base[end - lcp] as number;
    end++;
  }
  const keys = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const len = length[k] as number;
    const slot = k * ID_WINDOW;
    let key = 0;
    for (let p = lcp; p < end; p++) {
      const d = p < len ? (digits.rank[(p - lcp) * 128 + (chars[slot + p] as number)] as number) : 0;
      key = key * (digits.base[p - lcp] as number) + d;
    }
    keys[k] = key;
  }
  return { keys, range, exact: maxLength <= end };
}

/** The length of the prefix (at most `limit`) every id shares with the first. */
function commonPrefix({ chars, length }: IdChars, limit: number): number {
  let lcp = Math.min(limit, length[0] as number);
  for (let k = 1; k < length.length && lcp > 0; k++) {
    const slot = k * ID_WINDOW;
    const lim = Math.min(lcp, length[k] as number);
    let l = 0;
    while (l < lim && chars[slot + l] === chars[l]) l++;
    lcp = l;
  }
  return lcp;
}

/**
 * For each position p in [lcp, last): rank[(p − lcp) · 128 + code] is the digit of that character
 * (1-based when some id has ended by p, whose digit is 0), and base[p − lcp] the number of digits.
 */
function digitTables(
  { chars, length }: IdChars,
  lcp: number,
  last: number,
): { rank: Uint8Array; base: Float64Array } {
  const width = last - lcp;
  const rank = new Uint8Array(width * 128); // first: which codes occur
  const ended = new Uint8Array(width);
  for (let k = 0; k < length.length; k++) {
    const len = length[k] as number;
    const slot = k * ID_WINDOW;
    const stop = Math.min(len, last);
    for (let p = lcp; p < stop; p++) rank[(p - lcp) * 128 + (chars[slot + p] as number)] = 1;
    if (len < last) ended[Math.max(len, lcp) - lcp] = 1; // the id has ended from len on
  }
  // an id that ended at p has ended at every later position too
  for (let q = 1; q < width; q++) ended[q] = (ended[q] as number) | (ended[q - 1] as number);
  const base = new Float64Array(width);
  for (let q = 0; q < width; q++) {
    let digit = ended[q] as number;
    for (let c = 0; c < 128; c++) {
      if (rank[q * 128 + c] === 1) rank[q * 128 + c] = digit++;
    }
    base[q] = Math.max(digit, 1);
  }
  return { rank, base };
}

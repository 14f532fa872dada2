/**
 * Stable LSD radix sort of non-negative integer keys (< 2^53): O(n · passes) with typed arrays
 * only, at most 3 passes below 2^48. Used for every sort of the engine (§3 order, cap order,
 * largest remainders), so no result depends on a comparator or on the engine's sort algorithm.
 */

/**
 * The permutation sorting `keys` ascending (or descending), ties by index: out[k] is the index
 * of the k-th key in that order. Keys must be non-negative safe integers. If `sorted` is given
 * (length n), it receives the keys in sorted order.
 */
export function stableOrder(
  keys: ArrayLike<number>,
  opts: { descending?: boolean; sorted?: Float64Array } = {},
): Uint32Array {
  const n = keys.length;
  let top = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[i] as number;
    if (k > top) top = k;
  }
  if (!Number.isSafeInteger(top)) throw new RangeError(`stableOrder: key ${top} is not a safe integer`);
  // descending: sort top − key ascending (stable, so ties still keep index order)
  const flip = opts.descending === true;
  let max = top;
  if (flip) {
    let min = top;
    for (let i = 0; i < n; i++) min = Math.min(min, keys[i] as number);
    max = top - min;
  }
  const key = (i: number): number => (flip ? top - (keys[i] as number) : (keys[i] as number));
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const sorted = opts.sorted;
  if (n < 2 || max === 0) {
    if (sorted) sorted.set(keys);
    return idx;
  }

  // digit width: one pass when the key range is at most ~2n (a counting sort), else ≤ 16 bits
  const bitsNeeded = Math.floor(Math.log2(max)) + 1;
  const maxBits = Math.min(Math.max(Math.floor(Math.log2(n)) + 1, 8), 16);
  const passes = Math.ceil(bitsNeeded / maxBits);
  const bits = Math.ceil(bitsNeeded / passes);
  const radix = 2 ** bits;
  const mask = radix - 1;
  const counts = new Uint32Array(radix);
  let nextIdx = new Uint32Array(n);

  if (max < 2 ** 32) {
    let cur = new Uint32Array(n);
    for (let i = 0; i < n; i++) cur[i] = key(i);
    let next = new Uint32Array(n);
    for (let shift = 0; shift < bitsNeeded; shift += bits) {
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const d = ((cur[i] as number) >>> shift) & mask;
        counts[d] = (counts[d] as number) + 1;
      }
      prefixSums(counts);
      for (let i = 0; i < n; i++) {
        const k = cur[i] as number;
        const d = (k >>> shift) & mask;
        const pos = counts[d] as number;
        counts[d] = pos + 1;
        next[pos] = k;
        nextIdx[pos] = idx[i] as number;
      }
      [cur, next] = [next, cur];
      [idx, nextIdx] = [nextIdx, idx];
    }
    if (sorted) for (let i = 0; i < n; i++) sorted[i] = flip ? top - (cur[i] as number) : (cur[i] as number);
    return idx;
  }

  let cur = new Float64Array(n);
  for (let i = 0; i < n; i++) cur[i] = key(i);
  let next = new Float64Array(n);
  for (let div = 1; div <= max; div *= radix) {
    counts.fill(0);
    // floor(k / 2^s) is exact; `& mask` keeps its low bits (ToInt32 is modulo 2^32)
    for (let i = 0; i < n; i++) {
      const d = Math.floor((cur[i] as number) / div) & mask;
      counts[d] = (counts[d] as number) + 1;
    }
    prefixSums(counts);
    for (let i = 0; i < n; i++) {
      const k = cur[i] as number;
      const d = Math.floor(k / div) & mask;
      const pos = counts[d] as number;
      counts[d] = pos + 1;
      next[pos] = k;
      nextIdx[pos] = idx[i] as number;
    }
    [cur, next] = [next, cur];
    [idx, nextIdx] = [nextIdx, idx];
  }
  if (sorted) for (let i = 0; i < n; i++) sorted[i] = flip ? top - (cur[i] as number) : (cur[i] as number);
  return idx;
}

/** Exclusive prefix sums in place. */
function prefixSums(counts: Uint32Array): void {
  let sum = 0;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[d] as number;
    counts[d] = sum;
    sum += c;
  }
}

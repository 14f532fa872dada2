/**
 * Stable LSD radix sort of non-negative integer keys (< 2^53): O(n · passes) with typed arrays
 * only, at most 3 passes below 2^48. Used for every sort of the engine (§3 order, cap order,
 * largest remainders), so no result depends on a comparator or on the engine's sort algorithm.
 *
 * The passes are written twice, for keys below 2^32 (Uint32Array, digits by shift) and for larger
 * keys (Float64Array, digits by division), so that each hot loop sees one array type only.
 */

/** How the keys are cut into digits: `passes` digits of `bits` bits cover `bitsNeeded`. */
interface DigitPlan {
  bitsNeeded: number;
  bits: number;
  mask: number;
}

/** A sorted permutation and the sort keys in that order. */
interface Sorted<K> {
  idx: Uint32Array;
  keys: K;
}

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
  const top = largestKey(keys);
  // descending: sort top − key ascending (stable, so ties still keep index order)
  const flip = opts.descending === true;
  const max = flip ? top - smallestKey(keys, top) : top;
  const idx = identity(n);
  if (n < 2 || max === 0) {
    opts.sorted?.set(keys);
    return idx;
  }
  const plan = digitPlan(max, n);
  const out =
    max < 2 ** 32
      ? sortSmallKeys(sortKeys(new Uint32Array(n), keys, flip, top), idx, plan)
      : sortLargeKeys(sortKeys(new Float64Array(n), keys, flip, top), idx, plan, max);
  if (opts.sorted) originalKeys(opts.sorted, out.keys, flip, top);
  return out.idx;
}

/** The largest key (0 for none); throws RangeError if it is not a safe integer. */
function largestKey(keys: ArrayLike<number>): number {
  let top = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as number;
    if (k > top) top = k;
  }
  if (!Number.isSafeInteger(top)) throw new RangeError(`stableOrder: key ${top} is not a safe integer`);
  return top;
}

/** The smallest key, at most `top`. */
function smallestKey(keys: ArrayLike<number>, top: number): number {
  let min = top;
  for (let i = 0; i < keys.length; i++) min = Math.min(min, keys[i] as number);
  return min;
}

/** 0, 1, ..., n − 1. */
function identity(n: number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx;
}

/** Digit width: one pass when the key range is at most ~2n (a counting sort), else ≤ 16 bits. */
function digitPlan(max: number, n: number): DigitPlan {
  const bitsNeeded = Math.floor(Math.log2(max)) + 1;
  const maxBits = Math.min(Math.max(Math.floor(Math.log2(n)) + 1, 8), 16);
  const passes = Math.ceil(bitsNeeded / maxBits);
  const bits = Math.ceil(bitsNeeded / passes);
  return { bitsNeeded, bits, mask: 2 ** bits - 1 };
}

/** Writes the sort key of every key into `out` (top − key when flipped) and returns `out`. */
function sortKeys<K extends Uint32Array | Float64Array>(
  out: K,
  keys: ArrayLike<number>,
  flip: boolean,
  top: number,
): K {
  // one loop per direction: no branch per element
  if (flip) for (let i = 0; i < keys.length; i++) out[i] = top - (keys[i] as number);
  else for (let i = 0; i < keys.length; i++) out[i] = keys[i] as number;
  return out;
}

/** The inverse of sortKeys, into `out`. */
function originalKeys(
  out: Float64Array,
  sorted: Uint32Array | Float64Array,
  flip: boolean,
  top: number,
): void {
  if (flip) for (let i = 0; i < out.length; i++) out[i] = top - (sorted[i] as number);
  else out.set(sorted);
}

/** Radix passes over keys below 2^32 (digits by shift). */
function sortSmallKeys(keys: Uint32Array, idx: Uint32Array, plan: DigitPlan): Sorted<Uint32Array> {
  const n = keys.length;
  const { bitsNeeded, bits, mask } = plan;
  const counts = new Uint32Array(mask + 1);
  let cur = keys;
  let next: Uint32Array = new Uint32Array(n);
  let curIdx = idx;
  let nextIdx: Uint32Array = new Uint32Array(n);
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
      nextIdx[pos] = curIdx[i] as number;
    }
    [cur, next] = [next, cur];
    [curIdx, nextIdx] = [nextIdx, curIdx];
  }
  return { idx: curIdx, keys: cur };
}

/** Radix passes over keys of 2^32 and more (below 2^53; digits by division). */
function sortLargeKeys(
  keys: Float64Array,
  idx: Uint32Array,
  plan: DigitPlan,
  max: number,
): Sorted<Float64Array> {
  const n = keys.length;
  const mask = plan.mask;
  const radix = mask + 1;
  const counts = new Uint32Array(radix);
  let cur = keys;
  let next: Float64Array = new Float64Array(n);
  let curIdx = idx;
  let nextIdx: Uint32Array = new Uint32Array(n);
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
      nextIdx[pos] = curIdx[i] as number;
    }
    [cur, next] = [next, cur];
    [curIdx, nextIdx] = [nextIdx, curIdx];
  }
  return { idx: curIdx, keys: cur };
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

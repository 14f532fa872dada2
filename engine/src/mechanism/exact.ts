/**
 * Exact integer arithmetic helpers (docs/mechanism.md §1). Values that are stored, compared or paid never
 * go through a rounded floating-point operation: numbers are used only while every intermediate
 * is a safe integer (checked), bigint otherwise.
 */

/** Largest magnitude at which the sum of two such numbers is still exact (2^52). */
export const SAFE_HALF = 2 ** 52;

/** floor(a / b) for safe integers a (any sign) and b > 0; exact (corrects the float quotient). */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  // |a| < 2^53 and b ≥ 1: q·b is within one b of a, so the products below are exact.
  if (q * b > a) q -= 1;
  else if ((q + 1) * b <= a) q += 1;
  return q;
}

/** ceil(a / b) for safe integers, b > 0. */
export function ceilDiv(a: number, b: number): number {
  return -floorDiv(-a, b);
}

/** floor(a / b) for bigint, b > 0 (bigint `/` truncates toward zero). */
function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** round(a / b) half-up (toward +∞ on exact halves) for bigint, b > 0. */
export function roundHalfUpBig(a: bigint, b: bigint): bigint {
  return floorDivBig(2n * a + b, 2n * b);
}

/** a · b exactly: a number when the product is at most 2^52 in magnitude, else a bigint. */
export function mulExact(a: number, b: number): number | bigint {
  const p = a * b;
  // If the rounded product is ≤ 2^52 the exact product is < 2^53, hence representable and equal.
  return Math.abs(p) <= SAFE_HALF ? p : BigInt(a) * BigInt(b);
}

/**
 * An exact running sum of integers: a number part kept within ±2^52 (so each addition of a term
 * within ±2^52 is exact) and a bigint part the number part is flushed into.
 */
export class ExactSum {
  private small = 0;
  private big = 0n;

  add(v: number | bigint): void {
    if (typeof v === 'bigint') {
      this.big += v;
      return;
    }
    if (Math.abs(v) > SAFE_HALF) {
      this.big += BigInt(v);
      return;
    }
    this.small += v;
    if (Math.abs(this.small) > SAFE_HALF) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
  }

  /** Adds a · b (integers) exactly. */
  addProduct(a: number, b: number): void {
    this.add(mulExact(a, b));
  }

  value(): bigint {
    return this.big + BigInt(this.small);
  }
}

/** An exact rational num / den (den > 0), not necessarily reduced. */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

export const ratio = (num: bigint, den = 1n): Ratio => (den < 0n ? { num: -num, den: -den } : { num, den });
export const addRatio = (x: Ratio, y: Ratio): Ratio =>
  x.den === y.den
    ? { num: x.num + y.num, den: x.den }
    : { num: x.num * y.den + y.num * x.den, den: x.den * y.den };
export const subRatio = (x: Ratio, y: Ratio): Ratio => addRatio(x, { num: -y.num, den: y.den });
export const mulRatio = (x: Ratio, y: Ratio): Ratio => ({ num: x.num * y.num, den: x.den * y.den });
/** x / y for y ≠ 0. */
export const divRatio = (x: Ratio, y: Ratio): Ratio => ratio(x.num * y.den, x.den * y.num);
/** The sign of x − y: −1, 0 or 1. */
export function cmpRatio(x: Ratio, y: Ratio): number {
  const d = x.num * y.den - y.num * x.den;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/** a · b · c exactly (integers), as a number when it is safe, else a bigint. */
export function mulExact3(a: number, b: number, c: number): number | bigint {
  const ab = mulExact(a, b);
  return typeof ab === 'number' ? mulExact(ab, c) : ab * BigInt(c);
}

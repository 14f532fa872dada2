/**
 * Exact decimal-string ⇄ integer conversion (docs/mechanism.md §1). No binary floating point touches a
 * value on its way in or out.
 */

/** Decimal places of each wire quantity. */
export const DECIMALS = {
  /** kWh on the wire, Wh inside */
  energy: 3,
  /** currency/kWh on the wire, 1e-4 ticks inside */
  price: 4,
  /** currency/kWh² on the wire, 1e-4 units inside */
  alpha: 4,
  /** currency on the wire, 1e-7 units inside (tick × Wh) */
  money: 7,
} as const;

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;

/** Why a decimal string was refused; the caller attaches where it came from. */
export class DecimalFormatError extends Error {
  readonly code = 'BAD_DECIMAL';
  constructor(
    readonly input: unknown,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(input)}: ${reason}`);
    this.name = 'DecimalFormatError';
  }
}

/**
 * Parses a non-negative decimal string with at most `decimals` fraction digits into an integer
 * count of 10^-decimals units. Rejects signs, exponents, blanks and anything above 2^53.
 */
export function parseDecimal(input: unknown, decimals: number): number {
  if (typeof input !== 'string') {
    throw new DecimalFormatError(input, `must be a decimal string, got ${typeof input}`);
  }
  const m = DECIMAL_RE.exec(input);
  if (!m) {
    throw new DecimalFormatError(input, 'must be a non-negative decimal number like "12.5"');
  }
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (frac.length > decimals) {
    throw new DecimalFormatError(input, `at most ${decimals} decimal places allowed`);
  }
  const digits = (whole + frac.padEnd(decimals, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > 16) {
    throw new DecimalFormatError(input, 'too large');
  }
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) {
    throw new DecimalFormatError(input, 'too large');
  }
  return value;
}

/** Formats an integer count of 10^-decimals units as a decimal string without trailing zeros. */
export function formatDecimal(units: number | bigint, decimals: number): string {
  if (typeof units === 'number' && !Number.isSafeInteger(units)) {
    throw new RangeError(`formatDecimal: ${units} is not a safe integer`);
  }
  const big = BigInt(units);
  const negative = big < 0n;
  const abs = (negative ? -big : big).toString().padStart(decimals + 1, '0');
  const whole = abs.slice(0, abs.length - decimals);
  const frac = abs.slice(abs.length - decimals).replace(/0+$/, '');
  const body = frac.length > 0 ? `${whole}.${frac}` : whole;
  return negative ? `-${body}` : body;
}

/** Formats an integer count of 10^-decimals units with exactly `decimals` fraction digits. */
export function formatFixed(units: number | bigint, decimals: number): string {
  const big = BigInt(units);
  const negative = big < 0n;
  const abs = (negative ? -big : big).toString().padStart(decimals + 1, '0');
  const body =
    decimals > 0 ? `${abs.slice(0, abs.length - decimals)}.${abs.slice(abs.length - decimals)}` : abs;
  return negative ? `-${body}` : body;
}

export const formatEnergy = (wh: number | bigint): string => formatDecimal(wh, DECIMALS.energy);
export const formatPrice = (ticks: number | bigint): string => formatDecimal(ticks, DECIMALS.price);
export const formatAlpha = (units: number | bigint): string => formatDecimal(units, DECIMALS.alpha);
/** Money always carries 7 decimals on the wire (docs/mechanism.md §1). */
export const formatMoney = (units: bigint): string => formatFixed(units, DECIMALS.money);

/** Parses a wire money string (up to 7 decimals, optional leading '-') into exact 1e-7 units. */
export function parseMoney(input: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,7}))?$/.exec(input);
  if (!m) throw new DecimalFormatError(input, 'must be a decimal money amount with at most 7 decimals');
  const units = BigInt((m[2] ?? '') + (m[3] ?? '').padEnd(DECIMALS.money, '0'));
  return m[1] === '-' ? -units : units;
}

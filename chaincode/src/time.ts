import { MarketError } from './errors';

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Seconds since the epoch of a `YYYY-MM-DDTHH:MM:SSZ` instant; pure (no clock is read). */
export function parseInstant(field: string, text: unknown): number {
  const m = typeof text === 'string' ? RFC3339_UTC.exec(text) : null;
  if (!m) {
    throw new MarketError('INVALID_ARGUMENT', `${field} must be an instant like 2026-01-01T12:00:00Z`, {
      field,
      got: text,
    });
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new MarketError('INVALID_ARGUMENT', `${field} is not a real calendar instant`, {
      field,
      got: text,
    });
  }
  return ms / 1000;
}

/** RFC 3339 UTC text of an epoch second (for messages). */
export const formatInstant = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

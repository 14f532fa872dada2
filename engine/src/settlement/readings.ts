/**
 * Validation of meter readings (docs/settlement.md §4) against the cleared bids: every reading
 * names a bid of the result on its side, at most once, with a metered quantity that is a
 * non-negative whole number of Wh (a kWh decimal with at most 3 decimals) of at most 1,000,000 kWh.
 * Every problem is named (index, id, field, reason), as validateRound names bids.
 */
import { IdSet } from '../mechanism/id-set';
import type { Side, ValidationIssue } from '../mechanism/types';
import { DECIMALS, DecimalFormatError, parseDecimal } from '../mechanism/units';
import type { ClearedBid } from './bids';

/** 1,000,000 kWh in Wh: the largest reading, as the largest bid (docs/mechanism.md §2). */
export const MAX_READING_WH = 1_000_000 * 10 ** DECIMALS.energy;

const FIELDS = new Set(['id', 'side', 'quantity']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A reading's place in the input, for its issues. */
interface Where {
  index: number;
  id: string;
  issues: ValidationIssue[];
}

const push = (w: Where, field: string, reason: string): void => {
  w.issues.push({ index: w.index, id: w.id, field, reason });
};

/** The bid the reading names, or undefined (issue pushed). */
function readingBid(
  raw: Record<string, unknown>,
  w: Where,
  bids: ReadonlyMap<string, ClearedBid>,
  firstIndexOf: IdSet,
): ClearedBid | undefined {
  if (typeof raw.id !== 'string') {
    push(w, 'id', raw.id === undefined ? 'required' : `must be a string, got ${typeof raw.id}`);
    return undefined;
  }
  const bid = bids.get(raw.id);
  if (bid === undefined) {
    push(w, 'id', 'unknown bid: not in the clearing result');
    return undefined;
  }
  const first = firstIndexOf.addOrGet(raw.id, w.index);
  if (first === undefined) return bid;
  push(w, 'id', `duplicate reading (first given by readings[${first}])`);
  return undefined;
}

function sideIssue(raw: unknown, bid: ClearedBid | undefined): string | undefined {
  if (raw === undefined) return 'required';
  if (raw !== 'buy' && raw !== 'sell') return `must be "buy" or "sell", got ${JSON.stringify(raw)}`;
  if (bid !== undefined && (raw as Side) !== bid.side) return `wrong side: ${bid.id} is a ${bid.side} bid`;
  return undefined;
}

function quantityReason(raw: unknown, e: DecimalFormatError): string {
  if (typeof raw === 'string' && raw.startsWith('-'))
    return `must not be negative, got ${JSON.stringify(raw)}`;
  if (typeof raw === 'string' && /^\d+\.\d{4,}$/.test(raw)) {
    return `must be a whole number of Wh (at most 3 decimals in kWh), got ${JSON.stringify(raw)}`;
  }
  return e.reason;
}

/** The metered Wh, or undefined (issue pushed). */
function meteredWh(raw: unknown, w: Where): number | undefined {
  if (raw === undefined) {
    push(w, 'quantity', 'required');
    return undefined;
  }
  try {
    const wh = parseDecimal(raw, DECIMALS.energy);
    if (wh <= MAX_READING_WH) return wh;
    push(w, 'quantity', `must be at most 1000000 kWh, got ${JSON.stringify(raw)}`);
  } catch (e) {
    if (!(e instanceof DecimalFormatError)) throw e;
    push(w, 'quantity', quantityReason(raw, e));
  }
  return undefined;
}

function unknownFieldIssues(raw: Record<string, unknown>, w: Where): void {
  for (const key of Object.keys(raw)) if (!FIELDS.has(key)) push(w, key, 'unknown field');
}

/** One reading: its bid id and metered Wh, or undefined when it has an issue. */
function validateReading(
  raw: unknown,
  w: Where,
  bids: ReadonlyMap<string, ClearedBid>,
  firstIndexOf: IdSet,
): { id: string; wh: number } | undefined {
  if (!isRecord(raw)) {
    push(w, 'reading', 'must be an object');
    return undefined;
  }
  w.id = typeof raw.id === 'string' ? raw.id : '';
  const before = w.issues.length;
  const bid = readingBid(raw, w, bids, firstIndexOf);
  const side = sideIssue(raw.side, bid);
  if (side !== undefined) push(w, 'side', side);
  const wh = meteredWh(raw.quantity, w);
  unknownFieldIssues(raw, w);
  if (w.issues.length > before || bid === undefined || wh === undefined) return undefined;
  return { id: bid.id, wh };
}

/**
 * The metered Wh of each bid that has a reading, pushing every issue (then the map is partial).
 * The map's content does not depend on the order of the readings.
 */
export function validateReadings(
  raw: unknown,
  bids: ReadonlyMap<string, ClearedBid>,
  issues: ValidationIssue[],
): Map<string, number> {
  const metered = new Map<string, number>();
  if (!Array.isArray(raw)) {
    issues.push({ index: -1, id: 'readings', field: 'readings', reason: 'must be an array' });
    return metered;
  }
  const firstIndexOf = new IdSet(raw.length);
  for (let index = 0; index < raw.length; index++) {
    const ok = validateReading(raw[index], { index, id: '', issues }, bids, firstIndexOf);
    if (ok !== undefined) metered.set(ok.id, ok.wh);
  }
  return metered;
}

import { parse } from 'csv-parse/sync';
import { deliveryBidId } from '../../../chaincode/src/delivery-input';
import {
  MAX_BATCH_READINGS,
  type MeterReading,
  type Settlement,
  type StoredReadingBatch,
} from '../../../chaincode/src/model';
import { DECIMALS, parseDecimal } from '../../../engine/src/mechanism/units';
import { ApiProblem, type ProblemItem } from './problem';

/** Meter readings of one request as the API received them (JSON body or CSV upload). */
export interface ReadingsRequest {
  readings: unknown[];
  /** 'csv' when uploaded as text/csv: problem items then name the CSV row (header = row 1) */
  source: 'json' | 'csv';
}

const FIELDS = ['batchId', 'id', 'side', 'quantity'] as const;
const ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
const BATCH_RE = /^[0-9a-f]{16}$/;
/** 1,000,000 kWh in Wh: a larger reading of one bid is a typo */
const MAX_READING_WH = 1_000_000_000;

/** Parses a CSV upload (header batchId,id,side,quantity) into readings; a bad CSV is a 400. */
export function parseReadingsCsv(text: string): ReadingsRequest {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw csvProblem(`the CSV cannot be parsed: ${reason}`, { path: 'csv', reason });
  }
  const header = rows[0];
  if (header?.join(',') !== FIELDS.join(',')) {
    throw csvProblem(`the CSV header must be ${FIELDS.join(',')}`, {
      path: 'csv/row/1',
      field: 'header',
      reason: `expected ${FIELDS.join(',')}`,
    });
  }
  return { source: 'csv', readings: rows.slice(1).map(readingOfRow) };
}

function csvProblem(detail: string, item: ProblemItem): ApiProblem {
  return new ApiProblem(400, 'INVALID_REQUEST', 'Invalid request', detail, [item]);
}

/** A CSV row as a reading; a row with extra cells keeps them so validation names them. */
function readingOfRow(cells: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  cells.forEach((c, i) => {
    const name = FIELDS[i] ?? `column${String(i + 1)}`;
    out[name] = c;
  });
  return out;
}

const where = (req: ReadingsRequest, index: number): string =>
  req.source === 'csv' ? `csv/row/${String(index + 2)}` : `body/readings/${String(index)}`;

const FIELD_RULES: Record<'batchId' | 'id' | 'side', [RegExp, string]> = {
  batchId: [BATCH_RE, 'not a batch id (16 hex chars)'],
  id: [ID_RE, 'not a bid id (1-64 chars of A-Za-z0-9._:-)'],
  side: [/^(buy|sell)$/, 'must be buy or sell'],
};

function quantityReason(v: string): string | undefined {
  if (v.startsWith('-')) return 'negative';
  let wh: number;
  try {
    wh = parseDecimal(v, DECIMALS.energy);
  } catch {
    return 'not a decimal kWh with at most 3 decimals (whole Wh)';
  }
  return wh > MAX_READING_WH ? 'above 1000000 kWh' : undefined;
}

/** Why one reading field is bad, or undefined. */
function fieldReason(field: (typeof FIELDS)[number], v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return 'required (a string)';
  if (field === 'quantity') return quantityReason(v);
  const [re, reason] = FIELD_RULES[field];
  return re.test(v) ? undefined : reason;
}

const idOf = (r: Record<string, unknown>): string | undefined =>
  typeof r.batchId === 'string' && typeof r.id === 'string' ? deliveryBidId(r.batchId, r.id) : undefined;

/** The shape problems of one reading (fields, unknown fields). */
function shapeItems(req: ReadingsRequest, r: unknown, index: number): ProblemItem[] {
  const path = where(req, index);
  if (r === null || typeof r !== 'object' || Array.isArray(r)) {
    return [{ path, index, field: 'reading', reason: 'not an object' }];
  }
  const rec = r as Record<string, unknown>;
  const id = idOf(rec);
  const items: ProblemItem[] = [];
  for (const f of FIELDS) {
    const reason = fieldReason(f, rec[f]);
    if (reason) items.push({ path, index, ...(id ? { id } : {}), field: f, reason });
  }
  for (const k of Object.keys(rec)) {
    if (!(FIELDS as readonly string[]).includes(k)) {
      items.push({ path, index, ...(id ? { id } : {}), field: k, reason: 'unknown field' });
    }
  }
  return items;
}

/** The readings, or a 422 INVALID_READINGS naming every bad reading (at most 100 listed). */
export function validateReadings(req: ReadingsRequest): MeterReading[] {
  if (req.readings.length === 0) {
    throw new ApiProblem(422, 'INVALID_READINGS', 'Invalid meter readings', 'no readings', [
      { path: req.source === 'csv' ? 'csv' : 'body/readings', field: 'readings', reason: 'empty' },
    ]);
  }
  const items = req.readings.flatMap((r, i) => shapeItems(req, r, i));
  throwIfAny(items);
  const readings = req.readings as MeterReading[];
  throwIfAny(duplicateItems(req, readings));
  return readings;
}

function duplicateItems(req: ReadingsRequest, readings: MeterReading[]): ProblemItem[] {
  const first = new Map<string, number>();
  const items: ProblemItem[] = [];
  readings.forEach((r, index) => {
    const id = deliveryBidId(r.batchId, r.id);
    const at = first.get(id);
    if (at === undefined) first.set(id, index);
    else
      items.push({
        path: where(req, index),
        index,
        id,
        field: 'id',
        reason: `duplicate reading (first given at ${where(req, at)})`,
      });
  });
  return items;
}

function throwIfAny(items: ProblemItem[]): void {
  if (items.length === 0) return;
  throw new ApiProblem(
    422,
    'INVALID_READINGS',
    'Invalid meter readings',
    `${String(items.length)} problem(s) in the meter readings; nothing was written`,
    items.slice(0, 100),
    { issueCount: items.length },
  );
}

/** A utility's cleared bids of a round: deliveryBidId (`<batchId>/<id>`) → its side. */
export type ClearedSides = ReadonlyMap<string, string>;

export const clearedSidesOf = (s: Settlement): ClearedSides =>
  new Map(s.lines.map((l) => [deliveryBidId(l.batchId, l.id), l.side]));

/**
 * Each utility's cleared bids per round, for the last `max` rounds used: a committed clearing never
 * changes, so the readings requests after a utility's first one in a round do not read its
 * settlement lines again (50,000 lines are 5 MB a request). An empty answer (no bid cleared, or not
 * cleared yet) and a failed read are not kept.
 */
export class ClearedSidesCache {
  private readonly rounds = new Map<string, Promise<ClearedSides>>();

  constructor(private readonly max = 16) {}

  get(utility: string, roundId: string, read: () => Promise<Settlement>): Promise<ClearedSides> {
    const key = `${utility}\n${roundId}`;
    const hit = this.rounds.get(key);
    if (hit) {
      this.rounds.delete(key); // most recently used last
      this.rounds.set(key, hit);
      return hit;
    }
    const forget = (): void => {
      if (this.rounds.get(key) === sides) this.rounds.delete(key);
    };
    const sides = read().then((s) => {
      const m = clearedSidesOf(s);
      if (m.size === 0) forget();
      return m;
    });
    sides.catch(forget);
    this.rounds.set(key, sides);
    for (const oldest of this.rounds.keys()) {
      if (this.rounds.size <= this.max) break;
      this.rounds.delete(oldest);
    }
    return sides;
  }
}

/**
 * Checks the readings against the utility's own cleared bids and its earlier reading batches, so
 * a request split into several transactions is refused whole before any of them is sent.
 */
export function checkAgainstLedger(
  req: ReadingsRequest,
  readings: MeterReading[],
  sides: ClearedSides,
  earlier: StoredReadingBatch[],
): void {
  const read = new Map<string, string>();
  for (const b of earlier)
    for (const r of b.readings) read.set(deliveryBidId(r.batchId, r.id), b.readingBatchId);
  const items: ProblemItem[] = [];
  readings.forEach((r, index) => {
    const id = deliveryBidId(r.batchId, r.id);
    const reason = ledgerReason(sides.get(id), r.side, read.get(id));
    if (reason)
      items.push({ path: where(req, index), index, id, field: reason.field, reason: reason.reason });
  });
  throwIfAny(items);
}

function ledgerReason(
  side: string | undefined,
  given: string,
  readIn: string | undefined,
): { field: string; reason: string } | undefined {
  if (side === undefined) return { field: 'id', reason: 'unknown bid (not a cleared bid of this utility)' };
  if (side !== given) return { field: 'side', reason: `the wrong side (the bid is a ${side})` };
  if (readIn !== undefined) return { field: 'id', reason: `already read in reading batch ${readIn}` };
  return undefined;
}

/** Reading batches of at most `max` (the chaincode's MAX_BATCH_READINGS) readings. */
export function readingChunks(readings: MeterReading[], max = MAX_BATCH_READINGS): MeterReading[][] {
  const out: MeterReading[][] = [];
  for (let i = 0; i < readings.length; i += max) out.push(readings.slice(i, i + max));
  return out;
}

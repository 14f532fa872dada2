/**
 * Meter readings (issue #15, docs/settlement.md §7): after a cleared round's slot, each utility
 * sends its prosumers' metered energy, one reading per cleared bid of its own, in one or more
 * reading batches (a back office with 100k prosumers sends them in parts). Like bids: private bytes
 * in the utility's collection, a salted digest in public.
 */
import { canonicalJson } from '../../engine/src/mechanism';
import type { ValidationIssue } from '../../engine/src/mechanism/types';
import { clearedBids } from '../../engine/src/settlement/bids';
import { validateReadings } from '../../engine/src/settlement/readings';
import { requireSelfOrOperator, requireUtility } from './access';
import { getResult, type PublicResult } from './clearing';
import { decode, encode, sha256Hex } from './codec';
import { guardEndorsementClock } from './clock-guard';
import { clearedResultOf, deliveryBidId } from './delivery-input';
import { gateClosesAt } from './delivery-params';
import { MarketError } from './errors';
import { collectionOf, keys } from './keys';
import { readStoredSettlement } from './settlement-store';
import type { Ledger } from './ledger';
import {
  MAX_BATCH_READINGS,
  type MeterReading,
  type ReadingCommitment,
  type RoundRecord,
  type Settlement,
  type StoredReadingBatch,
} from './model';
import { deliveryParamsOfRound, getRound } from './rounds';
import { formatInstant, parseInstant } from './time';

/** Transient field that carries a reading batch: JSON `{ "salt": hex, "readings": MeterReading[] }`. */
export const READINGS_TRANSIENT_KEY = 'readings';
const SALT_RE = /^[0-9a-f]{32,128}$/;
/** Most issues an INVALID_READINGS error lists (the count says how many there were). */
export const MAX_LISTED_ISSUES = 100;

/** A reading batch's id, from the round, the utility and its secret salt (as batchIdOf for bids). */
export const readingBatchIdOf = (roundId: string, utility: string, salt: string): string =>
  sha256Hex(`reading-batch-id\n${roundId}\n${utility}\n${salt}`).slice(0, 16);

/** The public digest of a reading batch: SHA-256 of the salt followed by the canonical readings. */
export const readingsDigestOf = (salt: string, readings: unknown): string =>
  sha256Hex(`${salt}${canonicalJson(readings)}`);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseTransient(l: Ledger): unknown {
  const raw = l.transient(READINGS_TRANSIENT_KEY);
  if (!raw) {
    throw new MarketError('INVALID_ARGUMENT', `transient field '${READINGS_TRANSIENT_KEY}' is missing`);
  }
  try {
    return decode(raw);
  } catch (e) {
    throw new MarketError('INVALID_ARGUMENT', 'transient readings are not valid JSON', {
      reason: (e as Error).message,
    });
  }
}

/** The transient batch: an object {salt, readings} with a hex salt and 1..MAX_BATCH_READINGS entries. */
function readTransientReadings(l: Ledger): { salt: string; readings: unknown[] } {
  const o = parseTransient(l);
  if (!isRecord(o)) {
    throw new MarketError('INVALID_ARGUMENT', 'transient readings must be an object {salt, readings}');
  }
  const extra = Object.keys(o).filter((k) => k !== 'salt' && k !== 'readings');
  if (extra.length > 0) {
    throw new MarketError('INVALID_ARGUMENT', 'transient readings have unknown fields', { fields: extra });
  }
  if (typeof o.salt !== 'string' || !SALT_RE.test(o.salt)) {
    throw new MarketError(
      'INVALID_ARGUMENT',
      'salt must be 32-128 lowercase hex chars (at least 128 random bits)',
    );
  }
  const r = o.readings;
  if (!Array.isArray(r) || r.length === 0 || r.length > MAX_BATCH_READINGS) {
    throw new MarketError(
      'INVALID_ARGUMENT',
      `readings must be an array of 1..${MAX_BATCH_READINGS} readings`,
      { got: Array.isArray(r) ? r.length : typeof r },
    );
  }
  return { salt: o.salt, readings: r as unknown[] };
}

/** Readings are accepted for a CLEARED round until its gate closure (tx time and endorser clock). */
function requireGateOpen(l: Ledger, round: RoundRecord): void {
  const roundId = round.id;
  const gate = gateClosesAt(round.slot, deliveryParamsOfRound(round));
  if (round.status === 'SETTLED') {
    throw new MarketError('GATE_CLOSED', `round ${roundId} is settled`, {
      roundId,
      status: round.status,
      gateClosesAt: gate,
    });
  }
  if (round.status !== 'CLEARED') {
    throw new MarketError('ROUND_NOT_CLEARED', `round ${roundId} is ${round.status}`, {
      roundId,
      status: round.status,
    });
  }
  guardEndorsementClock(l, { roundId, gateClosesAt: gate, endorserClock: 'before-gate' });
  if (l.txTimeSeconds >= parseInstant('gateClosesAt', gate)) {
    throw new MarketError('GATE_CLOSED', `meter readings for round ${roundId} closed at ${gate}`, {
      roundId,
      gateClosesAt: gate,
      txTime: formatInstant(l.txTimeSeconds),
    });
  }
}

/** A utility's settlement lines of a cleared round (none when it had no bid). */
export async function settlementOf(l: Ledger, roundId: string, utility: string): Promise<Settlement> {
  const stored = await readStoredSettlement(l, roundId, utility);
  if (!stored) return { roundId, utility, lines: [] };
  const { salt: _salt, ...settlement } = stored;
  return settlement;
}

/** Every reading commitment of a round (one utility's, or all for undefined), in key order. */
export async function readingCommitments(
  l: Ledger,
  roundId: string,
  utility?: string,
): Promise<ReadingCommitment[]> {
  const attrs = utility === undefined ? [roundId] : [roundId, utility];
  return (await l.getStateByPartialKey('readingCommit', attrs)).map(
    (kv) => decode(kv.value) as ReadingCommitment,
  );
}

/** The stored batch of a commitment, by point read (allowed in a writing transaction). */
export async function readingBatchOf(
  l: Ledger,
  c: ReadingCommitment,
): Promise<StoredReadingBatch | undefined> {
  const bytes = await l.getPrivate(collectionOf(c.utility), keys.readings(l, c.roundId, c.readingBatchId));
  return bytes ? (decode(bytes) as StoredReadingBatch) : undefined;
}

/** The settlement ids a utility already read in this round, each with its reading batch. */
async function earlierReadings(l: Ledger, roundId: string, utility: string): Promise<Map<string, string>> {
  const read = new Map<string, string>();
  for (const c of await readingCommitments(l, roundId, utility)) {
    const batch = await readingBatchOf(l, c);
    if (!batch) {
      throw new MarketError(
        'BATCH_MISSING',
        `reading batch ${c.readingBatchId} of ${utility} is not readable`,
        {
          roundId,
          utility,
          readingBatchId: c.readingBatchId,
        },
      );
    }
    for (const r of batch.readings) read.set(deliveryBidId(r.batchId, r.id), c.readingBatchId);
  }
  return read;
}

/**
 * A reading as the engine validates it: `{id: "<batchId>/<id>", side, quantity, ...}`. A reading
 * without a string batchId or id gets its own issue and the id '' (the engine's issue about it is
 * then dropped).
 */
function engineReadingOf(raw: unknown, index: number, issues: ValidationIssue[]): unknown {
  if (!isRecord(raw)) return raw;
  const { batchId, id, ...rest } = raw;
  let ok = true;
  for (const [field, value] of [
    ['batchId', batchId],
    ['id', id],
  ] as const) {
    if (typeof value === 'string' && value !== '') continue;
    ok = false;
    const reason = value === undefined ? 'required' : 'must be a non-empty string';
    issues.push({ index, id: '', field, reason });
  }
  return { ...rest, id: ok ? deliveryBidId(batchId as string, id as string) : '' };
}

/**
 * Every problem of a reading batch (docs/settlement.md §4) against the utility's own cleared bids
 * and its earlier reading batches of the round, by reading index.
 */
export function readingIssues(
  summary: PublicResult,
  settlement: Settlement,
  raw: readonly unknown[],
  earlier: ReadonlyMap<string, string>,
): ValidationIssue[] {
  const own: ValidationIssue[] = [];
  const mapped = raw.map((r, i) => engineReadingOf(r, i, own));
  const { result, owners } = clearedResultOf(summary, [settlement]);
  const engine: ValidationIssue[] = [];
  validateReadings(
    mapped,
    clearedBids(result, (id) => owners.get(id)),
    engine,
  );
  const issues = [...own, ...engine.filter((i) => i.id !== '' || i.field !== 'id')];
  mapped.forEach((m, index) => {
    const id = isRecord(m) ? m.id : undefined;
    const first = typeof id === 'string' ? earlier.get(id) : undefined;
    if (first !== undefined) {
      issues.push({
        index,
        id: id as string,
        field: 'id',
        reason: `duplicate reading (already read in reading batch ${first})`,
      });
    }
  });
  // by reading, then in the order found (Array.prototype.sort is stable)
  return issues.sort((a, b) => a.index - b.index);
}

function invalidReadings(roundId: string, issues: ValidationIssue[]): MarketError {
  return new MarketError('INVALID_READINGS', `${issues.length} invalid meter reading field(s)`, {
    roundId,
    issueCount: issues.length,
    issues: issues.slice(0, MAX_LISTED_ISSUES),
  });
}

/**
 * Accepts one reading batch of the calling utility for a CLEARED round before its gate closure.
 * Each reading names a cleared bid of this utility (batchId and its own bid id) on its side, at
 * most once across all its reading batches of the round; the batch is accepted whole or refused
 * whole (INVALID_READINGS naming every bad reading). The same salt and readings again return the
 * original commitment and write nothing (a safe retry); the same salt with other readings is a
 * CONFLICT. The utility's earlier commitments are range-read, so two of its batches committed
 * concurrently fail MVCC validation instead of both passing the duplicate check.
 */
export async function submitReadings(l: Ledger, roundId: string): Promise<ReadingCommitment> {
  const utility = requireUtility(l, 'submit meter readings');
  const { salt, readings } = readTransientReadings(l);
  const readingBatchId = readingBatchIdOf(roundId, utility, salt);
  const digest = readingsDigestOf(salt, readings);
  const commitKey = keys.readingCommit(l, roundId, utility, readingBatchId);
  const existing = await l.getState(commitKey);
  if (existing) {
    const earlier = decode(existing) as ReadingCommitment;
    if (earlier.digest === digest) return earlier;
    throw new MarketError(
      'CONFLICT',
      `reading batch ${readingBatchId} of round ${roundId} exists with other readings`,
      {
        roundId,
        readingBatchId,
      },
    );
  }
  const round = await getRound(l, roundId);
  requireGateOpen(l, round);
  const issues = readingIssues(
    await getResult(l, roundId),
    await settlementOf(l, roundId, utility),
    readings,
    await earlierReadings(l, roundId, utility),
  );
  if (issues.length > 0) throw invalidReadings(roundId, issues);
  const stored: StoredReadingBatch = {
    roundId,
    utility,
    readingBatchId,
    salt,
    readings: readings as MeterReading[],
  };
  const commitment: ReadingCommitment = {
    roundId,
    utility,
    readingBatchId,
    count: readings.length,
    digest,
    submittedAt: formatInstant(l.txTimeSeconds),
  };
  await l.putPrivate(collectionOf(utility), keys.readings(l, roundId, readingBatchId), encode(stored));
  await l.putState(commitKey, encode(commitment));
  return commitment;
}

/** A utility's own reading batches of a round (the operator may name any utility). Read-only. */
export async function getReadings(
  l: Ledger,
  roundId: string,
  utility: string,
): Promise<StoredReadingBatch[]> {
  const target = requireSelfOrOperator(l, utility, 'read the meter readings');
  await getRound(l, roundId);
  const kvs = await l.getPrivateByPartialKey(collectionOf(target), 'readings', [roundId]);
  return kvs.map((kv) => decode(kv.value) as StoredReadingBatch);
}

/** The public reading commitments of a round (every utility's). */
export async function getReadingCommitments(l: Ledger, roundId: string): Promise<ReadingCommitment[]> {
  await getRound(l, roundId);
  return readingCommitments(l, roundId);
}

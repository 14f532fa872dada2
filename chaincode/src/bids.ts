import { validateRound } from '../../engine/src/mechanism';
import { RoundValidationError, type WireBid, type WireRoundParams } from '../../engine/src/mechanism/types';
import { requireSelfOrOperator, requireUtility } from './access';
import { decode, encode, sha256Hex } from './codec';
import { guardEndorsementClock } from './clock-guard';
import { MarketError } from './errors';
import { collectionOf, keys } from './keys';
import type { Ledger } from './ledger';
import { MAX_BATCH_BIDS, type BatchCommitment, type StoredBatch } from './model';
import { getRound } from './rounds';
import { formatInstant, parseInstant } from './time';

/** Transient field that carries the batch: JSON `{ "salt": hex, "bids": WireBid[] }`. */
export const BATCH_TRANSIENT_KEY = 'batch';
const SALT_RE = /^[0-9a-f]{32,128}$/;

/**
 * A batch's id: derived from the round, the utility and the batch's secret salt, so a retried
 * submission (same salt) names the same batch and is recognised; one-way, so it reveals no salt.
 */
export const batchIdOf = (roundId: string, utility: string, salt: string): string =>
  sha256Hex(`batch-id\n${roundId}\n${utility}\n${salt}`).slice(0, 16);

/** The transient batch's bytes as JSON (INVALID_ARGUMENT when absent or not JSON). */
function parseTransientJson(l: Ledger): unknown {
  const raw = l.transient(BATCH_TRANSIENT_KEY);
  if (!raw) {
    throw new MarketError('INVALID_ARGUMENT', `transient field '${BATCH_TRANSIENT_KEY}' is missing`);
  }
  try {
    return decode(raw);
  } catch (e) {
    throw new MarketError('INVALID_ARGUMENT', 'transient batch is not valid JSON', {
      reason: (e as Error).message,
    });
  }
}

/** The parsed batch as an object with only the fields salt and bids. */
function requireBatchObject(parsed: unknown): { salt?: unknown; bids?: unknown } {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MarketError('INVALID_ARGUMENT', 'transient batch must be an object {salt, bids}');
  }
  const extra = Object.keys(parsed).filter((k) => k !== 'salt' && k !== 'bids');
  if (extra.length > 0) {
    throw new MarketError('INVALID_ARGUMENT', 'transient batch has unknown fields', { fields: extra });
  }
  return parsed;
}

function requireSalt(salt: unknown): string {
  if (typeof salt !== 'string' || !SALT_RE.test(salt)) {
    throw new MarketError(
      'INVALID_ARGUMENT',
      'salt must be 32-128 lowercase hex chars (at least 128 random bits)',
    );
  }
  return salt;
}

/** 1..MAX_BATCH_BIDS entries; each bid's fields are validated with the round (validateBatch). */
function requireBidList(bids: unknown): WireBid[] {
  if (!Array.isArray(bids) || bids.length === 0 || bids.length > MAX_BATCH_BIDS) {
    throw new MarketError('INVALID_ARGUMENT', `bids must be an array of 1..${MAX_BATCH_BIDS} bids`, {
      got: Array.isArray(bids) ? bids.length : typeof bids,
    });
  }
  return bids as WireBid[];
}

function readTransientBatch(l: Ledger): { salt: string; bids: WireBid[] } {
  const o = requireBatchObject(parseTransientJson(l));
  return { salt: requireSalt(o.salt), bids: requireBidList(o.bids) };
}

/**
 * Validates a utility's batch with the round's parameters. Ids are checked as the utility sent them
 * (pattern, length, unique within the batch); the clearing uses batch-scoped ids (assemble.ts), so a
 * batch accepted here can never make the round invalid.
 */
function validateBatch(params: Required<WireRoundParams>, bids: WireBid[]): void {
  try {
    validateRound({ params, bids });
  } catch (e) {
    if (e instanceof RoundValidationError) {
      throw new MarketError('INVALID_BIDS', `${e.issues.length} invalid bid field(s)`, { issues: e.issues });
    }
    throw e;
  }
}

/**
 * Accepts a sealed batch: private bytes in the caller's collection, a salted hash in public. O(1)
 * ledger operations whatever the batch size. Submitting the same batch again (same salt and bids)
 * returns the original commitment and writes nothing, so a client may retry an ambiguous failure.
 * A new batch needs the round OPEN (the round key is read, so a CloseRound committed first makes
 * this transaction fail MVCC validation), its timestamp before closesAt and the endorser's clock
 * within the skew of that timestamp and before closesAt (clock-guard.ts; docs/clock.md).
 */
export async function submitBatch(l: Ledger, roundId: string): Promise<BatchCommitment> {
  const utility = requireUtility(l, 'submit bids');
  const { salt, bids } = readTransientBatch(l);
  const batchId = batchIdOf(roundId, utility, salt);
  const stored: StoredBatch = { roundId, utility, batchId, salt, bids };
  const bytes = encode(stored);
  const commitment: BatchCommitment = {
    roundId,
    utility,
    batchId,
    bidCount: bids.length,
    hash: sha256Hex(bytes),
  };
  const commitmentKey = keys.commitment(l, roundId, batchId);
  const existing = await l.getState(commitmentKey);
  if (existing) {
    const earlier = decode(existing) as BatchCommitment;
    if (earlier.utility === utility && earlier.hash === commitment.hash) return earlier;
    throw new MarketError('CONFLICT', `batch ${batchId} of round ${roundId} exists with other bids`, {
      roundId,
      batchId,
    });
  }

  const round = await getRound(l, roundId);
  if (round.status !== 'OPEN') {
    throw new MarketError('ROUND_NOT_OPEN', `round ${roundId} is ${round.status}`, {
      roundId,
      status: round.status,
    });
  }
  guardEndorsementClock(l, { roundId, closesAt: round.closesAt, endorserClock: 'before-close' });
  if (l.txTimeSeconds >= parseInstant('closesAt', round.closesAt)) {
    throw new MarketError('BIDDING_CLOSED', `bidding for round ${roundId} closed at ${round.closesAt}`, {
      roundId,
      closesAt: round.closesAt,
      txTime: formatInstant(l.txTimeSeconds),
    });
  }
  validateBatch(round.params, bids);
  await l.putPrivate(collectionOf(utility), keys.batch(l, roundId, batchId), bytes);
  await l.putState(commitmentKey, encode(commitment));
  return commitment;
}

/** A utility's own batches of a round (the operator may name any utility). Read-only. */
export async function readBatches(l: Ledger, roundId: string, utility: string): Promise<StoredBatch[]> {
  const target = requireSelfOrOperator(l, utility, 'read the bids');
  await getRound(l, roundId);
  const kvs = await l.getPrivateByPartialKey(collectionOf(target), 'batch', [roundId]);
  return kvs.map((kv) => decode(kv.value) as StoredBatch);
}

/** Most batches one GetBatchesById call may name (keeps the answer within gRPC message limits). */
export const MAX_BATCHES_PER_READ = 100;

/**
 * Named batches of one utility (itself, or any for the operator), by point reads: unlike
 * readBatches, the answer's size is bounded by the caller, so any round can be read in parts.
 * Batches not found are left out (the caller compares with the commitments). Read-only.
 */
export async function readBatchesById(
  l: Ledger,
  roundId: string,
  utility: string,
  batchIds: unknown,
): Promise<StoredBatch[]> {
  const target = requireSelfOrOperator(l, utility, 'read the bids');
  if (
    !Array.isArray(batchIds) ||
    batchIds.length > MAX_BATCHES_PER_READ ||
    !batchIds.every((id) => typeof id === 'string' && id.length > 0)
  ) {
    throw new MarketError(
      'INVALID_ARGUMENT',
      `batchIds must be a JSON array of at most ${MAX_BATCHES_PER_READ} batch ids`,
      { got: Array.isArray(batchIds) ? batchIds.length : typeof batchIds },
    );
  }
  await getRound(l, roundId);
  const out: StoredBatch[] = [];
  for (const id of batchIds as string[]) {
    const bytes = await l.getPrivate(collectionOf(target), keys.batch(l, roundId, id));
    if (bytes) out.push(decode(bytes) as StoredBatch);
  }
  return out;
}

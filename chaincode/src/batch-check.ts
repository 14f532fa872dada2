import { decode, encode, sha256Hex } from './codec';
import type { BatchCommitment, StoredBatch } from './model';

/**
 * The one check of a round's sealed batches against its public commitments, shared by the
 * chaincode (commitClearing) and the auctioneer (prepareClearing). Pure: it returns a failure
 * instead of throwing, and each caller turns a failure into its own error type.
 */

export type BatchCheckCode = 'BATCH_MISSING' | 'BATCH_MISMATCH' | 'HASH_MISMATCH';

export interface BatchCheckFailure {
  code: BatchCheckCode;
  message: string;
  /** public facts only: ids, utility, counts and hashes (never a bid's values) */
  details: Record<string, unknown>;
}

export type BatchCheck = { ok: true; batch: StoredBatch } | { ok: false; failure: BatchCheckFailure };

export type BatchesCheck =
  | { ok: true; /** the verified batches, in commitment order */ batches: StoredBatch[] }
  | { ok: false; failure: BatchCheckFailure };

/** A batch as read: the bytes its commitment's hash covers, and their decoding. */
export interface ReadBatch {
  bytes: Uint8Array;
  /** undefined when the bytes are not a batch at all (tampered): then only the hash is compared */
  batch: StoredBatch | undefined;
}

/** A batch read as stored bytes (the chaincode): the hash covers exactly these bytes. */
export function batchFromBytes(bytes: Uint8Array): ReadBatch {
  return { bytes, batch: decodeBatch(bytes) };
}

/** A batch read as a value (the auctioneer, over the gateway): hashed as its canonical JSON. */
export function batchFromValue(batch: StoredBatch): ReadBatch {
  return { bytes: encode(batch), batch };
}

function decodeBatch(bytes: Uint8Array): StoredBatch | undefined {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch {
    return undefined;
  }
  return isStoredBatch(value) ? value : undefined;
}

function isStoredBatch(value: unknown): value is StoredBatch {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Partial<Record<keyof StoredBatch, unknown>>;
  return (
    typeof b.roundId === 'string' &&
    typeof b.utility === 'string' &&
    typeof b.batchId === 'string' &&
    Array.isArray(b.bids)
  );
}

/** The batch names another round, utility or id than its commitment, or another bid count. */
function differsFrom(batch: StoredBatch, roundId: string, c: BatchCommitment): boolean {
  return (
    batch.roundId !== roundId ||
    batch.utility !== c.utility ||
    batch.batchId !== c.batchId ||
    batch.bids.length !== c.bidCount
  );
}

const where = (roundId: string, c: BatchCommitment): Record<string, unknown> => ({
  roundId,
  utility: c.utility,
  batchId: c.batchId,
});

const missing = (roundId: string, c: BatchCommitment): BatchCheckFailure => ({
  code: 'BATCH_MISSING',
  message: `batch ${c.batchId} of ${c.utility} is not readable`,
  details: where(roundId, c),
});

function mismatch(roundId: string, c: BatchCommitment, batch: StoredBatch | undefined): BatchCheckFailure {
  return {
    code: 'BATCH_MISMATCH',
    message: `batch ${c.batchId} of ${c.utility} does not match its commitment`,
    details: batch
      ? {
          ...where(roundId, c),
          batchRound: batch.roundId,
          batchUtility: batch.utility,
          batchBatchId: batch.batchId,
          bids: batch.bids.length,
          committedBids: c.bidCount,
        }
      : { ...where(roundId, c), reason: 'not a batch' },
  };
}

const hashMismatch = (roundId: string, c: BatchCommitment, got: string): BatchCheckFailure => ({
  code: 'HASH_MISMATCH',
  message: `batch ${c.batchId} of ${c.utility} does not match its hash`,
  details: { ...where(roundId, c), expected: c.hash, got },
});

/**
 * Checks one batch against its commitment: present (BATCH_MISSING), naming the commitment's round,
 * utility, id and bid count (BATCH_MISMATCH), and hashing to the committed SHA-256 (HASH_MISMATCH),
 * in this order.
 */
export function checkBatch(roundId: string, c: BatchCommitment, read: ReadBatch | undefined): BatchCheck {
  if (!read) return { ok: false, failure: missing(roundId, c) };
  if (read.batch && differsFrom(read.batch, roundId, c)) {
    return { ok: false, failure: mismatch(roundId, c, read.batch) };
  }
  const hash = sha256Hex(read.bytes);
  if (hash !== c.hash) return { ok: false, failure: hashMismatch(roundId, c, hash) };
  // the committed hash of bytes that are no batch: only a forged commitment gets here
  if (!read.batch) return { ok: false, failure: mismatch(roundId, c, undefined) };
  return { ok: true, batch: read.batch };
}

/**
 * Checks every batch named by the commitments (checkBatch) and returns them in commitment order,
 * or the first failure.
 */
export function checkBatches(
  roundId: string,
  commitments: readonly BatchCommitment[],
  batchOf: (c: BatchCommitment) => ReadBatch | undefined,
): BatchesCheck {
  const batches: StoredBatch[] = [];
  for (const c of commitments) {
    const checked = checkBatch(roundId, c, batchOf(c));
    if (!checked.ok) return checked;
    batches.push(checked.batch);
  }
  return { ok: true, batches };
}

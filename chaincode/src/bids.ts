import { validateRound } from '../../auctioneer/src/mechanism';
import {
  RoundValidationError,
  type WireBid,
  type WireRoundParams,
} from '../../auctioneer/src/mechanism/types';
import { requireSelfOrOperator, requireUtility } from './access';
import { decode, encode, sha256Hex } from './codec';
import { MarketError } from './errors';
import { collectionOf, keys } from './keys';
import type { Ledger } from './ledger';
import type { BatchCommitment, StoredBatch } from './model';
import { getRound } from './rounds';
import { formatInstant, parseInstant } from './time';

/** Transient field that carries the batch: JSON `{ "salt": hex, "bids": WireBid[] }`. */
export const BATCH_TRANSIENT_KEY = 'batch';
export const MAX_BATCH_BIDS = 10_000;
const SALT_RE = /^[0-9a-f]{32,128}$/;

/** The id the mechanism sees: unique across utilities because it carries the MSP id. */
export const qualifiedBidId = (utility: string, bidId: string): string => `${utility}:${bidId}`;

function readTransientBatch(l: Ledger): { salt: string; bids: WireBid[] } {
  const raw = l.transient(BATCH_TRANSIENT_KEY);
  if (!raw) {
    throw new MarketError('INVALID_ARGUMENT', `transient field '${BATCH_TRANSIENT_KEY}' is missing`);
  }
  let parsed: unknown;
  try {
    parsed = decode<unknown>(raw);
  } catch (e) {
    throw new MarketError('INVALID_ARGUMENT', 'transient batch is not valid JSON', {
      reason: (e as Error).message,
    });
  }
  const o = parsed as { salt?: unknown; bids?: unknown };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MarketError('INVALID_ARGUMENT', 'transient batch must be an object {salt, bids}');
  }
  const extra = Object.keys(o).filter((k) => k !== 'salt' && k !== 'bids');
  if (extra.length > 0) {
    throw new MarketError('INVALID_ARGUMENT', 'transient batch has unknown fields', { fields: extra });
  }
  if (typeof o.salt !== 'string' || !SALT_RE.test(o.salt)) {
    throw new MarketError(
      'INVALID_ARGUMENT',
      'salt must be 32-128 lowercase hex chars (at least 128 random bits)',
    );
  }
  if (!Array.isArray(o.bids) || o.bids.length === 0 || o.bids.length > MAX_BATCH_BIDS) {
    throw new MarketError('INVALID_ARGUMENT', `bids must be an array of 1..${MAX_BATCH_BIDS} bids`, {
      got: Array.isArray(o.bids) ? o.bids.length : typeof o.bids,
    });
  }
  return { salt: o.salt, bids: o.bids as WireBid[] };
}

/**
 * Validates a utility's batch the same way the clearing will see it: with the round's parameters
 * and the ids qualified by the utility, so a batch accepted here can never make the round invalid.
 */
function validateBatch(utility: string, params: Required<WireRoundParams>, bids: WireBid[]): void {
  const qualified = bids.map((b) =>
    b !== null && typeof b === 'object' && typeof b.id === 'string'
      ? { ...b, id: qualifiedBidId(utility, b.id) }
      : b,
  );
  try {
    validateRound({ params, bids: qualified });
  } catch (e) {
    if (e instanceof RoundValidationError) {
      const issues = e.issues.map((i) => ({ ...i, id: bids[i.index]?.id ?? i.id }));
      throw new MarketError('INVALID_BIDS', `${issues.length} invalid bid field(s)`, { issues });
    }
    throw e;
  }
}

/** Accepts a sealed batch: private bytes in the caller's collection, a salted hash in public. */
export async function submitBatch(l: Ledger, roundId: string): Promise<BatchCommitment> {
  const utility = requireUtility(l, 'submit bids');
  const round = await getRound(l, roundId);
  if (round.status !== 'OPEN') {
    throw new MarketError('ROUND_NOT_OPEN', `round ${roundId} is ${round.status}`, {
      roundId,
      status: round.status,
    });
  }
  if (l.txTimeSeconds >= parseInstant('closesAt', round.closesAt)) {
    throw new MarketError('BIDDING_CLOSED', `bidding for round ${roundId} closed at ${round.closesAt}`, {
      roundId,
      closesAt: round.closesAt,
      txTime: formatInstant(l.txTimeSeconds),
    });
  }
  const { salt, bids } = readTransientBatch(l);
  validateBatch(utility, round.params, bids);

  const collection = collectionOf(utility);
  // Bid ids are unique per utility and round across batches: one private marker per id.
  const taken: string[] = [];
  for (const bid of bids) {
    if (await l.getPrivate(collection, keys.bidId(l, roundId, bid.id))) taken.push(bid.id);
  }
  if (taken.length > 0) {
    throw new MarketError('CONFLICT', `${taken.length} bid id(s) already used in round ${roundId}`, {
      ids: taken.slice(0, 50),
    });
  }
  const batchId = l.txId;
  const stored: StoredBatch = { roundId, utility, batchId, salt, bids };
  const bytes = encode(stored);
  await l.putPrivate(collection, keys.batch(l, roundId, batchId), bytes);
  for (const bid of bids) {
    await l.putPrivate(collection, keys.bidId(l, roundId, bid.id), encode({ batchId }));
  }
  const commitment: BatchCommitment = {
    roundId,
    utility,
    batchId,
    bidCount: bids.length,
    hash: sha256Hex(bytes),
  };
  await l.putState(keys.commitment(l, roundId, utility, batchId), encode(commitment));
  return commitment;
}

/** A utility's own batches of a round (the operator may name any utility). Read-only. */
export async function readBatches(l: Ledger, roundId: string, utility: string): Promise<StoredBatch[]> {
  const target = requireSelfOrOperator(l, utility, 'read the bids');
  await getRound(l, roundId);
  const kvs = await l.getPrivateByPartialKey(collectionOf(target), 'batch', [roundId]);
  return kvs.map((kv) => decode<StoredBatch>(kv.value));
}

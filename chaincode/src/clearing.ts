import { canonicalJson, clearRound } from '../../engine/src/mechanism';
import type { WireClearingResult } from '../../engine/src/mechanism/types';
import { requireOperator, requireSelfOrOperator } from './access';
import { assembleRoundInput, type AssemblyBatch } from './assemble';
import { batchFromBytes, checkBatch, type BatchCheckCode, type BatchCheckFailure } from './batch-check';
import { decode, encode, sha256Hex } from './codec';
import { MarketError, type MarketErrorCode } from './errors';
import { collectionOf, keys } from './keys';
import type { Ledger } from './ledger';
import type { BatchCommitment, NetPosition, Settlement } from './model';
import { getRound, listCommitmentValues, markCleared } from './rounds';
import { settle } from './settle';
import { putStoredSettlement, readStoredSettlement } from './settlement-store';

/** The public record of a cleared round: the result without per-bid lines, plus digests. */
export type PublicResult = Omit<WireClearingResult, 'buyers' | 'sellers'> & {
  roundId: string;
  mechanismVersion: string;
  /** SHA-256 of the canonical JSON of the full result (incl. every bid's line) */
  resultDigest: string;
  /** SHA-256 of the canonical list of (utility, batchId, hash) the result was computed from */
  bidSetDigest: string;
  batchCount: number;
  bidCount: number;
  clearedTx: string;
};

interface SealedRound {
  commitments: BatchCommitment[];
  /** the verified batches, in commitment order */
  batches: AssemblyBatch[];
  /** each utility's batch salts, in commitment order (secret: see settlementSaltOf) */
  salts: Map<string, string[]>;
}

/**
 * The salt stored with a utility's settlement. Every channel member reads the blocks, and a block
 * holds SHA-256 of each private write's value: without secret entropy in the value, an outsider
 * who knows the public price and positions could guess a utility's few settlement lines and
 * confirm the guess against that hash. A utility's batch salts are at least 128 random bits known
 * only to the members of its collection (the utility and the operator), and the clearing reads
 * every batch anyway, so a salt derived from them is secret to those members and identical on
 * every endorser (no randomness in chaincode). Domain-separated from batchIdOf, which is public.
 */
export function settlementSaltOf(roundId: string, utility: string, batchSalts: readonly string[]): string {
  return sha256Hex(`settlement-salt\n${roundId}\n${utility}\n${batchSalts.join('\n')}`);
}

/** What CommitClearing takes: SHA-256 (hex) of the canonical JSON of the full result. */
export const resultDigestOf = (result: WireClearingResult): string => sha256Hex(canonicalJson(result));

/**
 * The chaincode's code for a failed batch check. It has no BATCH_MISMATCH: a batch that names
 * another round, utility, id or bid count than its commitment is reported as not matching it.
 */
const MARKET_CODE_OF: Record<BatchCheckCode, MarketErrorCode> = {
  BATCH_MISSING: 'BATCH_MISSING',
  BATCH_MISMATCH: 'HASH_MISMATCH',
  HASH_MISMATCH: 'HASH_MISMATCH',
};

const toMarketError = (f: BatchCheckFailure): MarketError =>
  new MarketError(MARKET_CODE_OF[f.code], f.message, f.details);

/** Point-reads every batch named by the public commitments and checks it (batch-check.ts). */
async function readSealedBids(l: Ledger, roundId: string): Promise<SealedRound> {
  const commitments = (await listCommitmentValues(l, roundId)).map((v) => decode(v) as BatchCommitment);
  const batches: AssemblyBatch[] = [];
  const salts = new Map<string, string[]>();
  for (const c of commitments) {
    const bytes = await l.getPrivate(collectionOf(c.utility), keys.batch(l, roundId, c.batchId));
    const checked = checkBatch(roundId, c, bytes ? batchFromBytes(bytes) : undefined);
    if (!checked.ok) throw toMarketError(checked.failure);
    const { batch } = checked;
    batches.push({ utility: c.utility, batchId: c.batchId, bids: batch.bids });
    salts.set(c.utility, [...(salts.get(c.utility) ?? []), batch.salt]);
  }
  return { commitments, batches, salts };
}

/** A settled utility's batch salts: it has bids, so it has batches (never an empty, guessable salt). */
function batchSaltsOf(sealed: SealedRound, utility: string): string[] {
  const salts = sealed.salts.get(utility);
  if (!salts) throw new Error(`no batch of settled utility ${utility}`);
  return salts;
}

const DIGEST_RE = /^[0-9a-f]{64}$/;

/**
 * Accepts the clearing of a closed round only if it is byte-identical to the mechanism's result on
 * the committed bids. The operator sends only the result's digest (resultDigestOf): a transaction
 * argument is stored in the block on every peer, and the full result names every bid's quantity
 * and payment (DESIGN invariant 10). The chaincode recomputes the result from the sealed bids and
 * compares digests. Repeating the accepted commit is a no-op; any other commit is rejected. Errors
 * name public facts only (price, totals, status), never a bid's values.
 */
export async function commitClearing(
  l: Ledger,
  roundId: string,
  resultDigest: string,
): Promise<PublicResult> {
  requireOperator(l, 'commit a clearing');
  if (!DIGEST_RE.test(resultDigest)) {
    throw new MarketError(
      'INVALID_ARGUMENT',
      'the clearing is committed by its SHA-256: 64 lowercase hex chars of the canonical result JSON',
      // a whole result would be private: echo only an argument too short to be one
      { roundId, ...(resultDigest.length <= 100 ? { got: resultDigest } : { length: resultDigest.length }) },
    );
  }
  const round = await getRound(l, roundId);
  if (round.status === 'CLEARED') {
    const stored = await getResult(l, roundId);
    if (resultDigest !== stored.resultDigest) {
      throw new MarketError('CONFLICT', `round ${roundId} is already cleared with a different result`, {
        roundId,
        resultDigest: stored.resultDigest,
        submittedDigest: resultDigest,
      });
    }
    return stored;
  }
  if (round.status !== 'CLOSED') {
    throw new MarketError('ROUND_NOT_CLOSED', `round ${roundId} is ${round.status}`, {
      roundId,
      status: round.status,
    });
  }

  const sealed = await readSealedBids(l, roundId);
  const { input, origins } = assembleRoundInput(round.params, sealed.batches);
  const result = clearRound(input);
  const expectedDigest = resultDigestOf(result);
  if (resultDigest !== expectedDigest) {
    throw new MarketError(
      'CLEARING_MISMATCH',
      'submitted result digest differs from the mechanism’s result',
      {
        roundId,
        submittedDigest: resultDigest,
        status: result.status,
        price: result.price,
        totals: result.totals,
      },
    );
  }

  const { buyers: _b, sellers: _s, ...summary } = result;
  const record: PublicResult = {
    ...summary,
    roundId,
    mechanismVersion: round.mechanismVersion,
    resultDigest: expectedDigest,
    bidSetDigest: sha256Hex(
      canonicalJson(
        sealed.commitments.map((c) => ({ utility: c.utility, batchId: c.batchId, hash: c.hash })),
      ),
    ),
    batchCount: sealed.commitments.length,
    bidCount: input.bids.length,
    clearedTx: l.txId,
  };
  const { settlements, positions } = settle(round, result, origins);
  await l.putState(keys.result(l, roundId), encode(record));
  for (const p of positions) await l.putState(keys.position(l, roundId, p.utility), encode(p));
  for (const s of settlements) {
    await putStoredSettlement(l, s, settlementSaltOf(roundId, s.utility, batchSaltsOf(sealed, s.utility)));
  }
  await markCleared(l, round);
  l.setEvent(
    'RoundCleared',
    encode({ roundId, status: result.status, price: result.price, totals: result.totals }),
  );
  return record;
}

export async function getResult(l: Ledger, roundId: string): Promise<PublicResult> {
  const bytes = await l.getState(keys.result(l, roundId));
  if (!bytes) {
    await getRound(l, roundId); // NOT_FOUND for an unknown round
    throw new MarketError('NOT_FOUND', `round ${roundId} has no result yet`, { roundId });
  }
  return decode(bytes) as PublicResult;
}

export async function getPositions(l: Ledger, roundId: string): Promise<NetPosition[]> {
  await getRound(l, roundId);
  return (await l.getStateByPartialKey('position', [roundId])).map((kv) => decode(kv.value) as NetPosition);
}

/** A utility's own settlement lines (the operator may name any utility). */
export async function getSettlement(l: Ledger, roundId: string, utility: string): Promise<Settlement> {
  const target = requireSelfOrOperator(l, utility, 'read the settlement');
  const stored = await readStoredSettlement(l, roundId, target);
  if (!stored) {
    await getRound(l, roundId);
    throw new MarketError('NOT_FOUND', `no settlement of ${target} for round ${roundId}`, {
      roundId,
      utility: target,
    });
  }
  const { salt: _salt, ...settlement } = stored;
  return settlement;
}

import { assembleRoundInput, type AssemblyBatch } from '../../../chaincode/src/assemble';
import { batchFromValue, checkBatches, type BatchCheckCode } from '../../../chaincode/src/batch-check';
import type { BatchCommitment, RoundRecord, StoredBatch } from '../../../chaincode/src/model';
import { resultDigestOf } from '../../../chaincode/src/clearing';
import { clearRound } from '../../../engine/src/mechanism';
import type { WireClearingResult } from '../../../engine/src/mechanism/types';
import { readCommittedBatches } from '../../../fabric-client/src/read-batches';
import type { AuctioneerMarketPort } from './market-port';

/**
 * The batch check's codes (chaincode/src/batch-check.ts), also used for a stored result that
 * differs and for reading batches; the settle step adds the engine's refusals of a settlement.
 */
export type AuctioneerErrorCode = BatchCheckCode | 'INVALID_READINGS' | 'SETTLEMENT_MISMATCH';

/** A problem the auctioneer found itself (before asking the chaincode anything). Never retried. */
export class AuctioneerError extends Error {
  constructor(
    readonly code: AuctioneerErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${message}`);
    this.name = 'AuctioneerError';
  }
}

export interface PreparedClearing {
  roundId: string;
  result: WireClearingResult;
  /** SHA-256 of the result's canonical JSON: what is committed (the result itself stays private) */
  resultDigest: string;
  batchCount: number;
  bidCount: number;
  /** batches read and verified before the close (sealed-cache.ts), not read again here */
  prefetchedBatches: number;
  /** the clearing was computed before the close, on exactly the commitments the round closed with */
  precleared: boolean;
  timings: { readMs: number; verifyMs: number; clearMs: number };
}

/** How reads are made (with deadline and retry by the caller). */
export type Reader = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

const direct: Reader = (_what, fn) => fn();

/**
 * Checks every batch named by the public commitments with the chaincode's own check (same bytes as
 * the chaincode hashes: canonical JSON of the stored batch) and returns them in commitment order.
 */
export function verifyBatches(
  roundId: string,
  commitments: readonly BatchCommitment[],
  batchesByUtility: ReadonlyMap<string, readonly StoredBatch[]>,
): AssemblyBatch[] {
  const checked = checkBatches(roundId, commitments, (c) => {
    const batch = batchesByUtility.get(c.utility)?.find((b) => b.batchId === c.batchId);
    return batch ? batchFromValue(batch) : undefined;
  });
  if (!checked.ok) {
    const { code, message, details } = checked.failure;
    throw new AuctioneerError(code, message, details);
  }
  return checked.batches.map((b) => ({ utility: b.utility, batchId: b.batchId, bids: b.bids }));
}

export type BatchReadPort = Pick<AuctioneerMarketPort, 'getCommitments' | 'getBatchesById'>;
/** What reading ahead needs besides: the round's parameters, to clear ahead. */
export type AheadPort = BatchReadPort & Pick<AuctioneerMarketPort, 'getRound'>;

/** The sealed batches `commitments` name, read on the operator's peer (utilities in parallel). */
export async function readBatches(
  market: BatchReadPort,
  roundId: string,
  commitments: readonly BatchCommitment[],
  read: Reader = direct,
): Promise<Map<string, StoredBatch[]>> {
  const utilities = [...new Set(commitments.map((c) => c.utility))].sort();
  const batches = new Map<string, StoredBatch[]>();
  await Promise.all(
    utilities.map(async (u) => {
      const own = commitments.filter((c) => c.utility === u);
      batches.set(u, await read(`batches of ${u}`, () => readCommittedBatches(market, roundId, u, own)));
    }),
  );
  return batches;
}

/** What a clearing computes from verified batches (in commitment order). */
export interface Cleared {
  result: WireClearingResult;
  resultDigest: string;
  bidCount: number;
}

/** Assembles the input exactly as the chaincode does and clears it. */
export function clearVerified(round: RoundRecord, verified: readonly AssemblyBatch[]): Cleared {
  const { input } = assembleRoundInput(round.params, [...verified]);
  const result = clearRound(input);
  return { result, resultDigest: resultDigestOf(result), bidCount: input.bids.length };
}

/** Batches already read and verified against these very commitments (sealed-cache.ts). */
export interface VerifiedBatches {
  get(roundId: string, c: BatchCommitment): AssemblyBatch | undefined;
  /** a clearing computed ahead on exactly `commitments` (same order) and these params, if any */
  precleared?(round: RoundRecord, commitments: readonly BatchCommitment[]): Cleared | undefined;
}

const none: VerifiedBatches = { get: () => undefined };

/**
 * Reads the commitments and the sealed batches of a closed round (on the operator's peer) that
 * `known` does not hold yet, verifies every hash of those, assembles the input exactly as the
 * chaincode does (commitment order) and clears it — unless `known` cleared exactly these
 * commitments ahead of the close.
 */
export async function prepareClearing(
  market: BatchReadPort,
  round: RoundRecord,
  read: Reader = direct,
  known: VerifiedBatches = none,
): Promise<PreparedClearing> {
  const t0 = performance.now();
  const commitments = await read('getCommitments', () => market.getCommitments(round.id));
  const base = { roundId: round.id, batchCount: commitments.length };
  const ahead = known.precleared?.(round, commitments);
  if (ahead) {
    const readMs = performance.now() - t0;
    const timings = { readMs, verifyMs: 0, clearMs: 0 };
    return { ...base, ...ahead, prefetchedBatches: commitments.length, precleared: true, timings };
  }
  // looked up once: a prefetch running meanwhile may add entries (the fresh ones below align with this)
  const cached = commitments.map((c) => known.get(round.id, c));
  const missing = commitments.filter((_, i) => cached[i] === undefined);
  const batches = await readBatches(market, round.id, missing, read);
  const t1 = performance.now();
  const fresh = verifyBatches(round.id, missing, batches);
  const t2 = performance.now();
  let next = 0;
  const cleared = clearVerified(
    round,
    cached.map((b) => b ?? (fresh[next++] as AssemblyBatch)),
  );
  const t3 = performance.now();
  return {
    ...base,
    ...cleared,
    prefetchedBatches: commitments.length - missing.length,
    precleared: false,
    timings: { readMs: t1 - t0, verifyMs: t2 - t1, clearMs: t3 - t2 },
  };
}

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

/**
 * Reads the commitments and the sealed batches of a closed round (on the operator's peer),
 * verifies every hash, assembles the input exactly as the chaincode does and clears it.
 */
export async function prepareClearing(
  market: Pick<AuctioneerMarketPort, 'getCommitments' | 'getBatchesById'>,
  round: RoundRecord,
  read: Reader = direct,
): Promise<PreparedClearing> {
  const t0 = performance.now();
  const commitments = await read('getCommitments', () => market.getCommitments(round.id));
  const utilities = [...new Set(commitments.map((c) => c.utility))].sort();
  const batches = new Map<string, StoredBatch[]>();
  await Promise.all(
    utilities.map(async (u) => {
      const own = commitments.filter((c) => c.utility === u);
      batches.set(u, await read(`batches of ${u}`, () => readCommittedBatches(market, round.id, u, own)));
    }),
  );
  const t1 = performance.now();
  const verified = verifyBatches(round.id, commitments, batches);
  const t2 = performance.now();
  const { input } = assembleRoundInput(round.params, verified);
  const result = clearRound(input);
  const resultDigest = resultDigestOf(result);
  const t3 = performance.now();
  return {
    roundId: round.id,
    result,
    resultDigest,
    batchCount: commitments.length,
    bidCount: input.bids.length,
    timings: { readMs: t1 - t0, verifyMs: t2 - t1, clearMs: t3 - t2 },
  };
}

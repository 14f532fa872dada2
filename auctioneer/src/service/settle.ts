/**
 * The operator's delivery settlement of a cleared round (issue #15, docs/settlement.md §7.3): read
 * what the chaincode's SettleDelivery will read, compute with the chaincode's own computeDelivery,
 * and hand back the digest to commit. The gate rule is the chaincode's (gateClosesAt of the
 * round's deliveryParamsOfRound), so service and chaincode cannot disagree on when.
 */
import { computeDelivery } from '../../../chaincode/src/delivery-input';
import { gateClosesAt } from '../../../chaincode/src/delivery-params';
import type { DeliverySummary, RoundRecord, StoredReadingBatch } from '../../../chaincode/src/model';
import { readingsDigestOf } from '../../../chaincode/src/readings';
import { deliveryParamsOfRound } from '../../../chaincode/src/rounds';
import { SettlementInputError, SettlementValidationError } from '../../../engine/src/settlement/types';
import type { AuctioneerMarketPort } from './market-port';
import { AuctioneerError, type Reader } from './prepare';
import { parseInstantMs } from './schedule';

/**
 * A delivery settlement attempt. 'confirmed': the ledger answered ALREADY_SETTLED with this
 * service's digest (its own commit whose answer was lost). 'refused': a mismatch or bad data,
 * reported and not retried by this process; 'failed' and 'too-early' are retried at the next
 * reconciliation.
 */
export type SettleOutcome =
  | { roundId: string; outcome: 'committed'; digest: string; summary: DeliverySummary }
  | { roundId: string; outcome: 'confirmed'; digest: string }
  | { roundId: string; outcome: 'already-settled' }
  | { roundId: string; outcome: 'not-due'; status: string; settleableAt?: string }
  | { roundId: string; outcome: 'too-early' }
  | { roundId: string; outcome: 'refused'; error: unknown }
  | { roundId: string; outcome: 'failed'; error: unknown };

/** Refusals that a retry cannot change: the ledger's data is fixed once the gate has closed. */
export const PERMANENT_SETTLE_CODES = new Set<string>([
  'SETTLEMENT_MISMATCH',
  'ALREADY_SETTLED',
  'HASH_MISMATCH',
  'BATCH_MISSING',
  'BATCH_MISMATCH',
  'INVALID_READINGS',
  'INVALID_ARGUMENT',
]);

export type SettleReads = Pick<
  AuctioneerMarketPort,
  'getResult' | 'getPositions' | 'getSettlement' | 'getReadingCommitments' | 'getReadings'
>;

/**
 * When the round's delivery can be settled (epoch ms), or undefined for a round opened without
 * delivery parameters: such a round (e.g. opened before issue #15) never asked for meter readings,
 * and settling it would charge every cleared bid as undelivered, so the service leaves it CLEARED.
 */
export function settleableAtMs(round: RoundRecord): number | undefined {
  if (!round.delivery) return undefined;
  return parseInstantMs(gateClosesAt(round.slot, deliveryParamsOfRound(round)));
}

export interface PreparedSettlement {
  roundId: string;
  digest: string;
  gateClosesAt: string;
  utilities: number;
  readingBatches: number;
  readings: number;
  /** reading the ledger and computing, in ms (logged with 'settling') */
  timings: { readMs: number; computeMs: number };
}

/**
 * Every reading batch named by the public commitments, read per utility and checked against its
 * digest as the chaincode checks it (a batch the commitments do not name is not the ledger's).
 */
async function committedReadingBatches(
  market: SettleReads,
  roundId: string,
  read: Reader,
): Promise<StoredReadingBatch[]> {
  const commitments = await read('getReadingCommitments', () => market.getReadingCommitments(roundId));
  const utilities = [...new Set(commitments.map((c) => c.utility))].sort();
  const byId = new Map<string, StoredReadingBatch>();
  const perUtility = await Promise.all(
    utilities.map((u) => read(`readings of ${u}`, () => market.getReadings(roundId, u))),
  );
  for (const b of perUtility.flat()) byId.set(`${b.utility}\n${b.readingBatchId}`, b);
  return commitments.map((c) => {
    const where = { roundId, utility: c.utility, readingBatchId: c.readingBatchId };
    const batch = byId.get(`${c.utility}\n${c.readingBatchId}`);
    if (!batch)
      throw new AuctioneerError('BATCH_MISSING', `reading batch ${c.readingBatchId} not read`, where);
    const digest = readingsDigestOf(batch.salt, batch.readings);
    if (digest !== c.digest) {
      throw new AuctioneerError(
        'HASH_MISMATCH',
        `reading batch ${c.readingBatchId} differs from its commitment`,
        {
          ...where,
          expected: c.digest,
          got: digest,
        },
      );
    }
    return batch;
  });
}

/**
 * Reads the public result, every cleared utility's settlement lines (utilities from the public
 * positions, as the chaincode takes them) and every committed reading batch, and computes the
 * settlement's digest. Engine refusals become AuctioneerErrors (never retried: the ledger's data
 * will not change after the gate).
 */
export async function prepareSettlement(
  market: SettleReads,
  round: RoundRecord,
  read: Reader,
): Promise<PreparedSettlement> {
  const roundId = round.id;
  const params = deliveryParamsOfRound(round);
  const t0 = performance.now();
  const [summary, positions] = await Promise.all([
    read('getResult', () => market.getResult(roundId)),
    read('getPositions', () => market.getPositions(roundId)),
  ]);
  // the large reads at once: the transfer and parsing of one overlap the peer's work on another
  const [settlements, batches] = await Promise.all([
    Promise.all(
      [...new Set(positions.map((p) => p.utility))]
        .sort()
        .map((u) => read(`settlement of ${u}`, () => market.getSettlement(roundId, u))),
    ),
    committedReadingBatches(market, roundId, read),
  ]);
  const t1 = performance.now();
  let digest: string;
  try {
    ({ digest } = computeDelivery(summary, settlements, batches, params));
  } catch (e) {
    if (e instanceof SettlementValidationError) {
      throw new AuctioneerError('INVALID_READINGS', 'the stored readings do not settle', {
        roundId,
        issueCount: e.issues.length,
      });
    }
    if (e instanceof SettlementInputError) {
      throw new AuctioneerError('SETTLEMENT_MISMATCH', e.message, { roundId });
    }
    throw e;
  }
  return {
    roundId,
    digest,
    gateClosesAt: gateClosesAt(round.slot, params),
    utilities: settlements.length,
    readingBatches: batches.length,
    readings: batches.reduce((n, b) => n + b.readings.length, 0),
    timings: { readMs: Math.round(t1 - t0), computeMs: Math.round(performance.now() - t1) },
  };
}

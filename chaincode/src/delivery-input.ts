/**
 * The one assembly of a round's delivery settlement from what the ledger holds (issue #15,
 * docs/settlement.md §7), shared by the chaincode (SettleDelivery re-computes it) and the
 * operator's service (which computes the digest it commits): the public clearing result, every
 * utility's private settlement lines and every reading batch. Pure: the output does not depend on
 * the order of the settlements, of their lines or of the reading batches.
 */
import { canonicalJson } from '../../engine/src/mechanism';
import type { WireAllocation, WireClearingResult } from '../../engine/src/mechanism/types';
import { settleDelivery } from '../../engine/src/settlement';
import type { WireReading, WireSettlement, WireSettlementParams } from '../../engine/src/settlement/types';
import { sha256Hex } from './codec';
import type { DeliveryParams } from './delivery-params';
import type { MeterReading, Settlement, StoredReadingBatch } from './model';

/** What settling needs of the public result (PublicResult has it all). */
export type ResultSummary = Omit<WireClearingResult, 'buyers' | 'sellers'>;

/**
 * A bid's id in the settlement: `<batchId>/<the utility's bid id>`. Batch ids are 16 hex chars and
 * unique per round and bid ids unique per batch, so the id is unique in the round and splits at
 * its first `/`.
 */
export const deliveryBidId = (batchId: string, id: string): string => `${batchId}/${id}`;

/** The batch id and the utility's bid id of a settlement line's id. */
export function splitDeliveryBidId(deliveryId: string): { batchId: string; id: string } {
  const slash = deliveryId.indexOf('/');
  return { batchId: deliveryId.slice(0, slash), id: deliveryId.slice(slash + 1) };
}

/** A utility's reading as the engine reads it. */
export const wireReadingOf = (r: MeterReading): WireReading => ({
  id: deliveryBidId(r.batchId, r.id),
  side: r.side,
  quantity: r.quantity,
});

/** The cleared result rebuilt from the public summary and the utilities' settlement lines. */
export function clearedResultOf(
  summary: ResultSummary,
  settlements: readonly Settlement[],
): { result: WireClearingResult; owners: Map<string, string> } {
  const buyers: WireAllocation[] = [];
  const sellers: WireAllocation[] = [];
  const owners = new Map<string, string>();
  for (const s of settlements) {
    for (const line of s.lines) {
      const id = deliveryBidId(line.batchId, line.id);
      owners.set(id, s.utility);
      (line.side === 'buy' ? buyers : sellers).push({ id, quantity: line.quantity, payment: line.payment });
    }
  }
  return { result: { ...summary, buyers, sellers }, owners };
}

/** Everything settleDelivery takes. */
export interface DeliveryInput {
  result: WireClearingResult;
  readings: WireReading[];
  params: WireSettlementParams;
  /** the owner of each bid of `result` (looked up, never iterated) */
  owners: ReadonlyMap<string, string>;
}

export function deliveryInputOf(
  summary: ResultSummary,
  settlements: readonly Settlement[],
  readingBatches: readonly StoredReadingBatch[],
  delivery: DeliveryParams,
): DeliveryInput {
  const { result, owners } = clearedResultOf(summary, settlements);
  return {
    result,
    readings: readingBatches.flatMap((b) => b.readings.map(wireReadingOf)),
    params: { shortPremium: delivery.shortPremium, longDiscount: delivery.longDiscount },
    owners,
  };
}

/** What SettleDelivery takes: SHA-256 (hex) of the canonical JSON of the full settlement. */
export const settlementDigestOf = (s: WireSettlement): string => sha256Hex(canonicalJson(s));

/**
 * The round's settlement and its digest. Throws the engine's SettlementValidationError (bad
 * readings) or SettlementInputError (inconsistent result).
 */
export function computeDelivery(
  summary: ResultSummary,
  settlements: readonly Settlement[],
  readingBatches: readonly StoredReadingBatch[],
  delivery: DeliveryParams,
): { settlement: WireSettlement; digest: string } {
  const input = deliveryInputOf(summary, settlements, readingBatches, delivery);
  const settlement = settleDelivery(input.result, input.readings, input.params, (id) => input.owners.get(id));
  return { settlement, digest: settlementDigestOf(settlement) };
}

import type { WireBid, WireRound, WireRoundParams } from '../../engine/src/mechanism/types';
import { MAX_BATCH_BIDS } from './model';

/** One verified bid batch as the clearing sees it. */
export interface AssemblyBatch {
  utility: string;
  batchId: string;
  /** bids as the utility sent them, in stored order */
  bids: readonly WireBid[];
}

/** Where a bid of the clearing input came from. */
export interface BidOrigin {
  utility: string;
  batchId: string;
  /** the id the utility gave the bid */
  id: string;
}

const INDEX_DIGITS = String(MAX_BATCH_BIDS - 1).length;

/**
 * The id the mechanism sees: `<batchId>.<position in the batch>`, zero-padded so that ids sort in
 * batch order. Batch ids are unique per round, so these ids are unique by construction and the
 * ledger never has to look up the utility's own ids (DESIGN change, docs/api.md "Bid identity").
 */
export const marketBidId = (batchId: string, index: number): string =>
  `${batchId}.${String(index).padStart(INDEX_DIGITS, '0')}`;

/**
 * The clearing input of a round (its parameters and every bid of every batch under its market id,
 * batches in the order given, i.e. of the public commitments, bids in batch order) and each market
 * id's origin. The single place where this assembly happens: the chaincode
 * verifies and the auctioneer clears with exactly this input.
 */
export function assembleRoundInput(
  params: Required<WireRoundParams>,
  batches: readonly AssemblyBatch[],
): { input: WireRound & { params: Required<WireRoundParams> }; origins: Map<string, BidOrigin> } {
  const bids: WireBid[] = [];
  const origins = new Map<string, BidOrigin>();
  for (const b of batches) {
    b.bids.forEach((bid, i) => {
      const id = marketBidId(b.batchId, i);
      bids.push({ ...bid, id });
      origins.set(id, { utility: b.utility, batchId: b.batchId, id: bid.id });
    });
  }
  return { input: { params, bids }, origins };
}

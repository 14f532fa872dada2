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
 * Each market id's origin, found from the batch the id names: a lookup in the round's batches
 * instead of one map entry and one object per bid (at 10^6 bids those cost the chaincode's
 * CommitClearing seconds of its execute timeout, mostly in the garbage collector).
 */
export class BidOrigins {
  private readonly byBatch = new Map<string, AssemblyBatch>();

  constructor(batches: readonly AssemblyBatch[]) {
    for (const b of batches) this.byBatch.set(b.batchId, b);
  }

  /** The origin of `marketId`, if it is exactly `marketBidId(batchId, position)` of a bid here. */
  get(marketId: string): BidOrigin | undefined {
    const dot = marketId.lastIndexOf('.');
    const batch = dot < 0 ? undefined : this.byBatch.get(marketId.slice(0, dot));
    if (!batch) return undefined;
    const position = Number(marketId.slice(dot + 1));
    const bid = Number.isInteger(position) ? batch.bids[position] : undefined;
    // the exact spelling: no other text that Number() reads as this position ("1e1", " 7", …)
    if (!bid || marketBidId(batch.batchId, position) !== marketId) return undefined;
    return { utility: batch.utility, batchId: batch.batchId, id: bid.id };
  }
}

/**
 * The clearing input of a round (its parameters and every bid of every batch under its market id,
 * batches in the order given, i.e. of the public commitments, bids in batch order) and each market
 * id's origin. The single place where this assembly happens: the chaincode
 * verifies and the auctioneer clears with exactly this input.
 */
export function assembleRoundInput(
  params: Required<WireRoundParams>,
  batches: readonly AssemblyBatch[],
): { input: WireRound & { params: Required<WireRoundParams> }; origins: BidOrigins } {
  const bids: WireBid[] = [];
  for (const b of batches) {
    b.bids.forEach((bid, i) => bids.push({ ...bid, id: marketBidId(b.batchId, i) }));
  }
  return { input: { params, bids }, origins: new BidOrigins(batches) };
}

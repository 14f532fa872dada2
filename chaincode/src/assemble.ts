import type { WireBid, WireRound, WireRoundParams } from '../../auctioneer/src/mechanism/types';
import { qualifiedBidId } from './bids';

/** One verified bid batch as the clearing sees it: the submitting utility and its bids. */
export interface AssemblyBatch {
  utility: string;
  /** bids with the ids the utility sent (not yet qualified) */
  bids: readonly WireBid[];
}

/**
 * The clearing input of a round: the round's parameters and every bid of every batch, ids
 * qualified with the submitting utility's MSP id, batches in the order given (the order of the
 * public commitments), bids in batch order. The single place where this assembly happens: the
 * chaincode verifies and the auctioneer clears with exactly this input.
 */
export function assembleRoundInput(
  params: Required<WireRoundParams>,
  batches: readonly AssemblyBatch[],
): WireRound & { params: Required<WireRoundParams> } {
  const bids: WireBid[] = [];
  for (const b of batches) {
    for (const bid of b.bids) bids.push({ ...bid, id: qualifiedBidId(b.utility, bid.id) });
  }
  return { params, bids };
}

import { MAX_BATCHES_PER_READ } from '../../chaincode/src/bids';
import type { BatchCommitment, StoredBatch } from '../../chaincode/src/model';
import type { MarketClient } from './market-client';

/** Bids per GetBatchesById answer: about 2 MB, well within gRPC's message limit (10 MB here). */
export const MAX_BIDS_PER_READ = 20_000;

/**
 * Every batch of `utility` named by `commitments` (the round's public commitments), read in parts
 * of at most MAX_BIDS_PER_READ bids and MAX_BATCHES_PER_READ batches, so a round of any size can
 * be read: GetBatches answers in one message and fails once a utility's bids exceed it (~130k).
 * `utility` '' means the caller's own org. Batches the peer does not return are left out.
 */
export async function readCommittedBatches(
  market: Pick<MarketClient, 'getBatchesById'>,
  roundId: string,
  utility: string,
  commitments: readonly BatchCommitment[],
): Promise<StoredBatch[]> {
  const parts: string[][] = [];
  let part: string[] = [];
  let bids = 0;
  for (const c of commitments) {
    if (part.length > 0 && (bids + c.bidCount > MAX_BIDS_PER_READ || part.length >= MAX_BATCHES_PER_READ)) {
      parts.push(part);
      part = [];
      bids = 0;
    }
    part.push(c.batchId);
    bids += c.bidCount;
  }
  if (part.length > 0) parts.push(part);
  const out: StoredBatch[] = [];
  for (const ids of parts) out.push(...(await market.getBatchesById(roundId, utility, ids)));
  return out;
}

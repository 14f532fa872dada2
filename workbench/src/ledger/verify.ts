/**
 * The sealed batches read from the ledger, checked against their salted commitments with the one
 * check the chaincode (commitClearing) and the auctioneer (prepareClearing) use:
 * chaincode/src/batch-check.ts. A batch read over the gateway is hashed as its canonical JSON,
 * the bytes the chaincode hashed when it stored it.
 */
import type { AssemblyBatch } from '../../../chaincode/src/assemble';
import { batchFromValue, checkBatches } from '../../../chaincode/src/batch-check';
import type { BatchCommitment, StoredBatch } from '../../../chaincode/src/model';
import { CommitmentCheckError } from './errors';

/**
 * Every batch named by `commitments`, checked and in commitment order (the clearing's order), or
 * CommitmentCheckError naming the first batch that is missing, names another round, utility, id
 * or bid count, or does not hash to its commitment.
 */
export function verifyLedgerBatches(
  roundId: string,
  commitments: readonly BatchCommitment[],
  batches: readonly StoredBatch[],
): AssemblyBatch[] {
  const byKey = new Map(batches.map((b) => [`${b.utility}\n${b.batchId}`, b]));
  const checked = checkBatches(roundId, commitments, (c) => {
    const batch = byKey.get(`${c.utility}\n${c.batchId}`);
    return batch ? batchFromValue(batch) : undefined;
  });
  if (!checked.ok) throw new CommitmentCheckError(roundId, checked.failure);
  return checked.batches.map((b) => ({ utility: b.utility, batchId: b.batchId, bids: b.bids }));
}

/** The commitments of one utility's batches. */
export const commitmentsOf = (commitments: readonly BatchCommitment[], utility: string): BatchCommitment[] =>
  commitments.filter((c) => c.utility === utility);

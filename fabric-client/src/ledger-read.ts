/**
 * Read-only access to what the ledger holds of a round, for tools that study committed rounds
 * (the workbench's `energy-auction ledger`): the round record, its public commitments, the sealed
 * batches they name and, once cleared, the public result and net positions. Nothing is checked
 * here: the caller checks the batches against their commitments (chaincode/src/batch-check.ts).
 */
import type { PublicResult } from '../../chaincode/src/clearing';
import type { BatchCommitment, NetPosition, RoundRecord, StoredBatch } from '../../chaincode/src/model';
import type { MarketClient } from './market-client';
import { readCommittedBatches } from './read-batches';

/** The reads a ledger round needs: a MarketClient, or a wrapper of one (tests alter what it returns). */
export type LedgerReadPort = Pick<
  MarketClient,
  'mspId' | 'getRound' | 'listRounds' | 'getCommitments' | 'getBatchesById' | 'getResult' | 'getPositions'
>;

export interface LedgerRound {
  round: RoundRecord;
  /** every public commitment of the round, in the ledger's order (the clearing's order) */
  commitments: BatchCommitment[];
  /** the batches read: every utility's (`all`) or the caller's own (`own`); unchecked */
  batches: StoredBatch[];
  /** the committed result and positions, when the round is CLEARED */
  result?: PublicResult;
  positions?: NetPosition[];
}

export interface ReadLedgerRoundOptions {
  /** `all` needs the operator's identity; `own` reads the caller's org's batches only */
  batches: 'all' | 'own';
}

/** Every batch of every utility named by the commitments (the operator's peer holds them all). */
async function readAllBatches(
  market: LedgerReadPort,
  roundId: string,
  commitments: readonly BatchCommitment[],
): Promise<StoredBatch[]> {
  const utilities = [...new Set(commitments.map((c) => c.utility))].sort();
  const parts = await Promise.all(
    utilities.map((u) =>
      readCommittedBatches(
        market,
        roundId,
        u,
        commitments.filter((c) => c.utility === u),
      ),
    ),
  );
  return parts.flat();
}

/** Reads a round as the ledger holds it (see LedgerRound); MarketClientError on a failed read. */
export async function readLedgerRound(
  market: LedgerReadPort,
  roundId: string,
  opts: ReadLedgerRoundOptions,
): Promise<LedgerRound> {
  const round = await market.getRound(roundId);
  const commitments = await market.getCommitments(roundId);
  const batches =
    opts.batches === 'all'
      ? await readAllBatches(market, roundId, commitments)
      : await readCommittedBatches(
          market,
          roundId,
          '',
          commitments.filter((c) => c.utility === market.mspId),
        );
  if (round.status !== 'CLEARED') return { round, commitments, batches };
  const [result, positions] = await Promise.all([market.getResult(roundId), market.getPositions(roundId)]);
  return { round, commitments, batches, result, positions };
}

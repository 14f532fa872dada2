/**
 * Sealed batches read ahead of a round's close. Reading and verifying every batch of a 200,000-bid
 * round takes about a second after the close, while the utilities wait for their settlement; the
 * batches committed before the close can be read before it. The operator's auctioneer reads them
 * on the operator's peer in the last seconds of bidding (it is a member of every utility's
 * collection: nothing is revealed that the clearing would not read anyway, and nothing leaves this
 * process), verifies each against its public commitment, and keeps them here; the clearing then
 * reads only what arrived later. An entry is keyed by the commitment's utility, batch id and hash:
 * a batch is used only for the very commitment it was verified against.
 *
 * When a read finds nothing new, the round is cleared ahead on what it holds (`preclear`); the
 * clearing after the close uses that result only if the round closed with exactly those
 * commitments, in the same order, and the same parameters — otherwise it clears again.
 */
import type { AssemblyBatch } from '../../../chaincode/src/assemble';
import type { BatchCommitment, RoundRecord } from '../../../chaincode/src/model';
import { canonicalJson } from '../../../engine/src/mechanism';
import {
  clearVerified,
  readBatches,
  verifyBatches,
  type BatchReadPort,
  type Cleared,
  type Reader,
  type VerifiedBatches,
} from './prepare';

const keyOf = (c: BatchCommitment): string => `${c.utility}\n${c.batchId}\n${c.hash}`;

/** What a clearing ahead was computed on: the round's params and its commitments, in order. */
const inputKeyOf = (round: RoundRecord, commitments: readonly BatchCommitment[]): string =>
  `${canonicalJson(round.params)}\n\n${commitments.map(keyOf).join('\n\n')}`;

export class SealedBatchCache implements VerifiedBatches {
  private readonly rounds = new Map<string, Map<string, AssemblyBatch>>();
  private readonly ahead = new Map<string, { key: string; cleared: Cleared }>();

  get(roundId: string, c: BatchCommitment): AssemblyBatch | undefined {
    return this.rounds.get(roundId)?.get(keyOf(c));
  }

  /** How many batches of `roundId` are held. */
  size(roundId: string): number {
    return this.rounds.get(roundId)?.size ?? 0;
  }

  /**
   * Reads the round's commitments and every batch not held yet, verifies them and keeps them.
   * Returns how many it added and the commitments it saw. A batch that fails verification fails
   * the call and is not kept (the clearing reads it again and refuses the round the same way).
   */
  async fill(
    market: BatchReadPort,
    roundId: string,
    read: Reader,
  ): Promise<{ added: number; commitments: BatchCommitment[] }> {
    const commitments = await read('getCommitments', () => market.getCommitments(roundId));
    const missing = commitments.filter((c) => this.get(roundId, c) === undefined);
    if (missing.length === 0) return { added: 0, commitments };
    const verified = verifyBatches(roundId, missing, await readBatches(market, roundId, missing, read));
    const held = this.rounds.get(roundId) ?? new Map<string, AssemblyBatch>();
    this.rounds.set(roundId, held);
    missing.forEach((c, i) => held.set(keyOf(c), verified[i] as AssemblyBatch));
    return { added: missing.length, commitments };
  }

  /**
   * Clears the round ahead on `commitments`, all of which must be held; does nothing when it
   * already did for exactly these. Returns whether it cleared.
   */
  preclear(round: RoundRecord, commitments: readonly BatchCommitment[]): boolean {
    const key = inputKeyOf(round, commitments);
    if (commitments.length === 0 || this.ahead.get(round.id)?.key === key) return false;
    const verified = commitments.map((c) => this.get(round.id, c));
    if (verified.some((b) => b === undefined)) return false;
    this.ahead.set(round.id, { key, cleared: clearVerified(round, verified as AssemblyBatch[]) });
    return true;
  }

  precleared(round: RoundRecord, commitments: readonly BatchCommitment[]): Cleared | undefined {
    const ahead = this.ahead.get(round.id);
    return ahead && ahead.key === inputKeyOf(round, commitments) ? ahead.cleared : undefined;
  }

  /** Forgets a round (cleared, or given up). */
  drop(roundId: string): void {
    this.rounds.delete(roundId);
    this.ahead.delete(roundId);
  }

  /** Rounds with batches held (for tests and the service's stop). */
  roundIds(): string[] {
    return [...this.rounds.keys()].sort();
  }
}

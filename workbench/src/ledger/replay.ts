/**
 * Replays a ledger round: checks its sealed batches against their commitments, assembles the
 * clearing input exactly as the chaincode does, clears it with the engine and compares the result
 * with the one the ledger recorded. Pure: the reads are done before (fabric-client readLedgerRound).
 */
import { settle } from '../../../chaincode/src/settle';
import { assembleRoundInput } from '../../../chaincode/src/assemble';
import { clearRound } from '../../../engine/src/mechanism';
import type { Profile, WireClearingResult } from '../../../engine/src/mechanism/types';
import type { LedgerRound } from '../../../fabric-client/src/ledger-read';
import { diffPositions, diffRecords, replayedRecordOf, type Difference } from './compare';
import { notClearedError } from './errors';
import { paramsOf } from './round-file';
import { verifyLedgerBatches } from './verify';

export interface ReplayReport {
  roundId: string;
  closesAt: string;
  /** the profile the replay cleared with, and the one the round was cleared with */
  profile: Profile;
  recordedProfile: Profile;
  /** cleared with another profile than recorded (--mechanism): a what-if, not a check */
  counterfactual: boolean;
  batches: number;
  bids: number;
  status: WireClearingResult['status'];
  price: string;
  energy: string;
  recordedDigest: string;
  replayedDigest: string;
  /** the full replayed result's canonical JSON is the recorded one, and every public field agrees */
  identical: boolean;
  differences: Difference[];
}

/** The replay of a CLEARED round read with every batch (the operator's view). */
export function replayLedgerRound(data: LedgerRound, mechanism?: Profile): ReplayReport {
  const { round, commitments, result: recorded } = data;
  if (!recorded) throw notClearedError(round.id, round.status);
  const verified = verifyLedgerBatches(round.id, commitments, data.batches);
  const params = paramsOf(round, mechanism);
  const { input, origins } = assembleRoundInput(params, verified);
  const result = clearRound(input);
  const replayed = replayedRecordOf(round, commitments, result, input.bids.length);
  const differences = [
    ...diffRecords(recorded, replayed),
    ...diffPositions(data.positions ?? [], settle(round, result, origins).positions),
  ];
  return {
    roundId: round.id,
    closesAt: round.closesAt,
    profile: params.profile,
    recordedProfile: recorded.profile,
    counterfactual: params.profile !== recorded.profile,
    batches: commitments.length,
    bids: input.bids.length,
    status: result.status,
    price: result.price,
    energy: result.totals.energy,
    recordedDigest: recorded.resultDigest,
    replayedDigest: replayed.resultDigest,
    identical: differences.length === 0,
    differences,
  };
}

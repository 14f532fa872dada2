/**
 * The `ledger` commands' work on any LedgerReadPort (a MarketClient, or in tests a wrapper that
 * alters what the peer returned): read, check, build the round file, replay.
 */
import { OPERATOR_MSP, type BatchCommitment, type RoundRecord } from '../../../chaincode/src/model';
import type { Profile } from '../../../engine/src/mechanism/types';
import {
  readLedgerRound,
  type LedgerReadPort,
  type LedgerRound,
} from '../../../fabric-client/src/ledger-read';
import { CliError } from '../errors';
import type { Progress } from '../progress';
import { LEDGER_EXIT, ledgerReadError, operatorOwnText, wholeRoundRefusal } from './errors';
import { outcomeOfError, type RoundOutcome } from './outcome';
import { replayLedgerRound, type ReplayReport } from './replay';
import { roundFileOf, type LedgerRoundFile } from './round-file';
import { roundsInRange, selectRounds, type RoundSelection } from './select';
import { commitmentsOf, verifyLedgerBatches } from './verify';

/** Runs a read and words its failure (MarketClientError) as a CliError. */
async function reading<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw ledgerReadError(e, what);
  }
}

const isOperator = (market: LedgerReadPort): boolean => market.mspId === OPERATOR_MSP;

/** What the caller's own batches add up to (for the refusal's hint). */
function ownCounts(
  commitments: readonly BatchCommitment[],
  mspId: string,
): { batches: number; bids: number } {
  const own = commitmentsOf(commitments, mspId);
  return { batches: own.length, bids: own.reduce((n, c) => n + c.bidCount, 0) };
}

/** A utility may read only its own batches: refuse the whole round, naming what it may do instead. */
async function refuseWholeRound(
  market: LedgerReadPort,
  what: 'export' | 'replay',
  roundId: string,
): Promise<never> {
  const commitments = await reading(`round ${roundId}`, () => market.getCommitments(roundId));
  throw wholeRoundRefusal(what, roundId, market.mspId, ownCounts(commitments, market.mspId));
}

export interface ExportedRound {
  file: LedgerRoundFile;
  round: RoundRecord;
  /** batches in the file (all of the round's, or the caller's own) and the round's total */
  batches: number;
  roundBatches: number;
  own: boolean;
}

/** Reads a closed round (or, with own, the caller's batches of it), checks every batch, builds its file. */
export async function exportLedgerRound(
  market: LedgerReadPort,
  roundId: string,
  opts: { own: boolean; profile?: Profile },
): Promise<ExportedRound> {
  if (opts.own && isOperator(market)) throw new CliError(operatorOwnText(roundId), LEDGER_EXIT.unreadable);
  if (!opts.own && !isOperator(market)) return refuseWholeRound(market, 'export', roundId);
  const data = await reading(`round ${roundId}`, () =>
    readLedgerRound(market, roundId, { batches: opts.own ? 'own' : 'all' }),
  );
  if (data.round.status === 'OPEN') {
    throw new CliError(
      `round ${roundId} is OPEN: its bids are final only once it closes (${data.round.closesAt})`,
      LEDGER_EXIT.unreadable,
    );
  }
  const commitments = opts.own ? commitmentsOf(data.commitments, market.mspId) : data.commitments;
  const verified = verifyLedgerBatches(roundId, commitments, data.batches);
  return {
    file: roundFileOf(data.round, verified, opts.profile),
    round: data.round,
    batches: verified.length,
    roundBatches: data.commitments.length,
    own: opts.own,
  };
}

/** Reads every batch of a round and its committed result (operator only). */
async function readWholeRound(market: LedgerReadPort, roundId: string): Promise<LedgerRound> {
  return reading(`round ${roundId}`, () => readLedgerRound(market, roundId, { batches: 'all' }));
}

/** Replays one cleared round (see replayLedgerRound); a utility is refused. */
export async function replayOne(
  market: LedgerReadPort,
  roundId: string,
  mechanism?: Profile,
): Promise<ReplayReport> {
  if (!isOperator(market)) return refuseWholeRound(market, 'replay', roundId);
  return replayLedgerRound(await readWholeRound(market, roundId), mechanism);
}

async function outcomeOf(
  market: LedgerReadPort,
  round: RoundRecord,
  mechanism?: Profile,
): Promise<RoundOutcome> {
  if (round.status !== 'CLEARED') return { kind: 'skipped', round };
  try {
    return { kind: 'replayed', report: replayLedgerRound(await readWholeRound(market, round.id), mechanism) };
  } catch (e) {
    return outcomeOfError(round, e);
  }
}

/** The rounds a selection names on the ledger; CliError naming ids the ledger does not have. */
export async function selectedRounds(market: LedgerReadPort, s: RoundSelection): Promise<RoundRecord[]> {
  const rounds = await reading('listing the rounds', () => market.listRounds(''));
  const { selected, missing } = selectRounds(rounds, s);
  if (missing.length > 0) {
    throw new CliError(`not on the ledger: ${missing.join(', ')}`, LEDGER_EXIT.unreadable);
  }
  return selected;
}

/** Replays many rounds one after another, one outcome each (a failed round does not stop the rest). */
export async function replayMany(
  market: LedgerReadPort,
  rounds: readonly RoundRecord[],
  opts: { mechanism?: Profile; progress: Progress },
): Promise<RoundOutcome[]> {
  if (!isOperator(market)) {
    throw wholeRoundRefusal('replay', '<round>', market.mspId);
  }
  opts.progress.start('replaying', rounds.length);
  const outcomes: RoundOutcome[] = [];
  for (const round of rounds) {
    outcomes.push(await outcomeOf(market, round, opts.mechanism));
    opts.progress.update(outcomes.length);
  }
  opts.progress.stop();
  return outcomes;
}

/** The rounds with a status (all when undefined) closing in [from, to], oldest close time first. */
export async function listLedgerRounds(
  market: LedgerReadPort,
  opts: { status?: RoundRecord['status']; from?: number; to?: number },
): Promise<RoundRecord[]> {
  const rounds = await reading('listing the rounds', () => market.listRounds(opts.status ?? ''));
  return roundsInRange(rounds, opts);
}

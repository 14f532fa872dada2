/** What replaying one round of many came to, the summary table of them all and the exit code. */
import type { RoundRecord } from '../../../chaincode/src/model';
import { CliError } from '../errors';
import { alignColumns } from '../format-result';
import { CommitmentCheckError, LEDGER_EXIT } from './errors';
import type { ReplayReport } from './replay';

export type RoundOutcome =
  | { kind: 'replayed'; report: ReplayReport }
  | { kind: 'commitment'; round: RoundRecord; error: CommitmentCheckError }
  | { kind: 'skipped'; round: RoundRecord }
  | { kind: 'error'; round: RoundRecord; error: CliError };

/** A replay that failed as expected (a CliError) becomes a row; anything else is a bug and is thrown. */
export function outcomeOfError(round: RoundRecord, e: unknown): RoundOutcome {
  if (e instanceof CommitmentCheckError) return { kind: 'commitment', round, error: e };
  if (e instanceof CliError) return { kind: 'error', round, error: e };
  throw e;
}

/** The replay's verdict in a few words. */
export function verdictOf(r: ReplayReport): string {
  const fields = r.differences.map((d) => d.field).join(', ');
  if (r.counterfactual) {
    return `what-if ${r.profile} (recorded ${r.recordedProfile})${fields === '' ? ': same result' : `: differs in ${fields}`}`;
  }
  return r.identical ? 'identical' : `DIFFERS: ${fields}`;
}

function rowOf(o: RoundOutcome): string[] {
  if (o.kind === 'replayed') {
    const r = o.report;
    return [r.roundId, r.closesAt, String(r.bids), r.status, r.price, r.energy, verdictOf(r)];
  }
  const { round } = o;
  const lead = [round.id, round.closesAt, String(round.bidCount ?? '-'), round.status, '-', '-'];
  if (o.kind === 'commitment') {
    return [...lead, `COMMITMENT FAILED: batch ${o.error.batchId} (${o.error.failure.code})`];
  }
  if (o.kind === 'skipped') return [...lead, `skipped: ${round.status}, not cleared`];
  return [...lead, `error: ${o.error.message}`];
}

const count = (outcomes: readonly RoundOutcome[], test: (o: RoundOutcome) => boolean): number =>
  outcomes.filter(test).length;

const differs = (o: RoundOutcome): boolean =>
  o.kind === 'replayed' && !o.report.identical && !o.report.counterfactual;

/** One line per round and a totals line. */
export function formatSummary(outcomes: readonly RoundOutcome[]): string {
  const head = ['round', 'closes', 'bids', 'status', 'price', 'kWh', 'replay'];
  const lines = alignColumns([head, ...outcomes.map(rowOf)]);
  const identical = count(outcomes, (o) => o.kind === 'replayed' && o.report.identical);
  const whatIf = count(outcomes, (o) => o.kind === 'replayed' && o.report.counterfactual);
  const totals =
    `${outcomes.length} round(s): ${identical} identical, ${count(outcomes, differs)} differ, ` +
    `${count(outcomes, (o) => o.kind === 'commitment')} failed the commitment check, ` +
    `${count(outcomes, (o) => o.kind === 'skipped')} not cleared, ${count(outcomes, (o) => o.kind === 'error')} unreadable` +
    (whatIf > 0 ? ` (${whatIf} what-if replay(s) with another mechanism)` : '');
  return `${lines.join('\n')}\n\n${totals}\n`;
}

/** 4 if a batch failed its commitment check, else 3 if a replay differs, else 1 if a round was unreadable, else 0. */
export function exitCodeOf(outcomes: readonly RoundOutcome[]): number {
  if (outcomes.some((o) => o.kind === 'commitment')) return LEDGER_EXIT.commitment;
  if (outcomes.some(differs)) return LEDGER_EXIT.differs;
  if (outcomes.some((o) => o.kind === 'error')) return LEDGER_EXIT.unreadable;
  return 0;
}

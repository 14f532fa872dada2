/** Shared by `clear` and `compare`: read a round file and validate it with the engine. */
import { validateRound } from '../../../engine/src/mechanism';
import {
  RoundValidationError,
  type Bid,
  type RoundParams,
  type ValidationIssue,
  type WireRound,
  type WireRoundParams,
} from '../../../engine/src/mechanism/types';
import { CliError } from '../errors';
import type { Progress } from '../progress';
import { readRound, type LoadedRound, type RoundFormat } from '../read-round';

interface ValidatedRound {
  loaded: LoadedRound;
  /** the round as cleared: the file's params with the flag overrides applied */
  round: WireRound;
  params: RoundParams;
  bids: Bid[];
}

/**
 * "  bids[3] (id s1) at line 5, quantity: reason" (the line for CSV files), or for a round-level
 * problem (index -1, e.g. a bad --alpha): "  params.alpha: reason".
 */
function formatIssue(issue: ValidationIssue, lines?: Map<number, number>): string {
  if (issue.index < 0) return `  ${issue.id}.${issue.field}: ${issue.reason}`;
  const line = lines?.get(issue.index);
  const at = line === undefined ? '' : ` at line ${line}`;
  return `  bids[${issue.index}] (id ${issue.id})${at}, ${issue.field}: ${issue.reason}`;
}

export async function loadRound(
  path: string,
  opts: { format?: RoundFormat; overrides: Partial<WireRoundParams>; progress: Progress },
): Promise<ValidatedRound> {
  const loaded = await readRound(path, { format: opts.format, progress: opts.progress });
  const round: WireRound = { ...loaded.round, params: { ...loaded.round.params, ...opts.overrides } };
  opts.progress.step('validating');
  try {
    const { params, bids } = validateRound(round);
    opts.progress.done();
    return { loaded, round, params, bids };
  } catch (e) {
    if (e instanceof RoundValidationError) {
      opts.progress.stop();
      const lines = await loaded.locateBids?.(e.issues.map((i) => i.index));
      const issues = e.issues.map((i) => formatIssue(i, lines));
      throw new CliError(`${path}: invalid round, ${e.issues.length} problem(s):\n${issues.join('\n')}`);
    }
    throw e;
  }
}

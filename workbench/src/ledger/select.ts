/** Which ledger rounds a command acts on: named ids, or a range of close times (--from/--to). */
import { InvalidArgumentError } from 'commander';
import type { RoundRecord } from '../../../chaincode/src/model';

/** An ISO 8601 date-time with a zone, or a date (midnight UTC): what --from and --to accept. */
const ISO_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** --from / --to: milliseconds since the epoch, or commander's InvalidArgumentError (exit 2). */
export function parseInstant(value: string): number {
  const ms = ISO_RE.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      'must be an ISO 8601 date-time with a zone, e.g. 2026-12-03T10:00:00Z, or a date, e.g. 2026-12-03 (midnight UTC).',
    );
  }
  return ms;
}

export interface RoundSelection {
  ids: readonly string[];
  /** close times, both ends included */
  from?: number;
  to?: number;
}

export const isRange = (s: RoundSelection): boolean => s.from !== undefined || s.to !== undefined;

const inRange = (r: RoundRecord, s: Omit<RoundSelection, 'ids'>): boolean => {
  const t = Date.parse(r.closesAt);
  return (s.from === undefined || t >= s.from) && (s.to === undefined || t <= s.to);
};

const byCloseTime = (a: RoundRecord, b: RoundRecord): number =>
  Date.parse(a.closesAt) - Date.parse(b.closesAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The rounds closing in [from, to] (an open end when undefined), oldest close time first. */
export const roundsInRange = (
  rounds: readonly RoundRecord[],
  s: Omit<RoundSelection, 'ids'>,
): RoundRecord[] => rounds.filter((r) => inRange(r, s)).sort(byCloseTime);

/**
 * The rounds named (in the order named) and those closing in [from, to] (by close time), without
 * repeats; `missing` are named ids the ledger does not list.
 */
export function selectRounds(
  rounds: readonly RoundRecord[],
  s: RoundSelection,
): { selected: RoundRecord[]; missing: string[] } {
  const byId = new Map(rounds.map((r) => [r.id, r]));
  const named = s.ids.flatMap((id) => byId.get(id) ?? []);
  const missing = s.ids.filter((id) => !byId.has(id));
  const ranged = isRange(s) ? roundsInRange(rounds, s) : [];
  const selected = new Map<string, RoundRecord>();
  for (const r of [...named, ...ranged]) if (!selected.has(r.id)) selected.set(r.id, r);
  return { selected: [...selected.values()], missing: [...new Set(missing)] };
}

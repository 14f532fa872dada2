/**
 * Compares the clearing recorded on the ledger with a replay of it. Byte-identity of the full
 * result (every bid's line included) is the equality of resultDigest: the SHA-256 of the result's
 * canonical JSON, which is all the chaincode stores of the per-bid lines. The public fields are
 * compared one by one as well, so a difference is named.
 */
import { canonicalJson } from '../../../engine/src/mechanism';
import type { WireClearingResult } from '../../../engine/src/mechanism/types';
import { resultDigestOf, type PublicResult } from '../../../chaincode/src/clearing';
import { sha256Hex } from '../../../chaincode/src/codec';
import type { BatchCommitment, NetPosition, RoundRecord } from '../../../chaincode/src/model';

/** One field that differs: its path (`price`, `totals.energy`, `positions.Utility1MSP.energySold`). */
export interface Difference {
  field: string;
  recorded: string;
  replayed: string;
}

/** What a replay says the ledger should have recorded (all of PublicResult but the transaction id). */
export type ReplayedRecord = Omit<PublicResult, 'clearedTx'>;

/** The bid-set digest of the chaincode (commitClearing): the canonical (utility, batchId, hash) list. */
export const bidSetDigestOf = (commitments: readonly BatchCommitment[]): string =>
  sha256Hex(
    canonicalJson(commitments.map((c) => ({ utility: c.utility, batchId: c.batchId, hash: c.hash }))),
  );

/** The public record the chaincode writes for this result (clearing.ts commitClearing), minus clearedTx. */
export function replayedRecordOf(
  round: RoundRecord,
  commitments: readonly BatchCommitment[],
  result: WireClearingResult,
  bidCount: number,
): ReplayedRecord {
  const { buyers: _b, sellers: _s, ...summary } = result;
  return {
    ...summary,
    roundId: round.id,
    mechanismVersion: round.mechanismVersion,
    resultDigest: resultDigestOf(result),
    bidSetDigest: bidSetDigestOf(commitments),
    batchCount: commitments.length,
    bidCount,
  };
}

const text = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined ? '(none)' : JSON.stringify(v);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths and values of a JSON value, in key order (`totals.energy` -> "6.5"). */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (!isPlainObject(value)) {
    out.set(prefix, value);
    return out;
  }
  for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  return out;
}

/** The leaves that differ between two JSON values, by path; `skip` paths are not compared. */
export function diffValues(
  recorded: unknown,
  replayed: unknown,
  prefix = '',
  skip: ReadonlySet<string> = new Set(),
): Difference[] {
  const a = flatten(recorded, prefix, new Map());
  const b = flatten(replayed, prefix, new Map());
  const fields = [...new Set([...b.keys(), ...a.keys()])].filter((f) => !skip.has(f));
  return fields
    .filter((f) => canonicalJson(a.get(f) ?? null) !== canonicalJson(b.get(f) ?? null))
    .map((field) => ({ field, recorded: text(a.get(field)), replayed: text(b.get(field)) }));
}

/** resultDigest last: a lone digest difference means only per-bid lines differ. */
const digestLast = (d: Difference[]): Difference[] => [
  ...d.filter((x) => x.field !== 'resultDigest'),
  ...d.filter((x) => x.field === 'resultDigest'),
];

/** Every public field of the recorded result that the replay does not reproduce (clearedTx aside). */
export const diffRecords = (recorded: PublicResult, replayed: ReplayedRecord): Difference[] =>
  digestLast(diffValues(recorded, replayed, '', new Set(['clearedTx'])));

const byUtility = (positions: readonly NetPosition[]): Record<string, NetPosition> =>
  Object.fromEntries(
    [...positions].sort((x, y) => (x.utility < y.utility ? -1 : 1)).map((p) => [p.utility, p]),
  );

/** The net positions that differ, as `positions.<utility>.<field>`. */
export const diffPositions = (
  recorded: readonly NetPosition[],
  replayed: readonly NetPosition[],
): Difference[] => diffValues(byUtility(recorded), byUtility(replayed), 'positions');

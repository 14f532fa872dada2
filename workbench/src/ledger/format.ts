/** Readable output of `ledger list` and of one `ledger replay`. */
import type { RoundRecord } from '../../../chaincode/src/model';
import { alignColumns } from '../format-result';
import type { Difference } from './compare';
import type { ReplayReport } from './replay';

/** One line per round: id, slot, close time, status, batches, bids. */
export function formatRoundList(rounds: readonly RoundRecord[]): string {
  if (rounds.length === 0) return 'no rounds on the ledger match\n';
  const head = ['round', 'slot', 'closes', 'status', 'batches', 'bids', 'profile'];
  const rows = rounds.map((r) => [
    r.id,
    r.slot,
    r.closesAt,
    r.status,
    String(r.batchCount ?? '-'),
    String(r.bidCount ?? '-'),
    r.params.profile,
  ]);
  return `${alignColumns([head, ...rows]).join('\n')}\n`;
}

const differenceLines = (d: readonly Difference[]): string[] =>
  alignColumns([
    ['  field', 'recorded', 'replayed'],
    ...d.map((x) => [`  ${x.field}`, x.recorded, x.replayed]),
  ]);

function verdictLines(r: ReplayReport): string[] {
  if (r.counterfactual) {
    return [
      `what-if: cleared with ${r.profile}, the round was cleared with ${r.recordedProfile} ` +
        '(not a check of the recorded clearing)',
      ...(r.identical
        ? ['same result as recorded']
        : ['differs from the recorded clearing in:', ...differenceLines(r.differences)]),
    ];
  }
  if (r.identical) {
    return [
      'recorded clearing: byte-identical',
      `  the full result (every bid line included) hashes to the committed resultDigest ${r.recordedDigest}`,
      '  and every public field and net position agrees',
    ];
  }
  return ['recorded clearing: DIFFERS from the replay in:', ...differenceLines(r.differences)];
}

/** The replay of one round: what was read and checked, the replayed clearing, the verdict. */
export function formatReport(r: ReplayReport): string {
  const lines = [
    `round ${r.roundId} (closed ${r.closesAt}): ${r.batches} sealed batch(es), ${r.bids} bid(s)`,
    `commitments: every batch matches its salted SHA-256 commitment`,
    `replayed (${r.profile}): ${r.status}, price ${r.price}, ${r.energy} kWh traded`,
    ...verdictLines(r),
  ];
  return `${lines.join('\n')}\n`;
}

import { api, gateOf, type RoundRecord } from './api.js';
import { withCsv } from './csv.js';
import { countdown, el, fill, table } from './dom.js';

const ORDER: Record<RoundRecord['status'], number> = { OPEN: 0, CLOSED: 1, CLEARED: 2, SETTLED: 3 };

/** Open rounds first (soonest close first), then closed, cleared, settled (each newest first). */
export function sortRounds(rs: RoundRecord[]): RoundRecord[] {
  return [...rs].sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      (a.status === 'OPEN' ? a.closesAt.localeCompare(b.closesAt) : b.closesAt.localeCompare(a.closesAt)),
  );
}

export const listRounds = async (): Promise<RoundRecord[]> =>
  sortRounds(await api<RoundRecord[]>('/v1/rounds'));

/**
 * The meter readings cell: 'settled', '—' for a round the service does not settle (no delivery
 * parameters), a countdown to the gate while a cleared round takes readings, else the gate.
 */
function readingsCell(r: RoundRecord, now: number): HTMLElement | string {
  if (r.status === 'SETTLED') return 'settled';
  const gate = gateOf(r);
  if (gate === null) return '—';
  if (r.status !== 'CLEARED') return `until ${gate}`;
  return el('span', { 'data-gate': gate, class: 'countdown' }, countdown(gate, now, 'readings'));
}

/** The rounds timeline: status, slot, close countdown and a button to show each round. */
export function renderRounds(
  target: Element,
  rounds: RoundRecord[],
  selected: string | null,
  onSelect: (id: string) => void,
): void {
  const now = Date.now();
  const rows = rounds.map((r) => [
    el(
      'button',
      {
        type: 'button',
        class: r.id === selected ? 'link selected' : 'link',
        'aria-pressed': String(r.id === selected),
        onclick: () => {
          onSelect(r.id);
        },
      },
      r.id,
    ),
    el('span', { class: `status ${r.status.toLowerCase()}` }, r.status),
    r.slot,
    r.status === 'OPEN'
      ? el('span', { 'data-closes': r.closesAt, class: 'countdown' }, countdown(r.closesAt, now))
      : `closed (${r.closesAt})`,
    r.bidCount === undefined ? '—' : String(r.bidCount),
    readingsCell(r, now),
  ]);
  fill(
    target,
    rounds.length === 0
      ? el('p', {}, 'No rounds yet.')
      : withCsv(
          table('Rounds', ['round', 'status', 'delivery slot', 'bidding', 'bids', 'meter readings'], rows),
          'rounds.csv',
        ),
  );
}

/** Refreshes every countdown on the page (called each second). */
export function tickCountdowns(): void {
  const now = Date.now();
  for (const e of document.querySelectorAll<HTMLElement>('[data-closes]')) {
    e.textContent = countdown(e.dataset['closes'] ?? '', now);
  }
  for (const e of document.querySelectorAll<HTMLElement>('[data-gate]')) {
    e.textContent = countdown(e.dataset['gate'] ?? '', now, 'readings');
  }
}

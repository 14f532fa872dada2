import { api, ApiError } from './api.js';
import { withCsv } from './csv.js';
import { el, fill, table } from './dom.js';

interface SettlementAnswer {
  roundId: string;
  utility: string;
  lines: { batchId: string; id: string; side: string; quantity: string; payment: string }[];
}

interface StatementLine {
  id: string;
  side: string;
  allocated: string;
  metered: string;
  reading: 'metered' | 'missing';
  deviation: string;
  trade: string;
  fee: string;
  imbalance: string;
  net: string;
}

interface StatementAnswer {
  roundId: string;
  slot: string;
  settledAt: string;
  settledTx: string;
  lines: StatementLine[];
  statement: Record<string, string | number>;
}

const round = (id: string): string => `/v1/rounds/${encodeURIComponent(id)}`;

/** A 404 (no lines of this utility in the round) as a sentence; anything else is thrown on. */
function noneOr(e: unknown, what: string): HTMLElement {
  if (e instanceof ApiError && e.status === 404) return el('p', { class: 'none' }, what);
  throw e;
}

/** Money first, then energy, in the statements' reading order; any other key after them. */
const ORDER = [
  'bids',
  'missingReadings',
  'trade',
  'fees',
  'imbalanceCharges',
  'imbalanceCredits',
  'imbalance',
  'net',
  'bought',
  'sold',
  'consumed',
  'delivered',
  'shortEnergy',
  'longEnergy',
];
const rank = (k: string): number => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);

/** The keys of an amounts record in reading order (the ledger's JSON has them sorted by name). */
export const orderedKeys = (o: object): string[] =>
  Object.keys(o).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));

/** Key/value pairs as a definition list (class `totals`, not `metrics`: the round's are those). */
export const totalsList = (label: string, pairs: [string, string][]): HTMLElement =>
  el(
    'dl',
    { class: 'totals', 'aria-label': label },
    ...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
  );

/** The utility's settlement lines of a cleared round: per bid, the kWh cleared and the payment. */
export async function settlementOf(target: HTMLElement, roundId: string): Promise<void> {
  let s: SettlementAnswer;
  try {
    s = await api<SettlementAnswer>(`${round(roundId)}/settlement`);
  } catch (e) {
    fill(target, noneOr(e, 'No settlement lines: none of your bids is in this round’s result.'));
    return;
  }
  const head = ['batch', 'id', 'side', 'kWh', 'payment'];
  const rows = s.lines.map((l) => [l.batchId, l.id, l.side, l.quantity, l.payment]);
  fill(
    target,
    withCsv(table(`Settlement lines (${s.lines.length})`, head, rows), `settlement-${roundId}.csv`),
  );
}

/** The utility's delivery statement of a settled round: its totals and a line per bid. */
export async function statementOf(target: HTMLElement, roundId: string): Promise<void> {
  let s: StatementAnswer;
  try {
    s = await api<StatementAnswer>(`${round(roundId)}/statement`);
  } catch (e) {
    fill(target, noneOr(e, 'No delivery statement: none of your bids is in this round.'));
    return;
  }
  const head = ['bid', 'side', 'allocated kWh', 'metered kWh', 'reading', 'trade', 'fee', 'imbalance', 'net'];
  const rows = s.lines.map((l) => [
    l.id,
    l.side,
    l.allocated,
    l.metered,
    l.reading,
    l.trade,
    l.fee,
    l.imbalance,
    l.net,
  ]);
  const totals = orderedKeys(s.statement)
    .filter((k) => k !== 'utility')
    .map((k): [string, string] => [k, String(s.statement[k])]);
  fill(
    target,
    el('h3', {}, `Delivery statement · settled ${s.settledAt}`),
    totalsList(`delivery statement totals of ${roundId}`, totals),
    withCsv(table(`Delivery statement lines (${s.lines.length})`, head, rows), `statement-${roundId}.csv`),
  );
}

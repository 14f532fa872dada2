import { api, apiText } from './api.js';
import { saveText, withCsv } from './csv.js';
import { orderedKeys, totalsList } from './delivery.js';
import { el, fill, pager, table } from './dom.js';

const PAGE = 20;

interface AccountAnswer {
  kind: 'utility' | 'operator';
  utility: string;
  rounds: number;
  totals: Record<string, string>;
  entries: ({ roundId: string; slot: string; settledAt: string } & Record<string, string>)[];
  matching: number;
  nextCursor?: string;
}

interface BillsAnswer {
  rounds: string[];
  bills: Record<string, string | number>[];
}

const BILL_COLUMNS = [
  'prosumer',
  'rounds',
  'missingReadings',
  'bought',
  'sold',
  'consumed',
  'delivered',
  'trade',
  'fees',
  'imbalance',
  'net',
];

const accountUrl = (who: string): string => `/v1/accounts/${encodeURIComponent(who)}`;

/**
 * One page of the running account: its totals, and its entries (one per settled round) from
 * `cursor`; `back` holds the cursors of the pages before, for "previous".
 */
async function showEntries(target: HTMLElement, who: string, cursor: string, back: string[]): Promise<void> {
  const q = new URLSearchParams({ limit: String(PAGE), ...(cursor ? { cursor } : {}) });
  const a = await api<AccountAnswer>(`${accountUrl(who)}?${q.toString()}`);
  const amounts = orderedKeys(a.totals);
  const head = ['round', 'slot', 'settled', ...amounts];
  const rows = a.entries.map((e) => [e.roundId, e.slot, e.settledAt, ...amounts.map((k) => e[k] ?? '')]);
  const first = back.length * PAGE + 1;
  const go = (c: string, b: string[]): void => void showEntries(target, who, c, b);
  const nav = pager(
    'account pages',
    a.entries.length === 0
      ? 'no settled rounds'
      : `rounds ${first}–${first + a.entries.length - 1} of ${a.matching}`,
    { cursor, back, next: a.nextCursor },
    go,
  );
  fill(
    target,
    totalsList(`account totals of ${a.utility}`, [
      ['settled rounds', String(a.rounds)],
      ...amounts.map((k): [string, string] => [k, a.totals[k] ?? '']),
    ]),
    withCsv(table('Account entries', head, rows), `account-${who}.csv`),
    nav,
  );
}

/** "2026-01-01" (a date input's value) as the instant its UTC day starts; `days` later. */
function dayStart(date: string, days = 0): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A bills period: [from, to) as the API takes it, and the last day included (the form's). */
interface Period {
  from: string;
  to: string;
  last: string;
}

/** A labelled date input of the bills form. */
const dateField = (id: string, label: string, value: string): HTMLElement =>
  el(
    'div',
    { class: 'field' },
    el('label', { for: id }, label),
    el('input', { id, name: id, type: 'date', required: '', value }),
  );

/** The bills form: a period (UTC days, both included), the bills as a table and as the API's CSV. */
function billsForm(who: string): HTMLElement {
  const today = new Date().toISOString().slice(0, 10);
  const out = el('div', { id: 'bills', role: 'status' });
  const form = el(
    'form',
    { 'aria-label': 'bills for a period', class: 'bills-form' },
    el('h3', {}, 'Bills per prosumer'),
    dateField('bills-from', 'from (UTC day)', `${today.slice(0, 8)}01`),
    dateField('bills-to', 'to (UTC day, included)', today),
    el('button', { type: 'submit' }, 'Show bills'),
    el(
      'button',
      { type: 'button', class: 'download', onclick: () => void download().catch(fail) },
      'Download CSV',
    ),
    out,
  );
  const period = (): Period | null => {
    const v = (n: string): string => (form.elements.namedItem(n) as HTMLInputElement).value;
    if (!v('bills-from') || !v('bills-to')) {
      fill(out, el('p', { class: 'error' }, 'Choose both days of the period.'));
      return null;
    }
    return { from: dayStart(v('bills-from')), to: dayStart(v('bills-to'), 1), last: v('bills-to') };
  };
  const url = (p: Period, csv: boolean): string =>
    `${accountUrl(who)}/bills?${new URLSearchParams({ from: p.from, to: p.to, ...(csv ? { format: 'csv' } : {}) }).toString()}`;
  const show = async (): Promise<void> => {
    const p = period();
    if (!p) return;
    const b = await api<BillsAnswer>(url(p, false));
    const rows = b.bills.map((bill) => BILL_COLUMNS.map((c) => String(bill[c] ?? '')));
    fill(
      out,
      table(
        `Bills ${p.from.slice(0, 10)} to ${p.last} (${b.rounds.length} settled rounds, ${b.bills.length} prosumers)`,
        BILL_COLUMNS,
        rows,
      ),
    );
  };
  const download = async (): Promise<void> => {
    const p = period();
    if (!p) return;
    saveText(`bills-${p.from.slice(0, 10)}-${p.last}.csv`, await apiText(url(p, true)));
  };
  const fail = (e: unknown): void =>
    fill(out, el('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    show().catch(fail);
  });
  return form;
}

/**
 * The "Account" section: the running account of `who` (the signed-in utility's own MSP, or
 * `operator` for the operator's fee and imbalance account), paged, and for a utility its bills.
 */
export async function showAccount(target: HTMLElement, who: string, withBills: boolean): Promise<void> {
  const entries = el('div', { id: 'account-entries' });
  fill(
    target,
    el('h2', {}, who === 'operator' ? 'Operator account (fees and imbalance)' : `Account · ${who}`),
    entries,
    withBills ? billsForm(who) : null,
  );
  await showEntries(entries, who, '', []);
}

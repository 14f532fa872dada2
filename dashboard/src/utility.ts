import { api, ApiError, type RoundRecord, type WireBid } from './api.js';
import { parseBidsCsv, saveText, toCsv, withCsv } from './csv.js';
import { settlementOf, statementOf } from './delivery.js';
import { el, fill, pager, table } from './dom.js';

const PAGE = 50;

interface BidsAnswer {
  bidCount: number;
  batches: { batchId: string; bids: WireBid[] }[];
  nextCursor?: string;
}

const BID_HEAD = ['id', 'side', 'price', 'kWh', 'alpha', 'batch'];

/** An answer's bids as table rows, in its order. */
const bidRows = (a: BidsAnswer): string[][] =>
  a.batches.flatMap((b) =>
    b.bids.map((bid) => [bid.id, bid.side, bid.price, bid.quantity, bid.alpha ?? '', b.batchId]),
  );

const bidsUrl = (roundId: string): string => `/v1/rounds/${encodeURIComponent(roundId)}/bids`;

/** Fetches all of the round's bids (one request) and saves them as a CSV file. */
async function downloadAllBids(roundId: string): Promise<void> {
  const all = await api<BidsAnswer>(bidsUrl(roundId));
  saveText(`bids-${roundId}.csv`, toCsv(BID_HEAD, bidRows(all)));
}

/**
 * The signed-in utility's bids in a round, a page at a time from the API (`limit`/`cursor`: a
 * round of 10^5 bids costs the page one page); `back` holds the cursors of the pages before.
 */
async function showBids(
  target: HTMLElement,
  roundId: string,
  cursor = '',
  back: string[] = [],
): Promise<void> {
  const q = new URLSearchParams({ limit: String(PAGE), ...(cursor ? { cursor } : {}) });
  const a = await api<BidsAnswer>(`${bidsUrl(roundId)}?${q.toString()}`);
  const rows = bidRows(a);
  const pages = Math.max(1, Math.ceil(a.bidCount / PAGE));
  const go = (c: string, b: string[]): void => void showBids(target, roundId, c, b);
  const nav = pager(
    'bid pages',
    `page ${back.length + 1} of ${pages} (${a.bidCount} bids)`,
    { cursor, back, next: a.nextCursor },
    go,
  );
  const all = el(
    'button',
    { type: 'button', class: 'download', onclick: () => void downloadAllBids(roundId).catch(fail) },
    'Download all bids (CSV)',
  );
  const fail = (e: unknown): void => {
    all.after(el('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
  };
  fill(target, withCsv(table('Your bids', BID_HEAD, rows), `bids-page-${back.length + 1}.csv`), nav, all);
}

/** A labelled input of the bid form. */
function field(name: string, label: string, attrs: Record<string, string> = {}): HTMLElement {
  return el(
    'div',
    { class: 'field' },
    el('label', { for: `bid-${name}` }, label),
    el('input', { id: `bid-${name}`, name, 'aria-describedby': `bid-${name}-error`, ...attrs }),
    el('span', { id: `bid-${name}-error`, class: 'error', 'aria-live': 'polite' }),
  );
}

/** The form's values as a bid (alpha only if given). */
function bidOf(form: HTMLFormElement): WireBid {
  const v = (n: string): string =>
    (form.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement).value.trim();
  const alpha = v('alpha');
  return {
    id: v('id'),
    side: v('side') === 'sell' ? 'sell' : 'buy',
    price: v('price'),
    quantity: v('quantity'),
    ...(alpha ? { alpha } : {}),
  };
}

/** Puts each of the API's validation errors next to its field; the rest in the form's status. */
function showErrors(form: HTMLFormElement, e: unknown): void {
  const status = form.querySelector('.form-status');
  if (!(e instanceof ApiError)) {
    if (status) status.textContent = String(e);
    return;
  }
  for (const item of e.errors) {
    const f = item.field ?? item.path?.split('/').pop() ?? '';
    const slot = form.querySelector(`#bid-${CSS.escape(f)}-error`);
    if (slot) slot.textContent = item.reason ?? 'invalid';
  }
  if (status) status.textContent = `${e.code}: ${e.message}`;
}

/** The bid form of one round: submits one bid, shows the receipt or the errors. */
function bidForm(roundId: string, onDone: () => void): HTMLElement {
  const form = el(
    'form',
    { 'aria-label': `new bid in ${roundId}`, novalidate: '' },
    el('h3', {}, 'New bid'),
    field('id', 'bid id', {
      required: '',
      value: `b${Date.now().toString(36)}`,
      pattern: '[A-Za-z0-9._:-]{1,64}',
    }),
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'bid-side' }, 'side'),
      el(
        'select',
        { id: 'bid-side', name: 'side' },
        el('option', { value: 'buy' }, 'buy'),
        el('option', { value: 'sell' }, 'sell'),
      ),
      el('span', { id: 'bid-side-error', class: 'error', 'aria-live': 'polite' }),
    ),
    field('price', 'price per kWh', { required: '', inputmode: 'decimal', placeholder: '15.5' }),
    field('quantity', 'kWh', { required: '', inputmode: 'decimal', placeholder: '1.25' }),
    field('alpha', 'alpha (buy, optional)', { inputmode: 'decimal' }),
    el('button', { type: 'submit' }, 'Submit bid'),
    el('p', { class: 'form-status', role: 'status' }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    for (const s of form.querySelectorAll('.error, .form-status')) s.textContent = '';
    api<{ accepted: number; batchId: string }>(`/v1/rounds/${encodeURIComponent(roundId)}/bids`, {
      method: 'POST',
      body: { bids: [bidOf(form)] },
    }).then(
      (r) => {
        const s = form.querySelector('.form-status');
        if (s) s.textContent = `committed: ${r.accepted} bid(s) in batch ${r.batchId}`;
        (form.elements.namedItem('id') as HTMLInputElement).value = `b${Date.now().toString(36)}`;
        onDone();
      },
      (e: unknown) => showErrors(form, e),
    );
  });
  return form;
}

/** The API's 422 errors of a CSV upload, next to the row each names (row 1 is the first bid). */
function csvErrors(bids: WireBid[], e: unknown): HTMLElement {
  if (!(e instanceof ApiError)) return el('p', { class: 'error' }, String(e));
  const rows = e.errors.map((i) => {
    const n = i.index ?? -1;
    const b = bids[n];
    return [
      String(n + 1),
      b ? `${b.id},${b.side},${b.price},${b.quantity}` : '',
      i.field ?? '',
      i.reason ?? '',
    ];
  });
  return el(
    'div',
    { class: 'error' },
    el('p', {}, `${e.code}: ${e.message}`),
    rows.length > 0
      ? withCsv(table('Rows refused', ['row', 'bid', 'field', 'reason'], rows), 'rows-refused.csv')
      : null,
  );
}

/** Uploads a CSV of bids (one request: all or none are committed); errors by row. */
function csvForm(roundId: string, onDone: () => void): HTMLElement {
  const out = el('div', { class: 'csv-status', role: 'status' });
  const input = el('input', { id: 'bids-csv', type: 'file', accept: '.csv,text/csv' });
  const upload = async (): Promise<void> => {
    const file = input.files?.[0];
    if (!file) return;
    const parsed = parseBidsCsv(await file.text());
    if ('error' in parsed) {
      fill(out, el('p', { class: 'error' }, parsed.error));
      return;
    }
    try {
      const r = await api<{ accepted: number; batchId: string }>(
        `/v1/rounds/${encodeURIComponent(roundId)}/bids`,
        { method: 'POST', body: { bids: parsed.bids } },
      );
      fill(out, `committed: ${r.accepted} bid(s) in batch ${r.batchId}`);
      onDone();
    } catch (e) {
      fill(out, csvErrors(parsed.bids, e));
    }
  };
  input.addEventListener('change', () => void upload());
  return el(
    'div',
    { class: 'upload' },
    el('h3', {}, 'Upload bids (CSV)'),
    el('label', { for: 'bids-csv' }, 'CSV file with header id,side,price,quantity[,alpha]'),
    ' ',
    input,
    out,
  );
}

/**
 * One round for a utility: its bids (paged) and, while the round is open, the bid form; once
 * cleared its settlement lines, once settled its delivery statement (own data only: no URL here
 * names a utility, the API answers for the token's own).
 */
export async function showUtilityRound(
  target: HTMLElement,
  roundId: string,
  status: RoundRecord['status'] | undefined,
): Promise<void> {
  const open = status === 'OPEN';
  const bids = el('div', { id: 'bids' });
  const settlement = el('div', { id: 'settlement' });
  const statement = el('div', { id: 'statement' });
  fill(
    target,
    el('h2', {}, `Round ${roundId}${status ? ` · ${status}` : ''}`),
    open ? bidForm(roundId, () => void showBids(bids, roundId)) : null,
    open ? csvForm(roundId, () => void showBids(bids, roundId)) : null,
    statement,
    settlement,
    bids,
  );
  const parts: Promise<void>[] = [showBids(bids, roundId)];
  if (status === 'CLEARED' || status === 'SETTLED') parts.push(settlementOf(settlement, roundId));
  if (status === 'SETTLED') parts.push(statementOf(statement, roundId));
  await Promise.all(parts);
}

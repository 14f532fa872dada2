import type { WireBid } from './api.js';
import { el } from './dom.js';

/** A bids CSV (header `id,side,price,quantity[,alpha]`) as bids, or the reason it is not one. */
export function parseBidsCsv(text: string): { bids: WireBid[] } | { error: string } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const head = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string): number => head.indexOf(name);
  const missing = ['id', 'side', 'price', 'quantity'].filter((h) => col(h) < 0);
  if (missing.length > 0) return { error: `the header must name ${missing.join(', ')}` };
  const bids = lines.map((l) => {
    const cells = l.split(',').map((c) => c.trim());
    const at = (name: string): string => cells[col(name)] ?? '';
    const alpha = at('alpha');
    return {
      id: at('id'),
      side: at('side') as WireBid['side'],
      price: at('price'),
      quantity: at('quantity'),
      ...(alpha ? { alpha } : {}),
    };
  });
  return bids.length > 0 ? { bids } : { error: 'no bid rows' };
}

/** A CSV of `rows` under `head` (cells quoted when they need it). */
export function toCsv(head: string[], rows: string[][]): string {
  const cell = (c: string): string => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return [head, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** The header and body cells of a table as text (what the user sees in it). */
export function tableText(t: HTMLTableElement): { head: string[]; rows: string[][] } {
  const text = (c: Element): string => c.textContent.trim();
  const head = [...t.querySelectorAll('thead th')].map(text);
  const rows = [...t.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td, th')].map(text));
  return { head, rows };
}

/**
 * A "CSV" link under `t` that downloads it as `file`: the table's own text when clicked (so a table
 * redrawn or ticking in place exports what it shows), or `all()` when the table shows only a page
 * of the rows. The one export helper of the page: every table goes through it.
 */
export function withCsv(
  t: HTMLTableElement,
  file: string,
  all?: () => { head: string[]; rows: string[][] },
): HTMLElement {
  const caption = (t.caption?.textContent ?? file).trim();
  const a = document.createElement('a');
  a.download = file;
  a.href = '#';
  a.className = 'csv';
  a.textContent = 'Export as CSV';
  a.setAttribute('aria-label', `Export ${caption} as CSV (${file})`);
  a.addEventListener('click', () => {
    // the link's target is made at the click, before the browser follows it
    const { head, rows } = all ? all() : tableText(t);
    if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(new Blob([toCsv(head, rows)], { type: 'text/csv' }));
  });
  return el('div', { class: 'table-block' }, t, a);
}

/** Saves `text` as the file `name` (a CSV the API produced). */
export function saveText(name: string, text: string, type = 'text/csv'): void {
  const a = el('a', { download: name, href: URL.createObjectURL(new Blob([text], { type })) });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

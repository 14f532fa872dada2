import type { WireBid } from './api.js';

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

/** A link that downloads `csv` as `name`. */
export function csvLink(name: string, csv: string, label: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  a.download = name;
  a.textContent = label;
  a.className = 'csv';
  return a;
}

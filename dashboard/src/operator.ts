import { api, type Clearing, type CurvesAnswer } from './api.js';
import { drawCurves } from './chart.js';
import { withCsv } from './csv.js';
import { el, fill, table } from './dom.js';

interface NetPosition {
  utility: string;
  [k: string]: unknown;
}

/** The metrics of a cleared round, as a definition list. */
function metricsOf(c: Clearing): HTMLElement {
  const rows: [string, string][] = [
    ['clearing price', `${c.price} per kWh`],
    ['price range', `${c.priceRange.min} – ${c.priceRange.max}`],
    ['traded', `${c.metrics.tradedEnergy} kWh`],
    ['supply traded', `${c.metrics.supplyTradedPercent} %`],
    ['social welfare', c.metrics.socialWelfare],
    ['efficiency', `${(Number(c.metrics.efficiency) * 100).toFixed(2)} %`],
    ['buyers paid', c.totals.buyerPayments],
    ['sellers received', c.totals.sellerReceipts],
    ['fee revenue', c.totals.fees],
  ];
  return el('dl', { class: 'metrics' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/** A value as table text: strings and numbers as they are, anything else as JSON. */
const cell = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : v === undefined ? '' : JSON.stringify(v);

/** Every utility's public net position (one column per field the ledger gives). */
function positionsOf(ps: NetPosition[]): HTMLElement {
  const rest = [...new Set(ps.flatMap((p) => Object.keys(p)))].filter(
    (k) => k !== 'roundId' && k !== 'utility',
  );
  const keys = ['utility', ...rest];
  const t = table(
    'Net positions',
    keys,
    ps.map((p) => keys.map((k) => cell(p[k]))),
  );
  return withCsv(t, 'net-positions.csv');
}

/** One round for the operator: its curves chart, the clearing's metrics and the net positions. */
export async function showOperatorRound(target: HTMLElement, roundId: string): Promise<void> {
  const c = await api<CurvesAnswer>(`/v1/rounds/${encodeURIComponent(roundId)}/curves`);
  const chart = el('div', {
    class: 'chart',
    role: 'img',
    'aria-label': `supply and demand curves of ${roundId}`,
  });
  const parts: HTMLElement[] = [el('h2', {}, `Round ${roundId} · ${c.status}`), chart];
  if (c.clearing) {
    parts.push(metricsOf(c.clearing));
    parts.push(positionsOf(await api<NetPosition[]>(`/v1/rounds/${encodeURIComponent(roundId)}/positions`)));
  } else {
    parts.push(el('p', {}, 'Not cleared yet: the curves show the bids so far.'));
  }
  fill(target, ...parts);
  if (c.prices.length > 0) drawCurves(chart, c, Math.max(280, Math.min(900, target.clientWidth - 8)));
  else fill(chart, el('p', {}, 'No bids.'));
}

import { api, gateOf, type Clearing, type CurvesAnswer, type RoundRecord } from './api.js';
import { drawCurves } from './chart.js';
import { withCsv } from './csv.js';
import { totalsList } from './delivery.js';
import { countdown, el, fill, table } from './dom.js';

/** GET /v1/rounds/{id}/delivery/summary: the public record of a settled round. */
interface DeliverySummary {
  price: string;
  imbalancePrices: { short: string; long: string };
  readingBatchCount: number;
  readingCount: number;
  positions: { utility: string; energyNet: string; moneyNet: string }[];
  operator: Record<
    'shortEnergy' | 'longEnergy' | 'fees' | 'imbalanceCharges' | 'imbalanceCredits' | 'imbalance' | 'net',
    string
  >;
  settledAt: string;
  settledTx: string;
}

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

/**
 * The delivery of a round: for a settled one its public record (imbalance prices, readings, the
 * operator's fees and imbalance, each utility's net position); for a cleared one the gate.
 */
async function deliveryOf(round: RoundRecord | undefined): Promise<HTMLElement | null> {
  const gate = round ? gateOf(round) : null;
  if (!round || gate === null) return null;
  if (round.status === 'CLEARED') {
    return el(
      'section',
      { id: 'delivery', 'aria-label': 'delivery' },
      el('h3', {}, 'Delivery'),
      el(
        'p',
        {},
        `Meter readings until ${gate} (`,
        el('span', { 'data-gate': gate, class: 'countdown' }, countdown(gate, Date.now(), 'readings')),
        '); then the operator’s service settles the round.',
      ),
    );
  }
  if (round.status !== 'SETTLED') return null;
  const s = await api<DeliverySummary>(`/v1/rounds/${encodeURIComponent(round.id)}/delivery/summary`);
  const o = s.operator;
  const positions = table(
    'Delivery net positions',
    ['utility', 'energy net kWh (delivered − consumed)', 'money net'],
    s.positions.map((p) => [p.utility, p.energyNet, p.moneyNet]),
  );
  return el(
    'section',
    { id: 'delivery', 'aria-label': 'delivery' },
    el('h3', {}, `Delivery · settled ${s.settledAt}`),
    totalsList('delivery totals', [
      ['imbalance price, short', s.imbalancePrices.short],
      ['imbalance price, long', s.imbalancePrices.long],
      ['readings', `${s.readingCount} in ${s.readingBatchCount} batches`],
      ['energy supplied to shorts', `${o.shortEnergy} kWh`],
      ['energy taken from longs', `${o.longEnergy} kWh`],
      ['fee revenue', o.fees],
      ['imbalance charges', o.imbalanceCharges],
      ['imbalance credits', o.imbalanceCredits],
      ['operator net', o.net],
      ['transaction', s.settledTx],
    ]),
    withCsv(positions, `delivery-${round.id}.csv`),
  );
}

const UNKNOWN_PARAMS = { profile: '?', alpha: '?', gridStep: '?', serviceFee: '?' };

/** Delivery's parameters of a round opened with them. */
function deliveryParameters(r: RoundRecord): [string, string][] {
  if (!r.delivery) return [];
  return [
    ['slot length', `${r.delivery.slotSeconds} s`],
    ['meter readings until', `${gateOf(r) ?? '?'} (${r.delivery.gateClosureSeconds} s after the slot)`],
    ['imbalance: short premium', r.delivery.shortPremium],
    ['imbalance: long discount', r.delivery.longDiscount],
  ];
}

/** The round's parameters: mechanism, times and, if opened with them, delivery's. */
function parametersOf(r: RoundRecord): HTMLElement {
  const p = r.params ?? UNKNOWN_PARAMS;
  return totalsList(`parameters of ${r.id}`, [
    ['mechanism', `${r.mechanismVersion ?? '?'}, profile ${p.profile}`],
    ['alpha (leader’s weight)', p.alpha],
    ['price grid step', p.gridStep],
    ['service fee per kWh', p.serviceFee],
    ['delivery slot', r.slot],
    ['bidding closes', r.closesAt],
    ...deliveryParameters(r),
  ]);
}

/** One round for the operator: its curves chart, the clearing's metrics and the net positions. */
export async function showOperatorRound(
  target: HTMLElement,
  roundId: string,
  round?: RoundRecord,
): Promise<void> {
  const c = await api<CurvesAnswer>(`/v1/rounds/${encodeURIComponent(roundId)}/curves`);
  const chart = el('div', {
    class: 'chart',
    role: 'img',
    'aria-label': `supply and demand curves of ${roundId}`,
  });
  const parts: HTMLElement[] = [el('h2', {}, `Round ${roundId} · ${c.status}`)];
  if (round)
    parts.push(el('details', { class: 'parameters' }, el('summary', {}, 'Parameters'), parametersOf(round)));
  parts.push(chart);
  if (c.clearing) {
    parts.push(metricsOf(c.clearing));
    parts.push(positionsOf(await api<NetPosition[]>(`/v1/rounds/${encodeURIComponent(roundId)}/positions`)));
    const delivery = await deliveryOf(round);
    if (delivery) parts.push(delivery);
  } else {
    parts.push(el('p', {}, 'Not cleared yet: the curves show the bids so far.'));
  }
  fill(target, ...parts);
  if (c.prices.length > 0) drawCurves(chart, c, Math.max(280, Math.min(900, target.clientWidth - 8)));
  else fill(chart, el('p', {}, 'No bids.'));
}

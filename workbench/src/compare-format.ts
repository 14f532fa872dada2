/**
 * `compare`'s renderings of MechanismResults (docs/mechanisms.md §8): one summary record per
 * mechanism, printed as a table (one row per mechanism, or the two-profile side-by-side of the
 * default run), CSV (one line per mechanism) or JSON (every result in full).
 */
import type { MechanismName, MechanismResult } from '../../engine/src/mechanisms';
import { alignColumns } from './format-result';

/** The columns of a summary: [CSV name, table heading, value]. */
type Column = [csv: string, heading: string, value: (r: MechanismResult) => string];

const statusText = (r: MechanismResult): string => r.status + (r.reason ? ` (${r.reason})` : '');

/** The one price, or buyers' / sellers' average prices per kWh, or "-". */
export function priceText(r: MechanismResult): string {
  if (r.price !== null) return r.price;
  if (r.averagePrice === null) return '-';
  const { buyers, sellers } = r.averagePrice;
  return buyers === sellers ? buyers : `${buyers} / ${sellers}`;
}

const COLUMNS: readonly Column[] = [
  ['mechanism', 'mechanism', (r) => r.mechanism],
  ['valuation', 'valuation', (r) => r.valuation],
  ['status', 'status', statusText],
  ['price', 'price', priceText],
  ['traded_kwh', 'traded kWh', (r) => r.metrics.tradedEnergy],
  ['supply_traded_percent', 'supply %', (r) => r.metrics.supplyTradedPercent],
  ['buyer_welfare', 'buyer welfare', (r) => r.metrics.buyerWelfare],
  ['seller_welfare', 'seller welfare', (r) => r.metrics.sellerWelfare],
  ['social_welfare', 'social welfare', (r) => r.metrics.socialWelfare],
  ['max_social_welfare', 'max social', (r) => r.metrics.maxSocialWelfare],
  ['efficiency', 'efficiency', (r) => r.metrics.efficiency],
  ['operator_balance', 'operator balance', (r) => r.totals.operatorBalance],
  ['winners', 'winners (b/s)', (r) => `${r.winners.buyers}/${r.winners.sellers}`],
  ['ir_violations', 'IR violations', (r) => String(r.irViolations)],
];

/** Extra CSV columns (the table folds them into the ones above). */
const CSV_ONLY: readonly Column[] = [
  ['reason', '', (r) => r.reason ?? ''],
  ['buyer_price', '', (r) => r.averagePrice?.buyers ?? ''],
  ['seller_price', '', (r) => r.averagePrice?.sellers ?? ''],
  ['fees', '', (r) => r.totals.fees],
  ['winning_buyers', '', (r) => String(r.winners.buyers)],
  ['winning_sellers', '', (r) => String(r.winners.sellers)],
];

export type Comparison = Partial<Record<MechanismName, MechanismResult>>;

/** The results in insertion order (the order of --mechanisms). */
const resultsOf = (c: Comparison): MechanismResult[] => Object.values(c);

const NOTE =
  'price: the one price, else buyers / sellers average per kWh. operator balance: payments − receipts ' +
  '(incl. fees; < 0 is a deficit).\nvaluation: step (each kWh at its bid price) or quadratic ' +
  '(docs/mechanism.md §8); efficiency is against the maximum of its own valuation (docs/mechanisms.md §1).';

/** One row per mechanism. */
export function formatMechanismTable(c: Comparison): string {
  const rows = resultsOf(c).map((r) => COLUMNS.map(([, , value]) => value(r)));
  const table = alignColumns([COLUMNS.map(([, heading]) => heading), ...rows]);
  return `${table.join('\n')}\n\n${NOTE}\n`;
}

/** The side-by-side rows of the default run (the two profiles as columns), as before plus three. */
const SIDE_BY_SIDE: readonly [string, (r: MechanismResult) => string][] = [
  ['status', statusText],
  ['price', (r) => r.price ?? '0'],
  ['price range', (r) => (r.priceRange ? `${r.priceRange.min} .. ${r.priceRange.max}` : '-')],
  ['traded kWh', (r) => r.metrics.tradedEnergy],
  ['supply traded %', (r) => r.metrics.supplyTradedPercent],
  ['buyer welfare', (r) => r.metrics.buyerWelfare],
  ['seller welfare', (r) => r.metrics.sellerWelfare],
  ['social welfare', (r) => r.metrics.socialWelfare],
  ['max social welfare', (r) => r.metrics.maxSocialWelfare],
  ['efficiency', (r) => r.metrics.efficiency],
  ['operator balance', (r) => r.totals.operatorBalance],
  ['winners (b/s)', (r) => `${r.winners.buyers}/${r.winners.sellers}`],
  ['IR violations', (r) => String(r.irViolations)],
];

/** The mechanisms as columns, the figures as rows (compare without --mechanisms). */
export function formatSideBySide(c: Comparison): string {
  const results = resultsOf(c);
  const rows = SIDE_BY_SIDE.map(([label, value]) => [label, ...results.map(value)]);
  return `${alignColumns([['', ...results.map((r) => r.mechanism)], ...rows]).join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV: the price column holds the one price only (the averages have their own columns). */
const CSV_COLUMNS: readonly Column[] = [
  ...COLUMNS.filter(([csv]) => csv !== 'winners').map(
    ([csv, heading, value]): Column =>
      csv === 'price' ? [csv, heading, (r) => r.price ?? ''] : [csv, heading, value],
  ),
  ...CSV_ONLY,
];

export const COMPARE_CSV_HEADER = CSV_COLUMNS.map(([csv]) => csv).join(',');

/** One line per mechanism, the same figures as the table (winners split per side). */
export function formatMechanismCsv(c: Comparison): string {
  const lines = resultsOf(c).map((r) => CSV_COLUMNS.map(([, , value]) => csvField(value(r))).join(','));
  return `${[COMPARE_CSV_HEADER, ...lines].join('\n')}\n`;
}

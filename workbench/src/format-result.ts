/** Renders a WireClearingResult as JSON, CSV (one line per bid) or a readable table. */
import type {
  Profile,
  WireAllocation,
  WireBid,
  WireClearingResult,
  WireRound,
} from '../../engine/src/mechanism/types';
import { DECIMALS, formatEnergy, parseDecimal } from '../../engine/src/mechanism/units';

/** Exactly one JSON document, newline-terminated. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const RESULT_CSV_HEADER = 'id,side,price,quantity_offered,quantity_allocated,payment';

/**
 * One line per bid, in input order: the bid's own price and quantity, what it was allocated and
 * what it pays (buyer, incl. fee) or receives (seller).
 */
export function formatCsv(result: WireClearingResult, round: WireRound): string {
  const alloc = new Map<string, WireAllocation>();
  for (const a of result.buyers) alloc.set(`buy:${a.id}`, a);
  for (const a of result.sellers) alloc.set(`sell:${a.id}`, a);
  const out: string[] = [RESULT_CSV_HEADER];
  for (const bid of round.bids) {
    const a = alloc.get(`${bid.side}:${bid.id}`);
    out.push(
      [bid.id, bid.side, bid.price, bid.quantity, a?.quantity ?? '0', a?.payment ?? '0.0000000']
        .map(csvField)
        .join(','),
    );
  }
  return `${out.join('\n')}\n`;
}

/** Left-aligned columns separated by two spaces. */
export function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

interface Offered {
  buy: bigint;
  sell: bigint;
  buyers: number;
  sellers: number;
}

/** Offered kWh per side (in Wh), from the (already validated) round. */
function offered(round: WireRound): Offered {
  const o: Offered = { buy: 0n, sell: 0n, buyers: 0, sellers: 0 };
  for (const b of round.bids) {
    const wh = BigInt(parseDecimal(b.quantity, DECIMALS.energy));
    if (b.side === 'buy') {
      o.buy += wh;
      o.buyers++;
    } else {
      o.sell += wh;
      o.sellers++;
    }
  }
  return o;
}

const isWinner = (a: WireAllocation): boolean => a.quantity !== '0';

interface TableOptions {
  /** at most this many winner lines (0 = all); default 50 */
  maxRows?: number;
}

export function formatTable(result: WireClearingResult, round: WireRound, opts: TableOptions = {}): string {
  const maxRows = opts.maxRows ?? 50;
  const o = offered(round);
  const m = result.metrics;
  const t = result.totals;
  const lines: string[] = [];
  lines.push(
    `Round: ${o.buyers + o.sellers} bids (${o.buyers} buy, ${o.sellers} sell), profile ${result.profile}`,
    '',
  );
  const summary: string[][] = [['status', result.status + (result.reason ? ` (${result.reason})` : '')]];
  if (result.status === 'cleared') {
    summary.push(['clearing price', `${result.price} per kWh`]);
  }
  summary.push(
    ['price range', `${result.priceRange.min} .. ${result.priceRange.max}`],
    [
      'break-even',
      result.breakEven.buyer < 0
        ? 'none'
        : `buyer #${result.breakEven.buyer}, seller #${result.breakEven.seller} (0-based, in bid order)`,
    ],
    [
      'traded energy',
      `${m.tradedEnergy} kWh (${m.supplyTradedPercent}% of ${formatEnergy(o.sell)} kWh offered; ` +
        `${formatEnergy(o.buy)} kWh wanted)`,
    ],
    ['buyer payments', `${t.buyerPayments} (incl. fees ${t.fees})`],
    ['seller receipts', t.sellerReceipts],
    ['buyer welfare', m.buyerWelfare],
    ['seller welfare', m.sellerWelfare],
    ['social welfare', `${m.socialWelfare} (max ${m.maxSocialWelfare})`],
    ['efficiency', m.efficiency],
  );
  lines.push(...alignColumns(summary), '');

  const bidsById = new Map<string, WireBid>();
  for (const b of round.bids) bidsById.set(`${b.side}:${b.id}`, b);
  const winners: string[][] = [];
  for (const [side, list] of [
    ['buy', result.buyers],
    ['sell', result.sellers],
  ] as const) {
    for (const a of list) {
      if (!isWinner(a)) continue;
      const bid = bidsById.get(`${side}:${a.id}`);
      winners.push([side, a.id, bid?.price ?? '?', bid?.quantity ?? '?', a.quantity, a.payment]);
    }
  }
  const nb = result.buyers.filter(isWinner).length;
  const ns = result.sellers.filter(isWinner).length;
  lines.push(`Winners: ${nb} buyer(s), ${ns} seller(s)`);
  if (winners.length > 0) {
    const shown = maxRows > 0 ? winners.slice(0, maxRows) : winners;
    lines.push(
      ...alignColumns([['side', 'id', 'price', 'offered kWh', 'allocated kWh', 'payment'], ...shown]).map(
        (l) => `  ${l}`,
      ),
    );
    if (shown.length < winners.length) {
      lines.push(`  … ${winners.length - shown.length} more (use --max-rows 0 or --csv for all)`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The side-by-side numbers of `compare`. */
interface ComparisonRow {
  label: string;
  values: Record<Profile, string>;
}

export const COMPARED_PROFILES: readonly Profile[] = ['default', 'doan2021'];

function comparisonRows(results: Record<Profile, WireClearingResult>): ComparisonRow[] {
  const row = (label: string, f: (r: WireClearingResult) => string): ComparisonRow => ({
    label,
    values: { default: f(results.default), doan2021: f(results.doan2021) },
  });
  return [
    row('status', (r) => r.status + (r.reason ? ` (${r.reason})` : '')),
    row('price', (r) => r.price),
    row('price range', (r) => `${r.priceRange.min} .. ${r.priceRange.max}`),
    row('traded kWh', (r) => r.metrics.tradedEnergy),
    row('supply traded %', (r) => r.metrics.supplyTradedPercent),
    row('buyer welfare', (r) => r.metrics.buyerWelfare),
    row('seller welfare', (r) => r.metrics.sellerWelfare),
    row('social welfare', (r) => r.metrics.socialWelfare),
    row('max social welfare', (r) => r.metrics.maxSocialWelfare),
    row('efficiency', (r) => r.metrics.efficiency),
  ];
}

export function formatComparisonTable(results: Record<Profile, WireClearingResult>): string {
  const rows = comparisonRows(results).map((r) => [r.label, r.values.default, r.values.doan2021]);
  return `${alignColumns([['', 'default', 'doan2021'], ...rows]).join('\n')}\n`;
}

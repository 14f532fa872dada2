/** Renders a WireClearingResult as JSON, CSV (one line per bid) or a readable table. */
import type {
  Profile,
  Side,
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

const statusText = (r: WireClearingResult): string => r.status + (r.reason ? ` (${r.reason})` : '');

const bidKey = (side: Side, id: string): string => `${side}:${id}`;

/** The bids of the round by side and id. */
function bidsByKey(round: WireRound): Map<string, WireBid> {
  const bids = new Map<string, WireBid>();
  for (const b of round.bids) bids.set(bidKey(b.side, b.id), b);
  return bids;
}

/** "b0000042 at 17.3": a bid of the sorted side list by its id and price ("#i" if it is not there). */
function sortedBidText(
  list: WireAllocation[],
  index: number,
  side: Side,
  bids: Map<string, WireBid>,
): string {
  const id = list[index]?.id;
  if (id === undefined) return `#${index}`;
  const price = bids.get(bidKey(side, id))?.price;
  return price === undefined ? id : `${id} at ${price}`;
}

/**
 * The break-even bids by id and price. The result holds them as indices into the sorted lists
 * (which result.buyers and result.sellers are in); printed as numbers, readers took them for a
 * rank or a count.
 */
function breakEvenText(result: WireClearingResult, bids: Map<string, WireBid>): string {
  const be = result.breakEven;
  if (be.buyer < 0) return 'none';
  const buyer = sortedBidText(result.buyers, be.buyer, 'buy', bids);
  const seller = sortedBidText(result.sellers, be.seller, 'sell', bids);
  return `buyer ${buyer}, seller ${seller}`;
}

/** The summary block of the table: label, value. */
function summaryRows(result: WireClearingResult, o: Offered, bids: Map<string, WireBid>): string[][] {
  const m = result.metrics;
  const t = result.totals;
  const price: string[][] =
    result.status === 'cleared' ? [['clearing price', `${result.price} per kWh`]] : [];
  return [
    ['status', statusText(result)],
    ...price,
    ['price range', `${result.priceRange.min} .. ${result.priceRange.max}`],
    ['break-even', breakEvenText(result, bids)],
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
  ];
}

/** One row per winner (allocated quantity > 0): buyers, then sellers, in result order. */
function winnerRows(result: WireClearingResult, bids: Map<string, WireBid>): string[][] {
  const rows: string[][] = [];
  const add = (side: Side, list: WireAllocation[]): void => {
    for (const a of list.filter(isWinner)) {
      const bid = bids.get(bidKey(side, a.id));
      rows.push([side, a.id, bid?.price ?? '?', bid?.quantity ?? '?', a.quantity, a.payment]);
    }
  };
  add('buy', result.buyers);
  add('sell', result.sellers);
  return rows;
}

/** "Winners: ..." and at most maxRows winner lines (0 = all). */
function winnersSection(result: WireClearingResult, bids: Map<string, WireBid>, maxRows: number): string[] {
  const nb = result.buyers.filter(isWinner).length;
  const ns = result.sellers.filter(isWinner).length;
  const lines = [`Winners: ${nb} buyer(s), ${ns} seller(s)`];
  const winners = winnerRows(result, bids);
  if (winners.length === 0) return lines;
  const shown = maxRows > 0 ? winners.slice(0, maxRows) : winners;
  const header = ['side', 'id', 'price', 'offered kWh', 'allocated kWh', 'payment'];
  lines.push(...alignColumns([header, ...shown]).map((l) => `  ${l}`));
  if (shown.length < winners.length) {
    lines.push(`  … ${winners.length - shown.length} more (use --max-rows 0 or --csv for all)`);
  }
  return lines;
}

export function formatTable(result: WireClearingResult, round: WireRound, opts: TableOptions = {}): string {
  const o = offered(round);
  const bids = bidsByKey(round);
  const lines = [
    `Round: ${o.buyers + o.sellers} bids (${o.buyers} buy, ${o.sellers} sell), profile ${result.profile}`,
    '',
    ...alignColumns(summaryRows(result, o, bids)),
    '',
    ...winnersSection(result, bids, opts.maxRows ?? 50),
  ];
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
    row('status', statusText),
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

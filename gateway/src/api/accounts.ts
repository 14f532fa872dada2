import type {
  AccountEntry,
  DeliveryStatement,
  OperatorAccount,
  OperatorEntry,
  UtilityAccount,
} from '../../../chaincode/src/model';
import { OPERATOR_MSP } from '../../../chaincode/src/model';
import type { Tenant } from './config';
import {
  DECIMALS,
  formatEnergy,
  formatMoney,
  parseDecimal,
  parseMoney,
} from '../../../engine/src/mechanism/units';
import { pageOf, type PageParams } from './paging';
import { ApiProblem } from './problem';

/** Which account a tenant may read as `utility` names it, and the argument GetAccount takes. */
export function accountTarget(t: Tenant, utility: string): string {
  const isOperatorAccount = utility === 'operator' || utility === OPERATOR_MSP;
  if (t.role === 'operator') return isOperatorAccount ? 'operator' : utility;
  if (utility !== t.mspId) {
    throw new ApiProblem(403, 'FORBIDDEN', 'Forbidden', `${t.mspId} may not read the account of ${utility}`, [
      { path: 'params/utility', field: 'utility', reason: 'another account' },
    ]);
  }
  return '';
}

export interface PeriodQuery {
  from?: string;
  to?: string;
}

export interface PageQuery extends PeriodQuery, PageParams {}

type Entry = AccountEntry | OperatorEntry;

/** An entry is in [from, to) by its round's slot. */
const inPeriod = (e: { slot: string }, q: PeriodQuery): boolean =>
  (q.from === undefined || Date.parse(e.slot) >= Date.parse(q.from)) &&
  (q.to === undefined || Date.parse(e.slot) < Date.parse(q.to));

export function entriesInPeriod<E extends { slot: string }>(entries: E[], q: PeriodQuery): E[] {
  return entries.filter((e) => inPeriod(e, q));
}

/** The account with its entries filtered by period and paged (`nextCursor` while more remain). */
export function accountPage(
  account: UtilityAccount | OperatorAccount,
  q: PageQuery,
): (UtilityAccount | OperatorAccount) & { matching: number; nextCursor?: string } {
  const all = entriesInPeriod<Entry>(account.entries, q);
  const { items: entries, ...next } = pageOf(all, q, 100);
  return { ...account, entries, matching: all.length, ...next } as (UtilityAccount | OperatorAccount) & {
    matching: number;
    nextCursor?: string;
  };
}

// ---- bills ------------------------------------------------------------------------------------

const ENERGY = ['bought', 'sold', 'consumed', 'delivered'] as const;
const MONEY = ['trade', 'fees', 'imbalance', 'net'] as const;

/** One prosumer's bill for a period: its bid id's lines over the settled rounds. */
export interface Bill {
  prosumer: string;
  rounds: number;
  missingReadings: number;
  bought: string;
  sold: string;
  consumed: string;
  delivered: string;
  trade: string;
  fees: string;
  imbalance: string;
  net: string;
}

interface Acc {
  rounds: number;
  missing: number;
  sums: Record<(typeof ENERGY)[number] | (typeof MONEY)[number], bigint>;
}

const emptyAcc = (): Acc => ({
  rounds: 0,
  missing: 0,
  sums: { bought: 0n, sold: 0n, consumed: 0n, delivered: 0n, trade: 0n, fees: 0n, imbalance: 0n, net: 0n },
});

type Line = DeliveryStatement['lines'][number];

function addLine(acc: Acc, l: Line): void {
  acc.rounds += 1;
  if (l.reading === 'missing') acc.missing += 1;
  const buy = l.side === 'buy';
  acc.sums[buy ? 'bought' : 'sold'] += BigInt(parseDecimal(l.allocated, DECIMALS.energy));
  acc.sums[buy ? 'consumed' : 'delivered'] += BigInt(parseDecimal(l.metered, DECIMALS.energy));
  acc.sums.trade += parseMoney(l.trade);
  acc.sums.fees += parseMoney(l.fee);
  acc.sums.imbalance += parseMoney(l.imbalance);
  acc.sums.net += parseMoney(l.net);
}

/** The prosumer a line belongs to: the utility's own bid id (the line id is `<batchId>/<id>`). */
const prosumerOf = (lineId: string): string => lineId.slice(lineId.indexOf('/') + 1);

/** Per-prosumer bills of the statements (one per utility bid id), in code-unit order. */
export function billsOf(statements: DeliveryStatement[]): Bill[] {
  const by = new Map<string, Acc>();
  for (const s of statements) {
    for (const l of s.lines) {
      const p = prosumerOf(l.id);
      const acc = by.get(p) ?? emptyAcc();
      by.set(p, acc);
      addLine(acc, l);
    }
  }
  return [...by.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((p) => billOf(p, by.get(p) ?? emptyAcc()));
}

function billOf(prosumer: string, acc: Acc): Bill {
  const energy = Object.fromEntries(ENERGY.map((k) => [k, formatEnergy(acc.sums[k])]));
  const money = Object.fromEntries(MONEY.map((k) => [k, formatMoney(acc.sums[k])]));
  return { prosumer, rounds: acc.rounds, missingReadings: acc.missing, ...energy, ...money } as Bill;
}

export const BILL_COLUMNS = [
  'prosumer',
  'rounds',
  'missingReadings',
  ...ENERGY,
  ...MONEY,
] as const satisfies readonly (keyof Bill)[];

const csvCell = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function billsCsv(bills: Bill[]): string {
  const rows = bills.map((b) => BILL_COLUMNS.map((c) => csvCell(String(b[c]))).join(','));
  return [BILL_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

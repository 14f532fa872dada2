/**
 * docs/mechanism.md §7: uniform-price payments, exact in money units (1e-7 currency = tick × Wh). A buyer
 * pays (P + fee)·q, a seller receives P·q, the distribution operator receives fee·q.
 */
import { mulExact } from './exact';
import type { SortedSide } from './order';
import type { WireAllocation } from './types';
import { DECIMALS, formatEnergy, formatFixed, formatMoney } from './units';

const ZERO_ENERGY = formatEnergy(0);
const ZERO_MONEY = formatMoney(0n);
/** Formatted strings are memoized per quantity (a pure cache, bounded). */
const MEMO_LIMIT = 1 << 16;

/**
 * The result lines of one side, in §3 order: the winners (the first q.length bids) with their Wh
 * and payment at `unitPrice` ticks per kWh, everyone else with "0".
 */
export function allocationLines(side: SortedSide, q: ArrayLike<number>, unitPrice: number): WireAllocation[] {
  const ids = side.ids;
  const out = new Array<WireAllocation>(side.n);
  const memo = new Map<number, { quantity: string; payment: string }>();
  for (let k = 0; k < side.n; k++) {
    const wh = k < q.length ? (q[k] as number) : 0;
    let line = wh === 0 ? undefined : memo.get(wh);
    if (wh === 0) {
      line = { quantity: ZERO_ENERGY, payment: ZERO_MONEY };
    } else if (line === undefined) {
      line = { quantity: formatEnergy(wh), payment: formatFixed(mulExact(unitPrice, wh), DECIMALS.money) };
      if (memo.size < MEMO_LIMIT) memo.set(wh, line);
    }
    out[k] = { id: ids[k] as string, quantity: line.quantity, payment: line.payment };
  }
  return out;
}

/** Zero lines for every bid of a side (no-trade). */
export function zeroLines(side: SortedSide): WireAllocation[] {
  const out = new Array<WireAllocation>(side.n);
  for (let k = 0; k < side.n; k++) {
    out[k] = { id: side.ids[k] as string, quantity: ZERO_ENERGY, payment: ZERO_MONEY };
  }
  return out;
}

interface Totals {
  buyerPayments: bigint;
  sellerReceipts: bigint;
  fees: bigint;
}

/**
 * Totals for `traded` Wh at price P and fee per kWh (ticks). They equal the sums of the lines
 * exactly (each line is a product with the same factor), and buyerPayments = sellerReceipts + fees.
 */
export function totals(traded: number, P: number, fee: number): Totals {
  const t = BigInt(traded);
  const sellerReceipts = BigInt(P) * t;
  const fees = BigInt(fee) * t;
  return { buyerPayments: sellerReceipts + fees, sellerReceipts, fees };
}

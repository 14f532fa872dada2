/**
 * Shared parts of the comparison mechanisms (docs/mechanisms.md §1): the engine's §3 order, the
 * efficient allocation of step bids, and the one result builder. Step bids: a bid's price is its
 * constant value (buyer) or cost (seller) per kWh up to its quantity; alpha is not used.
 *
 * Every quantity is whole Wh and every payment a product of whole ticks and whole Wh, so money is
 * exact (numbers while provably safe, bigint beyond, see ../mechanism/exact).
 */
import { ExactSum, mulExact, roundHalfUpBig } from '../mechanism/exact';
import { efficiency, supplyTradedPercent } from '../mechanism/metrics';
import { orderBids, type SortedSide } from '../mechanism/order';
import type { Bid, WireAllocation } from '../mechanism/types';
import { formatEnergy, formatMoney, formatPrice, formatFixed, DECIMALS } from '../mechanism/units';
import type { MechanismName, MechanismResult } from './types';

/** Both sides in docs/mechanism.md §3 order. */
export interface Book {
  buyers: SortedSide;
  sellers: SortedSide;
}

export const book = (bids: readonly Bid[]): Book => orderBids(bids);

/** Money of one line: a number while it is a safe integer, else a bigint (exact either way). */
export type Money = number | bigint;

/** Σ qty over a side's first n bids (Wh; exact: validation caps a side's total below 2^53). */
export function totalQty(side: SortedSide, n = side.n): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += side.qty[k] as number;
  return s;
}

/** A walk over the first n bids of a side: the current bid k and the cumulative Wh at its end. */
class Walk {
  k = 0;
  end: number;
  constructor(
    private readonly side: SortedSide,
    private readonly n: number,
  ) {
    this.end = n > 0 ? (side.qty[0] as number) : 0;
  }

  get done(): boolean {
    return this.k >= this.n;
  }

  get price(): number {
    return this.side.price[this.k] as number;
  }

  /** Moves to the next bid if the current one ends at Wh q. */
  passIfEndsAt(q: number): void {
    if (this.end !== q) return;
    this.k++;
    if (!this.done) this.end += this.side.qty[this.k] as number;
  }
}

/**
 * The efficient traded quantity Q (Wh) of step bids over buyers [0, nB) and sellers [0, nS): the
 * Wh units of the demand curve (§3 order) are matched with those of the supply curve one by one
 * while the unit's buyer bids strictly more than its seller asks (§3 compatibility). Q is the
 * first unit where they do not; D − S is non-increasing, so this maximizes Σ (b − s).
 */
export function efficientQuantity(b: Book, nB = b.buyers.n, nS = b.sellers.n): number {
  const buyer = new Walk(b.buyers, nB);
  const seller = new Walk(b.sellers, nS);
  let q = 0;
  while (!buyer.done && !seller.done && buyer.price > seller.price) {
    q = Math.min(buyer.end, seller.end);
    buyer.passIfEndsAt(q);
    seller.passIfEndsAt(q);
  }
  return q;
}

/** The first Q Wh of a side in its order: full bids, then one partial bid, then zeros. */
export function fillPrefix(side: SortedSide, Q: number): Float64Array {
  const q = new Float64Array(side.n);
  let left = Q;
  for (let k = 0; k < side.n && left > 0; k++) {
    const x = Math.min(side.qty[k] as number, left);
    q[k] = x;
    left -= x;
  }
  return q;
}

/** The index of the last bid with a positive quantity, −1 if none. */
export function lastPositive(q: Float64Array): number {
  for (let k = q.length - 1; k >= 0; k--) if ((q[k] as number) > 0) return k;
  return -1;
}

/** An allocation in Wh per bid, both sides in §3 order; Σ qB = Σ qS = energy. */
export interface Trade {
  qB: Float64Array;
  qS: Float64Array;
  energy: number;
}

/** The efficient allocation: the first Q Wh of each side (the marginal bids are the partial ones). */
export function efficientTrade(b: Book): Trade {
  const energy = efficientQuantity(b);
  return { qB: fillPrefix(b.buyers, energy), qS: fillPrefix(b.sellers, energy), energy };
}

/** Σ price·q over a side (money, exact). */
export function valueOf(side: SortedSide, q: Float64Array): bigint {
  const s = new ExactSum();
  for (let k = 0; k < q.length; k++) {
    const x = q[k] as number;
    if (x !== 0) s.addProduct(side.price[k] as number, x);
  }
  return s.value();
}

/** The maximum social welfare of step bids: the efficient trade's Σ b·q − Σ s·q (exact). */
export function maxStepWelfare(b: Book, t: Trade = efficientTrade(b)): bigint {
  return valueOf(b.buyers, t.qB) - valueOf(b.sellers, t.qS);
}

/** Per-bid money of a side at `price(k)` ticks per kWh (0 for a bid that trades nothing). */
export function pricedAt(side: SortedSide, q: Float64Array, price: (k: number) => number): Money[] {
  const out = new Array<Money>(side.n);
  for (let k = 0; k < side.n; k++) {
    const x = q[k] as number;
    out[k] = x === 0 ? 0 : mulExact(price(k), x);
  }
  return out;
}

function sumOf(xs: readonly Money[]): bigint {
  const s = new ExactSum();
  for (const x of xs) s.add(x);
  return s.value();
}

const ZERO_KWH = formatEnergy(0);
const ZERO_MONEY = formatMoney(0n);
const MONEY_UNIT = 10 ** DECIMALS.money;

/**
 * formatFixed(units, 7) for money; safe-integer numbers without bigint (the hot path of a
 * result's lines: every part is an exact integer below 2^53).
 */
function moneyText(units: Money): string {
  if (typeof units === 'bigint' || !Number.isSafeInteger(units)) return formatFixed(units, DECIMALS.money);
  const abs = Math.abs(units);
  const whole = Math.floor(abs / MONEY_UNIT);
  const frac = String(abs - whole * MONEY_UNIT).padStart(DECIMALS.money, '0');
  return `${units < 0 ? '-' : ''}${whole}.${frac}`;
}

/** formatEnergy, memoized per Wh value (bounded: a pure cache). */
class EnergyText {
  private readonly memo = new Map<number, string>();
  of(wh: number): string {
    if (wh === 0) return ZERO_KWH;
    let text = this.memo.get(wh);
    if (text === undefined) {
      text = formatEnergy(wh);
      if (this.memo.size < 1 << 16) this.memo.set(wh, text);
    }
    return text;
  }
}

function lines(side: SortedSide, q: Float64Array, pay: readonly Money[], kwh: EnergyText): WireAllocation[] {
  const out = new Array<WireAllocation>(side.n);
  for (let k = 0; k < side.n; k++) {
    const x = q[k] as number;
    out[k] = {
      id: side.ids[k] as string,
      quantity: kwh.of(x),
      payment: x === 0 ? ZERO_MONEY : moneyText(pay[k] as Money),
    };
  }
  return out;
}

function countPositive(q: Float64Array): number {
  let n = 0;
  for (let k = 0; k < q.length; k++) if ((q[k] as number) > 0) n++;
  return n;
}

/** Step-bid IR: no buyer pays more than price·q, no seller receives less than price·q. */
function stepIrViolations(b: Book, t: Trade, payB: readonly Money[], payS: readonly Money[]): number {
  let n = 0;
  for (let k = 0; k < b.buyers.n; k++) {
    const x = t.qB[k] as number;
    if (x > 0 && (payB[k] as Money) > mulExact(b.buyers.price[k] as number, x)) n++;
  }
  for (let k = 0; k < b.sellers.n; k++) {
    const x = t.qS[k] as number;
    if (x > 0 && (payS[k] as Money) < mulExact(b.sellers.price[k] as number, x)) n++;
  }
  return n;
}

/** money / Wh as a price per kWh (ticks), half-up, formatted; null when nothing traded. */
export function averagePrice(
  paid: bigint,
  received: bigint,
  energy: number,
): MechanismResult['averagePrice'] {
  if (energy === 0) return null;
  const e = BigInt(energy);
  return { buyers: formatPrice(roundHalfUpBig(paid, e)), sellers: formatPrice(roundHalfUpBig(received, e)) };
}

/** What a comparison mechanism decided: the trade, each bid's money, its uniform price if any. */
export interface Outcome {
  mechanism: MechanismName;
  trade: Trade;
  payB: readonly Money[];
  payS: readonly Money[];
  /** uniform price in ticks, or null */
  price: number | null;
  /** the step-bid maximum social welfare (maxStepWelfare) */
  maxSocial: bigint;
  /** when nothing trades */
  reason?: string;
}

/** The reason a book has no trade at all (no bids on a side, or no compatible pair). */
export function noTradeReason(b: Book): string {
  if (b.buyers.n === 0) return 'no-buyers';
  if (b.sellers.n === 0) return 'no-sellers';
  return 'no-compatible-pair';
}

/**
 * The MechanismResult of an outcome. Social welfare is the gains from trade Σ b·q − Σ s·q (the
 * operator's balance is a transfer: social = buyer + seller welfare + operator balance).
 */
export function stepResult(b: Book, o: Outcome): MechanismResult {
  const { trade: t, payB, payS } = o;
  const paid = sumOf(payB);
  const received = sumOf(payS);
  const valueB = valueOf(b.buyers, t.qB);
  const costS = valueOf(b.sellers, t.qS);
  const social = valueB - costS;
  const traded = t.energy > 0;
  const kwh = new EnergyText();
  return {
    mechanism: o.mechanism,
    valuation: 'step',
    status: traded ? 'cleared' : 'no-trade',
    ...(traded ? {} : { reason: o.reason ?? noTradeReason(b) }),
    price: o.price === null || !traded ? null : formatPrice(o.price),
    averagePrice: averagePrice(paid, received, t.energy),
    buyers: lines(b.buyers, t.qB, payB, kwh),
    sellers: lines(b.sellers, t.qS, payS, kwh),
    totals: {
      energy: formatEnergy(t.energy),
      buyerPayments: formatMoney(paid),
      sellerReceipts: formatMoney(received),
      fees: formatMoney(0n),
      operatorBalance: formatMoney(paid - received),
    },
    metrics: {
      tradedEnergy: formatEnergy(t.energy),
      supplyTradedPercent: supplyTradedPercent(t.energy, totalQty(b.sellers)),
      buyerWelfare: formatMoney(valueB - paid),
      sellerWelfare: formatMoney(received - costS),
      socialWelfare: formatMoney(social),
      maxSocialWelfare: formatMoney(o.maxSocial),
      efficiency: efficiency(social, o.maxSocial),
    },
    winners: { buyers: countPositive(t.qB), sellers: countPositive(t.qS) },
    irViolations: stepIrViolations(b, t, payB, payS),
  };
}

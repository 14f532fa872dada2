/**
 * The two Stackelberg profiles as MechanismResults (docs/mechanisms.md §6): the engine's clear()
 * unchanged (allocations, payments incl. fees, its quadratic-utility welfare, maximum social
 * welfare and efficiency), wrapped. IR is checked in the engine's model (docs/mechanism.md §8):
 * a buyer pays, fee included, at most U_j(q) = b·q − α·q²/2000 (money units, q in Wh), a seller
 * receives at least s·q. doan2021 can break the sellers' side by design (docs/mechanism.md §5).
 */
import { clear } from '../mechanism/clear';
import { mulExact } from '../mechanism/exact';
import { orderBids, type SortedSide } from '../mechanism/order';
import type { Bid, Profile, RoundParams, WireAllocation, WireClearingResult } from '../mechanism/types';
import { DECIMALS, formatMoney, parseDecimal, parseMoney } from '../mechanism/units';
import { averagePrice, type Money } from './book';
import type { MechanismResult } from './types';

/** 2000·U_j(q) = 2000·b·q − α·q², exact. */
function utility2000(b: number, alpha: number, q: number): Money {
  const bq = mulExact(b, q);
  const aq = mulExact(alpha, q);
  const aqq = typeof aq === 'number' ? mulExact(aq, q) : aq * BigInt(q);
  const value = typeof bq === 'number' ? mulExact(2000, bq) : 2000n * bq;
  return typeof value === 'number' && typeof aqq === 'number' && Math.abs(value - aqq) <= 2 ** 52
    ? value - aqq
    : BigInt(value) - BigInt(aqq);
}

/** Wh of a traded line's quantity (at most 3 decimals, below 2^53 Wh: the rounding is exact). */
const whOf = (quantity: string): number => Math.round(Number(quantity) * 10 ** DECIMALS.energy);

/** money > bound, exactly, for integers held as numbers or bigints. */
const above = (money: Money, bound: Money): boolean => money > bound;

/**
 * Lines (a side in §3 order) that break IR. Each traded line's payment is recomputed as clear()
 * makes it, unitPrice × Wh (docs/mechanism.md §7), instead of parsing its text.
 */
function countBroken(lines: readonly WireAllocation[], broken: (k: number, q: number) => boolean): number {
  let n = 0;
  for (let k = 0; k < lines.length; k++) {
    const quantity = (lines[k] as WireAllocation).quantity;
    if (quantity !== '0' && broken(k, whOf(quantity))) n++;
  }
  return n;
}

/**
 * A side of the book in the lines' order: clear() writes each side's lines in §3 order, which
 * orderBids reproduces (a radix sort: cheaper than a 10^6-entry Map from id to bid).
 */
function alignedSide(lines: readonly WireAllocation[], side: SortedSide): SortedSide {
  for (let k = 0; k < lines.length; k++) {
    if ((lines[k] as WireAllocation).id !== side.ids[k]) {
      throw new Error(`line ${k} (${(lines[k] as WireAllocation).id}) is not in §3 order`);
    }
  }
  return side;
}

function irViolations(bids: readonly Bid[], r: WireClearingResult, fee: number): number {
  if (r.status !== 'cleared') return 0;
  const P = parseDecimal(r.price, DECIMALS.price);
  const book = orderBids(bids);
  const buyers = alignedSide(r.buyers, book.buyers);
  const sellers = alignedSide(r.sellers, book.sellers);
  const buyer = (k: number, q: number): boolean => {
    const pay = mulExact(P + fee, q);
    const pay2000 = typeof pay === 'number' ? mulExact(2000, pay) : 2000n * pay;
    return above(pay2000, utility2000(buyers.price[k] as number, buyers.alpha[k] as number, q));
  };
  const seller = (k: number, q: number): boolean =>
    above(mulExact(sellers.price[k] as number, q), mulExact(P, q));
  return countBroken(r.buyers, buyer) + countBroken(r.sellers, seller);
}

const winnersOf = (lines: WireAllocation[]): number => lines.filter((l) => l.quantity !== '0').length;

/** A clear() result in the shared shape. */
function wrap(profile: Profile, r: WireClearingResult, bids: readonly Bid[], fee: number): MechanismResult {
  const paid = parseMoney(r.totals.buyerPayments);
  const received = parseMoney(r.totals.sellerReceipts);
  const fees = parseMoney(r.totals.fees);
  const energy = parseDecimal(r.totals.energy, DECIMALS.energy);
  return {
    mechanism: profile,
    valuation: 'quadratic',
    status: r.status,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    price: r.status === 'cleared' ? r.price : null,
    averagePrice: averagePrice(paid - fees, received, energy),
    priceRange: { ...r.priceRange },
    breakEven: { ...r.breakEven },
    buyers: r.buyers,
    sellers: r.sellers,
    totals: { ...r.totals, operatorBalance: formatMoney(paid - received) },
    metrics: { ...r.metrics },
    winners: { buyers: winnersOf(r.buyers), sellers: winnersOf(r.sellers) },
    irViolations: irViolations(bids, r, fee),
  };
}

/** The mechanism of one Stackelberg profile (the round's own profile param is overridden). */
export function stackelberg(
  profile: Profile,
): (params: RoundParams, bids: readonly Bid[]) => MechanismResult {
  return (params, bids) => wrap(profile, clear({ ...params, profile }, bids), bids, params.serviceFee);
}

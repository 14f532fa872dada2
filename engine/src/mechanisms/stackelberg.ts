/**
 * The two Stackelberg profiles as MechanismResults (docs/mechanisms.md §6): the engine's clear()
 * unchanged (allocations, payments incl. fees, its quadratic-utility welfare, maximum social
 * welfare and efficiency), wrapped. IR is checked in the engine's model (docs/mechanism.md §8):
 * a buyer pays, fee included, at most U_j(q) = b·q − α·q²/2000 (money units, q in Wh), a seller
 * receives at least s·q. doan2021 can break the sellers' side by design (docs/mechanism.md §5).
 */
import { clear } from '../mechanism/clear';
import { mulExact } from '../mechanism/exact';
import type { SortedSide } from '../mechanism/order';
import type { Bid, Profile, RoundParams, WireAllocation, WireClearingResult } from '../mechanism/types';
import { DECIMALS, formatMoney, parseDecimal, parseMoney } from '../mechanism/units';
import { averagePrice, book, type Money } from './book';
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

/** Wh of a line, and whether it traded. */
const whOf = (l: WireAllocation): number =>
  l.quantity === '0' ? 0 : parseDecimal(l.quantity, DECIMALS.energy);

/** Lines (in the side's §3 order) that break IR; `broken` gets the bid's index, Wh and money. */
function countBroken(
  lines: WireAllocation[],
  broken: (k: number, q: number, pay: bigint) => boolean,
): number {
  let n = 0;
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k] as WireAllocation;
    const q = whOf(l);
    if (q > 0 && broken(k, q, parseMoney(l.payment))) n++;
  }
  return n;
}

function irViolations(buyers: SortedSide, sellers: SortedSide, r: WireClearingResult): number {
  const buyer = (k: number, q: number, pay: bigint): boolean =>
    2000n * pay > BigInt(utility2000(buyers.price[k] as number, buyers.alpha[k] as number, q));
  const seller = (k: number, q: number, pay: bigint): boolean =>
    pay < BigInt(mulExact(sellers.price[k] as number, q));
  return countBroken(r.buyers, buyer) + countBroken(r.sellers, seller);
}

const winnersOf = (lines: WireAllocation[]): number => lines.filter((l) => l.quantity !== '0').length;

/** A clear() result in the shared shape; `buyers`/`sellers` are the bids in the result's order. */
function wrap(profile: Profile, r: WireClearingResult, b: ReturnType<typeof book>): MechanismResult {
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
    buyers: r.buyers,
    sellers: r.sellers,
    totals: { ...r.totals, operatorBalance: formatMoney(paid - received) },
    metrics: { ...r.metrics },
    winners: { buyers: winnersOf(r.buyers), sellers: winnersOf(r.sellers) },
    irViolations: irViolations(b.buyers, b.sellers, r),
  };
}

/** The mechanism of one Stackelberg profile (the round's own profile param is overridden). */
export function stackelberg(
  profile: Profile,
): (params: RoundParams, bids: readonly Bid[]) => MechanismResult {
  return (params, bids) => wrap(profile, clear({ ...params, profile }, bids), book(bids));
}

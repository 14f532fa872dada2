/**
 * settleDelivery (docs/settlement.md): a pure, deterministic function of the committed clearing
 * result, the meter readings and the settlement parameters. The output does not depend on the
 * order of the readings or of the result's lines.
 */
import type { ValidationIssue, WireClearingResult } from '../mechanism/types';
import { formatDecimal, formatEnergy, formatMoney, formatPrice } from '../mechanism/units';
import {
  addLine,
  emptyTally,
  netOf,
  operatorAccount,
  utilityStatement,
  type SettledLine,
  type Tally,
} from './accounts';
import { clearedBids, priceTicksOf, type ClearedBid, type UtilityOf } from './bids';
import { imbalanceOf, imbalancePrices, type ImbalancePrices } from './imbalance';
import { validateParams } from './params';
import { validateReadings } from './readings';
import {
  SettlementInputError,
  SettlementValidationError,
  type SettlementParams,
  type WireSettlement,
  type WireSettlementLine,
} from './types';

/** Imbalance prices carry 8 decimals: price ticks (1e-4) × k units (1e-4). */
const IMBALANCE_PRICE_DECIMALS = 8;
const formatImbalancePrice = (p: bigint): string => formatDecimal(p, IMBALANCE_PRICE_DECIMALS);

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const lineOrder = (a: ClearedBid, b: ClearedBid): number =>
  byCodeUnits(a.utility, b.utility) || byCodeUnits(a.id, b.id);

/** A missing reading counts as nothing metered (docs/settlement.md §3). */
function settleBid(bid: ClearedBid, metered: number | undefined, prices: ImbalancePrices): SettledLine {
  const wh = metered ?? 0;
  const deviation = wh - bid.allocated;
  return {
    utility: bid.utility,
    side: bid.side,
    allocated: bid.allocated,
    metered: wh,
    missing: metered === undefined,
    deviation,
    trade: bid.trade,
    fee: bid.fee,
    imbalance: imbalanceOf(bid.side, deviation, prices),
  };
}

function wireLine(id: string, l: SettledLine): WireSettlementLine {
  return {
    id,
    utility: l.utility,
    side: l.side,
    allocated: formatEnergy(l.allocated),
    metered: formatEnergy(l.metered),
    reading: l.missing ? 'missing' : 'metered',
    deviation: formatEnergy(l.deviation),
    position: l.imbalance.position,
    imbalancePrice: formatImbalancePrice(l.imbalance.price),
    trade: formatMoney(l.trade),
    fee: formatMoney(l.fee),
    imbalance: formatMoney(l.imbalance.money),
    net: formatMoney(l.trade + l.fee + l.imbalance.money),
  };
}

/** Validates params and readings together, throwing one error that names every problem. */
function validated(
  rawReadings: unknown,
  rawParams: unknown,
  bids: ReadonlyMap<string, ClearedBid>,
): { params: SettlementParams; metered: Map<string, number> } {
  const issues: ValidationIssue[] = [];
  const params = validateParams(rawParams, issues);
  const metered = validateReadings(rawReadings, bids, issues);
  if (issues.length > 0 || params === undefined) throw new SettlementValidationError(issues);
  return { params, metered };
}

const wireParams = (p: SettlementParams): WireSettlement['params'] => ({
  shortPremium: formatDecimal(p.shortPremium, 4),
  longDiscount: formatDecimal(p.longDiscount, 4),
});

/**
 * Settles a round's delivery. `result` is the committed clearing (docs/mechanism.md §8),
 * `readings` the utilities' meter readings (WireReading[], validated here), `params` the
 * round's WireSettlementParams, `utilityOf` the owner of each bid of the result. Throws
 * SettlementValidationError naming every bad reading or parameter (nothing is settled), and
 * SettlementInputError for a result whose lines are inconsistent or a bid without an owner.
 */
export function settleDelivery(
  result: WireClearingResult,
  readings: unknown,
  params: unknown,
  utilityOf: UtilityOf,
): WireSettlement {
  const bids = clearedBids(result, utilityOf);
  const checked = validated(readings, params, bids);
  const priceTicks = priceTicksOf(result);
  const prices = imbalancePrices(priceTicks, checked.params);
  const ordered = [...bids.values()].sort(lineOrder);
  const tallies = new Map<string, Tally>();
  const all = emptyTally();
  const lines = ordered.map((bid) => {
    const line = settleBid(bid, checked.metered.get(bid.id), prices);
    const tally = tallies.get(bid.utility) ?? emptyTally();
    tallies.set(bid.utility, tally);
    addLine(tally, line);
    addLine(all, line);
    return wireLine(bid.id, line);
  });
  const operator = operatorAccount(all);
  const utilitiesNet = netOf(all);
  const sum = utilitiesNet + operator.net;
  if (sum !== 0n || all.trade !== 0n)
    throw new SettlementInputError('clearing result: trade does not balance');
  return {
    price: formatPrice(priceTicks),
    params: wireParams(checked.params),
    imbalancePrices: { short: formatImbalancePrice(prices.short), long: formatImbalancePrice(prices.long) },
    lines,
    // tallies were created in line order, which is by utility
    utilities: [...tallies.entries()].map(([utility, t]) => utilityStatement(utility, t)),
    operator: operator.account,
    totals: {
      trade: formatMoney(all.trade),
      utilities: formatMoney(utilitiesNet),
      operator: formatMoney(operator.net),
      sum: formatMoney(sum),
    },
  };
}

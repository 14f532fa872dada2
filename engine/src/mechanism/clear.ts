/**
 * The clearing of one round (docs/mechanism.md §3–§8): a pure, deterministic function of the bids.
 */
import { allocate } from './allocate';
import { stage1 } from './break-even';
import { capOrder, DemandCurve, splitCapOrder } from './demand';
import { defaultLeaderPrice, defaultObjective, doanLeaderPrice } from './leader';
import { efficiency, maxSocialWelfare, roundRatio, supplyTradedPercent, welfare } from './metrics';
import { orderBids, prefixOf, suffixOf } from './order';
import { allocationLines, totals, zeroLines } from './payments';
import type { Bid, RoundParams, WireClearingResult, WireRoundParams } from './types';
import { formatEnergy, formatMoney, formatPrice } from './units';
import { validateRound } from './validate';

type NoTradeReason =
  | 'no-buyers'
  | 'no-sellers'
  | 'no-compatible-pair'
  | 'empty-price-range'
  | 'no-positive-objective'
  | 'zero-demand-at-price';

const NO_BREAK_EVEN = { buyer: -1, seller: -1 };

/**
 * Clears validated bids (from validateRound: integer units, unique ids). Does not modify its
 * arguments. The result lists every bid, in docs/mechanism.md §3 order, and does not depend on the order
 * of `bids`.
 */
export function clear(params: RoundParams, bids: readonly Bid[]): WireClearingResult {
  const { buyers, sellers } = orderBids(bids);
  const s1 = stage1(buyers, sellers);

  // Two demand curves: the winning buyers' (the leader's X; all buyers if stage 1 found none)
  // and the other buyers'. Their sum is the demand of all buyers, for the benchmark.
  const nWin = s1.ok ? s1.nBuyers : buyers.n;
  const order = capOrder(buyers);
  const { head, tail } = splitCapOrder(order, nWin);
  const winBuyers = prefixOf(buyers, nWin);
  const demand = new DemandCurve(winBuyers, head);
  const others = new DemandCurve(suffixOf(buyers, nWin), tail);
  const maxWelfare = maxSocialWelfare(buyers, (p) => demand.at(p) + others.at(p), sellers, order);
  let offered = 0;
  for (let i = 0; i < sellers.n; i++) offered += sellers.qty[i] as number;

  const noTrade = (
    reason: NoTradeReason,
    range?: { pMin: number; pMax: number },
    breakEven = NO_BREAK_EVEN,
  ): WireClearingResult => ({
    status: 'no-trade',
    reason,
    profile: params.profile,
    price: formatPrice(0),
    priceRange: {
      min: formatPrice(range?.pMin ?? 0),
      max: formatPrice(range?.pMax ?? 0),
    },
    breakEven: { ...breakEven },
    buyers: zeroLines(buyers),
    sellers: zeroLines(sellers),
    totals: {
      energy: formatEnergy(0),
      buyerPayments: formatMoney(0n),
      sellerReceipts: formatMoney(0n),
      fees: formatMoney(0n),
    },
    metrics: {
      tradedEnergy: formatEnergy(0),
      supplyTradedPercent: supplyTradedPercent(0, offered),
      buyerWelfare: formatMoney(0n),
      sellerWelfare: formatMoney(0n),
      socialWelfare: formatMoney(0n),
      maxSocialWelfare: formatMoney(roundRatio(maxWelfare)),
      efficiency: efficiency(0n, maxWelfare),
    },
  });

  if (!s1.ok) {
    return s1.reason === 'empty-price-range' ? noTrade(s1.reason, s1, s1.breakEven) : noTrade(s1.reason);
  }
  const { pMin, pMax, breakEven } = s1;
  const winSellers = prefixOf(sellers, s1.nSellers);

  let P: number;
  if (params.profile === 'default') {
    P = defaultLeaderPrice(defaultObjective(demand, winSellers), pMin, pMax);
  } else {
    const p = doanLeaderPrice(demand, winSellers, pMin, pMax, params.gridStep);
    if (p === undefined) return noTrade('no-positive-objective', s1, breakEven);
    P = p;
  }

  const alloc = allocate(winBuyers, winSellers, P);
  if (alloc.traded === 0) return noTrade('zero-demand-at-price', s1, breakEven);

  const money = totals(alloc.traded, P, params.serviceFee);
  const w = welfare(winBuyers, alloc.buyers, winSellers, alloc.sellers, P);
  const energy = formatEnergy(alloc.traded);
  return {
    status: 'cleared',
    profile: params.profile,
    price: formatPrice(P),
    priceRange: { min: formatPrice(pMin), max: formatPrice(pMax) },
    breakEven: { ...breakEven },
    buyers: allocationLines(buyers, alloc.buyers, P + params.serviceFee),
    sellers: allocationLines(sellers, alloc.sellers, P),
    totals: {
      energy,
      buyerPayments: formatMoney(money.buyerPayments),
      sellerReceipts: formatMoney(money.sellerReceipts),
      fees: formatMoney(money.fees),
    },
    metrics: {
      tradedEnergy: energy,
      supplyTradedPercent: supplyTradedPercent(alloc.traded, offered),
      buyerWelfare: formatMoney(w.buyer),
      sellerWelfare: formatMoney(w.seller),
      socialWelfare: formatMoney(w.social),
      maxSocialWelfare: formatMoney(roundRatio(maxWelfare)),
      efficiency: efficiency(w.socialExact, maxWelfare),
    },
  };
}

/** Validates a wire round (params merged with `overrides`), then clears it. */
export function clearRound(round: unknown, overrides?: Partial<WireRoundParams>): WireClearingResult {
  const { params, bids } = validateRound(round, overrides);
  return clear(params, bids);
}

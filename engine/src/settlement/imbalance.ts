/**
 * The imbalance money of one bid (docs/settlement.md §3): a short position (a seller that
 * delivered less than allocated, a buyer that consumed more) pays the operator
 * |deviation| × p × (1 + k₊); a long position (a seller that delivered more, a buyer that consumed
 * less) is paid |deviation| × p × (1 − k₋). Exact in bigint, rounded half up once per line.
 */
import { roundHalfUpBig } from '../mechanism/exact';
import type { Side } from '../mechanism/types';
import { ONE } from './params';
import type { Position, SettlementParams } from './types';

/** The round's two imbalance prices in 1e-8 currency per kWh (price ticks × 1e-4 units of k). */
export interface ImbalancePrices {
  short: bigint;
  long: bigint;
}

const BIG_ONE = BigInt(ONE);

export function imbalancePrices(priceTicks: number, params: SettlementParams): ImbalancePrices {
  const p = BigInt(priceTicks);
  return {
    short: p * (BIG_ONE + BigInt(params.shortPremium)),
    long: p * (BIG_ONE - BigInt(params.longDiscount)),
  };
}

/** Short or long: a seller is long when it delivered more, a buyer when it consumed less. */
export function positionOf(side: Side, deviation: number): Position {
  if (deviation === 0) return 'balanced';
  return deviation > 0 === (side === 'sell') ? 'long' : 'short';
}

export interface Imbalance {
  position: Position;
  /** the price applied (1e-8 currency per kWh), 0 when balanced */
  price: bigint;
  /** money for the bid's owner: ≤ 0 when short, ≥ 0 when long */
  money: bigint;
}

/** |deviation| Wh × price (1e-8/kWh) = |deviation| × price / 10^4 money units, rounded half up. */
const amount = (deviation: number, price: bigint): bigint =>
  roundHalfUpBig(BigInt(Math.abs(deviation)) * price, BIG_ONE);

export function imbalanceOf(side: Side, deviation: number, prices: ImbalancePrices): Imbalance {
  const position = positionOf(side, deviation);
  if (position === 'balanced') return { position, price: 0n, money: 0n };
  if (position === 'short') return { position, price: prices.short, money: -amount(deviation, prices.short) };
  return { position, price: prices.long, money: amount(deviation, prices.long) };
}

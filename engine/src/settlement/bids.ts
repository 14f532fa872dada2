/**
 * The cleared bids a settlement starts from (docs/settlement.md §3): each line of the clearing
 * result with its owner, its allocation in Wh and its trade and fee money, exact. The result is
 * the committed clearing; a line whose payment is not what docs/mechanism.md §7 says is refused.
 */
import type { Side, WireAllocation, WireClearingResult } from '../mechanism/types';
import { DECIMALS, parseDecimal, parseMoney } from '../mechanism/units';
import { SettlementInputError } from './types';

export interface ClearedBid {
  id: string;
  utility: string;
  side: Side;
  /** Wh allocated */
  allocated: number;
  /** money, signed for the bid's owner: −p·q for a buyer, +p·q for a seller */
  trade: bigint;
  /** money, signed for the bid's owner: −fee·q for a buyer, 0 for a seller */
  fee: bigint;
}

/** The owner of a bid of the result (the chaincode's origin map, a file's utility column, ...). */
export type UtilityOf = (bidId: string) => string | undefined;

function parseOrThrow<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch {
    throw new SettlementInputError(`clearing result: ${what} is not a valid amount`);
  }
}

/** The clearing price in ticks. */
export function priceTicksOf(result: WireClearingResult): number {
  return parseOrThrow(
    () => parseDecimal(result.price, DECIMALS.price),
    `price ${JSON.stringify(result.price)}`,
  );
}

function ownerOf(utilityOf: UtilityOf, id: string): string {
  const utility = utilityOf(id);
  if (typeof utility !== 'string' || utility === '') {
    throw new SettlementInputError(`clearing result: bid ${id} has no utility`);
  }
  return utility;
}

/** Trade and fee of one line; the buyer's payment is (p + fee)·q, the seller's p·q (§7). */
function moneyOf(side: Side, line: WireAllocation, tradeAbs: bigint): { trade: bigint; fee: bigint } {
  const payment = parseOrThrow(() => parseMoney(line.payment), `payment of ${line.id}`);
  const fee = side === 'buy' ? payment - tradeAbs : 0n;
  if (fee < 0n || (side === 'sell' && payment !== tradeAbs)) {
    throw new SettlementInputError(`clearing result: payment of ${line.id} does not match price × quantity`);
  }
  return side === 'buy' ? { trade: -tradeAbs, fee: -fee } : { trade: tradeAbs, fee: 0n };
}

function clearedBid(side: Side, line: WireAllocation, priceTicks: bigint, utilityOf: UtilityOf): ClearedBid {
  const quantity = parseOrThrow(() => parseDecimal(line.quantity, DECIMALS.energy), `quantity of ${line.id}`);
  const utility = ownerOf(utilityOf, line.id);
  const { trade, fee } = moneyOf(side, line, priceTicks * BigInt(quantity));
  return { id: line.id, utility, side, allocated: quantity, trade, fee };
}

/** Every line of the result by id; throws SettlementInputError on a duplicate id or a bad line. */
export function clearedBids(result: WireClearingResult, utilityOf: UtilityOf): Map<string, ClearedBid> {
  const priceTicks = BigInt(priceTicksOf(result));
  const byId = new Map<string, ClearedBid>();
  const add = (side: Side, line: WireAllocation): void => {
    if (byId.has(line.id)) throw new SettlementInputError(`clearing result: duplicate bid id ${line.id}`);
    byId.set(line.id, clearedBid(side, line, priceTicks, utilityOf));
  };
  for (const line of result.buyers) add('buy', line);
  for (const line of result.sellers) add('sell', line);
  return byId;
}

import type { WireClearingResult } from '../../engine/src/mechanism/types';
import {
  DECIMALS,
  formatEnergy,
  formatMoney,
  parseDecimal,
  parseMoney,
} from '../../engine/src/mechanism/units';
import type { BidOrigin, BidOrigins } from './assemble';
import { MarketError } from './errors';
import type { NetPosition, RoundRecord, Settlement } from './model';

/** What one utility's bids add up to while the result is walked. */
interface UtilityTally {
  settlement: Settlement;
  bought: bigint;
  sold: bigint;
  paid: bigint;
  received: bigint;
  fees: bigint;
}

const emptyTally = (roundId: string, utility: string): UtilityTally => ({
  settlement: { roundId, utility, lines: [] },
  bought: 0n,
  sold: 0n,
  paid: 0n,
  received: 0n,
  fees: 0n,
});

const positionOf = (roundId: string, t: UtilityTally): NetPosition => ({
  roundId,
  utility: t.settlement.utility,
  energyBought: formatEnergy(t.bought),
  energySold: formatEnergy(t.sold),
  moneyPaid: formatMoney(t.paid),
  moneyReceived: formatMoney(t.received),
  feesPaid: formatMoney(t.fees),
});

const energyTicks = (quantity: string): bigint => BigInt(parseDecimal(quantity, DECIMALS.energy));

/** Per-utility settlement lines and net positions derived from the verified result. */
export function settle(
  round: RoundRecord,
  result: WireClearingResult,
  origins: BidOrigins,
): { settlements: Settlement[]; positions: NetPosition[] } {
  const feeTicks = BigInt(parseDecimal(round.params.serviceFee, DECIMALS.price));
  const byUtility = new Map<string, UtilityTally>();
  const tallyOf = (utility: string): UtilityTally => {
    const t = byUtility.get(utility) ?? emptyTally(round.id, utility);
    byUtility.set(utility, t);
    return t;
  };
  const originOf = (marketId: string): BidOrigin => {
    const o = origins.get(marketId);
    if (!o) throw new MarketError('CLEARING_MISMATCH', `result names unknown bid ${marketId}`);
    return o;
  };
  for (const b of result.buyers) {
    const o = originOf(b.id);
    const t = tallyOf(o.utility);
    const wh = energyTicks(b.quantity);
    const fee = feeTicks * wh;
    t.settlement.lines.push({
      batchId: o.batchId,
      id: o.id,
      side: 'buy',
      quantity: b.quantity,
      payment: b.payment,
    });
    t.bought += wh;
    t.fees += fee;
    t.paid += parseMoney(b.payment) - fee;
  }
  for (const s of result.sellers) {
    const o = originOf(s.id);
    const t = tallyOf(o.utility);
    t.settlement.lines.push({
      batchId: o.batchId,
      id: o.id,
      side: 'sell',
      quantity: s.quantity,
      payment: s.payment,
    });
    t.sold += energyTicks(s.quantity);
    t.received += parseMoney(s.payment);
  }
  // utilities in code-unit order, as Array.prototype.sort orders their names
  const tallies = [...byUtility.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  return {
    settlements: tallies.map((t) => t.settlement),
    positions: tallies.map((t) => positionOf(round.id, t)),
  };
}

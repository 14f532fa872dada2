import type { WireClearingResult } from '../../engine/src/mechanism/types';
import {
  DECIMALS,
  formatEnergy,
  formatMoney,
  parseDecimal,
  parseMoney,
} from '../../engine/src/mechanism/units';
import type { BidOrigin } from './assemble';
import { MarketError } from './errors';
import type { NetPosition, RoundRecord, Settlement } from './model';

/** Per-utility settlement lines and net positions derived from the verified result. */
export function settle(
  round: RoundRecord,
  result: WireClearingResult,
  origins: ReadonlyMap<string, BidOrigin>,
): { settlements: Settlement[]; positions: NetPosition[] } {
  const feeTicks = BigInt(parseDecimal(round.params.serviceFee, DECIMALS.price));
  const byUtility = new Map<
    string,
    { settlement: Settlement; bought: bigint; sold: bigint; paid: bigint; received: bigint; fees: bigint }
  >();
  const entry = (utility: string) => {
    let e = byUtility.get(utility);
    if (!e) {
      e = {
        settlement: { roundId: round.id, utility, lines: [] },
        bought: 0n,
        sold: 0n,
        paid: 0n,
        received: 0n,
        fees: 0n,
      };
      byUtility.set(utility, e);
    }
    return e;
  };
  const originOf = (marketId: string): BidOrigin => {
    const o = origins.get(marketId);
    if (!o) throw new MarketError('CLEARING_MISMATCH', `result names unknown bid ${marketId}`);
    return o;
  };
  for (const b of result.buyers) {
    const o = originOf(b.id);
    const e = entry(o.utility);
    const wh = BigInt(parseDecimal(b.quantity, DECIMALS.energy));
    const fee = feeTicks * wh;
    e.settlement.lines.push({
      batchId: o.batchId,
      id: o.id,
      side: 'buy',
      quantity: b.quantity,
      payment: b.payment,
    });
    e.bought += wh;
    e.fees += fee;
    e.paid += parseMoney(b.payment) - fee;
  }
  for (const s of result.sellers) {
    const o = originOf(s.id);
    const e = entry(o.utility);
    e.settlement.lines.push({
      batchId: o.batchId,
      id: o.id,
      side: 'sell',
      quantity: s.quantity,
      payment: s.payment,
    });
    e.sold += BigInt(parseDecimal(s.quantity, DECIMALS.energy));
    e.received += parseMoney(s.payment);
  }
  const utilities = [...byUtility.keys()].sort();
  return {
    settlements: utilities.map((u) => byUtility.get(u)!.settlement),
    positions: utilities.map((u) => {
      const e = byUtility.get(u)!;
      return {
        roundId: round.id,
        utility: u,
        energyBought: formatEnergy(e.bought),
        energySold: formatEnergy(e.sold),
        moneyPaid: formatMoney(e.paid),
        moneyReceived: formatMoney(e.received),
        feesPaid: formatMoney(e.fees),
      };
    }),
  };
}

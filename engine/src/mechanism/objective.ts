/**
 * The leader's objective A(p) of a round over its price range (docs/mechanism.md §5), for plots
 * and teaching: the same stage 1, demand curve and objective functions clear() uses (leader.ts),
 * evaluated at chosen ticks. It decides nothing: clear() alone sets the price.
 */
import { stage1 } from './break-even';
import { capOrder, DemandCurve, splitCapOrder } from './demand';
import { defaultObjective, doanObjective } from './leader';
import { orderBids, prefixOf } from './order';
import type { Bid, RoundParams } from './types';

export interface LeaderObjective {
  /** the price range [p_min, p_max] of stage 1, in ticks (1e-4 per kWh) */
  pMin: number;
  pMax: number;
  /** A at tick p, in money units (1e-7: tick × Wh), float64 as in the search */
  at(p: number): number;
}

/** The objective of the round's profile, or undefined when stage 1 finds no price range. */
export function leaderObjective(params: RoundParams, bids: readonly Bid[]): LeaderObjective | undefined {
  const { buyers, sellers } = orderBids(bids);
  const s1 = stage1(buyers, sellers);
  if (!s1.ok) return undefined;
  const { head } = splitCapOrder(capOrder(buyers), s1.nBuyers);
  const demand = new DemandCurve(prefixOf(buyers, s1.nBuyers), head);
  const winSellers = prefixOf(sellers, s1.nSellers);
  const at =
    params.profile === 'default' ? defaultObjective(demand, winSellers) : doanObjective(demand, winSellers);
  return { pMin: s1.pMin, pMax: s1.pMax, at };
}

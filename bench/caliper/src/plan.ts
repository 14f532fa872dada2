/**
 * Which bids each SubmitBids transaction of the Caliper workload carries: the simulated round's buy
 * bids in batches of `bidsPerTx` submitted by the buying utility, its sell bids likewise by the
 * selling utility, interleaved (buy batch 0, sell batch 0, buy batch 1, ...). Caliper worker w of W
 * submits transactions w, w + W, w + 2W, ... Every worker computes the same plan from the seed.
 */
import { simulateRound } from '../../../engine/src/sim/simulate';
import type { WireBid, WireRoundParams } from '../../../engine/src/mechanism/types';

export interface PlanOptions {
  buyers: number;
  sellers: number;
  seed: number;
  bidsPerTx: number;
  /** MSP id that submits the buy bids */
  buyerMsp: string;
  /** MSP id that submits the sell bids */
  sellerMsp: string;
}

export interface PlannedTx {
  mspId: string;
  bids: WireBid[];
}

export interface BidPlan {
  params: WireRoundParams | undefined;
  txs: PlannedTx[];
}

function chunks(bids: readonly WireBid[], size: number): WireBid[][] {
  const out: WireBid[][] = [];
  for (let i = 0; i < bids.length; i += size) out.push(bids.slice(i, i + size));
  return out;
}

/** The round's parameters and its SubmitBids transactions, in submission order. */
export function bidPlan(o: PlanOptions): BidPlan {
  if (!Number.isInteger(o.bidsPerTx) || o.bidsPerTx < 1) throw new Error('bidsPerTx must be an integer >= 1');
  const round = simulateRound({ buyers: o.buyers, sellers: o.sellers, seed: o.seed });
  const buys = chunks(
    round.bids.filter((b) => b.side === 'buy'),
    o.bidsPerTx,
  );
  const sells = chunks(
    round.bids.filter((b) => b.side === 'sell'),
    o.bidsPerTx,
  );
  const txs: PlannedTx[] = [];
  for (let i = 0; i < Math.max(buys.length, sells.length); i++) {
    const buy = buys[i];
    const sell = sells[i];
    if (buy) txs.push({ mspId: o.buyerMsp, bids: buy });
    if (sell) txs.push({ mspId: o.sellerMsp, bids: sell });
  }
  return { params: round.params, txs };
}

/** The plan's transactions that worker `worker` of `workers` submits, in order. */
export function workerShare<T>(txs: readonly T[], worker: number, workers: number): T[] {
  return txs.filter((_t, i) => i % workers === worker);
}

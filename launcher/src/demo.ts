#!/usr/bin/env node
/**
 * `npm run demo`: drives one complete round through the REST API only (start the API first with
 * `npm start`). The operator opens a round; simulated prosumers of Utility1 and Utility2 (one
 * simulateRound split between them) bid concurrently; the auctioneer service closes and clears
 * it; prints the clearing and each utility's own settlement.
 *
 * Environment: API_URL (default http://127.0.0.1:3000), DEMO_BUYERS/DEMO_SELLERS (default 30),
 * DEMO_SEED, DEMO_BIDDING_SECONDS (default 20), tokens OPERATOR_TOKEN/UTILITY1_TOKEN/UTILITY2_TOKEN.
 */
import type { WireBid } from '../../engine/src/mechanism/types';
import { simulateRound } from '../../engine/src/sim/simulate';
import { DEMO_TOKENS } from '../../gateway/src/api/config';
import { ApiClient, instant, waitCleared, waitReady, type RoundView } from '../../gateway/src/rest-client';

const env = process.env;
const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));

/** Splits a list of bids between utilities and into prosumer requests of 1-3 bids. */
export function splitBids(bids: WireBid[], utilities: number): WireBid[][][] {
  const per: WireBid[][] = Array.from({ length: utilities }, () => []);
  bids.forEach((b, i) => per[i % utilities]?.push(b));
  return per.map((list) => {
    const reqs: WireBid[][] = [];
    for (let i = 0; i < list.length; ) {
      const n = 1 + (i % 3);
      reqs.push(list.slice(i, i + n));
      i += n;
    }
    return reqs;
  });
}

interface Utility {
  msp: string;
  api: ApiClient;
}

/** The operator's and both utilities' clients, with the tokens from the environment or the demo's. */
function demoClients(url: string): { operator: ApiClient; utilities: Utility[] } {
  return {
    operator: new ApiClient(url, env.OPERATOR_TOKEN ?? DEMO_TOKENS.operator),
    utilities: [
      { msp: 'Utility1MSP', api: new ApiClient(url, env.UTILITY1_TOKEN ?? DEMO_TOKENS.utility1) },
      { msp: 'Utility2MSP', api: new ApiClient(url, env.UTILITY2_TOKEN ?? DEMO_TOKENS.utility2) },
    ],
  };
}

/** Each utility submits its share of the plan concurrently; prints what each had acknowledged. */
async function submitAll(utilities: Utility[], plan: WireBid[][][], roundId: string): Promise<void> {
  const acks = await Promise.all(
    utilities.map(async (u, i) => {
      const receipts = await Promise.all((plan[i] ?? []).map((bids) => u.api.submitBids(roundId, bids)));
      return {
        msp: u.msp,
        requests: receipts.length,
        bids: receipts.reduce((n, r) => n + r.accepted, 0),
        batches: new Set(receipts.map((r) => r.batchId)).size,
      };
    }),
  );
  for (const a of acks) {
    console.log(
      `${a.msp}: ${a.bids} bids in ${a.requests} requests acknowledged (durable) in ${a.batches} transaction(s)`,
    );
  }
}

function printResult(roundId: string, result: NonNullable<RoundView['result']>): void {
  console.log(`\nround ${roundId}: ${result.status}${result.reason ? ` (${result.reason})` : ''}`);
  console.log(
    `  price ${result.price} per kWh in range [${result.priceRange.min}, ${result.priceRange.max}]`,
  );
  console.log(`  traded ${result.totals.energy} kWh (${result.metrics.supplyTradedPercent}% of supply)`);
  console.log(
    `  buyers pay ${result.totals.buyerPayments}, sellers receive ${result.totals.sellerReceipts}, fees ${result.totals.fees}`,
  );
  console.log(`  social welfare ${result.metrics.socialWelfare}, efficiency ${result.metrics.efficiency}`);
  console.log(
    `  ${result.bidCount} bids in ${result.batchCount} batches; result digest ${result.resultDigest}`,
  );
}

/** Each utility's own settlement, read with its own token (only its bids are visible to it). */
async function printSettlements(utilities: Utility[], roundId: string): Promise<void> {
  for (const u of utilities) {
    const s = await u.api.settlement(roundId);
    const traded = s.lines.filter((l) => l.quantity !== '0');
    console.log(
      `\n${u.msp} settlement (read with its own token): ${traded.length} of ${s.lines.length} bids trade`,
    );
    for (const l of traded)
      console.log(`  ${l.id.padEnd(10)} ${l.side.padEnd(4)} ${l.quantity.padStart(8)} kWh  ${l.payment}`);
  }
}

async function printPositions(operator: ApiClient, roundId: string): Promise<void> {
  console.log('\nnet positions (public):');
  for (const p of await operator.positions(roundId)) {
    console.log(
      `  ${p.utility}: bought ${p.energyBought} kWh, sold ${p.energySold} kWh, paid ${p.moneyPaid}, received ${p.moneyReceived}, fees ${p.feesPaid}`,
    );
  }
}

async function main(): Promise<void> {
  const url = env.API_URL ?? 'http://127.0.0.1:3000';
  const { operator, utilities } = demoClients(url);
  await waitReady(url, 30_000);

  const seed = num(env.DEMO_SEED, Date.now() % 100_000);
  const sim = simulateRound({ buyers: num(env.DEMO_BUYERS, 30), sellers: num(env.DEMO_SELLERS, 30), seed });
  const now = Date.now();
  const biddingMs = num(env.DEMO_BIDDING_SECONDS, 20) * 1000;
  const roundId = `demo-${instant(now).replace(/[-:]/g, '')}`;
  const round = await operator.openRound({
    id: roundId,
    slot: instant(Math.ceil((now + biddingMs) / 900_000) * 900_000),
    closesAt: instant(now + biddingMs),
    ...(sim.params ? { params: sim.params as Record<string, string> } : {}),
  });
  console.log(`opened round ${round.id}: slot ${round.slot}, bidding closes at ${round.closesAt}`);

  const plan = splitBids(sim.bids, utilities.length);
  const t0 = Date.now();
  await submitAll(utilities, plan, roundId);
  console.log(`bidding took ${Date.now() - t0} ms; waiting for the auctioneer to close and clear the round…`);

  const { result } = await waitCleared(operator, roundId, biddingMs + 180_000);
  if (!result) throw new Error('no result');
  printResult(roundId, result);
  await printSettlements(utilities, roundId);
  await printPositions(operator, roundId);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}

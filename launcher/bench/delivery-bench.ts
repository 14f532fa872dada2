/**
 * Delivery at city scale on the real Fabric network (`npm run bench:delivery`, issue #15): meter
 * readings of 100,000 prosumers in one slot, submitted over REST, settled and committed.
 *
 * Brings the native network up (or reuses it), runs the REST API and the operator's auctioneer
 * service in-process (manual mode: it closes, clears and, after the gate, settles by itself).
 * One round of BENCH_PROSUMERS bids (half buyers of Utility1, half sellers of Utility2, sealed in
 * batches of 10,000 through the Fabric client: bidding is not what is measured here) with a 1 s
 * delivery slot and a gate long enough for the readings. Once cleared, each utility reads its
 * settlement lines and posts one reading per cleared bid (deviating both ways, every 50th missing)
 * over REST in requests of BENCH_READINGS_PER_REQUEST; the service settles after the gate.
 * Reports: readings submitted (s, readings/s), gate → settlement committed (s), their sum (the
 * target is ≤ 30 s), the statement sizes, and the peak RSS of this process (API + auctioneer).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { gateClosesAt } from '../../chaincode/src/delivery-params';
import { MAX_BATCH_BIDS, type MeterReading, type Settlement } from '../../chaincode/src/model';
import { deliveryParamsOfRound } from '../../chaincode/src/rounds';
import { simulateRound } from '../../engine/src/sim/simulate';
import { DECIMALS, formatEnergy, parseDecimal } from '../../engine/src/mechanism/units';
import { startAuctioneer } from '../../auctioneer/src/service/service';
import { connectGateway } from '../../fabric-client/src/connect';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { DEMO_TOKENS, loadConfig } from '../../gateway/src/api/config';
import { startApi } from '../../gateway/src/api/server';
import { ApiClient, instant } from '../../gateway/src/rest-client';
import { up } from '../../network/src/network';
import { BenchReport } from '../../engine/bench/bench-report';

const PROSUMERS = Number(process.env.BENCH_PROSUMERS ?? 100_000);
const PER_REQUEST = Number(process.env.BENCH_READINGS_PER_REQUEST ?? 10_000);
const GATE_SECONDS = Number(process.env.BENCH_GATE_SECONDS ?? 90);
const out = (line: string): boolean => process.stdout.write(line + '\n');
const secs = (ms: number): string => (ms / 1000).toFixed(2);

async function client(msp: string, gateways: Gateway[]): Promise<MarketClient> {
  const g = await connectGateway(msp);
  gateways.push(g);
  return new MarketClient(g.getNetwork('energy').getContract('market'), msp);
}

/** Retries while the orderers elect a leader right after `up`. */
async function retryUnavailable<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof MarketClientError && e.code === 'UNAVAILABLE')) throw e;
      await sleep(1000);
    }
  }
}

async function waitStatus(op: MarketClient, id: string, status: string, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if ((await op.getRound(id)).status === status) return Date.now();
    if (Date.now() > end) throw new Error(`round ${id} not ${status} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** One reading per cleared line, off its allocation both ways; every 50th left missing. */
function readingsOf(s: Settlement): MeterReading[] {
  return s.lines
    .filter((_l, i) => i % 50 !== 49)
    .map((l, i) => {
      const wh = parseDecimal(l.quantity, DECIMALS.energy) + (i % 3 === 0 ? 150 : i % 3 === 1 ? -100 : 0);
      return { batchId: l.batchId, id: l.id, side: l.side, quantity: formatEnergy(Math.max(0, wh)) };
    });
}

async function postReadings(api: ApiClient, roundId: string, readings: MeterReading[]): Promise<void> {
  for (let i = 0; i < readings.length; i += PER_REQUEST) {
    const r = await api.request('POST', `/v1/rounds/${roundId}/meter-readings`, {
      readings: readings.slice(i, i + PER_REQUEST),
    });
    if (r.status !== 201)
      throw new Error(`readings refused: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
  }
}

async function main(): Promise<void> {
  await up({ log: (l) => process.stderr.write(l + '\n') });
  const gateways: Gateway[] = [];
  const op = await client('OperatorMSP', gateways);
  const u1 = await client('Utility1MSP', gateways);
  const u2 = await client('Utility2MSP', gateways);
  const api = await startApi({ config: loadConfig({}, { port: 0, logLevel: 'warn' }) });
  const checkpointDir = mkdtempSync(path.join(os.tmpdir(), 'delivery-bench-'));
  const service = await startAuctioneer({
    mode: 'manual',
    http: { port: 0 },
    checkpointFile: path.join(checkpointDir, 'checkpoint.json'),
    reconcileIntervalMs: 1_000,
    logLevel: 'warn',
  });
  try {
    await service.ready;
    const sim = simulateRound({ buyers: PROSUMERS / 2, sellers: PROSUMERS / 2, seed: 15 });
    const buys = sim.bids.filter((b) => b.side === 'buy');
    const sells = sim.bids.filter((b) => b.side === 'sell');
    const id = `delivery-bench-${Date.now()}`;
    const closesAt = Math.ceil((Date.now() + 20_000 + PROSUMERS / 10) / 1000) * 1000;
    const slot = closesAt + 1000;
    const round = await retryUnavailable(() =>
      op.openRound({
        id,
        slot: instant(slot),
        closesAt: instant(closesAt),
        delivery: { slotSeconds: 1, gateClosureSeconds: GATE_SECONDS },
      }),
    );
    const gate = Date.parse(gateClosesAt(round.slot, deliveryParamsOfRound(round)));
    const t0 = Date.now();
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < buys.length; i += MAX_BATCH_BIDS)
      jobs.push(u1.submitBids(id, buys.slice(i, i + MAX_BATCH_BIDS)));
    for (let i = 0; i < sells.length; i += MAX_BATCH_BIDS)
      jobs.push(u2.submitBids(id, sells.slice(i, i + MAX_BATCH_BIDS)));
    await Promise.all(jobs);
    out(`bids: ${sim.bids.length} in ${jobs.length} batches, ${secs(Date.now() - t0)} s`);
    const clearedAt = await waitStatus(op, id, 'CLEARED', 5 * 60_000);
    out(`cleared ${secs(clearedAt - closesAt)} s after closesAt`);

    const utilities = [
      new ApiClient(api.url, DEMO_TOKENS.utility1),
      new ApiClient(api.url, DEMO_TOKENS.utility2),
    ] as const;
    const t1 = performance.now();
    const perUtility = await Promise.all(utilities.map((u) => u.settlement(id)));
    const readings = perUtility.map(readingsOf);
    const count = readings.reduce((n, r) => n + r.length, 0);
    await Promise.all(utilities.map((u, i) => postReadings(u, id, readings[i] ?? [])));
    const submitMs = performance.now() - t1;
    if (Date.now() >= gate) throw new Error('the readings reached the gate: raise BENCH_GATE_SECONDS');
    out(
      `readings: ${count} of ${perUtility.reduce((n, s) => n + s.lines.length, 0)} cleared bids over REST in ` +
        `${secs(submitMs)} s (${Math.round(count / (submitMs / 1000))}/s, ${PER_REQUEST} per request)`,
    );

    const settledAt = await waitStatus(op, id, 'SETTLED', 10 * 60_000);
    const settleMs = settledAt - gate;
    out(`settled ${secs(settleMs)} s after the gate (the service polls each 1 s)`);
    const r0 = performance.now();
    const statement = await op.getStatement(id, 'Utility1MSP');
    const readMs = performance.now() - r0;
    const statementMb = JSON.stringify(statement).length / 1e6;
    out(
      `statement of Utility1: ${statement.lines.length} lines, ${statementMb.toFixed(1)} MB, read in ${secs(readMs)} s`,
    );
    const totalMs = submitMs + settleMs;
    const report = new BenchReport('delivery');
    report.table(
      'delivery',
      [
        'prosumers',
        'readings',
        'per request',
        'readings submitted',
        'settled after the gate',
        'total',
        'statement (Utility1)',
        'peak RSS API + auctioneer',
      ],
      [
        [
          PROSUMERS.toLocaleString('en-US'),
          count.toLocaleString('en-US'),
          PER_REQUEST.toLocaleString('en-US'),
          `${secs(submitMs)} s`,
          `${secs(settleMs)} s`,
          `${secs(totalMs)} s`,
          `${statement.lines.length.toLocaleString('en-US')} lines, ${statementMb.toFixed(1)} MB, read in ${secs(readMs)} s`,
          `${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
        ],
      ],
    );
    report.note(
      `Delivery of ${PROSUMERS.toLocaleString('en-US')} prosumers: submit + settle ${secs(totalMs)} s ` +
        `(target ≤ 30 s: ${totalMs <= 30_000 ? 'met' : 'NOT met'}).`,
    );
    report.finish();
  } finally {
    await service.stop();
    await api.close();
    for (const g of gateways) g.close();
    rmSync(checkpointDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

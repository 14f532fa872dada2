/**
 * Auctioneer clearing latency on the real Fabric network (`npm run bench:clearing`).
 *
 * Brings the native network up (or reuses it), starts the auctioneer service in-process (manual
 * mode), and per run: opens a round closing a few seconds ahead, submits 1,000 buy bids
 * (Utility1MSP) and 1,000 sell bids (Utility2MSP) as two sealed batches of 1,000, lets the service
 * close the round at its close time and clear it. Reports the time from the close being committed
 * to the verified clearing being committed, with its parts: read commitments + batches on the
 * operator peer, verify hashes, assemble + clear + canonical JSON, and the commit (endorsement by
 * the operator peer, which re-reads the batches and re-clears, ordering, validation).
 * Target: ≤ 3 s. Env: BENCH_RUNS (default 3), BENCH_BUYERS / BENCH_SELLERS (default 1000),
 * BENCH_SUBMIT_CONCURRENCY (batches in flight while bidding, default 4).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { simulateRound } from '../../engine/src/sim/simulate';
import type { ClearedInfo } from '../src/service/auctioneer';
import { startAuctioneer } from '../src/service/service';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { connectGateway } from '../../fabric-client/src/connect';
import { up } from '../../network/src/network';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BUYERS = Number(process.env.BENCH_BUYERS ?? 1000);
const SELLERS = Number(process.env.BENCH_SELLERS ?? 1000);
const SUBMIT_CONCURRENCY = Number(process.env.BENCH_SUBMIT_CONCURRENCY ?? 4);
const BATCH = 1000;
const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (i: number): number => s[i] ?? Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? at(m) : (at(m - 1) + at(m)) / 2;
}

interface Clients {
  operator: MarketClient;
  u1: MarketClient;
  u2: MarketClient;
  gateways: Gateway[];
}

async function connectClients(): Promise<Clients> {
  const gateways: Gateway[] = [];
  const client = async (msp: string): Promise<MarketClient> => {
    const g = await connectGateway(msp);
    gateways.push(g);
    return new MarketClient(g.getNetwork('energy').getContract('market'), msp);
  };
  const operator = await client('OperatorMSP');
  const u1 = await client('Utility1MSP');
  const u2 = await client('Utility2MSP');
  return { operator, u1, u2, gateways };
}

/** What the service reported per round: when its close committed, when its clearing did. */
interface Observed {
  closed: Map<string, { perf: number; wall: number }>;
  cleared: Map<string, { at: number; wall: number; info: ClearedInfo }>;
}

type Row = Record<
  'total' | 'read' | 'verify' | 'clear' | 'commit' | 'closeLag' | 'startLag' | 'waited',
  number
>;

async function openRound(operator: MarketClient, id: string, closesAtMs: number): Promise<void> {
  for (;;) {
    try {
      await operator.openRound({
        id,
        slot: instant(closesAtMs + 15 * 60_000),
        closesAt: instant(closesAtMs),
      });
      return;
    } catch (e) {
      // right after `up`, the orderers may still be electing a leader
      if (!(e instanceof MarketClientError && e.code === 'UNAVAILABLE')) throw e;
      await sleep(1000);
    }
  }
}

/** Runs the jobs with at most `concurrency` in flight: more only queue up behind each other and hit deadlines. */
async function runBounded(jobs: readonly (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job; job = jobs[next++]) await job();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Both utilities' bids as sealed batches of BATCH bids (buys by Utility1, sells by Utility2). */
function batchSubmits(c: Clients, id: string, run: number): (() => Promise<unknown>)[] {
  const round = simulateRound({ buyers: BUYERS, sellers: SELLERS, seed: 1000 + run });
  const buys = round.bids.filter((b) => b.side === 'buy');
  const sells = round.bids.filter((b) => b.side === 'sell');
  const submits: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < buys.length; i += BATCH)
    submits.push(() => c.u1.submitBids(id, buys.slice(i, i + BATCH)));
  for (let i = 0; i < sells.length; i += BATCH)
    submits.push(() => c.u2.submitBids(id, sells.slice(i, i + BATCH)));
  return submits;
}

async function waitForClearing(
  observed: Observed,
  id: string,
  closesAtMs: number,
): Promise<{ at: number; wall: number; info: ClearedInfo }> {
  const deadline = closesAtMs + 120_000;
  for (let c = observed.cleared.get(id); ; c = observed.cleared.get(id)) {
    if (c) return c;
    if (Date.now() > deadline) throw new Error(`round ${id} was not cleared within 2 min of its close`);
    await sleep(50);
  }
}

/** One round: open, bid, let the service close and clear it; the timings of that round. */
async function benchRound(c: Clients, observed: Observed, run: number): Promise<Row> {
  const id = `bench-${Date.now()}-${run}`;
  const submits = batchSubmits(c, id, run);
  // bidding window: at 5,000 bids/s (the ledger takes 1,000-bid batches at ~40,000/s,
  // docs/benchmarks.md), at least 15 s
  const leadMs = Math.max(15_000, (BUYERS + SELLERS) / 5);
  const closesAtMs = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
  await openRound(c.operator, id, closesAtMs);
  const t0 = performance.now();
  await runBounded(submits, SUBMIT_CONCURRENCY);
  const submitMs = performance.now() - t0;
  if (Date.now() >= closesAtMs)
    throw new Error('bids were submitted after the close time: raise the lead time');
  const cleared = await waitForClearing(observed, id, closesAtMs);
  const closedAt = observed.closed.get(id);
  if (closedAt === undefined) throw new Error(`round ${id} was not closed by the service`);
  const t = cleared.info.prepared.timings;
  const total = cleared.at - closedAt.perf;
  const row: Row = {
    total,
    read: t.readMs,
    verify: t.verifyMs,
    clear: t.clearMs,
    commit: cleared.info.commitMs,
    closeLag: closedAt.wall - closesAtMs,
    // from the close's commit to the start of the clearing (getRound included in the clearing)
    startLag: total - cleared.info.totalMs,
    // what a utility waits for: closesAt to the verified clearing committed (wall clock)
    waited: cleared.wall - closesAtMs,
  };
  const stored = await c.operator.getResult(id);
  process.stdout.write(
    `run ${run}: ${BUYERS} buyers x ${SELLERS} sellers (${submits.length} batches, submitted in ${(submitMs / 1000).toFixed(2)} s) ` +
      `status=${stored.status} price=${stored.price} energy=${stored.totals.energy} kWh — ` +
      `closesAt→cleared ${(row.waited / 1000).toFixed(3)} s: close committed ${(row.closeLag / 1000).toFixed(3)} s after closesAt, ` +
      `clearing started ${row.startLag.toFixed(0)} ms after it (< 0: on the RoundClosed event, before the close's submit returned); close→cleared ${(row.total / 1000).toFixed(3)} s (read ${row.read.toFixed(0)} ms, verify ${row.verify.toFixed(0)} ms, ` +
      `clear ${row.clear.toFixed(0)} ms, commit ${row.commit.toFixed(0)} ms)\n`,
  );
  return row;
}

function report(rows: readonly Row[]): void {
  const col = (k: keyof Row): number[] => rows.map((r) => r[k]);
  process.stdout.write(
    `\nclosesAt→verified clearing committed (what a utility waits for), ${BUYERS} buyers x ${SELLERS} sellers: ` +
      `median ${(median(col('waited')) / 1000).toFixed(3)} s, max ${(Math.max(...col('waited')) / 1000).toFixed(3)} s (target ≤ 0.8 s); ` +
      `close committed after closesAt: median ${median(col('closeLag')).toFixed(0)} ms\n` +
      `close→verified clearing committed, ${BUYERS} buyers x ${SELLERS} sellers, ${RUNS} runs: ` +
      `median ${(median(col('total')) / 1000).toFixed(3)} s, max ${(Math.max(...col('total')) / 1000).toFixed(3)} s (target ≤ 3 s)\n` +
      `  median parts: read ${median(col('read')).toFixed(0)} ms, verify ${median(col('verify')).toFixed(0)} ms, ` +
      `clear ${median(col('clear')).toFixed(0)} ms, commit ${median(col('commit')).toFixed(0)} ms\n` +
      `  machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
}

async function main(): Promise<void> {
  await up({ log: (l) => process.stderr.write(l + '\n') });
  const clients = await connectClients();
  const observed: Observed = { closed: new Map(), cleared: new Map() };
  const service = await startAuctioneer(
    {
      mode: 'manual',
      http: { port: 0 },
      checkpointFile: path.join(mkdtempSync(path.join(os.tmpdir(), 'auct-bench-')), 'checkpoint.json'),
      reconcileIntervalMs: 300_000,
      logLevel: 'warn',
    },
    {
      onClosed: (id) => observed.closed.set(id, { perf: performance.now(), wall: Date.now() }),
      onCleared: (info) =>
        observed.cleared.set(info.roundId, { at: performance.now(), wall: Date.now(), info }),
    },
  );
  const rows: Row[] = [];
  try {
    await service.ready;
    for (let run = 1; run <= RUNS; run++) rows.push(await benchRound(clients, observed, run));
  } finally {
    await service.stop();
    for (const g of clients.gateways) g.close();
  }
  report(rows);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

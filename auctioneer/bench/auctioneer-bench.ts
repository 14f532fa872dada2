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
 * BENCH_SUBMIT_CONCURRENCY (batches in flight per utility while bidding, default 4). Bids go in
 * the shape the REST API's batcher gives them (gateway/src/api/config.ts defaults: SubmitBids
 * transactions of up to 2,000 bids, 4 in flight per org), straight through the Fabric client.
 *
 * BENCH_SCALING=1000,10000,… instead runs one round per listed size (total bids, half buyers,
 * half sellers) and reports close → committed and the peak RSS of this process (the auctioneer and
 * the clients), the operator's peer and its chaincode server per round, with the growth exponent
 * fitted to the times (least squares on log time against log bids).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { simulateRound } from '../../engine/src/sim/simulate';
import { observeRounds, waitForClearing, type Observed } from './round-observer';
import { startAuctioneer } from '../src/service/service';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { connectGateway } from '../../fabric-client/src/connect';
import { up } from '../../network/src/network';
import { PeakTracker, type Peaks } from '../../network/src/peak-rss';
import type { Topology } from '../../network/config/topology';
import { BenchReport, fittedExponent, median, megabytes } from '../../engine/bench/bench-report';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BUYERS = Number(process.env.BENCH_BUYERS ?? 1000);
const SELLERS = Number(process.env.BENCH_SELLERS ?? 1000);
const SCALING = (process.env.BENCH_SCALING ?? '')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 2 || n % 2 !== 0)
      throw new Error(`BENCH_SCALING: ${s} is not an even bid count ≥ 2`);
    return n;
  });
// the REST API's batch defaults (batch.maxInFlight, batch.maxBids): auctioneer/ may not import gateway/
const SUBMIT_CONCURRENCY = Number(process.env.BENCH_SUBMIT_CONCURRENCY ?? 4);
const BATCH = 2000;
const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

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

type Row = Record<
  'total' | 'read' | 'verify' | 'clear' | 'commit' | 'closeLag' | 'startLag' | 'waited' | 'submitRate',
  number
> & {
  /** what the service had read (and cleared) before the close (auctioneer/src/service/prefetch.ts) */
  ahead: string;
};

/** "200/200, cleared": batches read before the close of all, and whether it was cleared ahead. */
const aheadOf = (p: { prefetchedBatches: number; batchCount: number; precleared: boolean }): string =>
  `${p.prefetchedBatches}/${p.batchCount}${p.precleared ? ', cleared' : ''}`;

/** A round's size: how many buy bids (Utility1) and sell bids (Utility2). */
interface Size {
  buyers: number;
  sellers: number;
}

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

type Jobs = (() => Promise<unknown>)[];

/** Both utilities' bids as sealed batches of BATCH bids (buys by Utility1, sells by Utility2). */
function batchSubmits(c: Clients, id: string, run: number, size: Size): { buys: Jobs; sells: Jobs } {
  const round = simulateRound({ ...size, seed: 1000 + run });
  const jobs = (client: MarketClient, side: 'buy' | 'sell'): Jobs => {
    const bids = round.bids.filter((b) => b.side === side);
    const out: Jobs = [];
    for (let i = 0; i < bids.length; i += BATCH)
      out.push(() => client.submitBids(id, bids.slice(i, i + BATCH)));
    return out;
  };
  return { buys: jobs(c.u1, 'buy'), sells: jobs(c.u2, 'sell') };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

/** One round: open, bid, let the service close and clear it; the timings of that round. */
async function benchRound(c: Clients, observed: Observed, run: number, size: Size): Promise<Row> {
  const id = `bench-${Date.now()}-${run}`;
  const bids = size.buyers + size.sellers;
  const submits = batchSubmits(c, id, run, size);
  const batchCount = submits.buys.length + submits.sells.length;
  // bidding window: at 10,000 bids/s (the ledger takes 1,000-bid batches at ~40,000/s,
  // docs/benchmarks.md), at least 15 s
  const leadMs = Math.max(15_000, bids / 10);
  const closesAtMs = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
  await openRound(c.operator, id, closesAtMs);
  const t0 = performance.now();
  // each utility's batches in flight on their own, as each org's lane of the API's batcher
  await Promise.all([
    runBounded(submits.buys, SUBMIT_CONCURRENCY),
    runBounded(submits.sells, SUBMIT_CONCURRENCY),
  ]);
  const submitMs = performance.now() - t0;
  if (Date.now() >= closesAtMs)
    throw new Error('bids were submitted after the close time: raise the lead time');
  const cleared = await waitForClearing(observed, id, closesAtMs, bids);
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
    submitRate: bids / (submitMs / 1000),
    ahead: aheadOf(cleared.info.prepared),
  };
  const stored = await c.operator.getResult(id);
  process.stdout.write(
    `run ${run}: ${size.buyers} buyers x ${size.sellers} sellers (${batchCount} batches, submitted in ${(submitMs / 1000).toFixed(2)} s) ` +
      `status=${stored.status} price=${stored.price} energy=${stored.totals.energy} kWh — ` +
      `closesAt→cleared ${seconds(row.waited)}: close committed ${seconds(row.closeLag)} after closesAt, ` +
      `clearing started ${row.startLag.toFixed(0)} ms after it (< 0: on the RoundClosed event, before the close's submit returned); close→cleared ${seconds(row.total)} (read ${row.read.toFixed(0)} ms, verify ${row.verify.toFixed(0)} ms, ` +
      `clear ${row.clear.toFixed(0)} ms, commit ${row.commit.toFixed(0)} ms; batches read ahead: ${row.ahead})\n`,
  );
  return row;
}

const ms = (x: number): string => `${x.toFixed(0)} ms`;

/** The repeated-rounds mode: one table row per run, medians against the targets. */
function reportRuns(report: BenchReport, rows: readonly Row[]): void {
  const col = (k: Exclude<keyof Row, 'ahead'>): number[] => rows.map((r) => r[k]);
  report.table(
    'runs',
    [
      'run',
      'closesAt → cleared',
      'close committed after closesAt',
      'close → cleared',
      'read ahead',
      'read',
      'verify',
      'clear',
      'commit',
    ],
    rows.map((r, i) => [
      String(i + 1),
      seconds(r.waited),
      ms(r.closeLag),
      seconds(r.total),
      r.ahead,
      ms(r.read),
      ms(r.verify),
      ms(r.clear),
      ms(r.commit),
    ]),
  );
  const sizeText = `${BUYERS.toLocaleString('en-US')} buyers × ${SELLERS.toLocaleString('en-US')} sellers, ${rows.length} runs`;
  const waited = median(col('waited'));
  report.note(
    `closesAt → verified clearing committed (what a utility waits for), ${sizeText}: median ${seconds(waited)}, ` +
      `max ${seconds(Math.max(...col('waited')))} (target ≤ 0.8 s: ${waited <= 800 ? 'met' : 'NOT met'}).`,
  );
  const total = median(col('total'));
  report.note(
    `Close → verified clearing committed: median ${seconds(total)} (target ≤ 3 s: ${total <= 3000 ? 'met' : 'NOT met'}); ` +
      `median parts: read ${ms(median(col('read')))}, verify ${ms(median(col('verify')))}, clear ${ms(median(col('clear')))}, commit ${ms(median(col('commit')))}.`,
  );
}

type ScalingRow = { bids: number; row: Row; peaks: Peaks } | { bids: number; error: string };

/** The scaling mode: one round per size, its times and peak RSS, and the fitted exponent. */
async function runScaling(
  c: Clients,
  observed: Observed,
  topology: Topology,
  report: BenchReport,
): Promise<void> {
  const tracker = new PeakTracker(topology);
  const results: ScalingRow[] = [];
  for (const [i, bids] of SCALING.entries()) {
    tracker.reset();
    try {
      const row = await benchRound(c, observed, i + 1, { buyers: bids / 2, sellers: bids / 2 });
      results.push({ bids, row, peaks: tracker.read() });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      process.stdout.write(`${bids} bids: FAILED: ${error}\n`);
      results.push({ bids, error });
    }
  }
  report.table(
    'scaling',
    [
      'bids',
      'submitted at',
      'close → committed',
      'read ahead',
      'read',
      'verify',
      'clear',
      'commit',
      'peak RSS auctioneer + clients',
      'peak RSS operator peer',
      'peak RSS chaincode server',
    ],
    results.map((r) =>
      'error' in r
        ? [r.bids.toLocaleString('en-US'), `failed: ${r.error}`, '', '', '', '', '', '', '', '', '']
        : [
            r.bids.toLocaleString('en-US'),
            `${Math.round(r.row.submitRate).toLocaleString('en-US')} bids/s`,
            seconds(r.row.total),
            r.row.ahead,
            ms(r.row.read),
            ms(r.row.verify),
            ms(r.row.clear),
            ms(r.row.commit),
            megabytes(r.peaks.bench),
            megabytes(r.peaks.peer),
            megabytes(r.peaks.chaincode),
          ],
    ),
  );
  report.data(
    'scaling',
    results.flatMap((r) =>
      'error' in r
        ? []
        : [
            {
              bids: r.bids,
              closeToCommittedMs: Math.round(r.row.total),
              commitMs: Math.round(r.row.commit),
              peakRssAuctioneerMb: Math.round((r.peaks.bench ?? NaN) / 2 ** 20),
              peakRssPeerMb: Math.round((r.peaks.peer ?? NaN) / 2 ** 20),
              peakRssChaincodeMb: Math.round((r.peaks.chaincode ?? NaN) / 2 ** 20),
            },
          ],
    ),
  );
  for (const [bids, targetMs] of [
    [200_000, 3000],
    [1_000_000, 20_000],
  ] as const) {
    const r = results.find((x) => x.bids === bids);
    if (!r) continue;
    report.note(
      'error' in r
        ? `${bids.toLocaleString('en-US')} bids: failed (target close → committed ≤ ${seconds(targetMs)}: NOT met).`
        : `${bids.toLocaleString('en-US')} bids: close → committed ${seconds(r.row.total)} (target ≤ ${seconds(targetMs)}: ` +
            `${r.row.total <= targetMs ? 'met' : 'NOT met'}).`,
    );
  }
  noteSubmitRate(report, results);
  const points = results.flatMap((r) => ('error' in r ? [] : [{ x: r.bids, y: r.row.total }]));
  const large = points.filter((p) => p.x >= 100_000);
  if (points.length >= 2)
    report.note(
      `Fitted growth exponent of close → committed over ${points.length} sizes: ${fittedExponent(points).toFixed(2)}` +
        (large.length >= 2 ? `; over the sizes ≥ 100,000 bids: ${fittedExponent(large).toFixed(2)}.` : '.'),
    );
}

/** The 10^6-bid round's submission rate against its target (≥ 30,000 bids/s). */
function noteSubmitRate(report: BenchReport, results: readonly ScalingRow[]): void {
  const million = results.find((x) => x.bids === 1_000_000);
  if (!million || 'error' in million) return;
  const rate = million.row.submitRate;
  report.note(
    `1,000,000 bids submitted at ${Math.round(rate).toLocaleString('en-US')} bids/s ` +
      `(target ≥ 30,000: ${rate >= 30_000 ? 'met' : 'NOT met'}).`,
  );
}

async function main(): Promise<void> {
  const { topology } = await up({ log: (l) => process.stderr.write(l + '\n') });
  const clients = await connectClients();
  const { observed, hooks } = observeRounds();
  const checkpointDir = mkdtempSync(path.join(os.tmpdir(), 'auct-bench-'));
  const service = await startAuctioneer(
    {
      mode: 'manual',
      http: { port: 0 },
      checkpointFile: path.join(checkpointDir, 'checkpoint.json'),
      reconcileIntervalMs: 300_000,
      logLevel: 'warn',
    },
    hooks,
  );
  const report = new BenchReport(SCALING.length > 0 ? 'scaling' : 'clearing');
  try {
    await service.ready;
    if (SCALING.length > 0) await runScaling(clients, observed, topology, report);
    else {
      const rows: Row[] = [];
      for (let run = 1; run <= RUNS; run++)
        rows.push(await benchRound(clients, observed, run, { buyers: BUYERS, sellers: SELLERS }));
      reportRuns(report, rows);
    }
  } finally {
    await service.stop();
    for (const g of clients.gateways) g.close();
    rmSync(checkpointDir, { recursive: true, force: true });
  }
  report.finish();
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

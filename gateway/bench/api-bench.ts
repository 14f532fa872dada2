#!/usr/bin/env node
/**
 * `npm run bench:e2e`: durable bids per second through the REST API on the real Fabric network.
 *
 * Brings the network up (or reuses it) and starts the API in this process on 127.0.0.1 (free
 * port). First the baseline: BENCH_BASELINE_SECONDS of 1-bid SubmitBids transactions straight
 * through the Fabric gateway (no API, no micro-batching: the raw transaction ceiling). Then, for
 * each size in BENCH_BIDS_PER_REQUEST (a comma list), a fresh round and BENCH_CLIENTS concurrent
 * HTTP clients (half Utility1, half Utility2; in a child process) posting up to BENCH_BIDS requests'
 * worth of bids for at most BENCH_MAX_SECONDS. Every 201 means the bids are committed. Prints bids/s,
 * its ratio to the baseline, p50/p99 latency of an acknowledged request, the API's CPU time per
 * acknowledged request, and checks that every acknowledged bid is in the round (read back through
 * the API).
 *
 * The CPU time is this process's (/proc/self/stat, network/src/cpu-meter.ts) over the phase: the API is the only thing it
 * runs then (the load is in another process). Its floor: BENCH_NOOP_SECONDS of the same 1-bid
 * bodies posted to the app's empty authenticated route (POST /v1/bench/noop, routes/bench.ts,
 * registered only for the bench), which answers 204; each size's CPU per request is printed as a
 * ratio to it.
 */
import * as os from 'node:os';
import { bench as rawBench } from '../../network/src/bench';
import { networkPidGroups, startCpuMeter, type CpuSplit, type PidGroups } from '../../network/src/cpu-meter';
import { up } from '../../network/src/network';
import { DEMO_TOKENS, loadConfig } from '../src/api/config';
import { BENCH_NOOP_PATH } from '../src/api/routes/bench';
import { startApi } from '../src/api/server';
import { ApiClient, instant } from '../src/rest-client';
import type { LoadJob, LoadReport } from './load-worker';
import { runLoad } from './run-load';
import { BenchReport, loadAverage, percentile } from '../../engine/bench/bench-report';

const env = process.env;
const num = (k: string, d: number): number => {
  const v = env[k] === undefined ? d : Number(env[k]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${k} must be a non-negative integer, got ${env[k]}`);
  return v;
};

/**
 * The load of `job`, the CPU time this process (the API) spent meanwhile (µs), and where the
 * machine's CPU went: the API, the load generator, the network's nodes, and the rest.
 */
async function measuredLoad(
  job: LoadJob,
  network: PidGroups,
): Promise<{ report: LoadReport; cpuMicros: number; split: CpuSplit }> {
  const stop = startCpuMeter({ API: ['self'], ...network });
  const report = await runLoad(job);
  const split = stop();
  split.groups['load generator'] = report.cpuSeconds;
  return { report, cpuMicros: (split.groups.API ?? NaN) * 1e6, split };
}

/** Acknowledged requests of a load report. */
const ackedRequests = (r: LoadReport, bidsPerRequest: number): number =>
  r.acked.reduce((a, b) => a + b, 0) / bidsPerRequest;

/** A phase's CPU: the API's per acknowledged request, and where the machine's went. */
interface PhaseCpu {
  /** the API's CPU time per acknowledged request, µs */
  cpuPerRequest: number;
  split: CpuSplit;
  /** acknowledged requests */
  requests: number;
}

interface Row extends PhaseCpu {
  bidsPerRequest: number;
  clients: number;
  bidsPerSecond: number;
  p50: number;
  p99: number;
  txs: number;
  lost: number;
  failedRequests: number;
}

/** The empty route's phase: the API's CPU µs per 204 and the phase's CPU split (undefined when skipped). */
async function noopPhase(
  url: string,
  clients: number,
  seconds: number,
  network: PidGroups,
): Promise<PhaseCpu | undefined> {
  if (seconds === 0) return undefined;
  console.log(
    `bench: ${clients} clients x 1 bid per request to ${BENCH_NOOP_PATH} (empty route, 204) for ${seconds} s`,
  );
  const { report, cpuMicros, split } = await measuredLoad(
    {
      url,
      path: BENCH_NOOP_PATH,
      tokens: [DEMO_TOKENS.utility1, DEMO_TOKENS.utility2],
      clients,
      requests: Number.MAX_SAFE_INTEGER,
      bidsPerRequest: 1,
      deadlineMs: Date.now() + seconds * 1000,
      okStatus: 204,
    },
    network,
  );
  const n = ackedRequests(report, 1);
  console.log(`  statuses: ${JSON.stringify(report.statuses)}`);
  console.log(
    `  ${n} requests in ${report.seconds.toFixed(1)} s = ${(n / report.seconds).toFixed(0)} requests/s; ` +
      `API CPU ${(cpuMicros / n).toFixed(0)} µs per request (${((cpuMicros / 1e6 / report.seconds) * 100).toFixed(0)} % of a core)`,
  );
  return { cpuPerRequest: cpuMicros / n, split, requests: n };
}

/** The empty route's API CPU per request, NaN when its phase was skipped. */
const cpuPerNoop = (noop: PhaseCpu | undefined): number => noop?.cpuPerRequest ?? NaN;

async function main(): Promise<void> {
  const clients = num('BENCH_CLIENTS', 1024);
  const bidsTotal = num('BENCH_BIDS', 100_000);
  const sizes = (env.BENCH_BIDS_PER_REQUEST ?? '1,10,100').split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) {
      throw new Error(`BENCH_BIDS_PER_REQUEST: ${s} is not a bid count in 1..10000`);
    }
    return n;
  });
  const maxSeconds = num('BENCH_MAX_SECONDS', 30);
  const baselineSeconds = num('BENCH_BASELINE_SECONDS', 10);
  const noopSeconds = num('BENCH_NOOP_SECONDS', 10);
  console.log(
    `bench: load average ${loadAverage()} (1, 5, 15 min), ${os.cpus().length} cores, Node ${process.version}`,
  );
  await up({ log: (l: string) => process.stderr.write(`[network] ${l}\n`) });

  let baseline = NaN;
  if (baselineSeconds > 0) {
    const b = await rawBench({
      tx: 'bid',
      bids: 1,
      clients: 4,
      concurrency: 32,
      duration: baselineSeconds,
      max: 100_000,
    });
    baseline = b.txPerSecond;
  }

  const config = loadConfig(env, {
    port: 0,
    logLevel: 'warn',
    rateLimit: { max: 10_000_000, timeWindowMs: 60_000 },
  });
  const api = await startApi({ config, benchRoute: true });
  const rows: Row[] = [];
  let noop: PhaseCpu | undefined;
  const network = await networkPidGroups();
  try {
    noop = await noopPhase(api.url, clients, noopSeconds, network);
    const noopCpu = cpuPerNoop(noop);
    const operator = new ApiClient(api.url, DEMO_TOKENS.operator);
    const users = [
      new ApiClient(api.url, DEMO_TOKENS.utility1),
      new ApiClient(api.url, DEMO_TOKENS.utility2),
    ];
    for (const perRequest of sizes) {
      const now = Date.now();
      const roundId = `bench-${now}-${perRequest}`;
      await operator.openRound({
        id: roundId,
        slot: instant(Math.ceil((now + 3_600_000) / 900_000) * 900_000),
        closesAt: instant(now + 30 * 60_000),
      });
      console.log(
        `bench: ${clients} clients x ${perRequest} bid(s) per request, up to ${bidsTotal} bids / ${maxSeconds} s; ` +
          `batch max ${config.batch.maxBids} bids / ${config.batch.maxWaitMs} ms, ${config.batch.maxInFlight} in flight per org`,
      );
      const txsBefore = await committedBatches(api.url);
      const { report, cpuMicros, split } = await measuredLoad(
        {
          url: api.url,
          path: `/v1/rounds/${encodeURIComponent(roundId)}/bids`,
          tokens: [DEMO_TOKENS.utility1, DEMO_TOKENS.utility2],
          clients,
          requests: Math.ceil(bidsTotal / perRequest),
          bidsPerRequest: perRequest,
          deadlineMs: Date.now() + maxSeconds * 1000,
          okStatus: 201,
        },
        network,
      );
      const txs = (await committedBatches(api.url)) - txsBefore;
      const latencies = report.latencies.sort((a, b) => a - b);
      const total = report.acked.reduce((a, b) => a + b, 0);
      const stored = await Promise.all(users.map((u) => u.bids(roundId)));
      const storedCount = stored.reduce((n, s) => n + s.bidCount, 0);
      const row: Row = {
        bidsPerRequest: perRequest,
        clients,
        bidsPerSecond: total / report.seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        txs,
        lost: Math.max(0, total - storedCount),
        failedRequests: Object.entries(report.statuses)
          .filter(([s]) => s !== '201')
          .reduce((n, [, c]) => n + c, 0),
        cpuPerRequest: cpuMicros / ackedRequests(report, perRequest),
        split,
        requests: ackedRequests(report, perRequest),
      };
      rows.push(row);
      console.log(`  statuses: ${JSON.stringify(report.statuses)}`);
      console.log(
        `  acknowledged (durable) bids: ${total} in ${report.seconds.toFixed(1)} s = ${row.bidsPerSecond.toFixed(0)} bids/s ` +
          `in ${txs} SubmitBids transactions (avg ${(total / Math.max(1, txs)).toFixed(0)} bids/tx)`,
      );
      console.log(
        `  latency of an acknowledged request: p50 ${row.p50.toFixed(0)} ms, p99 ${row.p99.toFixed(0)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(0)} ms`,
      );
      console.log(
        `  API CPU ${row.cpuPerRequest.toFixed(0)} µs per acknowledged request = ${ratioText(row.cpuPerRequest, noopCpu)} × the empty route ` +
          `(${((cpuMicros / 1e6 / report.seconds) * 100).toFixed(0)} % of a core)`,
      );
      console.log(
        `  read back through the API: ${storedCount} bids stored for ${total} acknowledged -> ${row.lost === 0 ? 'none lost' : `${row.lost} LOST`}`,
      );
    }
  } finally {
    await api.close();
  }

  const noopCpu = cpuPerNoop(noop);
  const report = new BenchReport('rest');
  report.note(`Baseline: raw 1-bid SubmitBids through the Fabric gateway: ${baseline.toFixed(1)} tx/s.`);
  report.note(`Empty route: ${noopCpu.toFixed(0)} µs API CPU per request.`);
  report.table('rest', TABLE_HEADER, tableRows(rows, baseline, noopCpu));
  report.table('rest-cpu', CPU_HEADER, cpuRows(noop, rows));
  noteTargets(report, rows, noopCpu);
  report.finish();
  if (rows.some((r) => r.lost > 0)) process.exitCode = 1;
}

const TABLE_HEADER = [
  'bids/request',
  'clients',
  'durable bids/s',
  '× baseline',
  'p50',
  'p99',
  'API CPU per request',
  '× empty route',
  'transactions',
  'failed requests',
  'lost',
];

/** A ratio to one decimal, "n/a" when its baseline phase was skipped (BENCH_*_SECONDS=0). */
const ratioText = (x: number, of: number): string => (Number.isFinite(x / of) ? (x / of).toFixed(1) : 'n/a');

function tableRows(rows: Row[], baseline: number, noopCpu: number): string[][] {
  return rows.map((r) => [
    String(r.bidsPerRequest),
    String(r.clients),
    Math.round(r.bidsPerSecond).toLocaleString('en-US'),
    ratioText(r.bidsPerSecond, baseline),
    `${r.p50.toFixed(0)} ms`,
    `${r.p99.toFixed(0)} ms`,
    `${r.cpuPerRequest.toFixed(0)} µs`,
    ratioText(r.cpuPerRequest, noopCpu),
    String(r.txs),
    String(r.failedRequests),
    String(r.lost),
  ]);
}

const CPU_GROUPS = ['API', 'load generator', 'peers', 'orderers', 'chaincode servers'] as const;
const CPU_HEADER = ['phase', 'machine busy', ...CPU_GROUPS.map((g) => `${g} µs/request`), 'other µs/request'];

/** Per phase: how busy the machine was, and each group's CPU per acknowledged request. */
function cpuRows(noop: PhaseCpu | undefined, rows: Row[]): string[][] {
  const phases = [
    ...(noop ? [{ name: 'empty route (204)', split: noop.split, requests: noop.requests }] : []),
    ...rows.map((r) => ({
      name: `${r.bidsPerRequest} bid(s)/request`,
      split: r.split,
      requests: r.requests,
    })),
  ];
  return phases.map(({ name, split, requests }) => {
    const perRequest = (seconds: number) => ((seconds * 1e6) / requests).toFixed(0);
    const named = CPU_GROUPS.reduce((s, g) => s + (split.groups[g] ?? 0), 0);
    const busy = split.machineBusy / split.machineTotal;
    return [
      name,
      `${(busy * 100).toFixed(0)} % of ${split.cores} cores`,
      ...CPU_GROUPS.map((g) => perRequest(split.groups[g] ?? 0)),
      perRequest(Math.max(0, split.machineBusy - named)),
    ];
  });
}

/** The single-bid targets: ≥ 6,000 durable bids/s and ≤ 3× the empty route's CPU per request. */
function noteTargets(report: BenchReport, rows: Row[], noopCpu: number): void {
  const single = rows.find((r) => r.bidsPerRequest === 1);
  if (!single) return;
  const ratio = single.cpuPerRequest / noopCpu;
  report.note(
    `1 bid per request: ${Math.round(single.bidsPerSecond).toLocaleString('en-US')} durable bids/s ` +
      `(target ≥ 6,000: ${single.bidsPerSecond >= 6000 ? 'met' : 'NOT met'}); API CPU ${ratio.toFixed(1)}× the empty route ` +
      `(target ≤ 3×: ${ratio <= 3 ? 'met' : 'NOT met'}).`,
  );
}

/** SubmitBids transactions the API has committed so far (its Prometheus counter; operator token). */
async function committedBatches(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${DEMO_TOKENS.operator}` } });
  if (!res.ok) throw new Error(`GET ${url}/metrics: HTTP ${res.status}`);
  const metrics = await res.text();
  return [...metrics.matchAll(/^api_bid_batches_total\{msp="[^"]+",outcome="committed"\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});

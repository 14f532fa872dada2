#!/usr/bin/env node
/**
 * `npm run bench:e2e`: durable bids per second through the REST API on the real Fabric network.
 *
 * Brings the network up (or reuses it) and starts the API in this process on 127.0.0.1 (free
 * port). First the baseline: BENCH_BASELINE_SECONDS of 1-bid SubmitBids transactions straight
 * through the Fabric gateway (no API, no micro-batching: the raw transaction ceiling). Then, for
 * each size in BENCH_BIDS_PER_REQUEST (a comma list), a fresh round and BENCH_CLIENTS concurrent
 * HTTP clients (half Utility1, half Utility2; in a worker thread) posting up to BENCH_BIDS requests'
 * worth of bids for at most BENCH_MAX_SECONDS. Every 201 means the bids are committed. Prints bids/s,
 * its ratio to the baseline, p50/p99 latency of an acknowledged request, and checks that every
 * acknowledged bid is in the round (read back through the API).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { bench as rawBench } from '../../network/src/bench';
import { up } from '../../network/src/network';
import { DEMO_TOKENS, loadConfig } from '../src/api/config';
import { startApi } from '../src/api/server';
import { ApiClient, instant } from '../src/rest-client';
import type { LoadJob, LoadReport } from './load-worker';

const env = process.env;
const num = (k: string, d: number): number => {
  const v = env[k] === undefined ? d : Number(env[k]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${k} must be a non-negative integer, got ${env[k]}`);
  return v;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function runLoad(job: LoadJob): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(__dirname, 'load-worker.js'), { workerData: job });
    w.once('message', (r: LoadReport) => resolve(r));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load worker exited with code ${code}`));
    });
  });
}

interface Row {
  bidsPerRequest: number;
  clients: number;
  bidsPerSecond: number;
  p50: number;
  p99: number;
  txs: number;
  lost: number;
  failedRequests: number;
}

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
  const api = await startApi({ config });
  const rows: Row[] = [];
  try {
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
      const report = await runLoad({
        url: api.url,
        tokens: [DEMO_TOKENS.utility1, DEMO_TOKENS.utility2],
        roundId,
        clients,
        requests: Math.ceil(bidsTotal / perRequest),
        bidsPerRequest: perRequest,
        deadlineMs: Date.now() + maxSeconds * 1000,
      });
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
        `  read back through the API: ${storedCount} bids stored for ${total} acknowledged -> ${row.lost === 0 ? 'none lost' : `${row.lost} LOST`}`,
      );
    }
  } finally {
    await api.close();
  }

  console.log(`\nbaseline: raw 1-bid SubmitBids through the Fabric gateway: ${baseline.toFixed(1)} tx/s`);
  console.log(
    '| bids/request | clients | durable bids/s | × baseline | p50 | p99 | transactions | failed requests | lost |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.bidsPerRequest} | ${r.clients} | ${r.bidsPerSecond.toFixed(0)} | ${(r.bidsPerSecond / baseline).toFixed(1)} | ` +
        `${r.p50.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${r.txs} | ${r.failedRequests} | ${r.lost} |`,
    );
  }
  if (rows.some((r) => r.lost > 0)) process.exitCode = 1;
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

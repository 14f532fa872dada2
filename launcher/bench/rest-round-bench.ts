/**
 * A city-sized round through the whole path (`npm run bench:rest-round`, issue #17): BENCH_BIDS
 * bids (default 10^6: half buyers of Utility1, half sellers of Utility2, one simulateRound) posted
 * to the REST API in requests of BENCH_BIDS_PER_REQUEST (default 100) by BENCH_CLIENTS concurrent
 * HTTP clients (a child process, gateway/bench/load-worker.ts), each bid acknowledged once
 * committed; then the operator's auctioneer service closes the round at its close time, clears it
 * and commits the clearing, which the chaincode re-verifies against the sealed batches.
 *
 * Brings the native network up (or reuses it); runs the API and the auctioneer in this process
 * (as a distribution operator's host would, on one machine with everything else). Reports the
 * submission rate (target ≥ 30,000 bids/s), closesAt → cleared and close → committed (target
 * ≤ 20 s), that the clearing counted every acknowledged bid, and the peak RSS of this process,
 * the load generator, the operator's peer and its chaincode server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { observeRounds, waitForClearing } from '../../auctioneer/bench/round-observer';
import { startAuctioneer } from '../../auctioneer/src/service/service';
import { BenchReport, megabytes, percentile } from '../../engine/bench/bench-report';
import type { WireBid } from '../../engine/src/mechanism/types';
import { simulateRound } from '../../engine/src/sim/simulate';
import { writePremadeRequests, type LoadReport } from '../../gateway/bench/load-worker';
import { runLoad } from '../../gateway/bench/run-load';
import { DEMO_TOKENS, loadConfig } from '../../gateway/src/api/config';
import { startApi } from '../../gateway/src/api/server';
import { ApiClient, instant } from '../../gateway/src/rest-client';
import { up } from '../../network/src/network';
import { PeakTracker, type Peaks } from '../../network/src/peak-rss';

const positiveInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`E_BENCH_ENV: ${name}=${String(raw)} is not a positive integer`);
  return n;
};
const BIDS = positiveInt('BENCH_BIDS', 1_000_000);
const PER_REQUEST = positiveInt('BENCH_BIDS_PER_REQUEST', 100);
const CLIENTS = positiveInt('BENCH_CLIENTS', 512);
/** the bidding window assumes at least this rate (bids/s); a slower submission misses the close */
const ASSUMED_RATE = 25_000;
const out = (line: string): boolean => process.stdout.write(line + '\n');
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The round's bids as requests of PER_REQUEST, Utility1's (buys, token 0) and Utility2's
 * (sells, token 1) alternating so that both orgs' lanes of the API's batcher work at once. */
function* requestsOf(bids: readonly WireBid[]): Generator<{ token: number; bids: WireBid[] }> {
  const sides = [bids.filter((b) => b.side === 'buy'), bids.filter((b) => b.side === 'sell')];
  const longest = Math.max(...sides.map((s) => s.length));
  for (let i = 0; i < longest; i += PER_REQUEST)
    for (const [token, side] of sides.entries()) {
      const chunk = side.slice(i, i + PER_REQUEST);
      if (chunk.length > 0) yield { token, bids: chunk };
    }
}

function reportRound(
  report: BenchReport,
  load: LoadReport,
  requests: number,
  cleared: Awaited<ReturnType<typeof waitForClearing>>,
  timing: { closedPerf: number; closesAt: number },
  peaks: Peaks,
): void {
  const acked = load.acked.reduce((a, b) => a + b, 0);
  const rate = acked / load.seconds;
  const latencies = [...load.latencies].sort((a, b) => a - b);
  const closeToCommitted = cleared.at - timing.closedPerf;
  const counted = cleared.info.prepared.bidCount;
  report.table(
    'rest-round',
    [
      'bids',
      'requests',
      'submitted at',
      'request p50 / p99',
      'closesAt → cleared',
      'close → committed',
      'commit',
      'bids cleared',
      'peak RSS API + auctioneer',
      'peak RSS load generator',
      'peak RSS operator peer',
      'peak RSS chaincode server',
    ],
    [
      [
        BIDS.toLocaleString('en-US'),
        `${requests.toLocaleString('en-US')} × ${PER_REQUEST}`,
        `${Math.round(rate).toLocaleString('en-US')} bids/s`,
        `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)} ms`,
        secs(cleared.wall - timing.closesAt),
        secs(closeToCommitted),
        secs(cleared.info.commitMs),
        counted.toLocaleString('en-US'),
        megabytes(peaks.bench),
        megabytes(load.maxRssBytes),
        megabytes(peaks.peer),
        megabytes(peaks.chaincode),
      ],
    ],
  );
  report.note(
    `${BIDS.toLocaleString('en-US')} bids over REST in ${PER_REQUEST}-bid requests (${CLIENTS} clients): submitted at ` +
      `${Math.round(rate).toLocaleString('en-US')} bids/s (target ≥ 30,000: ${rate >= 30_000 ? 'met' : 'NOT met'}); ` +
      `close → committed ${secs(closeToCommitted)} (target ≤ 20 s: ${closeToCommitted <= 20_000 ? 'met' : 'NOT met'}).`,
  );
  report.note(
    `The clearing counted ${counted.toLocaleString('en-US')} bids, the API acknowledged ${acked.toLocaleString('en-US')} ` +
      `(${counted === acked ? 'the same' : 'NOT the same'}); clearing price ${cleared.info.stored.price}.`,
  );
}

async function main(): Promise<void> {
  const { topology } = await up({ log: (l) => process.stderr.write(l + '\n') });
  const tracker = new PeakTracker(topology);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rest-round-bench-'));
  const { observed, hooks } = observeRounds();
  const id = `rest-round-${Date.now()}`;
  const config = loadConfig(
    {},
    { port: 0, logLevel: 'warn', rateLimit: { max: 10_000_000, timeWindowMs: 60_000 } },
  );
  const api = await startApi({ config });
  const service = await startAuctioneer(
    {
      mode: 'manual',
      http: { port: 0 },
      checkpointFile: path.join(tmp, 'checkpoint.json'),
      logLevel: 'warn',
    },
    hooks,
  );
  const report = new BenchReport('rest-round');
  try {
    await service.ready;
    const t0 = performance.now();
    const sim = simulateRound({ buyers: BIDS / 2, sellers: BIDS - BIDS / 2, seed: 17 });
    const bodies = path.join(tmp, 'requests.tsv');
    const requests = writePremadeRequests(bodies, requestsOf(sim.bids));
    out(`${BIDS} bids simulated and written as ${requests} requests in ${secs(performance.now() - t0)}`);

    const closesAt = Math.ceil((Date.now() + 10_000 + (BIDS / ASSUMED_RATE) * 1000) / 1000) * 1000;
    await new ApiClient(api.url, DEMO_TOKENS.operator).openRound({
      id,
      slot: instant(closesAt + 15 * 60_000),
      closesAt: instant(closesAt),
    });
    tracker.reset();
    const load = await runLoad({
      url: api.url,
      path: `/v1/rounds/${encodeURIComponent(id)}/bids`,
      tokens: [DEMO_TOKENS.utility1, DEMO_TOKENS.utility2],
      clients: CLIENTS,
      requests,
      bidsPerRequest: PER_REQUEST,
      deadlineMs: closesAt - 500,
      okStatus: 201,
      bodiesFile: bodies,
    });
    const acked = load.acked.reduce((a, b) => a + b, 0);
    out(
      `submitted: ${acked} bids acknowledged in ${load.seconds.toFixed(2)} s; statuses ${JSON.stringify(load.statuses)}`,
    );
    if (acked !== BIDS)
      throw new Error(
        `E_NOT_ALL_ACKED: ${acked} of ${BIDS} bids acknowledged before the close (statuses ${JSON.stringify(load.statuses)})`,
      );
    const cleared = await waitForClearing(observed, id, closesAt, BIDS);
    const closed = observed.closed.get(id);
    if (!closed) throw new Error('E_NOT_CLOSED: cleared without a close seen');
    reportRound(report, load, requests, cleared, { closedPerf: closed.perf, closesAt }, tracker.read());
  } finally {
    await service.stop();
    await api.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  report.finish();
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

#!/usr/bin/env node
/**
 * `npm run bench:e2e`: durable bids per second through the REST API on the real Fabric network.
 * Brings the network up (or reuses it), starts the API in this process on 127.0.0.1 (free port),
 * opens a round as the operator, then BENCH_CLIENTS concurrent clients (half Utility1, half Utility2)
 * post BENCH_REQUESTS requests of BENCH_BIDS_PER_REQUEST bids (bounded by BENCH_MAX_SECONDS).
 * Every 201 means the bids are committed. Prints bids/s and p50/p99 latency of an acknowledged
 * request, and checks that every acknowledged bid is in the round (read back through the API).
 */
import { loadConfig } from '../src/api/config';
import { startApi } from '../src/api/server';
import { ApiClient, instant } from '../src/cli/http';
import { DEMO_TOKENS } from '../src/api/config';
import { up } from '../../network/src/network';

const env = process.env;
const num = (k: string, d: number): number => (env[k] === undefined ? d : Number(env[k]));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const clients = num('BENCH_CLIENTS', 64);
  const requests = num('BENCH_REQUESTS', 2000);
  const perRequest = num('BENCH_BIDS_PER_REQUEST', 1);
  const maxSeconds = num('BENCH_MAX_SECONDS', 90);
  await up({ log: (l: string) => process.stderr.write(`[network] ${l}\n`) });
  const config = loadConfig(env, {
    port: 0,
    logLevel: 'warn',
    rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
  });
  const api = await startApi({ config });
  try {
    const operator = new ApiClient(api.url, DEMO_TOKENS.operator);
    const users = [
      new ApiClient(api.url, DEMO_TOKENS.utility1),
      new ApiClient(api.url, DEMO_TOKENS.utility2),
    ];
    const now = Date.now();
    const roundId = `bench-${now}`;
    await operator.openRound({
      id: roundId,
      slot: instant(Math.ceil((now + 3_600_000) / 900_000) * 900_000),
      closesAt: instant(now + 30 * 60_000),
    });
    console.log(
      `bench: ${clients} clients, ${requests} requests x ${perRequest} bid(s), batch max ${config.batch.maxBids} bids / ${config.batch.maxWaitMs} ms, ${config.batch.maxInFlight} in flight per org`,
    );

    let next = 0;
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const acked = [0, 0];
    const deadline = Date.now() + maxSeconds * 1000;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, w) => {
        const u = w % 2;
        const client = users[u];
        if (!client) return;
        while (next < requests && Date.now() < deadline) {
          const i = next++;
          const bids = Array.from({ length: perRequest }, (_, k) => ({
            id: `r${i}-${k}`,
            side: (i + k) % 2 === 0 ? ('buy' as const) : ('sell' as const),
            price: (i + k) % 2 === 0 ? `${14 + (i % 9)}.5` : `${5 + (i % 9)}.25`,
            quantity: `${1 + (i % 5)}.125`,
          }));
          const s = Date.now();
          const r = await client.request('POST', `/v1/rounds/${roundId}/bids`, { bids });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 201) {
            latencies.push(Date.now() - s);
            acked[u] = (acked[u] ?? 0) + perRequest;
          }
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const total = (acked[0] ?? 0) + (acked[1] ?? 0);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const txs = [
      ...metrics.matchAll(/^api_bid_batches_total\{msp="[^"]+",outcome="committed"\} (\d+)/gm),
    ].reduce((n, m) => n + Number(m[1]), 0);
    const stored = await Promise.all(users.map((u) => u.bids(roundId)));
    const storedCount = stored.reduce((n, s) => n + s.bidCount, 0);
    console.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    console.log(
      `acknowledged (durable) bids: ${total} in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(1)} bids/s`,
    );
    console.log(`SubmitBids transactions: ${txs} (avg ${(total / Math.max(1, txs)).toFixed(1)} bids/tx)`);
    console.log(
      `latency of an acknowledged request: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies[latencies.length - 1] ?? NaN} ms`,
    );
    console.log(
      `read back through the API: ${storedCount} bids stored for ${total} acknowledged -> ${storedCount >= total ? 'none lost' : 'LOST BIDS'}`,
    );
    if (storedCount < total) process.exitCode = 1;
  } finally {
    await api.close();
  }
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});

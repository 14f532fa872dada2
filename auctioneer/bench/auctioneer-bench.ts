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
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  await up({ log: (l) => process.stderr.write(l + '\n') });
  const gateways: Gateway[] = [];
  const client = async (msp: string) => {
    const g = await connectGateway(msp);
    gateways.push(g);
    return new MarketClient(g.getNetwork('energy').getContract('market'), msp);
  };
  const [operator, u1, u2] = [
    await client('OperatorMSP'),
    await client('Utility1MSP'),
    await client('Utility2MSP'),
  ];

  const closed = new Map<string, { perf: number; wall: number }>();
  const cleared = new Map<string, { at: number; info: ClearedInfo }>();
  const service = await startAuctioneer(
    {
      mode: 'manual',
      http: { port: 0 },
      checkpointFile: path.join(mkdtempSync(path.join(os.tmpdir(), 'auct-bench-')), 'checkpoint.json'),
      reconcileIntervalMs: 300_000,
      logLevel: 'warn',
    },
    {
      onClosed: (id) => closed.set(id, { perf: performance.now(), wall: Date.now() }),
      onCleared: (info) => cleared.set(info.roundId, { at: performance.now(), info }),
    },
  );
  const rows: {
    total: number;
    read: number;
    verify: number;
    clear: number;
    commit: number;
    closeLag: number;
  }[] = [];
  try {
    await service.ready;
    for (let run = 1; run <= RUNS; run++) {
      const round = simulateRound({ buyers: BUYERS, sellers: SELLERS, seed: 1000 + run });
      const buys = round.bids.filter((b) => b.side === 'buy');
      const sells = round.bids.filter((b) => b.side === 'sell');
      const id = `bench-${Date.now()}-${run}`;
      // bidding window: at 5,000 bids/s (the ledger takes 1,000-bid batches at ~40,000/s,
      // docs/benchmarks.md), at least 15 s
      const leadMs = Math.max(15_000, (BUYERS + SELLERS) / 5);
      const closesAtMs = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
      for (;;) {
        try {
          await operator.openRound({
            id,
            slot: instant(closesAtMs + 15 * 60_000),
            closesAt: instant(closesAtMs),
          });
          break;
        } catch (e) {
          // right after `up`, the orderers may still be electing a leader
          if (!(e instanceof MarketClientError && e.code === 'UNAVAILABLE')) throw e;
          await sleep(1000);
        }
      }
      const t0 = performance.now();
      const submits: (() => Promise<unknown>)[] = [];
      for (let i = 0; i < buys.length; i += BATCH)
        submits.push(() => u1.submitBids(id, buys.slice(i, i + BATCH)));
      for (let i = 0; i < sells.length; i += BATCH)
        submits.push(() => u2.submitBids(id, sells.slice(i, i + BATCH)));
      // a bounded number of batches in flight: more only queue up behind each other and hit deadlines
      let nextBatch = 0;
      await Promise.all(
        Array.from({ length: SUBMIT_CONCURRENCY }, async () => {
          while (nextBatch < submits.length) await submits[nextBatch++]!();
        }),
      );
      const submitMs = performance.now() - t0;
      if (Date.now() >= closesAtMs)
        throw new Error('bids were submitted after the close time: raise the lead time');
      const deadline = closesAtMs + 120_000;
      while (!cleared.has(id)) {
        if (Date.now() > deadline) throw new Error(`round ${id} was not cleared within 2 min of its close`);
        await sleep(50);
      }
      const c = cleared.get(id)!;
      const closedAt = closed.get(id);
      if (closedAt === undefined) throw new Error(`round ${id} was not closed by the service`);
      const t = c.info.prepared.timings;
      const row = {
        total: c.at - closedAt.perf,
        read: t.readMs,
        verify: t.verifyMs,
        clear: t.clearMs,
        commit: c.info.commitMs,
        closeLag: closedAt.wall - closesAtMs,
      };
      rows.push(row);
      const stored = await operator.getResult(id);
      process.stdout.write(
        `run ${run}: ${BUYERS} buyers x ${SELLERS} sellers (${submits.length} batches, submitted in ${(submitMs / 1000).toFixed(2)} s) ` +
          `status=${stored.status} price=${stored.price} energy=${stored.totals.energy} kWh — ` +
          `close committed ${(row.closeLag / 1000).toFixed(2)} s after closesAt; close→cleared ${(row.total / 1000).toFixed(3)} s (read ${row.read.toFixed(0)} ms, verify ${row.verify.toFixed(0)} ms, ` +
          `clear ${row.clear.toFixed(0)} ms, commit ${row.commit.toFixed(0)} ms)\n`,
      );
    }
  } finally {
    await service.stop();
    for (const g of gateways) g.close();
  }
  const col = (k: keyof (typeof rows)[number]) => rows.map((r) => r[k]);
  process.stdout.write(
    `\nclose→verified clearing committed, ${BUYERS} buyers x ${SELLERS} sellers, ${RUNS} runs: ` +
      `median ${(median(col('total')) / 1000).toFixed(3)} s, max ${(Math.max(...col('total')) / 1000).toFixed(3)} s (target ≤ 3 s)\n` +
      `  median parts: read ${median(col('read')).toFixed(0)} ms, verify ${median(col('verify')).toFixed(0)} ms, ` +
      `clear ${median(col('clear')).toFixed(0)} ms, commit ${median(col('commit')).toFixed(0)} ms\n` +
      `  machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

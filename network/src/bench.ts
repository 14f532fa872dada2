#!/usr/bin/env node
/**
 * `npm run bench:fabric` — throughput and latency of small write transactions on the running
 * native network (start it with `npm run network:up`), submitted through @hyperledger/fabric-gateway
 * by several concurrent clients, each on its own gRPC connection, to 127.0.0.1 only.
 *
 *   --tx open        OpenRound with a unique id per transaction (operator clients; default)
 *   --tx bid         SubmitBids into one open round (Utility1/Utility2 clients in turn, endorsed
 *                    by the utility and the operator peer, private data)
 *   --bids N         bids per SubmitBids batch with --tx bid (default 1; up to 10,000)
 *   --clients N      gateway connections (default 4)
 *   --concurrency N  transactions in flight over all clients (default 32)
 *   --duration S     measuring time in seconds (default 30; bounded)
 *   --max N          at most N transactions (default 5000)
 *
 * Latency = submitAsync + wait for the commit status (endorse, order, validate, commit).
 * Rounds created here have ids `bench-…` and close 10 minutes after the run.
 */
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { GatewayError, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { CHAINCODE_NAME, CHANNEL } from '../config/topology';
import { connectGateway } from '../../fabric-client/src/connect';
import { percentile } from '../../engine/bench/bench-report';

export interface BenchOptions {
  tx: 'open' | 'bid';
  bids: number;
  clients: number;
  concurrency: number;
  duration: number;
  max: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Item `i` of `list`, which the caller knows to exist. */
function nth<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new RangeError(`index ${i} outside 0..${list.length - 1}`);
  return item;
}

const TX_KINDS: readonly string[] = ['open', 'bid'] satisfies BenchOptions['tx'][];

function isTxKind(tx: string): tx is BenchOptions['tx'] {
  return TX_KINDS.includes(tx);
}

function describeError(err: unknown): string {
  if (err instanceof GatewayError) {
    return [err.message, ...err.details.map((d) => d.message)].join(' | ');
  }
  return err instanceof Error ? err.message : String(err);
}

async function submit(contract: Contract, name: string, args: string[], extra: object = {}): Promise<void> {
  const commit = await contract.submitAsync(name, { arguments: args, ...extra });
  const status = await commit.getStatus();
  if (!status.successful) throw new Error(`transaction ${status.transactionId} invalid: code ${status.code}`);
}

/** What one run measured. */
export interface BenchSummary {
  committed: number;
  failed: number;
  seconds: number;
  txPerSecond: number;
  bidsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function bench(o: BenchOptions): Promise<BenchSummary> {
  const run = `bench-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const closesAt = rfc3339(Date.now() + (o.duration + 600) * 1000);
  const gateways: Gateway[] = [];
  try {
    const mspFor = (i: number) =>
      o.tx === 'open' ? 'OperatorMSP' : i % 2 === 0 ? 'Utility1MSP' : 'Utility2MSP';
    for (let i = 0; i < o.clients; i++) gateways.push(await connectGateway(mspFor(i)));
    const contracts = gateways.map((g) => g.getNetwork(CHANNEL).getContract(CHAINCODE_NAME));

    let roundId = '';
    if (o.tx === 'bid') {
      const operator = await connectGateway('OperatorMSP');
      gateways.push(operator);
      roundId = `${run}-round`;
      const request = { id: roundId, slot: '2026-01-01T13:00:00Z', closesAt };
      await submit(operator.getNetwork(CHANNEL).getContract(CHAINCODE_NAME), 'OpenRound', [
        JSON.stringify(request),
      ]);
    }

    let issued = 0;
    const next = (client: number): Promise<void> => {
      const n = issued++;
      const contract = nth(contracts, client);
      if (o.tx === 'open') {
        const request = { id: `${run}-${n}`, slot: '2026-01-01T13:00:00Z', closesAt };
        return submit(contract, 'OpenRound', [JSON.stringify(request)]);
      }
      const batch = {
        salt: randomBytes(16).toString('hex'),
        bids: Array.from({ length: o.bids }, (_, k) => ({
          id: `b${n}-${k}`,
          side: k % 2 === 0 ? 'buy' : 'sell',
          price: (14 + (k % 80) / 10).toFixed(1),
          quantity: '2.5',
        })),
      };
      return submit(contract, 'SubmitBids', [roundId], {
        transientData: { batch: JSON.stringify(batch) },
        endorsingOrganizations: [mspFor(client), 'OperatorMSP'],
      });
    };

    console.log(
      `[bench] ${o.tx === 'open' ? 'OpenRound' : `SubmitBids (${o.bids} bid(s) per batch)`}: ${o.clients} clients, ` +
        `${o.concurrency} in flight, up to ${o.duration} s / ${o.max} transactions`,
    );
    const latencies: number[] = [];
    const errors = new Map<string, number>();
    const start = Date.now();
    const stopAt = start + o.duration * 1000;
    const worker = async (w: number) => {
      while (Date.now() < stopAt && issued < o.max) {
        const t0 = performance.now();
        try {
          await next(w % o.clients);
          latencies.push(performance.now() - t0);
        } catch (err) {
          const msg = describeError(err).slice(0, 200);
          errors.set(msg, (errors.get(msg) ?? 0) + 1);
        }
      }
    };
    const progress = setInterval(() => {
      const s = (Date.now() - start) / 1000;
      console.log(
        `[bench] ${s.toFixed(0)} s: ${latencies.length} committed (${(latencies.length / s).toFixed(1)} tx/s)`,
      );
    }, 5000);
    await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
    clearInterval(progress);
    const elapsed = (Date.now() - start) / 1000;

    latencies.sort((a, b) => a - b);
    const failed = [...errors.values()].reduce((a, b) => a + b, 0);
    const summary: BenchSummary = {
      committed: latencies.length,
      failed,
      seconds: elapsed,
      txPerSecond: latencies.length / elapsed,
      bidsPerSecond: o.tx === 'bid' ? (latencies.length * o.bids) / elapsed : 0,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
    console.log(
      `[bench] ${latencies.length} committed, ${failed} failed in ${elapsed.toFixed(1)} s: ` +
        `${(latencies.length / elapsed).toFixed(1)} tx/s` +
        (o.tx === 'bid' ? ` = ${((latencies.length * o.bids) / elapsed).toFixed(0)} bids/s` : '') +
        `; latency p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${(latencies[latencies.length - 1] ?? NaN).toFixed(0)} ms`,
    );
    for (const [msg, count] of errors) console.log(`[bench]   ${count} × ${msg}`);
    if (latencies.length === 0) process.exitCode = 1;
    return summary;
  } finally {
    for (const g of gateways) g.close();
  }
}

if (require.main === module) {
  const int = (name: string, min: number, max: number) => (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name} must be an integer in ${min}..${max}`);
    return n;
  };
  const program = new Command('bench:fabric')
    .description('throughput and latency of write transactions on the running native network')
    .option('--tx <kind>', 'open (OpenRound) or bid (SubmitBids)', 'open')
    .option('--bids <n>', 'bids per SubmitBids batch (with --tx bid)', int('bids', 1, 10_000), 1)
    .option('--clients <n>', 'gateway connections', int('clients', 1, 64), 4)
    .option('--concurrency <n>', 'transactions in flight', int('concurrency', 1, 512), 32)
    .option('--duration <s>', 'seconds of measurement', int('duration', 1, 300), 30)
    .option('--max <n>', 'at most this many transactions', int('max', 1, 100_000), 5000)
    .parse();
  // --tx is whatever was typed: checked here, not by commander.
  const opts = program.opts<Omit<BenchOptions, 'tx'> & { tx: string }>();
  if (!isTxKind(opts.tx)) {
    console.error('[bench] --tx must be open or bid');
    process.exit(2);
  }
  bench({ ...opts, tx: opts.tx }).catch((err: unknown) => {
    console.error(`[bench] ${describeError(err)}`);
    process.exit(1);
  });
}

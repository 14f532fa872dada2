/**
 * The Caliper benchmark configuration: four rounds on one auction round, in order
 *   open   – OpenRound (worker 0)
 *   submit – every SubmitBids transaction of the plan (plan.ts), `inFlight` kept in flight in total
 *   close  – CloseRound (worker 0) once closesAt has passed
 *   clear  – CommitClearing of the auctioneer's clearing (worker 0)
 * (the other workers send one query in each single-transaction round). Pure: run.ts writes it.
 */
import * as path from 'node:path';
import type { WorkloadArgs } from './workload-args';

export interface BenchmarkOptions {
  args: WorkloadArgs;
  /** Caliper worker processes */
  workers: number;
  /** SubmitBids transactions kept in flight over all workers (Caliper's fixed-load controller) */
  inFlight: number;
  /** SubmitBids transactions in the plan (bidPlan(args).txs.length) */
  submitTxs: number;
  /** the folder of the compiled workload modules (dist/bench/caliper/src/workload) */
  workloadDir: string;
}

interface CaliperRound {
  label: string;
  description: string;
  txNumber: number;
  rateControl: { type: 'fixed-load'; opts: { transactionLoad: number; startTps: number } };
  workload: { module: string; arguments: WorkloadArgs };
}

export interface BenchmarkConfig {
  test: { name: string; description: string; workers: { number: number }; rounds: CaliperRound[] };
}

function checkOptions(o: BenchmarkOptions): void {
  for (const [k, v] of [
    ['workers', o.workers],
    ['inFlight', o.inFlight],
    ['submitTxs', o.submitTxs],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be an integer >= 1, got ${v}`);
  }
  if (o.submitTxs % o.workers !== 0) {
    // Caliper gives each worker floor(txNumber / workers) transactions: the rest would never be sent
    throw new Error(`${o.submitTxs} SubmitBids transactions do not divide among ${o.workers} workers`);
  }
}

export function benchmarkConfig(o: BenchmarkOptions): BenchmarkConfig {
  checkOptions(o);
  const round = (label: string, description: string, module: string, txNumber: number, load: number) => ({
    label,
    description,
    txNumber,
    rateControl: { type: 'fixed-load' as const, opts: { transactionLoad: load, startTps: 1000 } },
    workload: { module: path.join(o.workloadDir, `${module}.js`), arguments: o.args },
  });
  const a = o.args;
  const one = o.workers; // one request per worker
  return {
    test: {
      name: 'energy-auction',
      description:
        `sealed-bid round ${a.roundId}: ${a.buyers} buyers (${a.buyerMsp}) x ${a.sellers} sellers (${a.sellerMsp}), ` +
        `${a.bidsPerTx} bid(s) per SubmitBids`,
      workers: { number: o.workers },
      rounds: [
        round('open', 'OpenRound by the operator', 'open-round', one, one),
        round(
          'submit',
          'SubmitBids, transient batch, endorsed by the utility and the operator',
          'submit-bids',
          o.submitTxs,
          o.inFlight,
        ),
        round('close', 'CloseRound by the operator after closesAt', 'close-round', one, one),
        round('clear', "CommitClearing of the auctioneer's verified clearing", 'clear-round', one, one),
      ],
    },
  };
}

/** The benches `npm run bench:all` runs (launcher/bench/bench-all.ts), each a docs/benchmarks.md block. */
export interface BenchSpec {
  name: string;
  /** node arguments, relative to the repository root */
  args: string[];
  env?: Record<string, string>;
  limitMinutes: number;
  /** runs on the native Fabric network */
  network: boolean;
}

/** Every bench, in the order they run; the sum of the limits bounds the whole run (20 min). */
export const BENCHES: readonly BenchSpec[] = [
  {
    name: 'clear',
    args: ['--expose-gc', 'dist/engine/bench/clear-bench.js'],
    limitMinutes: 3,
    network: false,
  },
  {
    name: 'mechanisms',
    args: ['--expose-gc', 'dist/engine/bench/mechanisms-bench.js'],
    limitMinutes: 2,
    network: false,
  },
  {
    name: 'clearing',
    args: ['dist/auctioneer/bench/auctioneer-bench.js'],
    env: { BENCH_RUNS: '3' },
    limitMinutes: 2,
    network: true,
  },
  { name: 'rest', args: ['dist/gateway/bench/api-bench.js'], limitMinutes: 2, network: true },
  { name: 'delivery', args: ['dist/launcher/bench/delivery-bench.js'], limitMinutes: 3, network: true },
  // last: their 10^6-bid rounds may fail to clear, and the ledger keeps such a round CLOSED, so
  // every auctioneer started afterwards on this network retries it (bench:all starts on a purged
  // network)
  {
    name: 'scaling',
    args: ['dist/auctioneer/bench/auctioneer-bench.js'],
    env: { BENCH_SCALING: '1000,10000,100000,200000,1000000' },
    limitMinutes: 5,
    network: true,
  },
  { name: 'rest-round', args: ['dist/launcher/bench/rest-round-bench.js'], limitMinutes: 3, network: true },
];

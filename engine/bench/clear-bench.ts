/**
 * Clearing-engine benchmark (`npm run bench:clear`; run with node --expose-gc).
 *
 * For 10^4, 10^5 and 10^6 bids (half buyers, half sellers; simulateRound's default distribution),
 * it reports the median of several runs of:
 *   - clear(params, bids) on validated integer bids, both profiles, and (default profile) on the
 *     same bids shuffled (ids then no longer ascend in input order: the slower ordering path);
 *   - clearRound(round) on the wire round (validation + clearing);
 *   - sorting the same validated bids by price with Array.prototype.sort and a comparator,
 * the ratio clear / sort, and memory: the heap retained by a result and the process's peak RSS.
 * Targets: 10^6 bids clear in ≤ 1 s and ≤ 3× the sort.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { clear, clearRound, validateRound } from '../src/mechanism';
import type { Bid, WireClearingResult } from '../src/mechanism/types';
import { simulateRound } from '../src/sim/simulate';
import { shuffled } from '../src/sim/shuffle';

const SIZES = [10_000, 100_000, 1_000_000];
const SEED = 20210;

const gc = (globalThis as { gc?: () => void }).gc;
const collect = (): void => gc?.();

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs fn `reps` times after `warm` warm-up runs, a GC before each run; returns the median ms. */
function time<T>(warm: number, reps: number, fn: () => T): { ms: number; last: T } {
  let last = fn();
  for (let w = 1; w < warm; w++) last = fn();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    collect();
    const t0 = performance.now();
    last = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), last };
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

const HEADER = [
  'bids',
  'runs',
  'clear default',
  'clear doan2021',
  'clear shuffled',
  'clearRound',
  'sort by price',
  'ratio',
  'result heap',
  'peak RSS',
  'price',
];

function printPreamble(): void {
  if (!gc) console.warn('(run with node --expose-gc for stable numbers)');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`clear-bench: node ${process.version}, ${os.cpus().length} cores (${cpu}), ${os.platform()}`);
  console.log('bids: simulateRound defaults (buy 14..22, sell 5..13, 0.1..5 kWh, alpha 4), seed', SEED);
  console.log('times: median ms of the runs after warm-up runs; ratio = clear(default) / sort\n');
}

/** Small sizes get more warm-up runs (so that the JIT has optimized the code) and more runs. */
function runsFor(n: number): { warm: number; reps: number } {
  const warm = Math.max(1, Math.floor(200_000 / n));
  if (n >= 1_000_000) return { warm, reps: 5 };
  return { warm, reps: n >= 100_000 ? 9 : 21 };
}

/** The heap retained by one result (the bids themselves are already live). */
function resultHeapOf(fn: () => WireClearingResult): { bytes: number; result: WireClearingResult } {
  collect();
  const before = process.memoryUsage().heapUsed;
  const result = fn();
  collect();
  return { bytes: process.memoryUsage().heapUsed - before, result };
}

/** One table row: every measurement for a round of n bids. */
function measure(n: number): string[] {
  const { warm, reps } = runsFor(n);
  const round = simulateRound({ buyers: n / 2, sellers: n / 2, seed: SEED });
  const { params, bids } = validateRound(round);
  const byPrice = (a: Bid, b: Bid): number => a.price - b.price;
  const clearDefault = (input: Bid[]): WireClearingResult => clear({ ...params, profile: 'default' }, input);

  const sort = time(warm, reps, () => bids.slice().sort(byPrice));
  const def = time(warm, reps, () => clearDefault(bids)).ms;
  const doan = time(warm, reps, () => clear({ ...params, profile: 'doan2021' }, bids));
  const mixed = shuffled(bids, 12345);
  const shuffledTiming = time(warm, reps, () => clearDefault(mixed));
  const wire = time(warm, reps, () => clearRound(round));
  const kept = resultHeapOf(() => clearDefault(bids));
  const peakRss = process.resourceUsage().maxRSS * 1024;

  return [
    n.toLocaleString('en-US'),
    String(reps),
    fmt(def),
    fmt(doan.ms),
    fmt(shuffledTiming.ms),
    fmt(wire.ms),
    fmt(sort.ms),
    `${(def / sort.ms).toFixed(2)}x`,
    mb(kept.bytes),
    mb(peakRss),
    `${kept.result.price} / ${doan.last.price}`,
  ];
}

function printTable(rows: string[][]): void {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padStart(widths[i] as number)).join(' | ')} |`;
  console.log();
  console.log(line(HEADER));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

function printTargets(big: string[]): void {
  const ms = Number(big[2]);
  const ratio = Number((big[7] as string).replace('x', ''));
  console.log(
    `\n10^6 bids: clear ${ms} ms (target ≤ 1000: ${ms <= 1000 ? 'met' : 'NOT met'}), ` +
      `${ratio}x the sort (target ≤ 3: ${ratio <= 3 ? 'met' : 'NOT met'})`,
  );
}

function main(): void {
  printPreamble();
  const rows: string[][] = [];
  for (const n of SIZES) {
    const row = measure(n);
    rows.push(row);
    console.log(row.join('  '));
  }
  printTable(rows);
  const big = rows[rows.length - 1];
  if (big) printTargets(big);
}

main();

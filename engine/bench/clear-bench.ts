/**
 * Clearing-engine benchmark (`npm run bench:clear`; run with node --expose-gc).
 *
 * For 10^4, 10^5 and 10^6 bids (half buyers, half sellers; simulateRound's default distribution),
 * it reports the median of several runs of:
 *   - clear(params, bids) on validated integer bids, both profiles, in the simulator's order (ids
 *     ascending), and (default profile) in two more input orders, each against a sort of that same
 *     input (the fair baseline: a comparator sort also runs slower on scattered objects):
 *       ledger:   the ids the chaincode gives (`<batchId>.<position>`, chaincode/src/assemble.ts),
 *                 100-bid batches in batch-id order, as the auctioneer reads a real round;
 *       shuffled: the simulated bids in a random order (ids no longer ascend: the slower path);
 *   - clearRound(round) on the wire round (validation + clearing);
 *   - sorting the validated bids by price with Array.prototype.sort and a comparator,
 * the ratios clear / sort, and memory: the heap retained by a result and the process's peak RSS.
 * Targets at 10^6 bids: clear in ≤ 1 s and ≤ 3× the sort; shuffled input ≤ 3× a sort of the same
 * shuffled bids and ≤ 1.5× the clear of the simulator's order.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { clear, clearRound, validateRound } from '../src/mechanism';
import type { Bid, RoundParams, WireClearingResult } from '../src/mechanism/types';
import { simulateRound } from '../src/sim/simulate';
import { shuffled } from '../src/sim/shuffle';
import { BenchReport, median } from './bench-report';

const SIZES = [10_000, 100_000, 1_000_000];
const SEED = 20210;

const gc = (globalThis as { gc?: () => void }).gc;
const collect = (): void => gc?.();

/** Every GC pause (start, duration in ms), as the observer reports them after the fact. */
const gcPauses: { start: number; ms: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, ms: e.duration });
}).observe({ entryTypes: ['gc'] });

/** The timed runs' windows, whose GC pauses gcPerRun adds up once the observer has reported them. */
type Windows = [number, number][];

/** Mean GC ms per timed run (not the forced GC between runs): call after the observer has run. */
function gcPerRun(windows: Windows): number {
  let ms = 0;
  for (const p of gcPauses) if (windows.some(([a, b]) => p.start >= a && p.start < b)) ms += p.ms;
  return ms / Math.max(windows.length, 1);
}

/** Runs fn `reps` times after `warm` warm-up runs, a GC before each run; returns the median ms. */
function time<T>(warm: number, reps: number, fn: () => T): { ms: number; last: T; windows: Windows } {
  let last = fn();
  for (let w = 1; w < warm; w++) last = fn();
  const times: number[] = [];
  const windows: Windows = [];
  for (let r = 0; r < reps; r++) {
    collect();
    const t0 = performance.now();
    last = fn();
    const t1 = performance.now();
    times.push(t1 - t0);
    windows.push([t0, t1]);
  }
  return { ms: median(times), last, windows };
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

const HEADER = [
  'bids',
  'runs',
  'clear default',
  'clear doan2021',
  'clearRound',
  'sort by price',
  'ratio',
  'clear ledger',
  'sort ledger',
  'ratio ledger',
  'clear shuffled',
  'sort shuffled',
  'ratio shuffled',
  'shuffled / default',
  'GC default',
  'GC shuffled',
  'result heap',
  'peak RSS',
  'price',
];

/** Bids per batch in the ledger order: what a REST client sending 100-bid requests produces. */
const LEDGER_BATCH = 100;

/**
 * The bids as the auctioneer reads a real round: 100-bid batches with hash-like 16-hex batch ids,
 * batches in batch-id order, each bid renamed `<batchId>.<position, 4 digits>` (the chaincode's
 * market id, chaincode/src/assemble.ts; written out here because the engine imports no chaincode).
 */
function ledgerOrder(bids: readonly Bid[]): Bid[] {
  const batches: { batchId: string; bids: readonly Bid[] }[] = [];
  for (let i = 0; i < bids.length; i += LEDGER_BATCH) {
    const batchId = createHash('sha256').update(`batch-${i}`).digest('hex').slice(0, 16);
    batches.push({ batchId, bids: bids.slice(i, i + LEDGER_BATCH) });
  }
  batches.sort((a, b) => (a.batchId < b.batchId ? -1 : 1));
  return batches.flatMap(({ batchId, bids: batch }) =>
    batch.map((b, k) => ({ ...b, id: `${batchId}.${String(k).padStart(4, '0')}` })),
  );
}

function printPreamble(): void {
  if (!gc) console.warn('(run with node --expose-gc for stable numbers)');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`clear-bench: node ${process.version}, ${os.cpus().length} cores (${cpu}), ${os.platform()}`);
  console.log('bids: simulateRound defaults (buy 14..22, sell 5..13, 0.1..5 kWh, alpha 4), seed', SEED);
  console.log(
    'times: median ms of the runs after warm-up runs; ratio = clear(default) / sort of the same input\n',
  );
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

const byPrice = (a: Bid, b: Bid): number => a.price - b.price;

/** clear(default) on one input order, and a sort by price of that same input. */
function clearAndSort(
  params: RoundParams,
  input: Bid[],
  runs: { warm: number; reps: number },
): { clearMs: number; sortMs: number; clearWindows: Windows } {
  const sortMs = time(runs.warm, runs.reps, () => input.slice().sort(byPrice)).ms;
  const cleared = time(runs.warm, runs.reps, () => clear({ ...params, profile: 'default' }, input));
  return { clearMs: cleared.ms, sortMs, clearWindows: cleared.windows };
}

const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

/** One table row: every measurement for a round of n bids. */
async function measure(n: number): Promise<string[]> {
  const runs = runsFor(n);
  const { warm, reps } = runs;
  const round = simulateRound({ buyers: n / 2, sellers: n / 2, seed: SEED });
  const { params, bids } = validateRound(round);
  const clearDefault = (input: Bid[]): WireClearingResult => clear({ ...params, profile: 'default' }, input);

  const simulated = clearAndSort(params, bids, runs);
  const doan = time(warm, reps, () => clear({ ...params, profile: 'doan2021' }, bids));
  const wire = time(warm, reps, () => clearRound(round));
  const ledger = clearAndSort(params, ledgerOrder(bids), runs);
  const mixed = clearAndSort(params, shuffled(bids, 12345), runs);
  const kept = resultHeapOf(() => clearDefault(bids));
  const peakRss = process.resourceUsage().maxRSS * 1024;
  await new Promise((resolve) => setTimeout(resolve, 200)); // the GC observer reports (later than setImmediate)

  return [
    n.toLocaleString('en-US'),
    String(reps),
    fmt(simulated.clearMs),
    fmt(doan.ms),
    fmt(wire.ms),
    fmt(simulated.sortMs),
    ratio(simulated.clearMs, simulated.sortMs),
    fmt(ledger.clearMs),
    fmt(ledger.sortMs),
    ratio(ledger.clearMs, ledger.sortMs),
    fmt(mixed.clearMs),
    fmt(mixed.sortMs),
    ratio(mixed.clearMs, mixed.sortMs),
    ratio(mixed.clearMs, simulated.clearMs),
    fmt(gcPerRun(simulated.clearWindows)),
    fmt(gcPerRun(mixed.clearWindows)),
    mb(kept.bytes),
    mb(peakRss),
    `${kept.result.price} / ${doan.last.price}`,
  ];
}

const cell = (row: string[], column: string): number =>
  Number((row[HEADER.indexOf(column)] as string).replace('x', ''));
const verdict = (value: number, target: number): string =>
  `target ≤ ${target}: ${value <= target ? 'met' : 'NOT met'}`;

function noteTargets(report: BenchReport, big: string[]): void {
  const ms = cell(big, 'clear default');
  const sortRatio = cell(big, 'ratio');
  const shuffledRatio = cell(big, 'ratio shuffled');
  const shuffledVsSorted = cell(big, 'shuffled / default');
  report.note(
    `10^6 bids: clear ${ms} ms (${verdict(ms, 1000)}), ${sortRatio}x the sort (${verdict(sortRatio, 3)}).`,
  );
  report.note(
    `Shuffled: ${shuffledRatio}x a sort of the same shuffled bids (${verdict(shuffledRatio, 3)}), ` +
      `${shuffledVsSorted}x the clear in simulated order (${verdict(shuffledVsSorted, 1.5)}).`,
  );
  report.note(`Ledger order: ${cell(big, 'ratio ledger')}x a sort of the same input.`);
  // the same heap marked in another order: what the shuffled input costs the GC, not the clear
  const gcSorted = cell(big, 'GC default');
  const gcShuffled = cell(big, 'GC shuffled');
  const withoutGc = (cell(big, 'clear shuffled') - gcShuffled) / (ms - gcSorted);
  report.note(
    `GC per clear: ${gcSorted} ms in simulated order, ${gcShuffled} ms shuffled; without GC the ` +
      `shuffled clear takes ${withoutGc.toFixed(2)}x the clear in simulated order.`,
  );
}

async function main(): Promise<void> {
  printPreamble();
  const rows: string[][] = [];
  for (const n of SIZES) {
    const row = await measure(n);
    rows.push(row);
    console.log(row.join('  '));
  }
  const report = new BenchReport('clear');
  report.table('clear', HEADER, rows);
  const big = rows[rows.length - 1];
  if (big) noteTargets(report, big);
  report.finish();
}

void main();

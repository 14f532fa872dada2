/**
 * Mechanisms benchmark (`npm run bench:mechanisms`; run with node --expose-gc).
 *
 * For 10^5 and 10^6 bids (half buyers, half sellers; simulateRound's default distribution), the
 * median time of every mechanism of engine/src/mechanisms on the validated bids, and of a sort of
 * the same bids by price (Array.prototype.sort with a comparator) in the same run; the ratio
 * mechanism / sort. Target: each ≤ 3× the sort (docs/mechanisms.md §7).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { validateRound } from '../src/mechanism';
import type { Bid } from '../src/mechanism/types';
import { MECHANISM_NAMES, MECHANISMS, type MechanismResult } from '../src/mechanisms';
import { simulateRound } from '../src/sim/simulate';
import { BenchReport, median } from './bench-report';

const SIZES = [100_000, 1_000_000];
const SEED = 20210;

const gc = (globalThis as { gc?: () => void }).gc;

/** The median ms of `reps` runs after one warm-up run, a GC before each. */
function time<T>(reps: number, fn: () => T): { ms: number; last: T } {
  let last = fn();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    gc?.();
    const t0 = performance.now();
    last = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), last };
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

const HEADER = ['bids', 'mechanism', 'ms', 'sort ms', 'ratio', 'target', 'kWh traded', 'operator balance'];

function rowsFor(n: number): string[][] {
  const reps = n >= 1_000_000 ? 3 : 5;
  const { params, bids } = validateRound(simulateRound({ buyers: n / 2, sellers: n / 2, seed: SEED }));
  const byPrice = (a: Bid, b: Bid): number => a.price - b.price;
  const rows: string[][] = [];
  for (const name of MECHANISM_NAMES) {
    // the sort is timed next to each mechanism, so that both see the same machine load
    const sort = time(reps, () => bids.slice().sort(byPrice)).ms;
    const run = time(reps, (): MechanismResult => MECHANISMS[name](params, bids));
    const ratio = run.ms / sort;
    rows.push([
      n.toLocaleString('en-US'),
      name,
      fmt(run.ms),
      fmt(sort),
      `${ratio.toFixed(2)}x`,
      ratio <= 3 ? 'met' : 'NOT met',
      run.last.totals.energy,
      run.last.totals.operatorBalance,
    ]);
    console.error(`${n} ${name}: ${fmt(run.ms)} ms (sort ${fmt(sort)} ms)`);
  }
  return rows;
}

function main(): void {
  if (!gc) console.warn('(run with node --expose-gc for stable numbers)');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`mechanisms-bench: node ${process.version}, ${os.cpus().length} cores (${cpu})`);
  console.log('bids: simulateRound defaults, seed', SEED, '; median ms; ratio = mechanism / sort by price\n');
  const report = new BenchReport('mechanisms');
  const rows = SIZES.flatMap(rowsFor);
  report.table('mechanisms', HEADER, rows);
  const over = rows.filter((r) => r[5] !== 'met').map((r) => `${r[1]} at ${r[0]}`);
  report.note(
    over.length === 0
      ? 'Every mechanism within 3× the sort of the same bids (target met).'
      : `Over 3× the sort: ${over.join(', ')} (target NOT met).`,
  );
  report.finish();
}

main();

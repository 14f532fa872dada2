/**
 * What every benchmark reports, in one shape: markdown tables (printed, and written as JSON to
 * the file named by BENCH_JSON when set) plus summary lines. `npm run bench:all`
 * (launcher/bench/bench-all.ts) runs the benches with BENCH_JSON and writes their tables into
 * docs/benchmarks.md, so the document holds the figures of one run. Lives in engine/ because
 * every bench folder may import engine/ (.dependency-cruiser.cjs).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';

/** One table: a header and rows of already formatted cells. */
export interface BenchTable {
  header: readonly string[];
  rows: readonly (readonly string[])[];
}

/** A bench's result: its tables by key (the key names the docs/benchmarks.md block) and notes. */
export interface BenchResult {
  bench: string;
  tables: Record<string, BenchTable>;
  /** sentences printed under the tables (targets met or not, medians) */
  notes: readonly string[];
  /** unformatted figures by key, for plots and CSV files */
  data: Record<string, readonly Record<string, number | string>[]>;
  /** machine, Node and load average when the bench started and ended */
  machine: string;
}

/** The 1, 5 and 15 min load averages, e.g. "0.52 1.10 2.03". */
export const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The load average when this module was loaded, i.e. when the bench process started. */
const LOAD_AT_START = loadAverage();

/** "2 × AMD EPYC …, 23 GB, Node v20.20.2, linux": what a figure was measured on. */
export function machineDescription(): string {
  const cpus = os.cpus();
  const gb = Math.round(os.totalmem() / 2 ** 30);
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${gb} GB, Node ${process.version}, ${os.platform()}`;
}

/** Collects a bench's tables and notes; `finish` prints the notes and writes BENCH_JSON. */
export class BenchReport {
  private readonly tables: Record<string, BenchTable> = {};
  private readonly notes: string[] = [];
  private readonly series: Record<string, readonly Record<string, number | string>[]> = {};

  constructor(private readonly bench: string) {}

  /** Adds a table under `key` and prints it as markdown. */
  table(key: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
    this.tables[key] = { header, rows };
    process.stdout.write(`\n${markdownTable(header, rows)}\n`);
  }

  /** Adds a summary sentence and prints it. */
  note(line: string): void {
    this.notes.push(line);
    process.stdout.write(`${line}\n`);
  }

  /** Adds unformatted figures under `key` (not printed). */
  data(key: string, rows: readonly Record<string, number | string>[]): void {
    this.series[key] = rows;
  }

  /** Writes the JSON result to BENCH_JSON, if set. */
  finish(): void {
    const file = process.env.BENCH_JSON;
    if (!file) return;
    const result: BenchResult = {
      bench: this.bench,
      tables: this.tables,
      notes: this.notes,
      data: this.series,
      machine: `${machineDescription()}; load average ${LOAD_AT_START} at the start, ${loadAverage()} at the end`,
    };
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  }
}

/** A markdown table, cells padded so that it also reads as plain text. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The exponent b of y ≈ a · x^b fitted by least squares on the logs (NaN for < 2 distinct x). */
export function fittedExponent(points: readonly { x: number; y: number }[]): number {
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.y));
  const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * ((ys[i] ?? my) - my);
    sxx += (x - mx) ** 2;
  });
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

/** The p-th percentile (nearest rank) of ascending `sorted`, NaN for none: request latencies. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Bytes as whole MiB ("–" when not measured): the benches' peak-RSS columns. */
export const megabytes = (bytes: number | undefined): string =>
  bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** The median of `xs` (NaN for none): the figure each bench reports of its repeated runs. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (i: number): number => s[i] ?? Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? at(m) : (at(m - 1) + at(m)) / 2;
}

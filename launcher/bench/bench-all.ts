#!/usr/bin/env node
/**
 * `npm run bench:all`: every benchmark in one go, then docs/benchmarks.md's generated blocks
 * rewritten from what this run measured (launcher/bench/benchmarks-doc.ts), plus the scaling
 * figures as docs/img/scaling.csv and docs/img/scaling.svg.
 *
 * Each bench runs as its own process (so one's heap and JIT state do not colour the next), with
 * BENCH_JSON naming the file it writes its tables to, and a time limit; a bench that fails or
 * overruns is reported in its block as not measured, and the others still run. Logs and JSON go to
 * bench-results/<timestamp>/. A run with network benches starts by purging the native network
 * (fresh ledgers: every run measures the same conditions, and no round a former run left
 * unclearable is retried by the benches' auctioneers); the first network bench brings it up, and
 * it is left running.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { down } from '../../network/src/network';
import type { BenchResult } from '../../engine/bench/bench-report';
import { renderSvg } from '../../workbench/src/plot/render';
import { updateBenchmarksDoc, type BenchOutcome } from './benchmarks-doc';
import { BENCHES, type BenchSpec } from './bench-list';
import { scalingChart, scalingCsv } from './scaling-chart';

const repo = path.resolve(__dirname, '../../..');

/** The last non-empty line of a log: what a failed bench said last. */
function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return (lines.at(-1) ?? '').slice(0, 300);
}

/** Runs one bench with its limit; its result or why there is none. Output is logged and echoed. */
function runBench(spec: BenchSpec, outDir: string): Promise<BenchOutcome> {
  const jsonFile = path.join(outDir, `${spec.name}.json`);
  const logFile = path.join(outDir, `${spec.name}.log`);
  const envText = Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v} `);
  const command = `${envText.join('')}node ${spec.args.join(' ')}`;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const log = createWriteStream(logFile);
    let tail = '';
    const child = spawn(process.execPath, spec.args, {
      cwd: repo,
      env: { ...process.env, ...spec.env, BENCH_JSON: jsonFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer, echo: boolean): void => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', (c: Buffer) => keep(c, true));
    child.stderr.on('data', (c: Buffer) => keep(c, false));
    const limit = setTimeout(() => child.kill('SIGKILL'), spec.limitMinutes * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      log.end();
      const seconds = (performance.now() - t0) / 1000;
      const base = { name: spec.name, command, seconds };
      if (code === 0 && existsSync(jsonFile)) {
        resolve({ ...base, result: JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchResult });
        return;
      }
      const why =
        signal === 'SIGKILL'
          ? `stopped at its ${spec.limitMinutes}-minute limit`
          : `exited with ${signal ?? `code ${code}`}`;
      resolve({ ...base, error: `${why}; last output: ${lastLine(tail)}` });
    });
  });
}

/** docs/img/scaling.csv and .svg from the scaling bench's figures, when it ran. */
async function writeScalingFiles(outcome: BenchOutcome | undefined): Promise<void> {
  const points = outcome && 'result' in outcome ? outcome.result.data.scaling : undefined;
  if (!points || points.length === 0) return;
  writeFileSync(path.join(repo, 'docs/img/scaling.csv'), scalingCsv(points));
  writeFileSync(path.join(repo, 'docs/img/scaling.svg'), await renderSvg(scalingChart(points)));
}

/** The native network stopped and purged; the first network bench brings it up again (so the
 * engine benches before it run without the idle network beside them). */
async function purgeNetwork(): Promise<void> {
  process.stdout.write('[bench:all] purging the native network (--keep-ledger to keep it) ...\n');
  await down({ purge: true, log: (l) => process.stdout.write(`${l}\n`) });
}

interface Options {
  /** the benches to run, in order */
  selected: readonly BenchSpec[];
  /** rewrite docs/benchmarks.md and docs/img/scaling.* (a full run without --no-doc) */
  writeDoc: boolean;
  keepLedger: boolean;
}

/** The command line; an unknown bench name is an error naming the known ones. */
function parseOptions(): Options {
  const names = BENCHES.map((b) => b.name).join(', ');
  const opts = new Command('bench-all')
    .description('Runs every benchmark and rewrites the generated blocks of docs/benchmarks.md')
    .option('--only <names>', `comma list of benches to run (${names}); implies --no-doc`)
    .option('--no-doc', 'leave docs/benchmarks.md and docs/img/scaling.* unchanged')
    .option('--keep-ledger', 'run on the network as it is instead of purging it first')
    .parse()
    .opts<{ only?: string; doc: boolean; keepLedger?: boolean }>();
  const only = opts.only?.split(',');
  const unknown = only?.find((n) => !BENCHES.some((b) => b.name === n));
  if (unknown) throw new Error(`--only: no bench named ${unknown} (there are ${names})`);
  return {
    selected: BENCHES.filter((b) => !only || only.includes(b.name)),
    writeDoc: opts.doc && !only,
    keepLedger: opts.keepLedger === true,
  };
}

/** Runs the benches one after another, printing each one's outcome. */
async function runAll(selected: readonly BenchSpec[], outDir: string): Promise<BenchOutcome[]> {
  const outcomes: BenchOutcome[] = [];
  for (const [i, spec] of selected.entries()) {
    process.stdout.write(
      `\n[bench:all] ${i + 1}/${selected.length} ${spec.name} (limit ${spec.limitMinutes} min) ...\n`,
    );
    const outcome = await runBench(spec, outDir);
    outcomes.push(outcome);
    const verdict = 'error' in outcome ? `NOT measured: ${outcome.error}` : 'done';
    process.stdout.write(`[bench:all] ${spec.name}: ${outcome.seconds.toFixed(0)} s, ${verdict}\n`);
  }
  const total = outcomes.reduce((s, o) => s + o.seconds, 0);
  process.stdout.write(
    `\n[bench:all] ${outcomes.length} benches in ${(total / 60).toFixed(1)} min; logs in ${outDir}\n`,
  );
  return outcomes;
}

async function main(): Promise<void> {
  const { selected, writeDoc, keepLedger } = parseOptions();
  const started = new Date();
  const outDir = path.join(repo, 'bench-results', started.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(outDir, { recursive: true });
  if (!keepLedger && selected.some((b) => b.network)) await purgeNetwork();
  const outcomes = await runAll(selected, outDir);
  if (!writeDoc) return;
  const docFile = path.join(repo, 'docs/benchmarks.md');
  writeFileSync(docFile, updateBenchmarksDoc(readFileSync(docFile, 'utf8'), outcomes, started));
  await writeScalingFiles(outcomes.find((o) => o.name === 'scaling'));
  process.stdout.write(`[bench:all] wrote docs/benchmarks.md and docs/img/scaling.{csv,svg}\n`);
  if (outcomes.some((o) => 'error' in o)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:all: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

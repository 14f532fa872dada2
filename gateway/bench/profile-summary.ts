#!/usr/bin/env node
/**
 * Sums a V8 .cpuprofile's self time by function and by package:
 * `node dist/gateway/bench/profile-summary.js <file.cpuprofile> [top=30]`. Used on the API under
 * the 1-bid load (`node --cpu-prof dist/gateway/bench/api-bench.js`, docs/benchmarks.md).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (µs) per profile node id. */
function selfTimes(p: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  return self;
}

/** Where a script belongs: its npm package, node's internals, or the project's file. */
function packageOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m?.[1] !== undefined) return m[1];
  return url.replace(/^.*\/dist\//, '');
}

function add(totals: Map<string, number>, key: string, us: number): void {
  totals.set(key, (totals.get(key) ?? 0) + us);
}

function printTop(title: string, totals: Map<string, number>, all: number, top: number): void {
  console.log(`\n${title}`);
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, us] of rows) {
    console.log(
      `${((us / all) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`,
    );
  }
}

function main(file: string, top: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let all = 0;
  let idle = 0;
  for (const [id, us] of selfTimes(p)) {
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    all += us;
    if (f.functionName === '(idle)') idle += us;
    const where = f.url === '' ? '' : ` ${packageOf(f.url)}:${f.lineNumber + 1}`;
    add(byFunction, `${f.functionName || '(anonymous)'}${where}`, us);
    add(byPackage, packageOf(f.url), us);
  }
  console.log(`${file}: ${(all / 1e6).toFixed(1)} s sampled, ${((idle / all) * 100).toFixed(1)} % idle`);
  printTop('self time by function', byFunction, all, top);
  printTop('self time by package', byPackage, all, top);
}

const [file, top] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: profile-summary <file.cpuprofile> [top]');
  process.exit(2);
}
main(file, top === undefined ? 30 : Number(top));

/** Runs the real, built CLI (bin/energy-auction.js -> dist) as a child process. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'energy-auction.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
const DIST_MAIN = join(ROOT, 'dist', 'workbench', 'src', 'main.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Throws a clear message when the CLI has not been built (npm test builds before jest). */
export function requireBuild(): void {
  if (!existsSync(DIST_MAIN)) {
    throw new Error(`${DIST_MAIN} is missing: run "npm run build" before these tests (npm test does)`);
  }
}

export function runCli(args: string[], opts: { input?: string; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

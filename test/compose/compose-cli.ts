/**
 * The compose deployment from a test: deploy/compose/compose.sh up/down, and Podman on its
 * containers (restart), with the containers.conf that deploy/images/podman-env.sh writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CACHE = process.env.ENERGY_AUCTION_CACHE ?? path.join(os.homedir(), '.cache', 'energy-auction');

const COMPOSE_SH = path.join(ROOT, 'deploy', 'compose', 'compose.sh');

/**
 * Runs compose.sh with its output on ours as it comes (and in a file); returns seconds taken. On
 * failure it throws with the exit status and the output's last lines: the failure summary at the
 * end of a long CI log is then enough to see why.
 */
export function composeSh(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-sh-'));
  const logFile = path.join(dir, 'output.log');
  try {
    const r = spawnSync(
      'bash',
      ['-c', 'set -o pipefail; bash "$0" "$@" 2>&1 | tee "$COMPOSE_SH_LOG"', COMPOSE_SH, ...args],
      {
        cwd: ROOT,
        env: { ...env, COMPOSE_SH_LOG: logFile },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    if (r.status !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-40).join('\n');
      throw new Error(
        `E_COMPOSE: compose.sh ${args.join(' ')} exited ${String(r.status)}; its last lines:\n${tail}`,
      );
    }
    return (Date.now() - t0) / 1000;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs compose.sh with its output captured (and then printed): for a run expected to fail. */
export function composeShOutput(
  args: string[],
  env: NodeJS.ProcessEnv,
): { status: number | null; output: string } {
  const r = spawnSync('bash', [COMPOSE_SH, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = r.stdout + r.stderr;
  process.stdout.write(output);
  return { status: r.status, output };
}

const podmanEnv = () => ({ ...process.env, CONTAINERS_CONF: path.join(CACHE, 'images', 'containers.conf') });

/** `podman --runtime runc <args>` with the project's containers.conf; returns stdout. */
export function podman(args: string[]): string {
  return execFileSync('podman', ['--runtime', 'runc', ...args], { env: podmanEnv(), encoding: 'utf8' });
}

/** A container's log, both streams (Fabric's servers log on stderr, which `podman logs` keeps apart). */
export function podmanLogs(container: string): string {
  const r = spawnSync('podman', ['--runtime', 'runc', 'logs', container], {
    env: podmanEnv(),
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`E_PODMAN: podman logs ${container} exited ${String(r.status)}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Whether `bash -c` of `script` inside `container` exits 0 (e.g. a TCP dial through /dev/tcp). */
export function execSucceeds(container: string, script: string): boolean {
  const r = spawnSync('podman', ['--runtime', 'runc', 'exec', container, 'bash', '-c', script], {
    env: podmanEnv(),
    encoding: 'utf8',
    timeout: 15_000,
  });
  return r.status === 0;
}

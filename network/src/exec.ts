/** Running the Fabric binaries: where they are, and calling them with clear errors. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../fabric-client/src/run-dir';
import FABRIC_VERSIONS from '../config/fabric-versions.json';

export const FABRIC_TOOLS = [
  'peer',
  'orderer',
  'configtxgen',
  'configtxlator',
  'cryptogen',
  'osnadmin',
] as const;
/** Fabric CA (network/scripts/install-fabric-ca.sh), in the same directory. */
export const FABRIC_CA_TOOLS = ['fabric-ca-server', 'fabric-ca-client'] as const;
export type FabricTool = (typeof FABRIC_TOOLS)[number] | (typeof FABRIC_CA_TOOLS)[number];

export class FabricBin {
  constructor(readonly dir: string) {}

  path(tool: FabricTool): string {
    const file = path.join(this.dir, tool);
    if (!fs.existsSync(file)) {
      throw new Error(
        `Fabric binary ${tool} missing in ${this.dir}: run network/scripts/install-fabric.sh and install-fabric-ca.sh`,
      );
    }
    return file;
  }
}

/**
 * The pinned build: Fabric 2.5.0 (commit bd8e248) with the patches of network/fabric-build/patches,
 * named like install-fabric.sh names its directory (both from network/config/fabric-versions.json).
 */
export const FABRIC_BUILD = `fabric-${FABRIC_VERSIONS.fabric}-${FABRIC_VERSIONS.build}`;

/** Where the binaries are expected (FABRIC_BIN, else FABRIC_HOME/bin), without installing. */
export function fabricBinDir(): string {
  if (process.env.FABRIC_BIN) return process.env.FABRIC_BIN;
  const home = process.env.FABRIC_HOME ?? path.join(os.homedir(), '.cache', 'energy-auction', FABRIC_BUILD);
  return path.join(home, 'bin');
}

/**
 * Installs the pinned Fabric binaries when missing (network/scripts/install-fabric.sh: skipped
 * when present; honours FABRIC_BIN and FABRIC_HOME) and returns where they are.
 */
export function ensureFabric(log: (line: string) => void = console.log): FabricBin {
  const given = process.env.FABRIC_BIN;
  // The tools image has its binaries in FABRIC_BIN and no install scripts to check them with.
  if (given && !fs.existsSync(path.join(repoRoot(), 'network', 'scripts')) && hasAllTools(given)) {
    return new FabricBin(given);
  }
  const dir = installStep('install-fabric.sh', [], log);
  return new FabricBin(installStep('install-fabric-ca.sh', [dir], log));
}

function hasAllTools(dir: string): boolean {
  return [...FABRIC_TOOLS, ...FABRIC_CA_TOOLS].every((t) => fs.existsSync(path.join(dir, t)));
}

/** Runs one install script; its last output line is the binaries' directory. */
function installStep(name: string, args: string[], log: (line: string) => void): string {
  const script = path.join(repoRoot(), 'network', 'scripts', name);
  const result = spawnSync('bash', [script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.error)
    throw new Error(`installing the Fabric binaries failed (${script}): ${result.error.message}`);
  const out = result.stdout.trim().split('\n');
  const dir = out.pop() ?? '';
  for (const line of out) log(line);
  if (result.status !== 0) {
    throw new Error(`installing the Fabric binaries failed (${script}, exit ${result.status}); see above`);
  }
  return dir;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Milliseconds; default 120 s. */
  timeout?: number;
}

/** Runs a command to completion and returns its stdout; throws with its output when it fails. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): string {
  try {
    return execFileSync(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      timeout: opts.timeout ?? 120_000,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { status?: number; signal?: string; stdout?: string; stderr?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    const how = e.signal ? `killed by ${e.signal}` : `exit ${e.status}`;
    throw new CommandError(`${path.basename(cmd)} ${args.join(' ')} failed (${how}):\n${output}`, output);
  }
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

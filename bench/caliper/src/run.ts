/**
 * `npm run bench:caliper`: a Hyperledger Caliper benchmark of the running native network (start it
 * with `npm run network:up`). Installs bench/caliper's own dependencies when they are missing or
 * differ from its package.json (`npm ci` there), writes Caliper's network config from the
 * connection material in network/run/connection/ and the benchmark config (bench-config.ts) to
 * bench/caliper/output/<time>/, runs `caliper launch manager --caliper-flow-only-test` there (HTML
 * report: report.html in that folder), then checks on the ledger that the round was cleared with
 * every planned batch. Knobs (environment): CALIPER_BUYERS, CALIPER_SELLERS (1000 each),
 * CALIPER_BIDS_PER_TX (1), CALIPER_WORKERS (4), CALIPER_IN_FLIGHT (32), CALIPER_SEED (1001),
 * CALIPER_BIDDING_SECONDS (closesAt after the start; default 30 s + 1 s per 15 SubmitBids),
 * CALIPER_OUTPUT (the output folder).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  connectGateway,
  readConnectionProfile,
  type ConnectionProfile,
} from '../../../fabric-client/src/connect';
import { MarketClient } from '../../../fabric-client/src/market-client';
import { defaultRunDir, repoRoot } from '../../../fabric-client/src/run-dir';
import { OPERATOR_MSP } from '../../../chaincode/src/model';
import { benchmarkConfig } from './bench-config';
import { caliperNetworkFiles } from './network-config';
import { bidPlan } from './plan';
import type { WorkloadArgs } from './workload-args';

const int = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
};

const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

/** bench/caliper/: its package.json, package-lock.json and node_modules. */
const caliperDir = (): string => path.join(repoRoot(), 'bench', 'caliper');

/** Whether every dependency in package.json is installed at its pinned version. */
function depsInstalled(dir: string): boolean {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.entries(pkg.dependencies).every(([name, version]) => {
    const file = path.join(dir, 'node_modules', name, 'package.json');
    return (
      fs.existsSync(file) &&
      (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version === version
    );
  });
}

function ensureDeps(dir: string): void {
  if (depsInstalled(dir)) return;
  console.log(`installing Caliper (npm ci in ${dir}) ...`);
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm ci in ${dir} failed (exit ${String(r.status)})`);
}

/** Every peer org's connection material, the operator's first. */
function readProfiles(runDir: string): ConnectionProfile[] {
  const dir = path.join(runDir, 'connection');
  if (!fs.existsSync(dir)) throw new Error(`no ${dir}: is the network up (npm run network:up)?`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readConnectionProfile(path.basename(f, '.json'), runDir));
}

function workloadArgsFor(profiles: ConnectionProfile[], now: number): WorkloadArgs {
  const utilities = profiles
    .map((p) => p.mspId)
    .filter((m) => m !== OPERATOR_MSP)
    .sort();
  const [buyerMsp, sellerMsp] = utilities;
  if (!buyerMsp || !sellerMsp || !profiles.some((p) => p.mspId === OPERATOR_MSP)) {
    throw new Error(
      `need ${OPERATOR_MSP} and two utilities, found ${profiles.map((p) => p.mspId).join(', ')}`,
    );
  }
  const first = profiles[0] as ConnectionProfile;
  const args: WorkloadArgs = {
    roundId: `caliper-${String(now)}`,
    slot: '',
    closesAt: '',
    channel: first.channel,
    chaincode: first.chaincode,
    operatorMsp: OPERATOR_MSP,
    buyerMsp,
    sellerMsp,
    identities: Object.fromEntries(profiles.map((p) => [p.mspId, p.identities.user.name])),
    buyers: int('CALIPER_BUYERS', 1000),
    sellers: int('CALIPER_SELLERS', 1000),
    seed: int('CALIPER_SEED', 1001),
    bidsPerTx: int('CALIPER_BIDS_PER_TX', 1),
  };
  const closesAt = Math.ceil((now + biddingSeconds(bidPlan(args).txs.length) * 1000) / 1000) * 1000;
  return { ...args, slot: instant(closesAt + 15 * 60_000), closesAt: instant(closesAt) };
}

/**
 * Seconds from the start to closesAt: CALIPER_BIDDING_SECONDS, or room for Caliper's start-up
 * (about 10 s) and every SubmitBids at 15 transactions/s (1000 x 1000 with 1 bid each: 164 s; the
 * 2-core machine did 25.6/s under Caliper).
 * The close round waits for closesAt, outside the timed rounds.
 */
const biddingSeconds = (txs: number): number => int('CALIPER_BIDDING_SECONDS', 30 + Math.ceil(txs / 15));

/** Writes the network config, the connection profiles and the benchmark config; returns their paths. */
function writeConfigs(
  out: string,
  profiles: ConnectionProfile[],
  args: WorkloadArgs,
): { network: string; bench: string } {
  fs.mkdirSync(out, { recursive: true });
  const files = caliperNetworkFiles(profiles, out);
  for (const p of files.profiles) fs.writeFileSync(p.file, `${JSON.stringify(p.profile, null, 2)}\n`);
  const network = path.join(out, 'network.json');
  fs.writeFileSync(network, `${JSON.stringify(files.network, null, 2)}\n`);
  const bench = path.join(out, 'benchmark.json');
  const config = benchmarkConfig({
    args,
    workers: int('CALIPER_WORKERS', 4),
    inFlight: int('CALIPER_IN_FLIGHT', 32),
    submitTxs: bidPlan(args).txs.length,
    workloadDir: path.join(__dirname, 'workload'),
  });
  fs.writeFileSync(bench, `${JSON.stringify(config, null, 2)}\n`);
  return { network, bench };
}

function runCaliper(dir: string, out: string, files: { network: string; bench: string }): number {
  const cli = path.join(dir, 'node_modules', '@hyperledger', 'caliper-cli', 'caliper.js');
  const argv = [
    cli,
    'launch',
    'manager',
    '--caliper-workspace',
    out,
    '--caliper-networkconfig',
    files.network,
    '--caliper-benchconfig',
    files.bench,
    '--caliper-flow-only-test',
    '--caliper-report-path',
    path.join(out, 'report.html'),
  ];
  return spawnSync(process.execPath, argv, { cwd: out, stdio: 'inherit' }).status ?? 1;
}

/** The round on the ledger: cleared, with one commitment per planned transaction. */
async function verifyRound(args: WorkloadArgs, runDir: string): Promise<string | undefined> {
  const gateway = await connectGateway(OPERATOR_MSP, { runDir });
  try {
    const market = new MarketClient(
      gateway.getNetwork(args.channel).getContract(args.chaincode),
      OPERATOR_MSP,
    );
    const round = await market.getRound(args.roundId);
    const commitments = await market.getCommitments(args.roundId);
    const planned = bidPlan(args).txs.length;
    console.log(`ledger: round ${args.roundId} ${round.status}, ${commitments.length}/${planned} batches`);
    if (round.status !== 'CLEARED') return `round ${args.roundId} is ${round.status}, not CLEARED`;
    if (commitments.length !== planned) return `${commitments.length} of ${planned} batches committed`;
    return undefined;
  } finally {
    gateway.close();
  }
}

async function main(): Promise<void> {
  const dir = caliperDir();
  ensureDeps(dir);
  const runDir = defaultRunDir();
  const profiles = readProfiles(runDir);
  const now = Date.now();
  const args = workloadArgsFor(profiles, now);
  const out = path.resolve(
    process.env.CALIPER_OUTPUT ?? path.join(dir, 'output', instant(now).replace(/:/g, '')),
  );
  const files = writeConfigs(out, profiles, args);
  console.log(
    `caliper: round ${args.roundId}, closesAt ${args.closesAt}; load average ${load()}; output ${out}`,
  );
  const status = runCaliper(dir, out, files);
  console.log(`caliper exited ${String(status)}; load average ${load()}`);
  const problem = await verifyRound(args, runDir);
  console.log(`report: ${path.join(out, 'report.html')}`);
  if (status !== 0 || problem !== undefined) {
    console.error(`bench:caliper failed: ${problem ?? `caliper exited ${String(status)}`}`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

/**
 * The native network's life cycle: up (idempotent), down (our processes only, optional purge) and
 * status. Used by network/src/cli.ts (`npm run network:*`) and by the integration tests. The steps
 * live in their own modules: generate.ts (crypto, channel block, packages), profiles.ts (connection
 * files), nodes.ts + processes.ts (the processes), channel.ts (joins, Raft leader), lifecycle.ts
 * (install, approve, commit) and chaincode-ready.ts (the chaincode answers through the Gateway).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CHAINCODE_NAME,
  DEFAULT_UTILITIES,
  HOST,
  topology,
  type Addressing,
  type Topology,
} from '../config/topology';
import { waitChaincode } from './chaincode-ready';
import { joinOrderers, joinPeer, waitPeersCaughtUp, waitRaftLeader } from './channel';
import { ensureFabric, FabricBin, fabricBinDir } from './exec';
import { generate } from './generate';
import { deployChaincode } from './lifecycle';
import { networkSpecs, type NodeKind } from './nodes';
import { ownServiceKeys, serviceUid } from './owner';
import { RunPaths } from './paths';
import { writeComposeEnv, writeConnectionProfiles } from './profiles';
import { raftHealth, type RaftHealth } from './raft-health';
import {
  checkPorts,
  healthy,
  runningPid,
  startProcess,
  stopProcess,
  waitAllHealthy,
  waitHealthy,
  type ProcessSpec,
} from './processes';

export { connectionProfile } from './profiles';

export interface NetworkOptions {
  runDir?: string;
  /** Number of utility orgs; only used when the run directory is generated (default 2). */
  utilities?: number;
  /** How nodes dial each other; only used when the run directory is generated (default loopback). */
  addressing?: Addressing;
  log?: (line: string) => void;
}

/** What a run directory was generated for (topology.json; made before `addressing`: loopback). */
interface RecordedTopology {
  utilities: number;
  addressing?: Addressing;
}

/** The topology of the run directory (fixed when it was first generated). */
export function loadTopology(p: RunPaths, requested?: number, requestedAddressing?: Addressing): Topology {
  if (!fs.existsSync(p.topologyFile)) {
    return topology(requested ?? DEFAULT_UTILITIES, requestedAddressing);
  }
  const recorded = JSON.parse(fs.readFileSync(p.topologyFile, 'utf8')) as RecordedTopology;
  const { utilities, addressing = 'loopback' } = recorded;
  if (requested !== undefined && requested !== utilities) {
    // A compose run directory that add-utility grew needs the compose file of its new size.
    const hint =
      addressing === 'names'
        ? `bring it up with a compose file for ${utilities} utilities (\`npm run compose:generate -- ` +
          `--utilities ${utilities} --file <file>\`, then ENERGY_COMPOSE_FILE=<file> npm run compose:up), ` +
          'or delete it and its volumes with `npm run compose:down -- --purge`'
        : 'run `npm run network:down -- --purge` first to change the topology';
    throw new Error(`E_TOPOLOGY: ${p.root} has ${utilities} utilities, not ${requested}: ${hint}`);
  }
  if (requestedAddressing !== undefined && requestedAddressing !== addressing) {
    throw new Error(
      `E_ADDRESSING: ${p.root} was generated for ${addressing} addressing, not ${requestedAddressing} ` +
        '(the native network needs loopback, docker-compose names): use another ENERGY_NETWORK_RUN_DIR ' +
        'or purge this one',
    );
  }
  return topology(utilities, addressing);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

export interface NodeStatus {
  name: string;
  kind: NodeKind;
  pid?: number;
  healthy: boolean;
  ports: number[];
}

/** The specs of one kind of node. */
function specsOf(all: { kind: NodeKind; spec: ProcessSpec }[], kind: NodeKind): ProcessSpec[] {
  return all.filter((s) => s.kind === kind).map((s) => s.spec);
}

/** Generates whatever is missing (binaries, crypto, channel block, packages, connection files). */
export function prepare(opts: NetworkOptions = {}): { t: Topology; p: RunPaths; bin: FabricBin } {
  const log = opts.log ?? console.log;
  const p = new RunPaths(opts.runDir);
  const t = loadTopology(p, opts.utilities, opts.addressing);
  fs.mkdirSync(p.root, { recursive: true });
  const bin = ensureFabric(log);
  generateAll(t, p, bin, log);
  return { t, p, bin };
}

/**
 * Everything generated for `t` in the run directory that is missing or derived: crypto, identities,
 * channel block, packages (generate.ts), connection files, compose.env, the service user's keys.
 */
export function generateAll(t: Topology, p: RunPaths, bin: FabricBin, log: (line: string) => void): void {
  const generated = generate(t, p, bin);
  if (generated.length) log(`[network] generated ${generated.join(', ')} in ${p.root}`);
  writeConnectionProfiles(t, p);
  writeComposeEnv(t, p);
  const owned = ownServiceKeys(t, p);
  if (owned) log(`[network] ${owned} key folders owned by uid ${serviceUid()} (the project's containers)`);
}

/**
 * A run directory that is generated already, as it is: nothing installed, generated or rewritten
 * (the setup container mounts the containers' connection files read-only where the host's lie).
 * Undefined when it is not generated yet.
 */
export function openGenerated(
  opts: NetworkOptions = {},
): { t: Topology; p: RunPaths; bin: FabricBin } | undefined {
  const p = new RunPaths(opts.runDir);
  if (!fs.existsSync(path.join(p.crypto, 'DONE')) || !fs.existsSync(p.channelBlock)) return undefined;
  return { t: loadTopology(p), p, bin: new FabricBin(fabricBinDir()) };
}

/**
 * Channel and chaincode set-up on running nodes (native or docker-compose): orderers and peers
 * join `energy`, the chaincode is installed, approved and committed; waits until it answers.
 */
export async function setup(opts: NetworkOptions = {}, prepared = prepare(opts)): Promise<void> {
  const log = opts.log ?? console.log;
  const { t, p, bin } = prepared;
  const all = networkSpecs(t, p, bin);
  await waitAllHealthy(specsOf(all, 'orderer'));
  joinOrderers(t, p, bin, log);
  await waitRaftLeader(t, p);
  await waitAllHealthy(specsOf(all, 'peer'));
  for (const org of t.orgs) joinPeer(t, p, bin, org, log);
  const caughtUp = await waitPeersCaughtUp(t);
  log(
    `  every peer at block height ${caughtUp.height} of ${t.channel} (waited ${caughtUp.seconds.toFixed(1)} s)`,
  );
  await waitAllHealthy(specsOf(all, 'chaincode'));
  await deployChaincode(t, p, bin, log);
  await waitChaincode(t, p);
}

export async function up(opts: NetworkOptions = {}): Promise<{ topology: Topology; seconds: number }> {
  const log = opts.log ?? console.log;
  const started = Date.now();
  const p = new RunPaths(opts.runDir);
  const chaincodeMain = path.join(p.repo, 'dist', 'chaincode', 'src', 'index.js');
  if (!fs.existsSync(chaincodeMain)) {
    throw new Error(
      `${chaincodeMain} is missing: run \`npm run build\` first (the chaincode servers run the build)`,
    );
  }
  // Native processes share this host's loopback: a run directory made for containers does not run.
  const prepared = prepare({ ...opts, addressing: 'loopback' });
  const { t, bin } = prepared;

  const all = networkSpecs(t, p, bin);
  // Every port first, so that nothing is started when one of them is taken.
  await checkPorts(
    p,
    all.map((s) => s.spec),
  );
  const startGroup = async (kind: NodeKind) => {
    const group = specsOf(all, kind);
    for (const spec of group) {
      if ((await startProcess(p, spec)) === 'started')
        log(`[network] started ${spec.name} (log ${p.log(spec.name)})`);
    }
    await Promise.all(group.map((spec) => waitHealthy(p, spec)));
  };
  await startGroup('orderer');
  await startGroup('peer');
  await startGroup('chaincode');
  await setup(opts, prepared);

  const secs = (Date.now() - started) / 1000;
  log(summary(t, p));
  log(`[network] up in ${seconds(started)}`);
  return { topology: t, seconds: secs };
}

function summary(t: Topology, p: RunPaths): string {
  const lines = [`[network] channel ${t.channel}, chaincode ${CHAINCODE_NAME} — run directory ${p.root}`];
  for (const o of t.orderers) {
    lines.push(
      `  ${o.name.padEnd(20)} ${HOST}:${o.port}  cluster :${o.clusterPort}  admin :${o.adminPort}  ops :${o.operationsPort}`,
    );
  }
  for (const org of t.orgs) {
    lines.push(
      `  ${(org.peer.name + ' ' + org.mspId).padEnd(20)} ${HOST}:${org.peer.port}  ops :${org.peer.operationsPort}  ` +
        `chaincode server :${org.chaincodeServer.port}  connection ${p.connectionFile(org.mspId)}`,
    );
  }
  return lines.join('\n');
}

/** Stops every process this run directory recorded (chaincode servers, peers, orderers). */
export async function down(opts: NetworkOptions & { purge?: boolean } = {}): Promise<string[]> {
  const log = opts.log ?? console.log;
  const p = new RunPaths(opts.runDir);
  const pidDir = path.dirname(p.pid('x'));
  const names = fs.existsSync(pidDir)
    ? fs
        .readdirSync(pidDir)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => f.slice(0, -4))
    : [];
  const rank = (n: string) => (n.startsWith('chaincode.') ? 0 : n.startsWith('peer') ? 1 : 2);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const stopped: string[] = [];
  for (const r of [0, 1, 2]) {
    const batch = names.filter((n) => rank(n) === r);
    const results = await Promise.all(batch.map((n) => stopProcess(p, n)));
    batch.forEach((n, i) => results[i] && stopped.push(n));
  }
  log(stopped.length ? `[network] stopped ${stopped.join(', ')}` : '[network] nothing was running');
  if (opts.purge) {
    fs.rmSync(p.root, { recursive: true, force: true });
    log(`[network] purged ${p.root} (ledgers, crypto, channel, packages, logs)`);
  }
  return stopped;
}

/** The Raft cluster's health of the channel (no leader, a node that lags or sees too few peers). */
export async function consensusStatus(opts: NetworkOptions = {}): Promise<RaftHealth | undefined> {
  const p = new RunPaths(opts.runDir);
  if (!fs.existsSync(path.join(p.crypto, 'DONE'))) return undefined;
  return raftHealth(loadTopology(p));
}

export async function status(opts: NetworkOptions = {}): Promise<NodeStatus[]> {
  const p = new RunPaths(opts.runDir);
  if (!fs.existsSync(path.join(p.crypto, 'DONE'))) return [];
  const t = loadTopology(p);
  const bin = new FabricBin(fabricBinDir());
  const out: NodeStatus[] = [];
  for (const { kind, spec } of networkSpecs(t, p, bin)) {
    const pid = runningPid(p, spec.name);
    out.push({
      name: spec.name,
      kind,
      healthy: pid !== undefined && (await healthy(spec)),
      ports: spec.ports.map((x) => x.port),
      ...(pid !== undefined ? { pid } : {}),
    });
  }
  return out;
}

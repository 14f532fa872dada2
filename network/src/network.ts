/**
 * The native network's life cycle: up (idempotent), down (our processes only, optional purge) and
 * status. Used by network/src/cli.ts (`npm run network:*`) and by the integration tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CHAINCODE_NAME,
  CHAINCODE_SEQUENCE,
  CHAINCODE_VERSION,
  DEFAULT_UTILITIES,
  ENDORSEMENT_POLICY,
  HOST,
  topology,
  type PeerOrg,
  type Topology,
} from '../config/topology';
import { GatewayError } from '@hyperledger/fabric-gateway';
import { connectGateway, type ConnectionProfile } from '../../fabric-client/src/connect';
import { CommandError, ensureFabric, FabricBin, fabricBinDir, run } from './exec';
import { chaincodePackages, generate } from './generate';
import { chaincodeServerSpec, ordererSpec, peerCliEnv, peerSpec } from './nodes';
import { RunPaths } from './paths';
import { raftHealth, type RaftHealth } from './raft-health';
import {
  checkPorts,
  healthy,
  metrics,
  runningPid,
  startProcess,
  stopProcess,
  waitHealthy,
  type ProcessSpec,
} from './processes';

export interface NetworkOptions {
  runDir?: string;
  /** Number of utility orgs; only used when the run directory is generated (default 2). */
  utilities?: number;
  log?: (line: string) => void;
}

/** The topology of the run directory (fixed when it was first generated). */
export function loadTopology(p: RunPaths, requested?: number): Topology {
  if (fs.existsSync(p.topologyFile)) {
    const { utilities } = JSON.parse(fs.readFileSync(p.topologyFile, 'utf8')) as { utilities: number };
    if (requested !== undefined && requested !== utilities) {
      throw new Error(
        `${p.root} was generated with ${utilities} utilities, not ${requested}: ` +
          'run `npm run network:down -- --purge` first to change the topology',
      );
    }
    return topology(utilities);
  }
  return topology(requested ?? DEFAULT_UTILITIES);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

// --- channel -----------------------------------------------------------------------------------

function osnadminArgs(t: Topology, p: RunPaths, adminPort: number): string[] {
  const tls = path.join(p.ordererAdminDir(t), 'tls');
  return [
    '-o',
    `${HOST}:${adminPort}`,
    '--ca-file',
    p.ordererTlsCa(t),
    '--client-cert',
    path.join(tls, 'client.crt'),
    '--client-key',
    path.join(tls, 'client.key'),
  ];
}

/** Joins every orderer to the channel (channel participation API) unless it already is. */
function joinOrderers(t: Topology, p: RunPaths, bin: FabricBin, log: (l: string) => void): void {
  for (const o of t.orderers) {
    const auth = osnadminArgs(t, p, o.adminPort);
    const list = run(bin.path('osnadmin'), ['channel', 'list', '--channelID', t.channel, ...auth]);
    if (/Status: 200/.test(list)) continue;
    const out = run(bin.path('osnadmin'), [
      'channel',
      'join',
      '--channelID',
      t.channel,
      '--config-block',
      p.channelBlock,
      ...auth,
    ]);
    if (!/Status: 201/.test(out)) throw new Error(`osnadmin channel join on ${o.name} failed:\n${out}`);
    log(`  ${o.name} joined channel ${t.channel}`);
  }
}

/**
 * Waits until the channel's Raft cluster has a leader that every orderer knows (else the first
 * transactions fail with SERVICE_UNAVAILABLE "no Raft leader"), from the orderers' metrics.
 */
async function waitRaftLeader(t: Topology, p: RunPaths, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const label = `{channel="${t.channel}"}`;
  for (;;) {
    const all = await Promise.all(t.orderers.map((o) => metrics(o.operationsPort)));
    const leaders = all.filter((m) => m.get(`consensus_etcdraft_is_leader${label}`) === 1).length;
    const informed = all.every((m) => (m.get(`consensus_etcdraft_leader_changes${label}`) ?? 0) >= 1);
    if (leaders === 1 && informed) return;
    if (Date.now() > deadline) {
      const health = await raftHealth(t);
      throw new Error(
        `no Raft leader for channel ${t.channel} after ${timeoutMs / 1000} s (${health.problems.join('; ')}). ` +
          `Each orderer's log says why: ${t.orderers.map((o) => p.log(o.name)).join(', ')}. ` +
          'A cluster of 3 needs 2 orderers running with their ledgers; `npm run network:status` shows which ' +
          'are up. Keep the ledgers (network/run/data): they are the only copy of the channel.',
      );
    }
    await sleep(250);
  }
}

function joinPeer(t: Topology, p: RunPaths, bin: FabricBin, org: PeerOrg, log: (l: string) => void): void {
  const env = peerCliEnv(p, org);
  const list = run(bin.path('peer'), ['channel', 'list'], { env });
  if (list.split('\n').some((line) => line.trim() === t.channel)) return;
  run(bin.path('peer'), ['channel', 'join', '-b', p.channelBlock], { env });
  log(`  ${org.peer.name} joined channel ${t.channel}`);
}

// --- chaincode -----------------------------------------------------------------------------------

function ordererArgs(t: Topology, p: RunPaths): string[] {
  return ['-o', `${HOST}:${t.orderers[0]!.port}`, '--tls', '--cafile', p.ordererTlsCa(t)];
}

function definitionArgs(t: Topology, p: RunPaths): string[] {
  return [
    '--channelID',
    t.channel,
    '--name',
    CHAINCODE_NAME,
    '--version',
    CHAINCODE_VERSION,
    '--sequence',
    String(CHAINCODE_SEQUENCE),
    '--signature-policy',
    ENDORSEMENT_POLICY,
    '--collections-config',
    p.collections,
  ];
}

function isCommitted(t: Topology, p: RunPaths, bin: FabricBin, org: PeerOrg): boolean {
  try {
    const out = run(
      bin.path('peer'),
      [
        'lifecycle',
        'chaincode',
        'querycommitted',
        '--channelID',
        t.channel,
        '--name',
        CHAINCODE_NAME,
        '--output',
        'json',
      ],
      { env: peerCliEnv(p, org) },
    );
    return (JSON.parse(out) as { sequence?: number }).sequence === CHAINCODE_SEQUENCE;
  } catch (err) {
    if (err instanceof CommandError && /not found|does not exist|not defined/i.test(err.output)) return false;
    throw err;
  }
}

/** Installs each org's ccaas package on its peer, approves it per org, commits the definition. */
function deployChaincode(t: Topology, p: RunPaths, bin: FabricBin, log: (l: string) => void): void {
  const packages = chaincodePackages(t, p);
  for (const org of t.orgs) {
    const env = peerCliEnv(p, org);
    const pkg = packages.find((x) => x.mspId === org.mspId)!;
    const installed = JSON.parse(
      run(bin.path('peer'), ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'], { env }),
    ) as { installed_chaincodes?: { package_id: string }[] };
    if (!(installed.installed_chaincodes ?? []).some((c) => c.package_id === pkg.packageId)) {
      run(bin.path('peer'), ['lifecycle', 'chaincode', 'install', pkg.file], { env });
      log(`  installed ${pkg.packageId.slice(0, 24)}… on ${org.peer.name}`);
    }
  }
  if (isCommitted(t, p, bin, t.orgs[0]!)) return;

  for (const org of t.orgs) {
    const env = peerCliEnv(p, org);
    const pkg = packages.find((x) => x.mspId === org.mspId)!;
    let approved = false;
    try {
      const out = run(
        bin.path('peer'),
        [
          'lifecycle',
          'chaincode',
          'queryapproved',
          '--channelID',
          t.channel,
          '--name',
          CHAINCODE_NAME,
          '--sequence',
          String(CHAINCODE_SEQUENCE),
          '--output',
          'json',
        ],
        { env },
      );
      approved =
        (JSON.parse(out) as { source?: { Type?: { LocalPackage?: { package_id?: string } } } }).source?.Type
          ?.LocalPackage?.package_id === pkg.packageId;
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
    }
    if (!approved) {
      run(
        bin.path('peer'),
        [
          'lifecycle',
          'chaincode',
          'approveformyorg',
          ...ordererArgs(t, p),
          ...definitionArgs(t, p),
          '--package-id',
          pkg.packageId,
        ],
        { env },
      );
      log(`  ${org.mspId} approved ${CHAINCODE_NAME} ${CHAINCODE_VERSION} (sequence ${CHAINCODE_SEQUENCE})`);
    }
  }

  const peers = t.orgs.flatMap((org) => [
    '--peerAddresses',
    `${HOST}:${org.peer.port}`,
    '--tlsRootCertFiles',
    p.orgTlsCa(org),
  ]);
  run(
    bin.path('peer'),
    ['lifecycle', 'chaincode', 'commit', ...ordererArgs(t, p), ...definitionArgs(t, p), ...peers],
    { env: peerCliEnv(p, t.orgs[0]!) },
  );
  log(`  committed ${CHAINCODE_NAME} on channel ${t.channel}`);
}

// --- connection material ---------------------------------------------------------------------

export function connectionProfile(t: Topology, p: RunPaths, org: PeerOrg): ConnectionProfile {
  return {
    mspId: org.mspId,
    channel: t.channel,
    chaincode: CHAINCODE_NAME,
    peer: {
      endpoint: `${HOST}:${org.peer.port}`,
      hostAlias: org.peer.host,
      tlsCACertPath: p.orgTlsCa(org),
      tlsCACertPem: fs.readFileSync(p.orgTlsCa(org), 'utf8'),
    },
    identities: {
      user: { name: 'User1', ...p.userIdentity(org, 'User1') },
      admin: { name: 'Admin', ...p.userIdentity(org, 'Admin') },
    },
  };
}

function writeConnectionProfiles(t: Topology, p: RunPaths): void {
  fs.mkdirSync(p.connection, { recursive: true });
  for (const org of t.orgs) {
    fs.writeFileSync(
      p.connectionFile(org.mspId),
      JSON.stringify(connectionProfile(t, p, org), null, 2) + '\n',
    );
  }
}

/** A round id that never exists: GetRound on it is a cheap point read answered with NOT_FOUND. */
const PROBE_ROUND = '__network_probe__';

/**
 * Runs `call`; true when it succeeded or failed with an answer from the chaincode itself
 * ("chaincode response …") on a peer of each of `mspIds` — the chaincode is reachable there.
 */
async function chaincodeAnswers(call: () => Promise<unknown>, mspIds: string[]): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (
      err instanceof GatewayError &&
      mspIds.every((m) => err.details.some((d) => d.mspId === m && /chaincode response/.test(d.message)))
    ) {
      return;
    }
    if (err instanceof GatewayError) {
      throw new Error([err.message, ...err.details.map((d) => `${d.mspId}: ${d.message}`)].join('; '));
    }
    throw err;
  }
}

/**
 * Waits until every org's peer answers an evaluate of the chaincode through the Gateway and, for
 * each utility, until its gateway can collect the operator peer's endorsement (gossip membership
 * and discovery have converged: needed by every bid submission).
 */
async function waitChaincode(t: Topology, p: RunPaths, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const operator = t.orgs.find((o) => o.kind === 'operator')!;
  for (const org of t.orgs) {
    for (;;) {
      try {
        const gateway = await connectGateway(org.mspId, { runDir: p.root, deadlines: { evaluate: 15_000 } });
        try {
          const contract = gateway.getNetwork(t.channel).getContract(CHAINCODE_NAME);
          await chaincodeAnswers(() => contract.evaluateTransaction('GetRound', PROBE_ROUND), [org.mspId]);
          if (org !== operator) {
            // Endorse (never submitted) the same call on both peers: exercises discovery.
            const endorsers = [org.mspId, operator.mspId];
            const proposal = contract.newProposal('GetRound', {
              arguments: [PROBE_ROUND],
              endorsingOrganizations: endorsers,
            });
            await chaincodeAnswers(() => proposal.endorse(), endorsers);
          }
        } finally {
          gateway.close();
        }
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(`the chaincode does not answer on ${org.peer.name}: ${(err as Error).message}`);
        }
        await sleep(500);
      }
    }
  }
}

// --- up / down / status ------------------------------------------------------------------------

export interface NodeStatus {
  name: string;
  kind: 'orderer' | 'peer' | 'chaincode';
  pid?: number;
  healthy: boolean;
  ports: number[];
}

function specs(t: Topology, p: RunPaths, bin: FabricBin): { kind: NodeStatus['kind']; spec: ProcessSpec }[] {
  const packages = chaincodePackages(t, p);
  return [
    ...t.orderers.map((o) => ({ kind: 'orderer' as const, spec: ordererSpec(t, p, bin, o) })),
    ...t.orgs.map((org) => ({ kind: 'peer' as const, spec: peerSpec(p, bin, org) })),
    ...t.orgs.map((org) => ({
      kind: 'chaincode' as const,
      spec: chaincodeServerSpec(p, org, packages.find((x) => x.mspId === org.mspId)!.packageId),
    })),
  ];
}

/** Generates whatever is missing (binaries, crypto, channel block, packages, connection files). */
export function prepare(opts: NetworkOptions = {}): { t: Topology; p: RunPaths; bin: FabricBin } {
  const log = opts.log ?? console.log;
  const p = new RunPaths(opts.runDir);
  const t = loadTopology(p, opts.utilities);
  fs.mkdirSync(p.root, { recursive: true });
  const bin = ensureFabric(log);
  const generated = generate(t, p, bin);
  if (generated.length) log(`[network] generated ${generated.join(', ')} in ${p.root}`);
  writeConnectionProfiles(t, p);
  writeComposeEnv(t, p);
  return { t, p, bin };
}

/** network/run/compose.env: each org's chaincode package id, for docker-compose --env-file. */
function writeComposeEnv(t: Topology, p: RunPaths): void {
  const lines = ['# Generated by network:generate: chaincode package ids for docker-compose.yaml'];
  for (const pkg of chaincodePackages(t, p)) {
    const org = t.orgs.find((o) => o.mspId === pkg.mspId)!;
    lines.push(`MARKET_PACKAGE_ID_${org.name.toUpperCase()}=${pkg.packageId}`);
  }
  fs.writeFileSync(path.join(p.root, 'compose.env'), lines.join('\n') + '\n');
}

async function waitAllHealthy(all: { spec: ProcessSpec }[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const { spec } of all) {
    while (!(await healthy(spec))) {
      if (Date.now() > deadline)
        throw new Error(`${spec.name} is not healthy (ports ${spec.ports.map((x) => x.port).join(', ')})`);
      await sleep(500);
    }
  }
}

/**
 * Channel and chaincode set-up on running nodes (native or docker-compose): orderers and peers
 * join `energy`, the chaincode is installed, approved and committed; waits until it answers.
 */
export async function setup(opts: NetworkOptions = {}, prepared = prepare(opts)): Promise<void> {
  const log = opts.log ?? console.log;
  const { t, p, bin } = prepared;
  const all = specs(t, p, bin);
  await waitAllHealthy(all.filter((s) => s.kind === 'orderer'));
  joinOrderers(t, p, bin, log);
  await waitRaftLeader(t, p);
  await waitAllHealthy(all.filter((s) => s.kind === 'peer'));
  for (const org of t.orgs) joinPeer(t, p, bin, org, log);
  await waitAllHealthy(all.filter((s) => s.kind === 'chaincode'));
  deployChaincode(t, p, bin, log);
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
  const prepared = prepare(opts);
  const { t, bin } = prepared;

  const all = specs(t, p, bin);
  // Every port first, so that nothing is started when one of them is taken.
  await checkPorts(
    p,
    all.map((s) => s.spec),
  );
  const startGroup = async (kind: NodeStatus['kind']) => {
    const group = all.filter((s) => s.kind === kind).map((s) => s.spec);
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
  for (const { kind, spec } of specs(t, p, bin)) {
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

/**
 * docker-compose.yaml really runs (issue #13): on Podman with the locally built images, up (Fabric,
 * chaincode servers, and the REST API and auctioneer containers) → a round through the API → restart
 * one peer and one orderer container → a second round still clears and each utility reads its
 * settlement → Utility3 joins the live deployment (compose.sh add-utility with the file for 3) and
 * trades with Utility1 → backup, purge, restore, up: every earlier round is there and a round
 * clears → down. Prints each duration.
 * Runs with COMPOSE_TEST=1: the `compose` phase of `npm test` (scripts/test.sh), or on its own
 * (`npm run test:compose`) under the network lock with the native network down:
 *   flock /tmp/energy-network.lock npm run test:compose
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import * as os from 'node:os';
import * as path from 'node:path';
import { topology } from '../../network/config/topology';
import { writeComposeFile } from '../../network/src/compose-file';
import { connectGateway } from '../../fabric-client/src/connect';
import { MarketClient } from '../../fabric-client/src/market-client';
import { FabricBin, fabricBinDir } from '../../network/src/exec';
import { RunPaths } from '../../network/src/paths';
import { simulateRound } from '../../engine/src/sim/simulate';
import { DEMO_TOKENS } from '../../gateway/src/api/config';
import { ApiClient, instant, waitCleared, waitReady } from '../../gateway/src/rest-client';
import { splitBids } from '../../launcher/src/demo';
import { healthz } from '../../network/src/processes';
import { composeSh, composeShOutput, execSucceeds, podman, podmanLogs } from './compose-cli';
import { CA_HOME, caVolume } from '../../network/src/compose-file';
import { CA_DATABASE, CA_MOVED_SUFFIX } from '../../network/src/ca';

const MINUTE = 60_000;
const API_URL = 'http://127.0.0.1:3000'; // the gateway container (docker-compose.yaml)
const RUN_DIR = process.env.ENERGY_NETWORK_RUN_DIR ?? path.resolve(__dirname, '../../work/compose-run');
const log = (line: string) => process.stdout.write(`[compose-test] ${line}\n`);
const seconds = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function retry<T>(what: string, fn: () => Promise<T>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let first: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      first ??= e;
      if (Date.now() > end) {
        // the first error says why it began; the last one is often only its consequence
        throw new Error(`${what} kept failing for ${ms} ms: first ${String(first)}; last ${String(e)}`);
      }
      await sleep(2000);
    }
  }
}

/** One round: open, both utilities bid, the auctioneer clears it, each reads its settlement. */
async function round(url: string, tag: string): Promise<string> {
  const operator = new ApiClient(url, DEMO_TOKENS.operator);
  const utilities = [new ApiClient(url, DEMO_TOKENS.utility1), new ApiClient(url, DEMO_TOKENS.utility2)];
  const t0 = Date.now();
  const now = Date.now();
  const id = `compose-${tag}-${now}`;
  await retry('opening the round', () =>
    operator.openRound({
      id,
      slot: instant(Math.ceil((now + MINUTE) / 900_000) * 900_000),
      closesAt: instant(now + 15_000),
    }),
  );
  const plan = splitBids(simulateRound({ buyers: 6, sellers: 6, seed: now % 1000 }).bids, 2);
  for (const [i, u] of utilities.entries()) {
    for (const bids of plan[i] ?? []) await retry('submitting bids', () => u.submitBids(id, bids));
  }
  const { round: r, result } = await waitCleared(operator, id, 3 * MINUTE);
  expect(r.status).toBe('CLEARED');
  expect(result?.bidCount).toBe(12);
  await checkSettlements(utilities, plan, id);
  log(`round ${id}: ${result?.status ?? '?'} at price ${result?.price ?? '?'}, ${seconds(t0)} s`);
  return id;
}

/** A round in which Utility1 bids through the API and Utility3 through its own peer's gateway. */
async function roundWithUtility3(u3: MarketClient): Promise<string> {
  const operator = new ApiClient(API_URL, DEMO_TOKENS.operator);
  const u1 = new ApiClient(API_URL, DEMO_TOKENS.utility1);
  const now = Date.now();
  const id = `compose-c-${now}`;
  await retry('opening the round', () =>
    operator.openRound({
      id,
      slot: instant(Math.ceil((now + MINUTE) / 900_000) * 900_000),
      closesAt: instant(now + 20_000),
    }),
  );
  const [bids1 = [], bids3 = []] = splitBids(
    simulateRound({ buyers: 6, sellers: 6, seed: now % 1000 }).bids,
    2,
  );
  for (const bids of bids1) await retry('Utility1 bids', () => u1.submitBids(id, bids));
  for (const bids of bids3) await retry('Utility3 bids', () => u3.submitBids(id, bids));
  const { round: r, result } = await waitCleared(operator, id, 3 * MINUTE);
  expect(r.status).toBe('CLEARED');
  expect(result?.bidCount).toBe(12);
  expect((await u3.getSettlement(id)).lines).toHaveLength(bids3.flat().length);
  expect((await u1.settlement(id)).lines).toHaveLength(bids1.flat().length);
  log(`round ${id} with Utility1 and Utility3: ${result?.status ?? '?'} at price ${result?.price ?? '?'}`);
  return id;
}

/** Each utility reads its own settlement: one line per bid it submitted. */
async function checkSettlements(utilities: ApiClient[], plan: unknown[][][], id: string): Promise<void> {
  for (const [i, u] of utilities.entries()) {
    const s = await u.settlement(id);
    expect(s.lines).toHaveLength((plan[i] ?? []).flat().length);
  }
}

async function waitHealthz(port: number, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await healthz(port))) {
    if (Date.now() > end) throw new Error(`E_UNHEALTHY: 127.0.0.1:${port}/healthz after ${ms} ms`);
    await sleep(500);
  }
}

const PROJECT = 'energy-auction';

/** The channel block's addresses: orderer endpoints, Raft consenters, anchor peers. */
function blockAddresses(blockFile: string): { endpoints: string[]; consenters: string[]; anchors: string[] } {
  const configtxlator = new FabricBin(fabricBinDir()).path('configtxlator');
  // --output to a file: configtxlator cannot open /dev/stdout when it is a pipe
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'block-')), 'block.json');
  execFileSync(configtxlator, [
    'proto_decode',
    '--type',
    'common.Block',
    '--input',
    blockFile,
    '--output',
    out,
  ]);
  const json = fs.readFileSync(out, 'utf8');
  fs.rmSync(path.dirname(out), { recursive: true });
  const group = (JSON.parse(json) as ConfigBlock).data.data[0]!.payload.data.config.channel_group.groups;
  const hostPort = (a: { host: string; port: number }) => `${a.host}:${a.port}`;
  return {
    endpoints: Object.values(group.Orderer.groups).flatMap((g) => g.values.Endpoints?.value.addresses ?? []),
    consenters: group.Orderer.values.ConsensusType.value.metadata.consenters.map(hostPort),
    anchors: Object.values(group.Application.groups).flatMap((g) =>
      (g.values.AnchorPeers?.value.anchor_peers ?? []).map(hostPort),
    ),
  };
}

interface ConfigBlock {
  data: {
    data: {
      payload: {
        data: {
          config: {
            channel_group: {
              groups: {
                Orderer: {
                  groups: Record<string, { values: { Endpoints?: { value: { addresses: string[] } } } }>;
                  values: {
                    ConsensusType: { value: { metadata: { consenters: { host: string; port: number }[] } } };
                  };
                };
                Application: {
                  groups: Record<
                    string,
                    {
                      values: { AnchorPeers?: { value: { anchor_peers: { host: string; port: number }[] } } };
                    }
                  >;
                };
              };
            };
          };
        };
      };
    }[];
  };
}

/** GET /cainfo over TLS from the CA's published port, checking its certificate for `servername`. */
function httpsGet(
  port: number,
  servername: string,
  ca: Buffer,
): Promise<{ status: number; peerCert: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/cainfo', servername, ca }, (res) => {
      const peerCert = (res.socket as TLSSocket).getPeerCertificate().raw;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, peerCert }));
    });
    req.on('error', reject);
  });
}

/** Every container's log into test-results/compose-logs/ (down removes the containers and their logs). */
function saveContainerLogs(): void {
  const dir = path.resolve(__dirname, '../../test-results/compose-logs');
  fs.mkdirSync(dir, { recursive: true });
  const names = podman([
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--format',
    '{{.Names}}',
  ]);
  for (const c of names.trim().split('\n').filter(Boolean)) {
    fs.writeFileSync(path.join(dir, `${c}.log`), podmanLogs(c));
  }
  log(`container logs in ${dir}`);
}

(process.env.COMPOSE_TEST === '1' ? describe : describe.skip)('docker-compose.yaml on Podman', () => {
  const env = { ...process.env, ENERGY_NETWORK_RUN_DIR: RUN_DIR };

  beforeAll(async () => {
    log(`compose up: ${composeSh(['up'], env).toFixed(1)} s`);
    const t0 = Date.now();
    await waitReady(API_URL, 2 * MINUTE);
    log(`API container ready: ${seconds(t0)} s`);
  }, 10 * MINUTE);

  afterAll(() => {
    saveContainerLogs();
    log(`compose down: ${composeSh(['down'], env).toFixed(1)} s`);
  }, 2 * MINUTE);

  it('each node has its own network namespace and reaches the others by host name only', () => {
    const t = topology(2, 'names');
    const names = podman([
      'ps',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--format',
      '{{.Names}}',
    ])
      .trim()
      .split('\n')
      .sort();
    const nodes = [
      ...t.orderers.map((o) => o.host),
      ...t.orgs.flatMap((org) => [org.peer.host, org.chaincodeServer.host, org.ca.host]),
    ];
    expect(names).toEqual([...nodes, 'auctioneer.energy.local', 'gateway.energy.local'].sort());
    for (const c of names) {
      const networks = podman([
        'inspect',
        '--format',
        '{{range $n, $_ := .NetworkSettings.Networks}}{{$n}} {{end}}',
        c,
      ]);
      expect([c, networks.trim()]).toEqual([c, `${PROJECT}_default`]);
      // every service has a HEALTHCHECK, and compose.sh ran each until it passed
      const health = podman(['inspect', '--format', '{{.State.Health.Status}}', c]).trim();
      expect([c, health]).toEqual([c, 'healthy']);
    }
    // From a peer's namespace: the orderer answers at its name; 127.0.0.1 is the peer's own loopback.
    const peer = t.orgs[1]!.peer.host;
    const orderer = t.orderers[0];
    expect(execSucceeds(peer, `exec 3<>/dev/tcp/${orderer.host}/${orderer.port}`)).toBe(true);
    expect(execSucceeds(peer, `exec 3<>/dev/tcp/127.0.0.1/${orderer.port}`)).toBe(false);
    // The channel the nodes run on names hosts, never 127.0.0.1.
    const a = blockAddresses(new RunPaths(RUN_DIR).channelBlock);
    expect(a.endpoints.sort()).toEqual(t.orderers.map((o) => `${o.host}:${o.port}`).sort());
    expect(a.consenters.sort()).toEqual(t.orderers.map((o) => `${o.host}:${o.clusterPort}`).sort());
    expect(a.anchors.sort()).toEqual(t.orgs.map((org) => `${org.peer.host}:${org.peer.port}`).sort());
  });

  let registeredName = '';

  it("a new identity is registered from the tools container and enrolled by its org's CA container", () => {
    const t = topology(2, 'names');
    const org = t.orgs[1]!;
    const registered = () => (podmanLogs(org.ca.host).match(/POST \/register 201/g) ?? []).length;
    const before = registered();
    // a CA started on the host (network:generate's) logs here: it must not start this time
    const hostCaLog = new RunPaths(RUN_DIR).log(org.ca.name);
    const hostCaLogSize = fs.statSync(hostCaLog).size;
    const name = `carol-${Date.now() % 1_000_000}`;
    registeredName = name;
    // in the tools container on the compose network (no Fabric binary of the host), by the CA's name
    const args = ['identity', 'register', '--org', org.name, '--role', 'bidder', '--name', name];
    composeSh(['tools', ...args], { ...process.env, ENERGY_NETWORK_RUN_DIR: RUN_DIR });
    expect(registered()).toBe(before + 1);
    expect(fs.statSync(hostCaLog).size).toBe(hostCaLogSize);
    // the certificate carries the role the chaincode checks (Fabric CA's attribute extension)
    const { certPath } = new RunPaths(RUN_DIR).enrolledIdentity(org, name);
    const cert = new X509Certificate(fs.readFileSync(certPath));
    expect(cert.subject).toContain(`CN=${name}`);
    expect(cert.raw.toString('latin1')).toContain('"market.role":"bidder"');
  });

  it("each CA's database lives in its named volume; the run directory's copy is retired", () => {
    const t = topology(2, 'names');
    const p = new RunPaths(RUN_DIR);
    for (const org of t.orgs) {
      const mounts = podman([
        'inspect',
        '--format',
        '{{range .Mounts}}{{.Name}}={{.Destination}} {{end}}',
        org.ca.host,
      ]);
      expect([org.ca.host, mounts.split(' ')]).toEqual([
        org.ca.host,
        expect.arrayContaining([`${PROJECT}_${caVolume(org)}=${CA_HOME}`]),
      ]);
      expect(execSucceeds(org.ca.host, `test -s ${CA_HOME}/${CA_DATABASE}`)).toBe(true);
      const home = p.caHome(org);
      expect([org.name, fs.existsSync(path.join(home, CA_DATABASE))]).toEqual([org.name, false]);
      expect([org.name, fs.existsSync(path.join(home, CA_DATABASE + CA_MOVED_SUFFIX))]).toEqual([
        org.name,
        true,
      ]);
    }
  });

  it('each CA answers over TLS only, with a certificate of its org’s root for its name', async () => {
    const t = topology(2, 'names');
    const p = new RunPaths(RUN_DIR);
    for (const org of t.orgs) {
      const root = fs.readFileSync(path.join(p.orgDir(org), 'ca', `ca.${org.domain}-cert.pem`));
      const info = await httpsGet(org.ca.port, org.ca.host, root);
      expect([org.ca.host, info.status]).toEqual([org.ca.host, 200]);
      expect(new X509Certificate(info.peerCert).checkIssued(new X509Certificate(root))).toBe(true);
      // plain HTTP gets no CA answer (Go's TLS server answers 400 to it)
      const plain = await fetch(`http://127.0.0.1:${org.ca.port}/cainfo`).then(
        (r) => r.status,
        () => 0,
      );
      expect([org.ca.host, plain]).not.toEqual([org.ca.host, 200]);
    }
  });

  let earlierRound = '';
  let grownRound = '';
  const threeUtilities = path.resolve(__dirname, '../../work/docker-compose.3.yaml');

  it(
    'a round settles; after restarting a peer and an orderer container another round settles',
    async () => {
      earlierRound = await round(API_URL, 'a');
      const t0 = Date.now();
      podman(['restart', '--time', '10', 'peer0.utility1.energy.local', 'orderer1.orderer.energy.local']);
      await waitHealthz(7212); // peer0.utility1 operations
      await waitHealthz(7103); // orderer1 operations
      log(`restarted peer0.utility1 and orderer1, healthy again: ${seconds(t0)} s`);
      await round(API_URL, 'b');
    },
    10 * MINUTE,
  );

  it(
    'a third utility joins the live deployment (add-utility) and trades; the earlier rounds stay',
    async () => {
      writeComposeFile({ utilities: 3, file: threeUtilities });
      const env3 = { ...env, ENERGY_COMPOSE_FILE: threeUtilities };
      log(`add-utility: ${composeSh(['add-utility'], env3).toFixed(1)} s`);
      const t = topology(3, 'names');
      const org = t.orgs[3]!;
      for (const c of [org.peer.host, org.chaincodeServer.host, org.ca.host]) {
        expect([c, podman(['inspect', '--format', '{{.State.Health.Status}}', c]).trim()]).toEqual([
          c,
          'healthy',
        ]);
      }
      // Utility3 through the Fabric gateway of its own peer (published on the host's 127.0.0.1)
      const gateway = await connectGateway(org.mspId, { runDir: RUN_DIR });
      try {
        const u3 = new MarketClient(gateway.getNetwork('energy').getContract('market'), org.mspId);
        // the same ledger: a round cleared before Utility3 existed is on its peer
        const seen = await retry('the earlier round on the new peer', () => u3.getRound(earlierRound));
        expect(seen.status).toBe('CLEARED');

        grownRound = await roundWithUtility3(u3);
      } finally {
        gateway.close();
      }
    },
    10 * MINUTE,
  );

  it(
    'a backup of the stopped deployment, restored where it was purged, resumes with every round',
    async () => {
      // it backs up what the two tests before made: without their rounds it would only fail later, less clearly
      if (!earlierRound || !grownRound)
        throw new Error('E_PRECONDITION: an earlier test made no round (see its failure)');
      const env3 = { ...env, ENERGY_COMPOSE_FILE: threeUtilities };
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-backup-'));
      try {
        log(`backup: ${composeSh(['backup', dir], env3).toFixed(1)} s`);
        expect(fs.readdirSync(dir)).toEqual(
          expect.arrayContaining([
            'run-dir.tgz',
            `${PROJECT}_peer0.utility3.tgz`,
            `${PROJECT}_${caVolume(topology(3, 'names').orgs[3]!)}.tgz`,
          ]),
        );
        log(`down --purge: ${composeSh(['down', '--purge'], env3).toFixed(1)} s`);
        expect(fs.existsSync(RUN_DIR)).toBe(false);
        log(`restore: ${composeSh(['restore', dir], env3).toFixed(1)} s`);
        log(`up: ${composeSh(['up'], env3).toFixed(1)} s`);
        await waitReady(API_URL, 2 * MINUTE);
        const operator = new ApiClient(API_URL, DEMO_TOKENS.operator);
        for (const id of [earlierRound, grownRound]) {
          const view = await retry(`round ${id} after the restore`, () => operator.round(id));
          expect([id, view.round.status]).toEqual([id, 'CLEARED']);
        }
        // the CA database came back with its volume: the identity registered before is known
        const org = topology(2, 'names').orgs[1]!;
        const again = ['tools', 'identity', 'register', '--org', org.name, '--role', 'bidder'];
        const r = composeShOutput([...again, '--name', registeredName], env3);
        expect(r.status).not.toBe(0);
        expect(r.output).toContain('E_REGISTERED');
        // and the restored network still trades
        await round(API_URL, 'd');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    10 * MINUTE,
  );
});

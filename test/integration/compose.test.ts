/**
 * docker-compose.yaml: valid for docker-compose (`config -q`, no engine needed) and the same
 * topology as the native network (network/config/topology.ts): orgs, MSP ids, ports, channel;
 * each service in its own network namespace, dialled by its host name.
 * Checked for the committed file (2 utilities) and for the generator's output for 3
 * (`npm run compose:generate -- --utilities 3`, network/src/compose-file.ts).
 * scripts/test.sh installs docker-compose (Debian package) when it is missing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { CHAINCODE_NAME, CHANNEL, DEFAULT_UTILITIES, topology } from '../../network/config/topology';
import { packageIdVariable, writeComposeFile } from '../../network/src/compose-file';

const root = path.join(__dirname, '..', '..');
const generatedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-test-'));
afterAll(() => fs.rmSync(generatedDir, { recursive: true, force: true }));

/** The committed file, and one the generator writes for 3 utilities (outside the repo). */
function composeFiles(): Array<[string, string, number]> {
  const three = path.join(generatedDir, 'docker-compose.3.yaml');
  writeComposeFile({ utilities: 3, file: three });
  return [
    ['docker-compose.yaml', path.join(root, 'docker-compose.yaml'), DEFAULT_UTILITIES],
    ['generated for 3 utilities', three, 3],
  ];
}

interface Service {
  image: string;
  network_mode?: string;
  environment?: Record<string, string>;
  command?: string | string[];
  volumes?: string[];
  ports?: string[];
}
interface Compose {
  'x-energy-network': { channel: string; chaincode: string; utilities: number };
  services: Record<string, Service>;
}

function hasDockerCompose(): boolean {
  try {
    execFileSync('docker-compose', ['version', '--short'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.each(composeFiles())('%s', (_label, file, utilities) => {
  const t = topology(utilities, 'names');
  const compose = load(fs.readFileSync(file, 'utf8')) as Compose;
  const packageIds: Record<string, string> = {
    ENERGY_AUCTION_VERSION: '0.0.0-test',
    ENERGY_NETWORK_RUN_DIR: '/tmp/energy-run-test',
    ...Object.fromEntries(
      t.orgs.map((org, i) => [packageIdVariable(org), 'market_1.0:' + String(i).repeat(64)]),
    ),
  };
  // Relative paths (./network/config) resolve against the repo wherever the file is.
  const configArgs = ['-f', file, '--project-directory', root, 'config', '-q'];

  test('docker-compose config -q accepts it', () => {
    if (!hasDockerCompose()) {
      throw new Error('docker-compose is not installed: run network/scripts/ensure-docker-compose.sh');
    }
    execFileSync('docker-compose', configArgs, {
      cwd: root,
      env: { ...process.env, ...packageIds },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  });

  test('and refuses to run without the chaincode package ids', () => {
    if (!hasDockerCompose()) throw new Error('docker-compose is not installed');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in packageIds)));
    expect(() => execFileSync('docker-compose', configArgs, { cwd: root, env, stdio: 'pipe' })).toThrow(
      /network:generate/,
    );
  });

  test('channel, chaincode and number of utilities match the native network', () => {
    expect(compose['x-energy-network']).toEqual({
      channel: CHANNEL,
      chaincode: CHAINCODE_NAME,
      utilities: t.utilities,
    });
  });

  test('3 orderers of OrdererMSP on the native ports, official image 2.5.0', () => {
    for (const o of t.orderers) {
      const s = compose.services[o.host]!;
      expect(s).toBeDefined();
      expect(s.image).toBe('hyperledger/fabric-orderer:2.5.0');
      // its own network namespace: listens on every interface there, published on 127.0.0.1
      expect(s.network_mode).toBeUndefined();
      expect(s.ports).toEqual(
        [o.port, o.clusterPort, o.adminPort, o.operationsPort].map((p) => `127.0.0.1:${p}:${p}`),
      );
      const env = s.environment!;
      expect(env.ORDERER_GENERAL_LISTENADDRESS).toBe('0.0.0.0');
      expect(env.ORDERER_GENERAL_LOCALMSPID).toBe(t.ordererOrg.mspId);
      expect(env.ORDERER_GENERAL_LISTENPORT).toBe(String(o.port));
      expect(env.ORDERER_GENERAL_CLUSTER_LISTENPORT).toBe(String(o.clusterPort));
      expect(env.ORDERER_ADMIN_LISTENADDRESS).toBe(`0.0.0.0:${o.adminPort}`);
      expect(env.ORDERER_OPERATIONS_LISTENADDRESS).toBe(`0.0.0.0:${o.operationsPort}`);
      expect(env.ORDERER_GENERAL_LOCALMSPDIR).toContain(`/orderers/${o.host}/msp`);
    }
  });

  test('one peer per org with its MSP, ports and gossip endpoint, official image 2.5.0', () => {
    for (const org of t.orgs) {
      const s = compose.services[org.peer.host]!;
      expect(s).toBeDefined();
      expect(s.image).toBe('hyperledger/fabric-peer:2.5.0');
      const env = s.environment!;
      // other nodes dial it by its host name
      const endpoint = `${org.peer.host}:${org.peer.port}`;
      expect(s.network_mode).toBeUndefined();
      expect(env.CORE_PEER_LOCALMSPID).toBe(org.mspId);
      expect(env.CORE_PEER_LISTENADDRESS).toBe(`0.0.0.0:${org.peer.port}`);
      expect(env.CORE_PEER_ADDRESS).toBe(endpoint);
      expect(env.CORE_PEER_GOSSIP_EXTERNALENDPOINT).toBe(endpoint);
      expect(env.CORE_PEER_CHAINCODELISTENADDRESS).toBe(`0.0.0.0:${org.peer.chaincodePort}`);
      expect(env.CORE_OPERATIONS_LISTENADDRESS).toBe(`0.0.0.0:${org.peer.operationsPort}`);
      expect(env.CORE_PEER_MSPCONFIGPATH).toContain(`/peers/${org.peer.host}/msp`);
      // The same configuration files and external builder as the native network.
      expect(s.volumes).toEqual(
        expect.arrayContaining([
          './network/config:/etc/hyperledger/fabric:ro',
          './network/builder:/opt/energy-auction/builder:ro',
        ]),
      );
    }
  });

  test('one chaincode server per org running the same command with its MSP id', () => {
    for (const org of t.orgs) {
      const s = compose.services[org.chaincodeServer.host]!;
      expect(s).toBeDefined();
      // The project's image (deploy/images), tagged with package.json's version via compose.env.
      expect(s.image).toMatch(/^energy-auction\/market-chaincode:\$\{ENERGY_AUCTION_VERSION:\?/);
      expect(s.environment!.CORE_PEER_LOCALMSPID).toBe(org.mspId);
      const cmd = s.command as string[];
      expect(cmd.slice(0, 3)).toEqual(['node', 'node_modules/fabric-shim/cli.js', 'server']);
      expect(cmd[cmd.indexOf('--chaincode-address') + 1]).toBe(`0.0.0.0:${org.chaincodeServer.port}`);
      expect(cmd[cmd.indexOf('--module-path') + 1]).toBe('chaincode');
    }
  });

  test('the setup job runs in the tools image, on the compose network like the nodes', () => {
    const setup = compose.services.setup!;
    expect(setup.image).toMatch(/^energy-auction\/tools:/);
    expect(setup.network_mode).toBeUndefined();
    expect(setup.command).toEqual(['setup']);
    expect(setup.volumes).toContain(
      '${ENERGY_NETWORK_RUN_DIR}/connection-containers:${ENERGY_NETWORK_RUN_DIR}/connection:ro',
    );
  });

  test('nothing else but the gateway and auctioneer services (profile services, project images)', () => {
    for (const name of ['gateway', 'auctioneer']) {
      const image = name === 'gateway' ? 'api' : name;
      expect(compose.services[name]?.image).toMatch(new RegExp(`^energy-auction/${image}:`));
      expect(compose.services[name]?.network_mode).toBeUndefined();
      // the peers by name: the containers' own connection files, where the host's lie
      expect(compose.services[name]?.volumes).toContain(
        '${ENERGY_NETWORK_RUN_DIR}/connection-containers:${ENERGY_NETWORK_RUN_DIR}/connection:ro',
      );
    }
    const expected = [
      ...t.orderers.map((o) => o.host),
      ...t.orgs.map((o) => o.peer.host),
      ...t.orgs.map((o) => o.chaincodeServer.host),
      ...t.orgs.map((o) => o.ca.host),
      'setup',
      'gateway',
      'auctioneer',
    ].sort();
    expect(Object.keys(compose.services).sort()).toEqual(expected);
  });
});

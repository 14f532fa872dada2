/**
 * The compose file generator (network/src/compose-file.ts): the committed docker-compose.yaml is
 * its output for the default 2 utilities, and N utilities give N peers and chaincode servers on
 * the topology's ports. docker-compose's own check of generated files: test/integration/compose.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { DEFAULT_UTILITIES, MAX_UTILITIES, topology } from '../../../network/config/topology';
import {
  composeFile,
  defaultComposePath,
  packageIdVariable,
  writeComposeFile,
} from '../../../network/src/compose-file';

interface Compose {
  'x-energy-network': { utilities: number };
  services: Record<
    string,
    {
      environment?: Record<string, string>;
      command?: string[];
      image: string;
      network_mode?: string;
      ports?: string[];
      healthcheck?: { test: string[] };
      depends_on?: Record<string, { condition: string }>;
      container_name?: string;
      extra_hosts?: string[];
      networks?: { default: { ipv4_address: string } };
    }
  >;
  volumes: Record<string, unknown>;
}

describe('compose file generator', () => {
  test('the committed docker-compose.yaml is the output for the default topology', () => {
    const committed = fs.readFileSync(defaultComposePath(), 'utf8');
    // On failure: npm run compose:generate (the file was edited by hand or the generator changed).
    expect(committed).toBe(composeFile(topology(DEFAULT_UTILITIES, 'names')));
  });

  test('3 utilities: a third peer and chaincode server on its ports with its own package id', () => {
    const t = topology(3, 'names');
    const org = t.orgs[3]!;
    const compose = load(composeFile(t)) as Compose;
    expect(compose['x-energy-network'].utilities).toBe(3);
    const peer = compose.services['peer0.utility3.energy.local']!;
    expect(peer.environment!.CORE_PEER_LOCALMSPID).toBe('Utility3MSP');
    expect(peer.environment!.CORE_PEER_ADDRESS).toBe(`peer0.utility3.energy.local:${org.peer.port}`);
    expect(org.peer.port).toBe(7230);
    const cc = compose.services['chaincode.utility3.energy.local']!;
    const arg = (flag: string): string | undefined => cc.command![cc.command!.indexOf(flag) + 1];
    expect(arg('--chaincode-id')).toMatch(new RegExp(`^\\$\\{${packageIdVariable(org)}:\\?`));
    expect(packageIdVariable(org)).toBe('MARKET_PACKAGE_ID_UTILITY3');
    expect(arg('--chaincode-address')).toBe('0.0.0.0:7233');
    expect(Object.keys(compose.volumes)).toContain('peer0.utility3');
  });

  test.each(Array.from({ length: MAX_UTILITIES }, (_, i) => i + 1))(
    '%i utilities: valid YAML with one peer and one chaincode server per org',
    (n) => {
      const t = topology(n, 'names');
      const compose = load(composeFile(t)) as Compose;
      const names = Object.keys(compose.services);
      expect(names.filter((s) => s.startsWith('peer0.'))).toHaveLength(n + 1);
      expect(names.filter((s) => s.startsWith('chaincode.'))).toHaveLength(n + 1);
      expect(names.filter((s) => s.startsWith('orderer'))).toHaveLength(3);
      for (const org of t.orgs) expect(compose.services[org.peer.host]).toBeDefined();
    },
  );

  test('every service has its own network namespace, dials the others by name, publishes on 127.0.0.1', () => {
    const t = topology(2, 'names');
    const compose = load(composeFile(t)) as Compose;
    for (const [name, service] of Object.entries(compose.services)) {
      expect([name, service.network_mode]).toEqual([name, undefined]);
      // what a node advertises or dials never is the loopback of its own namespace (a CA's TLS
      // certificate names it, for its own HEALTHCHECK: --csr.hosts is not an address)
      const command = [service.command ?? []].flat(); // a string or a list
      const hosts = command.indexOf('--csr.hosts');
      const settings = [
        ...Object.values(service.environment ?? {}),
        ...command.filter((_, i) => hosts < 0 || i !== hosts + 1),
      ];
      expect([name, settings.filter((v) => v.includes('127.0.0.1'))]).toEqual([name, []]);
      for (const p of service.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:(\d+):\1$/);
    }
    const peer = compose.services['peer0.operator.energy.local']!;
    expect(peer.environment!.CORE_PEER_GOSSIP_EXTERNALENDPOINT).toBe('peer0.operator.energy.local:7200');
    expect(peer.ports).toEqual(['127.0.0.1:7200:7200', '127.0.0.1:7201:7201', '127.0.0.1:7202:7202']);
    expect(compose.services.gateway!.ports).toEqual(['127.0.0.1:3000:3000']);
  });

  test("every Fabric service has a HEALTHCHECK on its own port (the project's images bring theirs)", () => {
    const t = topology(2, 'names');
    const compose = load(composeFile(t)) as Compose;
    const probes = [
      ...t.orderers.map((o) => [o.host, o.operationsPort, '/healthz'] as const),
      ...t.orgs.map((org) => [org.peer.host, org.peer.operationsPort, '/healthz'] as const),
    ];
    for (const [service, port, urlPath] of probes) {
      const probe = compose.services[service]!.healthcheck!.test;
      expect(probe.slice(0, 3)).toEqual(['CMD', 'bash', '-c']);
      expect(probe[3]).toContain(`/dev/tcp/127.0.0.1/${port} `);
      expect(probe[3]).toContain(`GET ${urlPath} HTTP/1.0`);
    }
    // the CAs speak TLS: their own client checks them, trusting the org's root certificate
    for (const org of t.orgs) {
      const probe = compose.services[org.ca.host]!.healthcheck!.test;
      expect(probe.slice(0, 5)).toEqual([
        'CMD',
        'fabric-ca-client',
        'getcainfo',
        '-u',
        `https://127.0.0.1:${org.ca.port}`,
      ]);
      expect(probe[6]).toBe(
        `/etc/energy/crypto/peerOrganizations/${org.domain}/ca/ca.${org.domain}-cert.pem`,
      );
    }
  });

  describe("a CA container's first start moves the org's CA database into its volume", () => {
    const org = topology(2, 'names').orgs[1]!;
    const service = (load(composeFile(topology(2, 'names'))) as Compose).services[org.ca.host]!;
    let root = '';
    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-seed-'));
      fs.mkdirSync(path.join(root, 'volume'));
      fs.mkdirSync(path.join(root, 'seed', 'registrar'), { recursive: true });
      fs.writeFileSync(path.join(root, 'seed', 'fabric-ca-server.db'), 'registrations');
      fs.writeFileSync(path.join(root, 'seed', 'IssuerPublicKey'), 'idemix');
      fs.writeFileSync(path.join(root, 'seed', 'registrar.secret'), 'secret');
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    /** The service's own command, with its paths moved under `root` and `$$` read as compose does. */
    function start(): { status: number | null; out: string } {
      const [sh, flag, script, ...rest] = service.command!;
      expect([sh, flag]).toEqual(['sh', '-c']);
      const local = script!
        .replaceAll('/etc/hyperledger/fabric-ca-server', path.join(root, 'volume'))
        .replaceAll('/seed', path.join(root, 'seed'))
        .replaceAll('$$', '$');
      expect(rest.slice(0, 2)).toEqual(['ca-seed', 'fabric-ca-server']);
      const r = spawnSync('sh', ['-c', local, 'ca-seed', 'echo', 'server started'], { encoding: 'utf8' });
      return { status: r.status, out: r.stdout + r.stderr };
    }
    const inVolume = (f: string) => fs.existsSync(path.join(root, 'volume', f));
    const inSeed = (f: string) => fs.existsSync(path.join(root, 'seed', f));

    test('the first start copies the home without the registrar, retires the seed, then execs the server', () => {
      const r = start();
      expect(r.status).toBe(0);
      expect(r.out).toContain('server started');
      expect(fs.readFileSync(path.join(root, 'volume', 'fabric-ca-server.db'), 'utf8')).toBe('registrations');
      expect(inVolume('IssuerPublicKey')).toBe(true);
      expect([inVolume('registrar'), inVolume('registrar.secret')]).toEqual([false, false]);
      expect([inSeed('fabric-ca-server.db'), inSeed('fabric-ca-server.db.moved-to-volume')]).toEqual([
        false,
        true,
      ]);
    });

    test('a later start keeps what the volume holds', () => {
      expect(start().status).toBe(0);
      fs.writeFileSync(path.join(root, 'volume', 'fabric-ca-server.db'), 'registrations and alice');
      expect(start().status).toBe(0);
      expect(fs.readFileSync(path.join(root, 'volume', 'fabric-ca-server.db'), 'utf8')).toBe(
        'registrations and alice',
      );
    });

    test('a lost volume is refused, not started with an empty database', () => {
      expect(start().status).toBe(0);
      fs.rmSync(path.join(root, 'volume'), { recursive: true });
      fs.mkdirSync(path.join(root, 'volume'));
      const r = start();
      expect(r.status).toBe(1);
      expect(r.out).toContain('E_CA_DATABASE');
      expect(r.out).not.toContain('server started');
    });
  });

  test.each([2, 4])(
    '%i utilities: setup, the API and the auctioneer start once what they dial is healthy',
    (n) => {
      const t = topology(n, 'names');
      const compose = load(composeFile(t)) as Compose;
      const orderers = t.orderers.map((o) => o.host);
      const peers = t.orgs.map((org) => org.peer.host);
      const expected: Record<string, string[]> = {
        setup: [...orderers, ...peers, ...t.orgs.map((org) => org.chaincodeServer.host)],
        gateway: [...orderers, ...peers],
        auctioneer: [...orderers, t.orgs[0].peer.host],
      };
      for (const [service, deps] of Object.entries(expected)) {
        const dependsOn = compose.services[service]!.depends_on!;
        expect([service, Object.keys(dependsOn).sort()]).toEqual([service, [...deps].sort()]);
        for (const dep of deps) {
          expect(dependsOn[dep]).toEqual({ condition: 'service_healthy' });
          // a dependency without a HEALTHCHECK would never become healthy: the Fabric services have
          // one in the file, the chaincode servers' image brings its own (Containerfile.services)
          const d = compose.services[dep]!;
          expect([dep, d.healthcheck !== undefined || d.image.startsWith('energy-auction/')]).toEqual([
            dep,
            true,
          ]);
        }
      }
      // the nodes themselves wait for nothing: each starts on its own, as on its own host
      for (const node of [...orderers, ...peers]) expect(compose.services[node]!.depends_on).toBeUndefined();
    },
  );

  test.each([2, 9])(
    '%i utilities: each container has its own fixed address, and every container knows them all',
    (n) => {
      const t = topology(n, 'names');
      const compose = load(composeFile(t)) as Compose;
      const hosts = new Map<string, string>();
      for (const service of Object.values(compose.services)) {
        if (service.container_name === undefined) continue; // the one-shot setup job
        const ip = service.networks!.default.ipv4_address;
        expect(ip).toMatch(/^10\.89\.250\.\d+$/);
        hosts.set(service.container_name, ip);
      }
      expect(new Set(hosts.values()).size).toBe(hosts.size);
      const expected = [...hosts].map(([name, ip]) => `${name}:${ip}`).sort();
      for (const [name, service] of Object.entries(compose.services)) {
        expect([name, [...service.extra_hosts!].sort()]).toEqual([name, expected]);
      }
      // every node the channel and the connection files name is among them
      for (const o of t.orderers) expect(hosts.has(o.host)).toBe(true);
      for (const org of t.orgs) {
        for (const h of [org.peer.host, org.chaincodeServer.host, org.ca.host])
          expect(hosts.has(h)).toBe(true);
      }
    },
  );

  test('a topology with loopback addressing is refused', () => {
    expect(() => composeFile(topology(2))).toThrow(/E_ADDRESSING: .* got loopback/);
  });

  describe('writeComposeFile', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-file-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('writes, then reports up to date; --check refuses a file edited by hand', () => {
      const file = path.join(dir, 'docker-compose.yaml');
      expect(writeComposeFile({ utilities: 2, file })).toEqual({ file, upToDate: false });
      expect(writeComposeFile({ utilities: 2, file, check: true })).toEqual({ file, upToDate: true });
      fs.appendFileSync(file, '# hand edit\n');
      expect(() => writeComposeFile({ utilities: 2, file, check: true })).toThrow(
        /E_COMPOSE_STALE: .* run npm run compose:generate -- --utilities 2/,
      );
      // --check never writes
      expect(fs.readFileSync(file, 'utf8')).toMatch(/# hand edit\n$/);
      expect(() => writeComposeFile({ utilities: 3, file, check: true })).toThrow(/--utilities 3/);
    });

    test('a bad number of utilities is refused before anything is written', () => {
      const file = path.join(dir, 'x.yaml');
      expect(() => writeComposeFile({ utilities: 0, file })).toThrow(/integer in 1\.\.9, got 0/);
      expect(fs.existsSync(file)).toBe(false);
    });
  });
});

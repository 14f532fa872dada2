/**
 * The pure parts of the native network (no Fabric binaries needed): topology and ports, the
 * committed collections config, the deterministic ccaas package, the generated YAML.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { allPorts, collectionsConfig, MAX_UTILITIES, topology } from '../../../network/config/topology';
import { ccaasPackage, packageId } from '../../../network/src/ccpackage';
import { configtx, cryptoConfig } from '../../../network/src/generate';
import { RunPaths } from '../../../network/src/paths';
import { checkPorts, type ProcessSpec } from '../../../network/src/processes';
import { toYaml } from '../../../network/src/yaml';

const root = path.join(__dirname, '..', '..', '..');

describe('topology', () => {
  test('default: 3 orderers, OperatorMSP + Utility1MSP + Utility2MSP, channel energy', () => {
    const t = topology();
    expect(t.channel).toBe('energy');
    expect(t.orderers.map((o) => o.name)).toEqual(['orderer1', 'orderer2', 'orderer3']);
    expect(t.orgs.map((o) => o.mspId)).toEqual(['OperatorMSP', 'Utility1MSP', 'Utility2MSP']);
  });

  test.each([1, 2, 5, MAX_UTILITIES])(
    '%i utilities: every port distinct, on 127.0.0.1, not a Fabric default',
    (n) => {
      const ports = allPorts(topology(n)).map((p) => p.port);
      expect(new Set(ports).size).toBe(ports.length);
      for (const d of [7050, 7051, 7052, 7053, 8443, 9443]) expect(ports).not.toContain(d);
      expect(topology(n).orgs).toHaveLength(n + 1);
    },
  );

  test('rejects an unsupported number of utilities', () => {
    expect(() => topology(0)).toThrow(/1\.\.9/);
    expect(() => topology(MAX_UTILITIES + 1)).toThrow();
  });
});

describe('collections', () => {
  test('network/config/collections.json is the generated config for the default topology', () => {
    const committed: unknown = JSON.parse(
      fs.readFileSync(path.join(root, 'network', 'config', 'collections.json'), 'utf8'),
    );
    expect(committed).toEqual(collectionsConfig(topology()));
  });

  test('one member-only collection per utility, shared with the operator', () => {
    expect(collectionsConfig(topology(3))).toEqual(
      [1, 2, 3].map((u) => ({
        name: `bidsUtility${u}MSP`,
        policy: `OR('Utility${u}MSP.member','OperatorMSP.member')`,
        requiredPeerCount: 0,
        maxPeerCount: 1,
        blockToLive: 0,
        memberOnlyRead: true,
        memberOnlyWrite: true,
      })),
    );
  });
});

describe('ccaas package', () => {
  const connection = { address: '127.0.0.1:7203', dial_timeout: '10s', tls_required: false };

  test('is deterministic, so its package id is stable', () => {
    const a = ccaasPackage('market_1.0', connection);
    const b = ccaasPackage('market_1.0', connection);
    expect(a.equals(b)).toBe(true);
    expect(packageId('market_1.0', a)).toMatch(/^market_1\.0:[0-9a-f]{64}$/);
    const other = ccaasPackage('market_1.0', { ...connection, address: '127.0.0.1:7213' });
    expect(packageId('market_1.0', other)).not.toBe(packageId('market_1.0', a));
  });

  test('is a tar.gz of metadata.json and code.tar.gz holding connection.json (read by tar)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccaas-'));
    try {
      fs.writeFileSync(path.join(dir, 'pkg.tgz'), ccaasPackage('market_1.0', connection));
      expect(execFileSync('tar', ['-tzf', 'pkg.tgz'], { cwd: dir, encoding: 'utf8' }).split('\n')).toEqual([
        'metadata.json',
        'code.tar.gz',
        '',
      ]);
      execFileSync('tar', ['-xzf', 'pkg.tgz'], { cwd: dir });
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8'))).toEqual({
        type: 'ccaas',
        label: 'market_1.0',
      });
      execFileSync('tar', ['-xzf', 'code.tar.gz'], { cwd: dir });
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'connection.json'), 'utf8'))).toEqual(connection);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generated YAML', () => {
  test('toYaml round-trips through a YAML parser', () => {
    const value = { a: 'x: y', b: [1, true, { c: '500ms', d: [] }], e: { f: "OR('A.peer')" }, g: [] };
    expect(load(toYaml(value, ['comment']))).toEqual(value);
  });

  test('crypto-config and configtx for the default topology parse and name every org', () => {
    const t = topology();
    const crypto = load(toYaml(cryptoConfig(t))) as { PeerOrgs: { Name: string }[] };
    expect(crypto.PeerOrgs.map((o) => o.Name)).toEqual(['Operator', 'Utility1', 'Utility2']);
    const ctx = load(toYaml(configtx(t, new RunPaths('/tmp/run')))) as {
      Profiles: {
        EnergyChannel: {
          Orderer: { EtcdRaft: { Consenters: { Port: number }[] } };
          Application: { Organizations: { ID: string; AnchorPeers: { Port: number }[] }[] };
        };
      };
    };
    const profile = ctx.Profiles.EnergyChannel;
    expect(profile.Orderer.EtcdRaft.Consenters.map((c) => c.Port)).toEqual(
      t.orderers.map((o) => o.clusterPort),
    );
    expect(profile.Application.Organizations.map((o) => [o.ID, o.AnchorPeers[0]!.Port])).toEqual(
      t.orgs.map((o) => [o.mspId, o.peer.port]),
    );
  });

  test.each([
    ['loopback', () => '127.0.0.1'],
    ['names', (host: string) => host],
  ] as const)('%s addressing: endpoints, consenters and anchor peers', (addressing, hostOf) => {
    const t = topology(2, addressing);
    const profile = (
      load(toYaml(configtx(t, new RunPaths('/tmp/run')))) as {
        Profiles: { EnergyChannel: ChannelProfile };
      }
    ).Profiles.EnergyChannel;
    expect(profile.Orderer.Organizations[0]!.OrdererEndpoints).toEqual(
      t.orderers.map((o) => `${hostOf(o.host)}:${o.port}`),
    );
    expect(profile.Orderer.EtcdRaft.Consenters.map((c) => c.Host)).toEqual(
      t.orderers.map((o) => hostOf(o.host)),
    );
    expect(profile.Application.Organizations.map((o) => o.AnchorPeers[0]!.Host)).toEqual(
      t.orgs.map((o) => hostOf(o.peer.host)),
    );
  });

  test('an unknown addressing is refused, naming it', () => {
    expect(() => topology(2, 'dns' as never)).toThrow(/E_ADDRESSING: .*loopback, names, got dns/);
  });
});

interface ChannelProfile {
  Orderer: {
    Organizations: { OrdererEndpoints: string[] }[];
    EtcdRaft: { Consenters: { Host: string }[] };
  };
  Application: { Organizations: { AnchorPeers: { Host: string }[] }[] };
}

describe('port check', () => {
  test('names the node and the port when a port is already taken', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-'));
    try {
      const spec: ProcessSpec = {
        name: 'peer0.test',
        cmd: '/bin/true',
        args: [],
        env: {},
        ports: [{ port, what: 'listen' }],
        health: { kind: 'tcp', port },
      };
      await expect(checkPorts(new RunPaths(dir), [spec])).rejects.toThrow(
        `port 127.0.0.1:${port} (peer0.test listen) is already in use`,
      );
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

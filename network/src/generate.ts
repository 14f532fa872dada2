/**
 * One-time generation of a network's material in the run directory: crypto (cryptogen), the
 * `energy` channel's genesis block (configtxgen, no system channel), the private data collections
 * and one chaincode-as-a-service package per org. Each step is skipped when its output exists.
 */
import { enrollDefaultIdentities } from './ca';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CHAINCODE_NAME,
  CHAINCODE_VERSION,
  advertised,
  advertisedHost,
  collectionsConfig,
  HOST,
  type PeerOrg,
  type Topology,
} from '../config/topology';
import { ccaasPackage, packageId } from './ccpackage';
import { run, type FabricBin } from './exec';
import type { RunPaths } from './paths';
import { toYaml, type YamlValue } from './yaml';

export const CHAINCODE_LABEL = `${CHAINCODE_NAME}_${CHAINCODE_VERSION}`;

/** The first label of a host name: cryptogen's Hostname of the node (`peer0` of `peer0.x.y`). */
function hostLabel(host: string): string {
  return host.split('.')[0] ?? host;
}

/** cryptogen input: NodeOUs, TLS certificates valid for the host name and 127.0.0.1. */
export function cryptoConfig(t: Topology): YamlValue {
  const sans = [HOST, 'localhost'];
  return {
    OrdererOrgs: [
      {
        Name: t.ordererOrg.name,
        Domain: t.ordererOrg.domain,
        EnableNodeOUs: true,
        Specs: t.orderers.map((o) => ({ Hostname: hostLabel(o.host), SANS: sans })),
      },
    ],
    PeerOrgs: t.orgs.map((org) => ({
      Name: org.name,
      Domain: org.domain,
      EnableNodeOUs: true,
      // peer0 and the org's chaincode server (its TLS key pair serves the chaincode endpoint).
      Specs: [
        { Hostname: hostLabel(org.peer.host), SANS: sans },
        { Hostname: hostLabel(org.chaincodeServer.host), SANS: sans },
      ],
      Users: { Count: 1 },
    })),
  };
}

const implicitMeta = (rule: string): YamlValue => ({ Type: 'ImplicitMeta', Rule: rule });
const signature = (rule: string): YamlValue => ({ Type: 'Signature', Rule: rule });

/** An application org as configtxgen reads it: its MSP, policies and anchor peer. */
function applicationOrg(t: Topology, p: RunPaths, org: PeerOrg): YamlValue {
  const m = org.mspId;
  return {
    Name: m,
    ID: m,
    MSPDir: path.join(p.orgDir(org), 'msp'),
    Policies: {
      Readers: signature(`OR('${m}.admin','${m}.peer','${m}.client')`),
      Writers: signature(`OR('${m}.admin','${m}.client')`),
      Admins: signature(`OR('${m}.admin')`),
      Endorsement: signature(`OR('${m}.peer')`),
    },
    // Anchor peers in the org's definition: gossip (discovery, private data) across orgs.
    AnchorPeers: [{ Host: advertisedHost(t, org.peer.host), Port: org.peer.port }],
  };
}

/**
 * `org`'s definition as a channel config group (configtxgen -printOrg, JSON), for a channel
 * config update that adds it to a live channel (network/src/grow.ts).
 */
export function orgConfigGroup(t: Topology, p: RunPaths, bin: FabricBin, org: PeerOrg): unknown {
  const dir = path.join(p.config, `org-${org.mspId}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'configtx.yaml'),
    toYaml({ Organizations: [applicationOrg(t, p, org)] }, [
      `configtxgen -printOrg input for ${org.mspId}, generated from network/config/topology.ts`,
    ]),
  );
  return JSON.parse(run(bin.path('configtxgen'), ['-configPath', dir, '-printOrg', org.mspId]));
}

/** configtxgen input: one profile `EnergyChannel` for an application channel without system channel. */
export function configtx(t: Topology, p: RunPaths): YamlValue {
  const ordererMsp = t.ordererOrg.mspId;
  const ordererOrg = {
    Name: ordererMsp,
    ID: ordererMsp,
    MSPDir: path.join(p.ordererOrgDir(t), 'msp'),
    Policies: {
      Readers: signature(`OR('${ordererMsp}.member')`),
      Writers: signature(`OR('${ordererMsp}.member')`),
      Admins: signature(`OR('${ordererMsp}.admin')`),
    },
    OrdererEndpoints: t.orderers.map((o) => advertised(t, o.host, o.port)),
  };
  const peerOrgs = t.orgs.map((org) => applicationOrg(t, p, org));
  return {
    Profiles: {
      EnergyChannel: {
        Policies: {
          Readers: implicitMeta('ANY Readers'),
          Writers: implicitMeta('ANY Writers'),
          Admins: implicitMeta('MAJORITY Admins'),
        },
        Capabilities: { V2_0: true },
        Orderer: {
          OrdererType: 'etcdraft',
          // Cut a block after 100 ms or 100 transactions, whichever comes first: a lone transaction
          // waits at most 100 ms for company (500 ms made it the largest part of a bid's latency).
          BatchTimeout: '100ms',
          BatchSize: { MaxMessageCount: 100, AbsoluteMaxBytes: '10 MB', PreferredMaxBytes: '2 MB' },
          EtcdRaft: {
            Consenters: t.orderers.map((o) => {
              const cert = path.join(p.ordererDir(t, o), 'tls', 'server.crt');
              return {
                Host: advertisedHost(t, o.host),
                Port: o.clusterPort,
                ClientTLSCert: cert,
                ServerTLSCert: cert,
              };
            }),
            Options: {
              TickInterval: '500ms',
              ElectionTick: 10,
              HeartbeatTick: 1,
              MaxInflightBlocks: 5,
              // Small enough that every node's restart path (snapshot + WAL) is exercised early and by the
              // fault tests; a snapshot holds only the last block, so taking one is cheap.
              SnapshotIntervalSize: '4 MB',
            },
          },
          Organizations: [ordererOrg],
          Policies: {
            Readers: implicitMeta('ANY Readers'),
            Writers: implicitMeta('ANY Writers'),
            Admins: implicitMeta('MAJORITY Admins'),
            BlockValidation: implicitMeta('ANY Writers'),
          },
          Capabilities: { V2_0: true },
        },
        Application: {
          Organizations: peerOrgs,
          Policies: {
            Readers: implicitMeta('ANY Readers'),
            Writers: implicitMeta('ANY Writers'),
            Admins: implicitMeta('MAJORITY Admins'),
            LifecycleEndorsement: implicitMeta('MAJORITY Endorsement'),
            Endorsement: implicitMeta('MAJORITY Endorsement'),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  };
}

export interface ChaincodePackageInfo {
  mspId: string;
  file: string;
  packageId: string;
}

/** Writes (once) and describes each org's ccaas package: TLS to its own chaincode server. */
export function chaincodePackages(t: Topology, p: RunPaths): ChaincodePackageInfo[] {
  fs.mkdirSync(p.chaincode, { recursive: true });
  return t.orgs.map((org) => {
    const file = p.chaincodePackage(org);
    if (!fs.existsSync(file)) {
      const bytes = ccaasPackage(CHAINCODE_LABEL, {
        address: advertised(t, org.chaincodeServer.host, org.chaincodeServer.port),
        dial_timeout: '10s',
        tls_required: true,
        client_auth_required: false,
        root_cert: fs.readFileSync(path.join(p.chaincodeServerDir(org), 'tls', 'ca.crt'), 'utf8'),
      });
      fs.writeFileSync(file, bytes);
    }
    return { mspId: org.mspId, file, packageId: packageId(CHAINCODE_LABEL, fs.readFileSync(file)) };
  });
}

/** The package of org `mspId` among `packages` (one per org of the topology). */
export function packageOf(packages: ChaincodePackageInfo[], mspId: string): ChaincodePackageInfo {
  const pkg = packages.find((x) => x.mspId === mspId);
  if (!pkg) throw new Error(`no chaincode package for ${mspId}`);
  return pkg;
}

function writeCryptoConfig(t: Topology, p: RunPaths): string {
  const file = path.join(p.config, 'crypto-config.yaml');
  fs.writeFileSync(
    file,
    toYaml(cryptoConfig(t), ['cryptogen input, generated from network/config/topology.ts']),
  );
  return file;
}

/** Generates whatever is missing; returns the steps it performed. */
export function generate(t: Topology, p: RunPaths, bin: FabricBin): string[] {
  const done: string[] = [];
  fs.mkdirSync(p.config, { recursive: true });
  if (!fs.existsSync(p.topologyFile)) {
    const recorded = { utilities: t.utilities, addressing: t.addressing };
    fs.writeFileSync(p.topologyFile, JSON.stringify(recorded, null, 2) + '\n');
  }

  if (!fs.existsSync(path.join(p.crypto, 'DONE'))) {
    fs.rmSync(p.crypto, { recursive: true, force: true });
    run(bin.path('cryptogen'), ['generate', `--config=${writeCryptoConfig(t, p)}`, `--output=${p.crypto}`]);
    fs.writeFileSync(path.join(p.crypto, 'DONE'), new Date().toISOString() + '\n');
    done.push('crypto');
  } else {
    const missing = t.orgs.filter((org) => !fs.existsSync(path.join(p.orgDir(org), 'msp')));
    if (missing.length) {
      // an org added to a generated network: cryptogen extend makes the orgs it lacks only
      run(bin.path('cryptogen'), ['extend', `--config=${writeCryptoConfig(t, p)}`, `--input=${p.crypto}`]);
      done.push(`crypto of ${missing.map((o) => o.name).join(', ')}`);
    }
  }

  const enrolled = enrollDefaultIdentities(t, p, bin);
  if (enrolled.length) done.push(`client identities of ${enrolled.join(', ')} (Fabric CA)`);

  if (!fs.existsSync(p.channelBlock)) {
    fs.writeFileSync(
      path.join(p.config, 'configtx.yaml'),
      toYaml(configtx(t, p), ['configtxgen input, generated from network/config/topology.ts']),
    );
    fs.mkdirSync(path.dirname(p.channelBlock), { recursive: true });
    const tmp = p.channelBlock + '.tmp';
    run(bin.path('configtxgen'), [
      '-configPath',
      p.config,
      '-profile',
      'EnergyChannel',
      '-channelID',
      t.channel,
      '-outputBlock',
      tmp,
    ]);
    fs.renameSync(tmp, p.channelBlock);
    done.push('channel block');
  }

  fs.writeFileSync(p.collections, JSON.stringify(collectionsConfig(t), null, 2) + '\n');
  chaincodePackages(t, p);
  return done;
}

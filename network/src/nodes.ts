/**
 * The processes of the native network, as ProcessSpecs: 3 orderers, one peer per org and one
 * chaincode-as-a-service server per org. Shared settings come from network/config/{orderer,core}.yaml;
 * everything per node is an environment variable here (the same ones docker-compose.yaml sets).
 */
import * as path from 'node:path';
import { HOST, type OrdererNode, type PeerOrg, type Topology } from '../config/topology';
import { dialHost, dialAddress } from './dial';
import type { FabricBin } from './exec';
import { chaincodePackages, packageOf } from './generate';
import type { RunPaths } from './paths';
import type { ProcessSpec } from './processes';

/** Plain (uncoloured) Fabric log lines. */
const LOG_FORMAT =
  '%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{id:03x} %{message}';

function baseEnv(p: RunPaths): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FABRIC_CFG_PATH: p.fabricConfig,
    FABRIC_LOGGING_SPEC: 'info:gossip=warning:comm.grpc.server=warning',
    FABRIC_LOGGING_FORMAT: LOG_FORMAT,
  };
}

export function ordererSpec(t: Topology, p: RunPaths, bin: FabricBin, o: OrdererNode): ProcessSpec {
  const dir = p.ordererDir(t, o);
  const tls = (f: string) => path.join(dir, 'tls', f);
  const data = p.nodeData(o.name);
  return {
    name: o.name,
    cmd: bin.path('orderer'),
    args: [],
    env: {
      ...baseEnv(p),
      ORDERER_GENERAL_LISTENADDRESS: HOST,
      ORDERER_GENERAL_LISTENPORT: String(o.port),
      ORDERER_GENERAL_LOCALMSPID: t.ordererOrg.mspId,
      ORDERER_GENERAL_LOCALMSPDIR: path.join(dir, 'msp'),
      ORDERER_GENERAL_TLS_PRIVATEKEY: tls('server.key'),
      ORDERER_GENERAL_TLS_CERTIFICATE: tls('server.crt'),
      ORDERER_GENERAL_TLS_ROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_GENERAL_CLUSTER_LISTENADDRESS: HOST,
      ORDERER_GENERAL_CLUSTER_LISTENPORT: String(o.clusterPort),
      ORDERER_GENERAL_CLUSTER_SERVERCERTIFICATE: tls('server.crt'),
      ORDERER_GENERAL_CLUSTER_SERVERPRIVATEKEY: tls('server.key'),
      ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: tls('server.crt'),
      ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: tls('server.key'),
      ORDERER_FILELEDGER_LOCATION: path.join(data, 'ledger'),
      ORDERER_CONSENSUS_WALDIR: path.join(data, 'etcdraft', 'wal'),
      ORDERER_CONSENSUS_SNAPDIR: path.join(data, 'etcdraft', 'snapshot'),
      ORDERER_OPERATIONS_LISTENADDRESS: `${HOST}:${o.operationsPort}`,
      ORDERER_ADMIN_LISTENADDRESS: `${HOST}:${o.adminPort}`,
      ORDERER_ADMIN_TLS_CERTIFICATE: tls('server.crt'),
      ORDERER_ADMIN_TLS_PRIVATEKEY: tls('server.key'),
      ORDERER_ADMIN_TLS_ROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${tls('ca.crt')}]`,
    },
    ports: [
      { port: o.port, what: 'listen' },
      { port: o.clusterPort, what: 'cluster' },
      { port: o.adminPort, what: 'admin' },
      { port: o.operationsPort, what: 'operations' },
    ],
    health: { kind: 'http', port: o.operationsPort },
    host: dialHost(o.host),
  };
}

export function peerSpec(p: RunPaths, bin: FabricBin, org: PeerOrg): ProcessSpec {
  const dir = p.peerDir(org);
  const tls = (f: string) => path.join(dir, 'tls', f);
  const data = p.nodeData(org.peer.name);
  const endpoint = `${HOST}:${org.peer.port}`;
  return {
    name: org.peer.name,
    cmd: bin.path('peer'),
    args: ['node', 'start'],
    env: {
      ...baseEnv(p),
      CORE_PEER_ID: org.peer.host,
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_PEER_MSPCONFIGPATH: path.join(dir, 'msp'),
      CORE_PEER_LISTENADDRESS: endpoint,
      CORE_PEER_ADDRESS: endpoint,
      CORE_PEER_CHAINCODELISTENADDRESS: `${HOST}:${org.peer.chaincodePort}`,
      CORE_PEER_FILESYSTEMPATH: data,
      CORE_LEDGER_SNAPSHOTS_ROOTDIR: path.join(data, 'snapshots'),
      CORE_PEER_TLS_CERT_FILE: tls('server.crt'),
      CORE_PEER_TLS_KEY_FILE: tls('server.key'),
      CORE_PEER_TLS_ROOTCERT_FILE: tls('ca.crt'),
      CORE_PEER_GOSSIP_BOOTSTRAP: endpoint,
      CORE_PEER_GOSSIP_EXTERNALENDPOINT: endpoint,
      CORE_OPERATIONS_LISTENADDRESS: `${HOST}:${org.peer.operationsPort}`,
      CORE_VM_ENDPOINT: '',
      CORE_CHAINCODE_EXTERNALBUILDERS: JSON.stringify([{ name: 'ccaas', path: p.builder }]),
    },
    ports: [
      { port: org.peer.port, what: 'listen' },
      { port: org.peer.chaincodePort, what: 'chaincode listener' },
      { port: org.peer.operationsPort, what: 'operations' },
    ],
    health: { kind: 'http', port: org.peer.operationsPort },
    host: dialHost(org.peer.host),
  };
}

/** The shim's CLI (`fabric-chaincode-node`), run with the current node binary. */
export function chaincodeShimCli(p: RunPaths): string {
  return path.join(p.repo, 'node_modules', 'fabric-shim', 'cli.js');
}

/** The org's `market` chaincode server, identified by the org's own package id, TLS on. */
export function chaincodeServerSpec(p: RunPaths, org: PeerOrg, packageId: string): ProcessSpec {
  const tls = (f: string) => path.join(p.chaincodeServerDir(org), 'tls', f);
  return {
    name: org.chaincodeServer.name,
    cmd: process.execPath,
    args: [
      chaincodeShimCli(p),
      'server',
      '--chaincode-address',
      `${HOST}:${org.chaincodeServer.port}`,
      '--chaincode-id',
      packageId,
      '--module-path',
      path.join(p.repo, 'chaincode'),
      '--chaincode-tls-cert-file',
      tls('server.crt'),
      '--chaincode-tls-key-file',
      tls('server.key'),
    ],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      // ctx.stub.getMspID() in the contract reads this: one server per org.
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_CHAINCODE_LOGGING_LEVEL: 'info',
      // The endorsement-time clock guard's tolerance (chaincode/src/clock-guard.ts; default 5 s).
      ...(process.env.MARKET_MAX_CLOCK_SKEW_SECONDS
        ? { MARKET_MAX_CLOCK_SKEW_SECONDS: process.env.MARKET_MAX_CLOCK_SKEW_SECONDS }
        : {}),
    },
    cwd: p.repo,
    ports: [{ port: org.chaincodeServer.port, what: 'chaincode server' }],
    health: { kind: 'tcp', port: org.chaincodeServer.port },
    host: dialHost(org.chaincodeServer.host),
  };
}

/** Environment for the `peer` CLI acting as `org`'s Admin against its own peer. */
export function peerCliEnv(p: RunPaths, org: PeerOrg): NodeJS.ProcessEnv {
  return {
    ...baseEnv(p),
    FABRIC_LOGGING_SPEC: 'warning',
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: path.join(p.userDir(org, 'Admin'), 'msp'),
    CORE_PEER_ADDRESS: dialAddress(org.peer.host, org.peer.port),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: p.orgTlsCa(org),
  };
}

export type NodeKind = 'orderer' | 'peer' | 'chaincode';

/** Every process of the network, in start order: orderers, peers, chaincode servers. */
export function networkSpecs(
  t: Topology,
  p: RunPaths,
  bin: FabricBin,
): { kind: NodeKind; spec: ProcessSpec }[] {
  const packages = chaincodePackages(t, p);
  return [
    ...t.orderers.map((o) => ({ kind: 'orderer' as const, spec: ordererSpec(t, p, bin, o) })),
    ...t.orgs.map((org) => ({ kind: 'peer' as const, spec: peerSpec(p, bin, org) })),
    ...t.orgs.map((org) => ({
      kind: 'chaincode' as const,
      spec: chaincodeServerSpec(p, org, packageOf(packages, org.mspId).packageId),
    })),
  ];
}

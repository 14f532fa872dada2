/**
 * The energy-auction Fabric network: organizations, nodes and every port, in one place.
 *
 * Everything listens on 127.0.0.1 only (the compose containers listen inside their own network
 * namespaces and publish the same ports on 127.0.0.1). Ports are fixed and chosen away from
 * Fabric's defaults (7050/7051/9443) so that another Fabric network on the same machine does not
 * clash:
 *
 * | node                        | listen | cluster / peer chaincode | admin / operations | ops  |
 * |-----------------------------|--------|--------------------------|--------------------|------|
 * | orderer k (k = 1..3)        | 7100+10(k-1) | +1 (Raft cluster)  | +2 (osnadmin)      | +3   |
 * | peer0 of org i (i = 0..N)   | 7200+10i     | +1 (peer chaincode listener, unused by ccaas) | +2 (operations: /healthz) | |
 * | chaincode server of org i   | 7200+10i+3   |                    |                    |      |
 * | Fabric CA of org i          | 7200+10i+4 (only while identities are enrolled: network/src/ca.ts) | | | |
 *
 * Org 0 is the operator, orgs 1..N the utilities: with the default N = 2,
 * orderer1 7100-7103, orderer2 7110-7113, orderer3 7120-7123,
 * OperatorMSP 7200-7203, Utility1MSP 7210-7213, Utility2MSP 7220-7223.
 */

export const CHANNEL = 'energy';
export const CHAINCODE_NAME = 'market';
export const CHAINCODE_VERSION = '1.0';
/**
 * The first chaincode definition's sequence on a new channel; network/src/lifecycle.ts commits the
 * next one whenever the topology's collections change (a utility org joins the live channel).
 */
export const FIRST_CHAINCODE_SEQUENCE = 1;
/** Every write must be endorsed by the operator's peer; utilities add their own for bid batches. */
export const ENDORSEMENT_POLICY = "OR('OperatorMSP.peer')";

export const DEFAULT_UTILITIES = 2;
export const MAX_UTILITIES = 9;
export const HOST = '127.0.0.1';

/**
 * How nodes name each other where another node dials them (orderer endpoints and Raft consenters
 * in the channel block, anchor peers, gossip endpoints, the chaincode packages' server address):
 * - `loopback`: the native network, every process on this host's 127.0.0.1;
 * - `names`: docker-compose, every node in its own network namespace (as if on its own host) and
 *   found by its host name only (the compose network's DNS; a real DNS name across machines).
 * Clients on the host (network:setup, the tests) always dial 127.0.0.1: the compose file publishes
 * every port there.
 */
export type Addressing = 'loopback' | 'names';
export const ADDRESSINGS: readonly Addressing[] = ['loopback', 'names'];

const ORDERER_BASE_PORT = 7100;
const PEER_BASE_PORT = 7200;

export interface OrdererNode {
  /** Process/log name, e.g. `orderer1`. */
  name: string;
  /** TLS host name in the certificates (also the compose service name). */
  host: string;
  port: number;
  clusterPort: number;
  adminPort: number;
  operationsPort: number;
}

export interface PeerOrg {
  /** Short name, e.g. `Operator`, `Utility1`. */
  name: string;
  mspId: string;
  /** Lower-case org domain, e.g. `utility1.energy.local`. */
  domain: string;
  kind: 'operator' | 'utility';
  peer: {
    /** Process/log name, e.g. `peer0.utility1`. */
    name: string;
    host: string;
    port: number;
    chaincodePort: number;
    operationsPort: number;
  };
  /** This org's chaincode-as-a-service server (the `market` chaincode). */
  chaincodeServer: {
    name: string;
    host: string;
    port: number;
  };
  /** This org's Fabric CA (client identities with their `market.role`); `host` under compose. */
  ca: { name: string; host: string; port: number };
}

export interface Topology {
  channel: string;
  utilities: number;
  addressing: Addressing;
  ordererOrg: { name: string; mspId: string; domain: string };
  /** The channel's Raft cluster: three orderers (a majority of 2 survives one down). */
  orderers: [OrdererNode, OrdererNode, OrdererNode];
  /** The operator's org first, then Utility1..N. */
  orgs: [PeerOrg, ...PeerOrg[]];
}

const DOMAIN = 'energy.local';

function peerOrg(i: number, name: string, kind: PeerOrg['kind']): PeerOrg {
  const lower = name.toLowerCase();
  const domain = `${lower}.${DOMAIN}`;
  const base = PEER_BASE_PORT + 10 * i;
  return {
    name,
    mspId: `${name}MSP`,
    domain,
    kind,
    peer: {
      name: `peer0.${lower}`,
      host: `peer0.${domain}`,
      port: base,
      chaincodePort: base + 1,
      operationsPort: base + 2,
    },
    chaincodeServer: { name: `chaincode.${lower}`, host: `chaincode.${domain}`, port: base + 3 },
    ca: { name: `ca.${lower}`, host: `ca.${domain}`, port: base + 4 },
  };
}

function ordererNode(k: number): OrdererNode {
  const base = ORDERER_BASE_PORT + 10 * (k - 1);
  return {
    name: `orderer${k}`,
    host: `orderer${k}.orderer.${DOMAIN}`,
    port: base,
    clusterPort: base + 1,
    adminPort: base + 2,
    operationsPort: base + 3,
  };
}

/** The topology with `utilities` utility orgs (1..MAX_UTILITIES). */
export function topology(
  utilities: number = DEFAULT_UTILITIES,
  addressing: Addressing = 'loopback',
): Topology {
  if (!Number.isInteger(utilities) || utilities < 1 || utilities > MAX_UTILITIES) {
    throw new Error(`number of utilities must be an integer in 1..${MAX_UTILITIES}, got ${utilities}`);
  }
  const utilityOrgs: PeerOrg[] = [];
  for (let u = 1; u <= utilities; u++) utilityOrgs.push(peerOrg(u, `Utility${u}`, 'utility'));
  if (!ADDRESSINGS.includes(addressing)) {
    throw new Error(`E_ADDRESSING: addressing must be one of ${ADDRESSINGS.join(', ')}, got ${addressing}`);
  }
  return {
    channel: CHANNEL,
    utilities,
    addressing,
    ordererOrg: { name: 'Orderer', mspId: 'OrdererMSP', domain: `orderer.${DOMAIN}` },
    orderers: [ordererNode(1), ordererNode(2), ordererNode(3)],
    orgs: [peerOrg(0, 'Operator', 'operator'), ...utilityOrgs],
  };
}

/** The host by which other nodes dial the node named `host` (see Addressing). */
export function advertisedHost(t: Topology, host: string): string {
  return t.addressing === 'names' ? host : HOST;
}

/** `host:port` by which other nodes dial the node named `host` on `port`. */
export function advertised(t: Topology, host: string, port: number): string {
  return `${advertisedHost(t, host)}:${port}`;
}

/** The operator's org: the first of every topology. */
export function operatorOrg(t: Topology): PeerOrg {
  return t.orgs[0];
}

/** Every port the topology listens on, with what it is for (for checks and docs). */
export function allPorts(t: Topology): { port: number; owner: string; what: string }[] {
  const ports: { port: number; owner: string; what: string }[] = [];
  for (const o of t.orderers) {
    ports.push({ port: o.port, owner: o.name, what: 'listen' });
    ports.push({ port: o.clusterPort, owner: o.name, what: 'cluster' });
    ports.push({ port: o.adminPort, owner: o.name, what: 'admin (osnadmin)' });
    ports.push({ port: o.operationsPort, owner: o.name, what: 'operations' });
  }
  for (const org of t.orgs) {
    ports.push({ port: org.peer.port, owner: org.peer.name, what: 'listen' });
    ports.push({ port: org.peer.chaincodePort, owner: org.peer.name, what: 'chaincode listener' });
    ports.push({ port: org.peer.operationsPort, owner: org.peer.name, what: 'operations' });
    ports.push({ port: org.chaincodeServer.port, owner: org.chaincodeServer.name, what: 'chaincode server' });
    ports.push({ port: org.ca.port, owner: org.ca.name, what: 'Fabric CA (during enrollment)' });
  }
  return ports;
}

/** Private data collections: one per utility, readable and writable by it and the operator. */
export interface CollectionConfig {
  name: string;
  policy: string;
  requiredPeerCount: number;
  maxPeerCount: number;
  blockToLive: number;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
}

export function collectionsConfig(t: Topology): CollectionConfig[] {
  return t.orgs
    .filter((o) => o.kind === 'utility')
    .map((o) => ({
      name: `bids${o.mspId}`,
      policy: `OR('${o.mspId}.member','OperatorMSP.member')`,
      requiredPeerCount: 0,
      maxPeerCount: 1,
      blockToLive: 0,
      memberOnlyRead: true,
      memberOnlyWrite: true,
    }));
}

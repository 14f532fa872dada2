/**
 * Where everything of the native network lives. One run directory (default network/run/,
 * git-ignored; ENERGY_NETWORK_RUN_DIR overrides it) holds crypto, channel block, chaincode
 * packages, ledgers, logs, pids and the clients' connection files.
 */
import * as path from 'node:path';
import { enrolledIdentityFiles } from '../../fabric-client/src/enrolled-identity';
import { defaultRunDir, repoRoot } from '../../fabric-client/src/run-dir';
import type { OrdererNode, PeerOrg, Topology } from '../config/topology';

/** Paths inside one run directory. */
/** The CA registrar's password file in the run directory's CA home (caHome). */
export const CA_REGISTRAR_SECRET = 'registrar.secret';

export class RunPaths {
  constructor(readonly root: string = defaultRunDir()) {}

  get repo(): string {
    return repoRoot();
  }
  /** network/config: core.yaml and orderer.yaml (FABRIC_CFG_PATH of every node and CLI call). */
  get fabricConfig(): string {
    return path.join(this.repo, 'network', 'config');
  }
  get builder(): string {
    return path.join(this.repo, 'network', 'builder');
  }
  get topologyFile(): string {
    return path.join(this.root, 'topology.json');
  }
  /** Generated config: crypto-config.yaml, configtx.yaml, collections.json. */
  get config(): string {
    return path.join(this.root, 'config');
  }
  get collections(): string {
    return path.join(this.config, 'collections.json');
  }
  get crypto(): string {
    return path.join(this.root, 'crypto');
  }
  get channelBlock(): string {
    return path.join(this.root, 'channel', 'energy.block');
  }
  get chaincode(): string {
    return path.join(this.root, 'chaincode');
  }
  chaincodePackage(org: PeerOrg): string {
    return path.join(this.chaincode, `market-${org.mspId}.tgz`);
  }
  get connection(): string {
    return path.join(this.root, 'connection');
  }
  /** An org's connection file in `dir` (the host's set by default, or containerConnection). */
  connectionFile(mspId: string, dir = this.connection): string {
    return path.join(dir, `${mspId}.json`);
  }
  /**
   * The connection files for clients inside the compose network (the API and auctioneer
   * containers, which mount this folder at `connection`): peers by host name, not 127.0.0.1.
   */
  get containerConnection(): string {
    return path.join(this.root, 'connection-containers');
  }
  nodeData(name: string): string {
    return path.join(this.root, 'data', name);
  }
  log(name: string): string {
    return path.join(this.root, 'logs', `${name}.log`);
  }
  pid(name: string): string {
    return path.join(this.root, 'pids', `${name}.pid`);
  }

  // --- cryptogen output -------------------------------------------------------------------

  ordererOrgDir(t: Topology): string {
    return path.join(this.crypto, 'ordererOrganizations', t.ordererOrg.domain);
  }
  ordererDir(t: Topology, o: OrdererNode): string {
    return path.join(this.ordererOrgDir(t), 'orderers', o.host);
  }
  /** The orderer org's TLS CA certificate: trust root for every orderer endpoint. */
  ordererTlsCa(t: Topology): string {
    return path.join(this.ordererOrgDir(t), 'tlsca', `tlsca.${t.ordererOrg.domain}-cert.pem`);
  }
  ordererAdminDir(t: Topology): string {
    return path.join(this.ordererOrgDir(t), 'users', `Admin@${t.ordererOrg.domain}`);
  }
  orgDir(org: PeerOrg): string {
    return path.join(this.crypto, 'peerOrganizations', org.domain);
  }
  peerDir(org: PeerOrg): string {
    return path.join(this.orgDir(org), 'peers', org.peer.host);
  }
  chaincodeServerDir(org: PeerOrg): string {
    return path.join(this.orgDir(org), 'peers', org.chaincodeServer.host);
  }
  orgTlsCa(org: PeerOrg): string {
    return path.join(this.orgDir(org), 'tlsca', `tlsca.${org.domain}-cert.pem`);
  }
  userDir(org: PeerOrg, user: 'Admin' | 'User1'): string {
    return path.join(this.orgDir(org), 'users', `${user}@${org.domain}`);
  }
  /** The org's Fabric CA server home (database, config; its signing key is the org's CA key). */
  caHome(org: PeerOrg): string {
    return path.join(this.root, 'ca', org.name);
  }
  /** The CA registrar's password (generated once, readable by the owner only). */
  caRegistrarSecret(org: PeerOrg): string {
    return path.join(this.caHome(org), CA_REGISTRAR_SECRET);
  }
  /** An identity enrolled from the org's CA: stays in the org's crypto directory. */
  enrolledDir(org: PeerOrg, name: string): string {
    return path.join(this.enrolledRoot(org), name);
  }
  /** The folder of all of them (connection files name it: clients act as one by name). */
  enrolledRoot(org: PeerOrg): string {
    return path.join(this.orgDir(org), 'enrolled');
  }
  enrolledIdentity(org: PeerOrg, name: string): { certPath: string; keyPath: string } {
    return enrolledIdentityFiles(this.enrolledRoot(org), name);
  }
  /** Certificate and private key of a user's signing identity (cryptogen layout). */
  userIdentity(org: PeerOrg, user: 'Admin' | 'User1'): { certPath: string; keyPath: string } {
    const msp = path.join(this.userDir(org, user), 'msp');
    return {
      certPath: path.join(msp, 'signcerts', `${user}@${org.domain}-cert.pem`),
      keyPath: path.join(msp, 'keystore', 'priv_sk'),
    };
  }
}

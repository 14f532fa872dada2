/**
 * The Caliper network configuration (Caliper's fabric connector, network config format 2.0.0) built
 * from the connection material `npm run network:up` writes (network/run/connection/<MSPID>.json,
 * fabric-client/src/connect.ts): one Caliper organization per peer org, each with its `user`
 * identity and a one-peer connection profile (the org's own peer: the Fabric gateway service), the
 * channel and the chaincode. Pure: the caller writes the files.
 */
import type { ConnectionProfile } from '../../../fabric-client/src/connect';

/** A Fabric common connection profile reduced to what Caliper's peer-gateway connector reads. */
export interface CaliperConnectionProfile {
  name: string;
  version: '1.0.0';
  client: { organization: string };
  organizations: Record<string, { mspid: string; peers: string[] }>;
  peers: Record<
    string,
    {
      url: string;
      tlsCACerts: { pem: string };
      grpcOptions: { 'ssl-target-name-override': string; hostnameOverride: string };
    }
  >;
}

/** One organization of the Caliper network config. */
export interface CaliperOrganization {
  mspid: string;
  identities: {
    certificates: {
      name: string;
      clientPrivateKey: { path: string };
      clientSignedCert: { path: string };
    }[];
  };
  connectionProfile: { path: string; discover: true };
}

/** Caliper's network config (format 2.0.0) for a Fabric SUT. */
export interface CaliperNetworkConfig {
  name: string;
  version: '2.0.0';
  caliper: { blockchain: 'fabric'; sutOptions: { mutualTls: false } };
  channels: { channelName: string; contracts: { id: string }[] }[];
  organizations: CaliperOrganization[];
}

/** The network config and, per MSP id, its org's connection profile with the file name it is written to. */
export interface CaliperNetworkFiles {
  network: CaliperNetworkConfig;
  profiles: { mspId: string; file: string; profile: CaliperConnectionProfile }[];
}

/** Problems of the connection material that would make Caliper fail later with a vaguer message. */
function checkProfiles(profiles: readonly ConnectionProfile[]): void {
  if (profiles.length === 0)
    throw new Error('no connection profiles: is the network up (npm run network:up)?');
  const channels = new Set(profiles.map((p) => `${p.channel}/${p.chaincode}`));
  if (channels.size !== 1) {
    throw new Error(
      `the connection profiles name different channels or chaincodes: ${[...channels].join(', ')}`,
    );
  }
  const ids = profiles.map((p) => p.mspId);
  if (new Set(ids).size !== ids.length) throw new Error(`an MSP id appears twice: ${ids.join(', ')}`);
}

/** The one-peer connection profile of an org: grpcs to its endpoint, TLS checked for its host alias. */
export function connectionProfileOf(p: ConnectionProfile): CaliperConnectionProfile {
  return {
    name: `energy-${p.mspId}`,
    version: '1.0.0',
    client: { organization: p.mspId },
    organizations: { [p.mspId]: { mspid: p.mspId, peers: [p.peer.hostAlias] } },
    peers: {
      [p.peer.hostAlias]: {
        url: `grpcs://${p.peer.endpoint}`,
        tlsCACerts: { pem: p.peer.tlsCACertPem },
        // dial 127.0.0.1, verify the certificate for the peer's name (as fabric-client/src/connect.ts)
        grpcOptions: { 'ssl-target-name-override': p.peer.hostAlias, hostnameOverride: p.peer.hostAlias },
      },
    },
  };
}

/**
 * The Caliper files for these orgs; `profileDir` is where the caller writes each org's connection
 * profile (as `<MSPID>.connection.json`), named by absolute path in the network config.
 */
export function caliperNetworkFiles(
  profiles: readonly ConnectionProfile[],
  profileDir: string,
): CaliperNetworkFiles {
  checkProfiles(profiles);
  const first = profiles[0] as ConnectionProfile;
  const sorted = [...profiles].sort((a, b) => a.mspId.localeCompare(b.mspId));
  const files = sorted.map((p) => ({
    mspId: p.mspId,
    file: `${profileDir.replace(/\/$/, '')}/${p.mspId}.connection.json`,
    profile: connectionProfileOf(p),
  }));
  const organizations = sorted.map((p, i): CaliperOrganization => {
    const user = p.identities.user;
    return {
      mspid: p.mspId,
      identities: {
        certificates: [
          {
            name: user.name,
            clientPrivateKey: { path: user.keyPath },
            clientSignedCert: { path: user.certPath },
          },
        ],
      },
      connectionProfile: { path: (files[i] as { file: string }).file, discover: true },
    };
  });
  return {
    network: {
      name: 'energy-auction',
      version: '2.0.0',
      caliper: { blockchain: 'fabric', sutOptions: { mutualTls: false } },
      channels: [{ channelName: first.channel, contracts: [{ id: first.chaincode }] }],
      organizations,
    },
    profiles: files,
  };
}

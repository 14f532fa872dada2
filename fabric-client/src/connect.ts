/**
 * Client access to the network for the gateway service, the auctioneer, tests and benchmarks:
 * reads network/run/connection/<MSPID>.json (written by `npm run network:up`) and returns a
 * connected @hyperledger/fabric-gateway Gateway with deadlines on every call.
 *
 *   const gateway = await connectGateway('Utility1MSP');
 *   const contract = gateway.getNetwork('energy').getContract('market');
 *   ...
 *   gateway.close(); // also closes the gRPC connection
 */
import * as grpc from '@grpc/grpc-js';
import { connect, signers, type ConnectOptions, type Gateway } from '@hyperledger/fabric-gateway';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultRunDir } from './run-dir';

export interface IdentityFiles {
  /** The identity's name in its org (`auctioneer`, `bidder` from its Fabric CA; cryptogen's `Admin`). */
  name: string;
  /** PEM X.509 signing certificate. */
  certPath: string;
  /** PEM PKCS#8 private key. */
  keyPath: string;
}

/** network/run/connection/<MSPID>.json */
export interface ConnectionProfile {
  mspId: string;
  channel: string;
  chaincode: string;
  peer: {
    /** host:port of the org's peer (Gateway service). */
    endpoint: string;
    /** The peer's TLS host name (the certificate is valid for it and for 127.0.0.1). */
    hostAlias: string;
    tlsCACertPath: string;
    tlsCACertPem: string;
  };
  /** `user`: an ordinary client identity of the org; `admin`: the org's Admin. */
  identities: { user: IdentityFiles; admin: IdentityFiles };
  /** The org's identities enrolled from its Fabric CA, one folder each (enrolled-identity.ts). */
  enrolledDir?: string;
}

export function connectionProfilePath(mspId: string, runDir: string = defaultRunDir()): string {
  return path.join(runDir, 'connection', `${mspId}.json`);
}

export function readConnectionProfile(mspId: string, runDir?: string): ConnectionProfile {
  const file = connectionProfilePath(mspId, runDir);
  if (!fs.existsSync(file)) {
    throw new Error(`no connection profile ${file}: is the network up (npm run network:up)?`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ConnectionProfile;
}

/** Deadlines (milliseconds) of the gateway calls. */
export interface Deadlines {
  evaluate: number;
  endorse: number;
  submit: number;
  commitStatus: number;
  chaincodeEvents: number;
}

export const DEFAULT_DEADLINES: Deadlines = {
  evaluate: 10_000,
  endorse: 30_000,
  submit: 15_000,
  commitStatus: 60_000,
  chaincodeEvents: 60_000,
};

export interface ConnectGatewayOptions {
  /** Which identity of the org to act as (default `user`). */
  identity?: 'user' | 'admin';
  /** Run directory holding connection/ (default network/run or ENERGY_NETWORK_RUN_DIR). */
  runDir?: string;
  deadlines?: Partial<Deadlines>;
  /** How long to wait for the gRPC connection to the peer (default 10 s). */
  connectTimeoutMs?: number;
}

function deadline(ms: number): grpc.CallOptions {
  return { deadline: Date.now() + ms };
}

/** The gateway options (identity, signer, per-call deadlines) for an org's identity. */
export function gatewayOptions(
  profile: ConnectionProfile,
  identity: 'user' | 'admin' = 'user',
  deadlines: Partial<Deadlines> = {},
): Omit<ConnectOptions, 'client'> {
  const id = profile.identities[identity];
  const d = { ...DEFAULT_DEADLINES, ...deadlines };
  return {
    identity: { mspId: profile.mspId, credentials: fs.readFileSync(id.certPath) },
    signer: signers.newPrivateKeySigner(crypto.createPrivateKey(fs.readFileSync(id.keyPath))),
    evaluateOptions: () => deadline(d.evaluate),
    endorseOptions: () => deadline(d.endorse),
    submitOptions: () => deadline(d.submit),
    commitStatusOptions: () => deadline(d.commitStatus),
    chaincodeEventsOptions: () => deadline(d.chaincodeEvents),
  };
}

/** Largest gRPC message sent to the peer: a transaction must fit the channel's AbsoluteMaxBytes (10 MB). */
export const MAX_SEND_BYTES = 10 * 1024 * 1024;
/**
 * Largest gRPC message taken from the peer: 100 MB, the peer's own send limit (Fabric's gRPC
 * default). A read's answer is not in a block, so the channel's limit does not bound it: the
 * delivery statement of a utility with 50,000 settled bids is 13.7 MB (npm run bench:delivery).
 */
export const MAX_RECEIVE_BYTES = 100 * 1024 * 1024;

/** A TLS gRPC connection to the org's peer, ready to use. */
export async function peerClient(
  profile: ConnectionProfile,
  connectTimeoutMs = 10_000,
): Promise<grpc.Client> {
  // Dial 127.0.0.1 but verify the certificate for the peer's host name (also in its SANs): TLS
  // server names must not be IP addresses (RFC 6066).
  const client = new grpc.Client(
    profile.peer.endpoint,
    grpc.credentials.createSsl(Buffer.from(profile.peer.tlsCACertPem)),
    {
      'grpc.ssl_target_name_override': profile.peer.hostAlias,
      // Reads of large rounds (GetBatchesById parts, up to 20,000 bids; big statements) and big
      // bid batches exceed grpc-js's 4 MB default (network/src/generate.ts has the channel's).
      'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
      'grpc.max_send_message_length': MAX_SEND_BYTES,
    },
  );
  try {
    await new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + connectTimeoutMs, (err) => (err ? reject(err) : resolve())),
    );
  } catch (err) {
    client.close();
    throw new Error(
      `cannot reach ${profile.mspId}'s peer at ${profile.peer.endpoint}: ${(err as Error).message}`,
    );
  }
  return client;
}

/**
 * A Gateway connected to `mspId`'s peer as that org's user (or Admin). Its close() also closes
 * the underlying gRPC connection.
 */
export async function connectGateway(mspId: string, opts: ConnectGatewayOptions = {}): Promise<Gateway> {
  return connectGatewayWith(readConnectionProfile(mspId, opts.runDir), opts);
}

/**
 * connectGateway for a profile already in hand (e.g. built from a client config file by
 * readClientConfig); `opts.runDir` is not used.
 */
export async function connectGatewayWith(
  profile: ConnectionProfile,
  opts: ConnectGatewayOptions = {},
): Promise<Gateway> {
  const client = await peerClient(profile, opts.connectTimeoutMs);
  const gateway = connect({ client, ...gatewayOptions(profile, opts.identity, opts.deadlines) });
  const closeGateway = gateway.close.bind(gateway);
  gateway.close = () => {
    closeGateway();
    client.close();
  };
  return gateway;
}

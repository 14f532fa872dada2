/**
 * A client identity given as a small JSON file instead of network/run/connection/<MSPID>.json, for
 * tools run by a member whose connection material lives elsewhere (e.g. a consortium deployment):
 *
 *   { "mspId": "OperatorMSP", "peerEndpoint": "peer0.operator.example:7051",
 *     "peerHostAlias": "peer0.operator.example", "tlsCACert": "tls-ca.pem",
 *     "cert": "user-cert.pem", "key": "user-key.pem", "channel": "energy", "chaincode": "market" }
 *
 * peerHostAlias (default: the endpoint's host), channel (default energy) and chaincode (default
 * market) may be left out; relative paths are read from the config file's folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConnectionProfile } from './connect';

export interface ClientConfig {
  mspId: string;
  /** host:port of the peer's Gateway service */
  peerEndpoint: string;
  /** the TLS host name the peer's certificate is valid for (default: the endpoint's host) */
  peerHostAlias?: string;
  /** PEM file of the peer's TLS CA */
  tlsCACert: string;
  /** PEM X.509 signing certificate of the identity */
  cert: string;
  /** PEM PKCS#8 private key of the identity */
  key: string;
  channel?: string;
  chaincode?: string;
}

const REQUIRED = ['mspId', 'peerEndpoint', 'tlsCACert', 'cert', 'key'] as const;
const OPTIONAL = ['peerHostAlias', 'channel', 'chaincode'] as const;

/** A config file's problem, worded for the person who wrote the file. */
export class ClientConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

/** Every field a string, the required ones present, nothing unknown. */
function checkFields(file: string, doc: unknown): ClientConfig {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ClientConfigError(`${file}: the config must be a JSON object`);
  }
  const o = doc as Record<string, unknown>;
  const known = new Set<string>([...REQUIRED, ...OPTIONAL]);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new ClientConfigError(`${file}: unknown field(s): ${unknown.join(', ')}`);
  const missing = REQUIRED.filter((k) => typeof o[k] !== 'string' || o[k] === '');
  if (missing.length > 0) {
    throw new ClientConfigError(`${file}: missing or empty field(s): ${missing.join(', ')}`);
  }
  const notText = OPTIONAL.filter((k) => o[k] !== undefined && typeof o[k] !== 'string');
  if (notText.length > 0) throw new ClientConfigError(`${file}: not a string: ${notText.join(', ')}`);
  return o as unknown as ClientConfig;
}

function readText(file: string, what: string, name: string): string {
  try {
    return fs.readFileSync(name, 'utf8');
  } catch (e) {
    throw new ClientConfigError(`${file}: cannot read ${what} ${name}: ${(e as Error).message}`);
  }
}

/** The host part of host:port (also [v6]:port). */
const hostOf = (endpoint: string): string => endpoint.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');

/** Reads a client config file into the ConnectionProfile connectGatewayWith takes (as its `user`). */
export function readClientConfig(file: string): ConnectionProfile {
  const text = readText(file, 'the config', file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ClientConfigError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const c = checkFields(file, doc);
  const at = (p: string): string => path.resolve(path.dirname(file), p);
  const identity = { name: 'config', certPath: at(c.cert), keyPath: at(c.key) };
  for (const [what, p] of [
    ['the certificate', identity.certPath],
    ['the key', identity.keyPath],
  ] as const) {
    readText(file, what, p);
  }
  return {
    mspId: c.mspId,
    channel: c.channel ?? 'energy',
    chaincode: c.chaincode ?? 'market',
    peer: {
      endpoint: c.peerEndpoint,
      hostAlias: c.peerHostAlias ?? hostOf(c.peerEndpoint),
      tlsCACertPath: at(c.tlsCACert),
      tlsCACertPem: readText(file, 'the TLS CA certificate', at(c.tlsCACert)),
    },
    identities: { user: identity, admin: identity },
  };
}

/**
 * Each peer org's Fabric CA (fabric-ca-server 1.5.21) issues its client identities, with the
 * `market.role` attribute the chaincode checks (chaincode/src/access.ts) in the certificate.
 *
 * The CA signs with the org's root CA key, the one cryptogen made for the org's nodes, so the
 * channel's MSP of the org trusts both without a change of the channel configuration; nodes keep
 * their cryptogen certificates (issued once with the network, never added to). Natively the server
 * runs only while identities are registered (at generation and for `npm run identity:register`), on
 * 127.0.0.1 at the org's CA port; under docker-compose the org's CA service serves that port from
 * the home network:generate made, and a session uses it instead of starting one. Its database (who
 * is registered, with which role) stays in the run directory natively; under docker-compose the CA
 * container moves it into its named volume at its first start (compose-file.ts caSeedScript).
 * Keys never leave the org's crypto directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROLES, type Role } from '../../chaincode/src/access';
import { HOST, type PeerOrg, type Topology } from '../config/topology';
import { dialAddress } from './dial';
import { run, type FabricBin } from './exec';
import { ownLikeParent } from './owner';
import type { RunPaths } from './paths';

export interface AppIdentity {
  name: string;
  role: Role;
}

/** The identities every org gets with the network; the first is the org's application identity. */
export function defaultIdentities(org: PeerOrg): [AppIdentity, ...AppIdentity[]] {
  return org.kind === 'operator'
    ? [
        { name: 'auctioneer', role: 'auctioneer' },
        { name: 'operator', role: 'operator' },
        { name: 'auditor', role: 'auditor' },
      ]
    : [
        { name: 'bidder', role: 'bidder' },
        { name: 'auditor', role: 'auditor' },
      ];
}

/** The identity the org's services act as (the connection profile's `user`). */
export function applicationIdentity(org: PeerOrg): AppIdentity {
  return defaultIdentities(org)[0];
}

export class IdentityError extends Error {
  constructor(
    readonly code: 'E_ROLE' | 'E_NAME' | 'E_ORG' | 'E_CA_START' | 'E_CA_IN_VOLUME' | 'E_REGISTERED',
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'IdentityError';
  }
}

const NAME_RE = /^[a-z][a-z0-9-]{0,31}$/;

/** The registrar's client home, inside the run directory's CA home. */
export const CA_REGISTRAR_HOME = 'registrar';
/** Prefix of the temporary client homes that probe whether a CA answers. */
export const CA_PROBE_PREFIX = 'probe-';
/** The CA server's database file (SQLite) in its home. */
export const CA_DATABASE = 'fabric-ca-server.db';
/** The run directory's database gets this suffix once a CA container has moved it into its volume. */
export const CA_MOVED_SUFFIX = '.moved-to-volume';

/** Which roles an org may hold: the operator's staff and services, a utility's bidders; auditors anywhere. */
export function checkRole(org: PeerOrg, role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new IdentityError('E_ROLE', `role "${role}" is not one of ${ROLES.join(', ')}`);
  }
  const allowed: Role[] =
    org.kind === 'operator' ? ['auctioneer', 'operator', 'auditor'] : ['bidder', 'auditor'];
  if (!allowed.includes(role as Role)) {
    throw new IdentityError('E_ROLE', `${org.name} may not hold role ${role} (only ${allowed.join(', ')})`);
  }
  return role as Role;
}

/** Where a CA server finds its files: natively the run directory, in a container its mounts. */
export interface CaServerFiles {
  home: string;
  certfile: string;
  keyfile: string;
}

/**
 * `fabric-ca-server` arguments for `org`'s CA on `listen` (host or 0.0.0.0), signing with the org's
 * root CA key and certificate on every start (the config file does not keep them). `registrarSecret`
 * bootstraps the registrar into a new home; a home that has it needs none.
 */
export function caServerArgs(
  org: PeerOrg,
  files: CaServerFiles,
  listen: string,
  registrarSecret?: string,
): string[] {
  const args = ['start', '-H', files.home, '--address', listen, '--port', String(org.ca.port)];
  args.push('--ca.certfile', files.certfile, '--ca.keyfile', files.keyfile);
  // TLS: the server makes its own certificate (tls-cert.pem in its home) at its first TLS start,
  // signed by the org's root CA, for these names; clients trust that root (--tls.certfiles)
  args.push('--tls.enabled', '--csr.hosts', [org.ca.host, HOST, 'localhost'].join(','));
  args.push('--operations.listenaddress', `${listen}:0`); // unused: any free port
  if (registrarSecret !== undefined) args.push('-b', `registrar:${registrarSecret}`);
  return args;
}

/** The org's root CA certificate and key (cryptogen's), under `orgDir`. */
export function caKeyPair(orgDir: string, org: PeerOrg): { certfile: string; keyfile: string } {
  const dir = path.join(orgDir, 'ca');
  return { certfile: path.join(dir, `ca.${org.domain}-cert.pem`), keyfile: path.join(dir, 'priv_sk') };
}

function fingerprint(pem: string): string {
  return new crypto.X509Certificate(pem).fingerprint256;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One org's CA, started for the duration of `session`. */
export class OrgCa {
  constructor(
    private readonly p: RunPaths,
    private readonly bin: FabricBin,
    readonly org: PeerOrg,
  ) {}

  /** host:port of the org's CA as this process reaches it (dial.ts: by name inside compose). */
  private get address(): string {
    return dialAddress(this.org.ca.host, this.org.ca.port);
  }
  private get url(): string {
    return `https://${this.address}`;
  }
  /** The org's root CA certificate: it signs the CA server's TLS certificate too (caServerArgs). */
  private get tlsRoot(): string {
    return caKeyPair(this.p.orgDir(this.org), this.org).certfile;
  }
  private get registrarHome(): string {
    return path.join(this.p.caHome(this.org), CA_REGISTRAR_HOME);
  }

  private registrarSecret(): string {
    const file = this.p.caRegistrarSecret(this.org);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, crypto.randomBytes(16).toString('hex') + '\n', { mode: 0o600 });
    }
    return fs.readFileSync(file, 'utf8').trim();
  }

  /**
   * Runs `body` with the org's CA answering: the org's CA service when one already serves its port
   * (docker-compose), else a server started for the session and stopped after it (also on failure).
   * Enrolls the registrar first when it is not yet.
   */
  session<T>(body: (ca: OrgCa) => T): T {
    const answering = this.answeringCa();
    if (answering !== undefined && answering !== this.rootFingerprint()) {
      throw new IdentityError(
        'E_CA_START',
        `port ${this.org.ca.port} of ${this.org.ca.name} is taken by another process (a CA of another org or network)`,
      );
    }
    const server = answering === undefined ? this.start() : undefined;
    try {
      if (server) this.waitReady(server);
      if (!fs.existsSync(path.join(this.registrarHome, 'msp', 'signcerts', 'cert.pem'))) {
        const secret = this.registrarSecret();
        this.client(['enroll', '-u', `https://registrar:${secret}@${this.address}`], this.registrarHome);
      }
      return body(this);
    } finally {
      server?.kill('SIGTERM');
    }
  }

  private rootFingerprint(): string {
    return fingerprint(fs.readFileSync(caKeyPair(this.p.orgDir(this.org), this.org).certfile, 'utf8'));
  }

  private start(): ChildProcess {
    const files = { home: this.p.caHome(this.org), ...caKeyPair(this.p.orgDir(this.org), this.org) };
    if (fs.existsSync(path.join(files.home, CA_DATABASE + CA_MOVED_SUFFIX))) {
      // a server started here would register into a stale copy, or into an empty database
      throw new IdentityError(
        'E_CA_IN_VOLUME',
        `${this.org.ca.name}'s database lives in its docker-compose volume (<project>_${this.org.ca.name}) since the CA container's first start (${path.join(files.home, CA_DATABASE + CA_MOVED_SUFFIX)} is the retired copy), and that CA does not answer at ${this.url}: start it (npm run compose:up) and try again`,
      );
    }
    fs.mkdirSync(path.join(this.p.root, 'logs'), { recursive: true });
    const log = fs.openSync(this.p.log(this.org.ca.name), 'a');
    const args = caServerArgs(this.org, files, HOST, this.registrarSecret());
    const server = spawn(this.bin.path('fabric-ca-server'), args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    return server;
  }

  /** The root certificate's fingerprint of the CA answering at the org's CA address, if one answers. */
  private answeringCa(): string | undefined {
    fs.mkdirSync(this.p.caHome(this.org), { recursive: true });
    const tmp = fs.mkdtempSync(path.join(this.p.caHome(this.org), CA_PROBE_PREFIX));
    try {
      const r = spawnSync(this.bin.path('fabric-ca-client'), [
        'getcainfo',
        '-u',
        this.url,
        '--tls.certfiles',
        this.tlsRoot,
        '-H',
        tmp,
      ]);
      if (r.status !== 0) return undefined;
      const dir = path.join(tmp, 'msp', 'cacerts');
      const [pem] = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      return pem === undefined ? '' : fingerprint(fs.readFileSync(path.join(dir, pem), 'utf8'));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  private waitReady(server: ChildProcess): void {
    for (let i = 0; i < 200 && server.exitCode === null; i++) {
      if (this.answeringCa() !== undefined) return;
      sleep(100);
    }
    server.kill('SIGKILL');
    throw new IdentityError(
      'E_CA_START',
      `${this.org.ca.name} did not answer at ${this.url} (port busy? log ${this.p.log(this.org.ca.name)})`,
    );
  }

  /** fabric-ca-client; a failure's message has the secrets of enrollment URLs masked. */
  private client(args: string[], home: string): string {
    try {
      return run(this.bin.path('fabric-ca-client'), [...args, '--tls.certfiles', this.tlsRoot, '-H', home], {
        timeout: 30_000,
      });
    } catch (err) {
      throw new Error((err as Error).message.replace(/(https:\/\/[^:/]+:)[0-9a-f]+@/g, '$1***@'));
    }
  }

  /** Registers `name` with `role` and enrolls it into the org's crypto directory. */
  register(id: AppIdentity): { certPath: string; keyPath: string } {
    if (!NAME_RE.test(id.name)) {
      throw new IdentityError('E_NAME', `identity name "${id.name}" must match ${NAME_RE.source}`);
    }
    checkRole(this.org, id.role);
    // The enrollment secret is kept (owner-only) until enrolled: an interrupted run enrolls again.
    const secretFile = path.join(this.p.enrolledDir(this.org, id.name), 'enrollment.secret');
    if (fs.existsSync(secretFile)) return this.enroll(id.name, fs.readFileSync(secretFile, 'utf8').trim());
    const secret = crypto.randomBytes(16).toString('hex');
    fs.mkdirSync(path.dirname(secretFile), { recursive: true });
    fs.writeFileSync(secretFile, secret + '\n', { mode: 0o600 });
    try {
      this.client(
        [
          'register',
          '-u',
          this.url,
          '--id.name',
          id.name,
          '--id.secret',
          secret,
          '--id.type',
          'client',
        ].concat(['--id.attrs', `market.role=${id.role}:ecert`]),
        this.registrarHome,
      );
    } catch (err) {
      fs.rmSync(secretFile);
      if (/already registered/.test((err as Error).message)) {
        throw new IdentityError(
          'E_REGISTERED',
          `${id.name} is already registered with ${this.org.name}'s CA`,
        );
      }
      throw err;
    }
    return this.enroll(id.name, secret);
  }

  /**
   * Revokes every certificate of `name` and returns the CA's new certificate revocation list
   * (PEM), which the channel needs before peers refuse them (channel-config.ts).
   */
  revoke(name: string): string {
    this.client(
      ['revoke', '-u', this.url, '-e', name, '-r', 'keycompromise', '--gencrl'],
      this.registrarHome,
    );
    return fs.readFileSync(path.join(this.registrarHome, 'msp', 'crls', 'crl.pem'), 'utf8');
  }

  private enroll(name: string, secret: string): { certPath: string; keyPath: string } {
    const dir = this.p.enrolledDir(this.org, name);
    const msp = path.join(dir, 'msp');
    this.client(['enroll', '-u', `https://${name}:${secret}@${this.address}`, '-M', msp], dir);
    // One key per enrollment: give it the fixed name the connection profile points at.
    const keystore = path.join(msp, 'keystore');
    const [key] = fs.readdirSync(keystore).filter((f) => f.endsWith('_sk'));
    if (!key) throw new Error(`fabric-ca-client enroll wrote no key into ${keystore}`);
    fs.renameSync(path.join(keystore, key), path.join(keystore, 'key.pem'));
    fs.rmSync(path.join(dir, 'enrollment.secret'), { force: true });
    ownLikeParent(dir);
    return this.p.enrolledIdentity(this.org, name);
  }
}

/** Enrolls each org's default identities that are not enrolled yet; returns the orgs it did. */
export function enrollDefaultIdentities(t: Topology, p: RunPaths, bin: FabricBin): string[] {
  const done: string[] = [];
  for (const org of t.orgs) {
    const missing = defaultIdentities(org).filter(
      (id) => !fs.existsSync(p.enrolledIdentity(org, id.name).keyPath),
    );
    if (missing.length === 0) continue;
    new OrgCa(p, bin, org).session((ca) => missing.forEach((id) => ca.register(id)));
    done.push(org.name);
  }
  return done;
}

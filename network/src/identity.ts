/**
 * `npm run identity:register -- --org Utility1 --role bidder --name alice`: a new client identity
 * of an org, registered with and enrolled from that org's Fabric CA (ca.ts), its key written into
 * the org's crypto directory only. `npm run identity:revoke -- --org Utility1 --name alice`: revokes
 * it at the CA and puts the CA's revocation list into the org's channel MSP, after which every
 * peer refuses the certificate.
 */
import * as fs from 'node:fs';
import type { PeerOrg, Topology } from '../config/topology';
import { checkRole, IdentityError, OrgCa } from './ca';
import { setRevocationList } from './channel-config';
import { ensureFabric } from './exec';
import { loadTopology } from './network';
import { RunPaths } from './paths';

export interface RegisterOptions {
  org: string;
  role: string;
  name: string;
  runDir?: string;
}

function findOrg(t: Topology, name: string): PeerOrg {
  const org = t.orgs.find((o) => o.name === name || o.mspId === name);
  if (!org) {
    throw new IdentityError(
      'E_ORG',
      `no org "${name}" in this network (${t.orgs.map((o) => o.name).join(', ')})`,
    );
  }
  return org;
}

function openNetwork(
  runDir: string | undefined,
  orgName: string,
): { t: Topology; p: RunPaths; org: PeerOrg } {
  const p = new RunPaths(runDir);
  if (!fs.existsSync(p.topologyFile)) {
    throw new Error(`no network in ${p.root}: run npm run network:up (or network:generate) first`);
  }
  const t = loadTopology(p);
  return { t, p, org: findOrg(t, orgName) };
}

export function registerIdentity(opts: RegisterOptions): { org: PeerOrg; certPath: string; keyPath: string } {
  const { p, org } = openNetwork(opts.runDir, opts.org);
  const role = checkRole(org, opts.role);
  const files = new OrgCa(
    p,
    ensureFabric(() => undefined),
    org,
  ).session((ca) => ca.register({ name: opts.name, role }));
  return { org, ...files };
}

/** Revokes `name` at its org's CA and on the channel (needs the network's orderers up). */
export function revokeIdentity(opts: { org: string; name: string; runDir?: string }): PeerOrg {
  const { t, p, org } = openNetwork(opts.runDir, opts.org);
  if (!fs.existsSync(p.enrolledIdentity(org, opts.name).certPath)) {
    throw new IdentityError(
      'E_NAME',
      `${opts.name} is not an identity enrolled for ${org.name} in ${p.root}`,
    );
  }
  const bin = ensureFabric(() => undefined);
  const crl = new OrgCa(p, bin, org).session((ca) => ca.revoke(opts.name));
  setRevocationList(t, p, bin, org, crl);
  return org;
}

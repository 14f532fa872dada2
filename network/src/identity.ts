/**
 * `npm run identity:register -- --org Utility1 --role bidder --name alice`: a new client identity
 * of an org, registered with and enrolled from that org's Fabric CA (ca.ts), its key written into
 * the org's crypto directory only.
 */
import * as fs from 'node:fs';
import type { PeerOrg, Topology } from '../config/topology';
import { checkRole, IdentityError, OrgCa } from './ca';
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

export function registerIdentity(opts: RegisterOptions): { org: PeerOrg; certPath: string; keyPath: string } {
  const p = new RunPaths(opts.runDir);
  if (!fs.existsSync(p.topologyFile)) {
    throw new Error(`no network in ${p.root}: run npm run network:up (or network:generate) first`);
  }
  const org = findOrg(loadTopology(p), opts.org);
  const role = checkRole(org, opts.role);
  const files = new OrgCa(
    p,
    ensureFabric(() => undefined),
    org,
  ).session((ca) => ca.register({ name: opts.name, role }));
  return { org, ...files };
}

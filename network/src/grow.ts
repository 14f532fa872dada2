/**
 * `npm run network:add-utility`: the running native network grows by one utility org, Utility<N+1>,
 * on the live channel — ledgers, rounds and settlements stay (a compose deployment: compose.sh
 * add-utility runs steps 1 and 2 in the tools container, then the compose file for N+1 and the
 * setup job do step 3). Steps 1 and 2 are skipped when done, so a run interrupted in them is
 * finished by running it again; once the run directory records N+1 utilities (printed), the rest
 * is `network:up` (running add-utility again would add the next org):
 *  1. the new org's material: crypto (cryptogen extend), its client identities from its own Fabric
 *     CA, its chaincode package and connection file;
 *  2. a channel config update adding its MSP definition and anchor peer to the Application group,
 *     signed by a majority of the member orgs' admins (the group's mod_policy, MAJORITY Admins);
 *  3. the run directory records N+1 utilities; from here `network:up` is the rest: the new peer
 *     and chaincode server start, the peer joins from the genesis block (it replays the channel,
 *     config updates included), and the chaincode's next definition — the new org's collection
 *     added — is approved by every org and committed (network/src/lifecycle.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_UTILITIES, topology, type PeerOrg, type Topology } from '../config/topology';
import { addApplicationOrg, type OrgGroupJson } from './channel-config';
import { ensureFabric, type FabricBin } from './exec';
import { orgConfigGroup } from './generate';
import { generateAll, loadTopology, up, type NetworkOptions } from './network';
import { RunPaths } from './paths';

export class GrowError extends Error {
  constructor(
    readonly code: 'E_NOT_GENERATED' | 'E_ADDRESSING' | 'E_MAX_UTILITIES' | 'E_NO_MATERIAL',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The member orgs whose admins sign: the operator and utilities up to a majority of `members`. */
export function majoritySigners(members: readonly PeerOrg[]): [PeerOrg, ...PeerOrg[]] {
  const [first, ...rest] = members;
  if (!first) throw new Error('a channel without application orgs has no admins to sign');
  return [first, ...rest.slice(0, Math.floor(members.length / 2))];
}

export interface NextUtility {
  p: RunPaths;
  bin: FabricBin;
  before: Topology;
  after: Topology;
  org: PeerOrg;
}

/** The new org's definition as a channel config group (configtxgen -printOrg): what step 2 adds. */
export function orgGroupOf(next: NextUtility): OrgGroupJson {
  return orgConfigGroup(next.after, next.p, next.bin, next.org) as OrgGroupJson;
}

/**
 * Step 1: the next utility org's material in the run directory (nothing on the channel yet). With
 * `generateMaterial` false the material must exist already (the compose setup container mounts the
 * connection files read-only: `--step material` ran before, offline).
 */
export function prepareNextUtility(opts: NetworkOptions = {}, generateMaterial = true): NextUtility {
  const log = opts.log ?? console.log;
  const p = new RunPaths(opts.runDir);
  if (!fs.existsSync(p.topologyFile) || !fs.existsSync(p.channelBlock)) {
    throw new GrowError('E_NOT_GENERATED', `no network in ${p.root} to grow: run npm run network:up first`);
  }
  const before = loadTopology(p);
  if (before.utilities >= MAX_UTILITIES) {
    throw new GrowError(
      'E_MAX_UTILITIES',
      `${p.root} has ${before.utilities} utilities, the most a network has`,
    );
  }
  const after = topology(before.utilities + 1, before.addressing);
  const org = after.orgs[after.orgs.length - 1] as PeerOrg;
  const bin = ensureFabric(log);
  if (generateMaterial) generateAll(after, p, bin, log);
  else if (!fs.existsSync(path.join(p.orgDir(org), 'msp')) || !fs.existsSync(p.chaincodePackage(org))) {
    throw new GrowError(
      'E_NO_MATERIAL',
      `${org.mspId} has no crypto or chaincode package in ${p.root}: run add-utility --step material first`,
    );
  }
  return { p, bin, before, after, org };
}

/**
 * Steps 1 and 2: the material, then the channel config update (against the running orderers),
 * and the run directory records N+1 utilities. What runs the new org's nodes is the caller's:
 * `network:up` natively, docker-compose with the file for N+1 (deploy/compose/compose.sh).
 */
export function joinNextUtility(
  opts: NetworkOptions = {},
  generateMaterial = true,
): { topology: Topology; org: PeerOrg } {
  const log = opts.log ?? console.log;
  const next = prepareNextUtility(opts, generateMaterial);
  const { p, bin, before, after, org } = next;
  const group = orgGroupOf(next);
  const signers = majoritySigners(before.orgs);
  if (addApplicationOrg(before, p, bin, org.mspId, group, signers)) {
    log(
      `[grow] ${org.mspId} added to channel ${after.channel}, signed by ${signers.map((s) => s.mspId).join(', ')}`,
    );
  }
  fs.writeFileSync(
    p.topologyFile,
    JSON.stringify({ utilities: after.utilities, addressing: after.addressing }, null, 2) + '\n',
  );
  log(`[grow] ${p.root} now has ${after.utilities} utilities`);
  return { topology: after, org };
}

/** Adds Utility<N+1> to the running native network's channel; returns the new topology and org. */
export async function addUtility(opts: NetworkOptions = {}): Promise<{ topology: Topology; org: PeerOrg }> {
  const log = opts.log ?? console.log;
  const p = new RunPaths(opts.runDir);
  if (fs.existsSync(p.topologyFile) && loadTopology(p).addressing !== 'loopback') {
    throw new GrowError(
      'E_ADDRESSING',
      `${p.root} is a docker-compose run directory: grow it with deploy/compose/compose.sh add-utility`,
    );
  }
  const joined = joinNextUtility(opts);
  log(`[grow] starting ${joined.org.peer.name} and deploying`);
  await up({ runDir: p.root, log });
  return joined;
}

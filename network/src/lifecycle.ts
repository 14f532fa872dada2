/**
 * The chaincode's lifecycle for chaincode-as-a-service: each org's ccaas package (written by
 * generate.ts) is installed on its peer, approved per org, and the definition committed on the
 * channel. Every step is skipped when already done. The definition's collections follow the
 * topology (one per utility): when the committed definition has other collections (a utility org
 * joined the live channel, network/src/grow.ts), every org approves the next sequence and it is
 * committed.
 */
import {
  CHAINCODE_NAME,
  FIRST_CHAINCODE_SEQUENCE,
  collectionsConfig,
  CHAINCODE_VERSION,
  ENDORSEMENT_POLICY,
  operatorOrg,
  type PeerOrg,
  type Topology,
} from '../config/topology';
import { waitPeersCaughtUp } from './channel';
import { dialAddress } from './dial';
import { CommandError, run, type FabricBin } from './exec';
import { chaincodePackages, packageOf, type ChaincodePackageInfo } from './generate';
import { peerCliEnv } from './nodes';
import type { RunPaths } from './paths';

export function ordererArgs(t: Topology, p: RunPaths): string[] {
  const orderer = t.orderers[0];
  return ['-o', dialAddress(orderer.host, orderer.port), '--tls', '--cafile', p.ordererTlsCa(t)];
}

function definitionArgs(t: Topology, p: RunPaths, sequence: number): string[] {
  return [
    '--channelID',
    t.channel,
    '--name',
    CHAINCODE_NAME,
    '--version',
    CHAINCODE_VERSION,
    '--sequence',
    String(sequence),
    '--signature-policy',
    ENDORSEMENT_POLICY,
    '--collections-config',
    p.collections,
  ];
}

/** What the channel has committed of the chaincode's definition (what we compare). */
export interface CommittedDefinition {
  sequence: number;
  /** The definition's private data collections, by name (sorted). */
  collections: string[];
}

/** querycommitted's JSON (peer 2.5): the parts we read. */
interface QueryCommittedJson {
  sequence?: number;
  collections?: { config?: { Payload?: { StaticCollectionConfig?: { name?: string } } }[] };
}

/** The committed definition, or undefined when none is committed yet. */
export function committedDefinition(
  t: Topology,
  p: RunPaths,
  bin: FabricBin,
  org: PeerOrg,
): CommittedDefinition | undefined {
  let out: string;
  try {
    out = run(
      bin.path('peer'),
      [
        'lifecycle',
        'chaincode',
        'querycommitted',
        '--channelID',
        t.channel,
        '--name',
        CHAINCODE_NAME,
        '--output',
        'json',
      ],
      { env: peerCliEnv(p, org) },
    );
  } catch (err) {
    if (err instanceof CommandError && /not found|does not exist|not defined/i.test(err.output))
      return undefined;
    throw err;
  }
  const json = JSON.parse(out) as QueryCommittedJson;
  const collections = (json.collections?.config ?? [])
    .map((c) => c.Payload?.StaticCollectionConfig?.name ?? '')
    .sort();
  return { sequence: json.sequence ?? 0, collections };
}

/**
 * The sequence the topology's definition needs: the committed one when its collections are the
 * topology's (nothing to do), else the next one (the first when nothing is committed).
 */
export function targetSequence(
  t: Topology,
  committed: CommittedDefinition | undefined,
): {
  sequence: number;
  committed: boolean;
} {
  if (!committed) return { sequence: FIRST_CHAINCODE_SEQUENCE, committed: false };
  const wanted = collectionsConfig(t)
    .map((c) => c.name)
    .sort();
  const same =
    wanted.length === committed.collections.length && wanted.every((n, i) => n === committed.collections[i]);
  return same
    ? { sequence: committed.sequence, committed: true }
    : { sequence: committed.sequence + 1, committed: false };
}

type Log = (line: string) => void;

/** Installs `org`'s ccaas package on its peer unless it is already installed. */
function install(p: RunPaths, bin: FabricBin, org: PeerOrg, pkg: ChaincodePackageInfo, log: Log): void {
  const env = peerCliEnv(p, org);
  const installed = JSON.parse(
    run(bin.path('peer'), ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'], { env }),
  ) as { installed_chaincodes?: { package_id: string }[] };
  if ((installed.installed_chaincodes ?? []).some((c) => c.package_id === pkg.packageId)) return;
  run(bin.path('peer'), ['lifecycle', 'chaincode', 'install', pkg.file], { env });
  log(`  installed ${pkg.packageId.slice(0, 24)}… on ${org.peer.name}`);
}

/** Whether `org` approved this sequence for its package (false when nothing is approved yet). */
function isApproved(
  t: Topology,
  p: RunPaths,
  bin: FabricBin,
  org: PeerOrg,
  pkg: ChaincodePackageInfo,
  sequence: number,
): boolean {
  try {
    const out = run(
      bin.path('peer'),
      [
        'lifecycle',
        'chaincode',
        'queryapproved',
        '--channelID',
        t.channel,
        '--name',
        CHAINCODE_NAME,
        '--sequence',
        String(sequence),
        '--output',
        'json',
      ],
      { env: peerCliEnv(p, org) },
    );
    const approved = JSON.parse(out) as { source?: { Type?: { LocalPackage?: { package_id?: string } } } };
    return approved.source?.Type?.LocalPackage?.package_id === pkg.packageId;
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    return false;
  }
}

/** Approves the definition for `org` (with its own package id) unless it already did. */
function approve(
  t: Topology,
  p: RunPaths,
  bin: FabricBin,
  org: PeerOrg,
  pkg: ChaincodePackageInfo,
  sequence: number,
  log: Log,
): void {
  if (isApproved(t, p, bin, org, pkg, sequence)) return;
  run(
    bin.path('peer'),
    [
      'lifecycle',
      'chaincode',
      'approveformyorg',
      ...ordererArgs(t, p),
      ...definitionArgs(t, p, sequence),
      '--package-id',
      pkg.packageId,
    ],
    { env: peerCliEnv(p, org) },
  );
  log(`  ${org.mspId} approved ${CHAINCODE_NAME} ${CHAINCODE_VERSION} (sequence ${sequence})`);
}

/** Commits the definition as the operator, endorsed by every org's peer. */
function commit(t: Topology, p: RunPaths, bin: FabricBin, sequence: number, log: Log): void {
  const peers = t.orgs.flatMap((org) => [
    '--peerAddresses',
    dialAddress(org.peer.host, org.peer.port),
    '--tlsRootCertFiles',
    p.orgTlsCa(org),
  ]);
  run(
    bin.path('peer'),
    ['lifecycle', 'chaincode', 'commit', ...ordererArgs(t, p), ...definitionArgs(t, p, sequence), ...peers],
    { env: peerCliEnv(p, operatorOrg(t)) },
  );
  log(`  committed ${CHAINCODE_NAME} on channel ${t.channel} (sequence ${sequence})`);
}

/**
 * Installs each org's ccaas package on its peer, approves it per org, commits the definition. An
 * approval waits for its block on the approving org's peer only: the commit is endorsed by every
 * peer, each reading every org's approval, so it waits until all of them have the last approval's
 * block (a peer one block behind endorses other reads, and the CLI refuses the mismatching
 * responses: "ProposalResponsePayloads do not match").
 */
export async function deployChaincode(t: Topology, p: RunPaths, bin: FabricBin, log: Log): Promise<void> {
  const packages = chaincodePackages(t, p);
  for (const org of t.orgs) install(p, bin, org, packageOf(packages, org.mspId), log);
  const target = targetSequence(t, committedDefinition(t, p, bin, operatorOrg(t)));
  if (target.committed) return;
  for (const org of t.orgs) approve(t, p, bin, org, packageOf(packages, org.mspId), target.sequence, log);
  await waitPeersCaughtUp(t);
  commit(t, p, bin, target.sequence, log);
}

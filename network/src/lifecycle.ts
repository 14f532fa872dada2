/**
 * The chaincode's lifecycle for chaincode-as-a-service: each org's ccaas package (written by
 * generate.ts) is installed on its peer, approved per org, and the definition committed on the
 * channel. Every step is skipped when already done.
 */
import {
  CHAINCODE_NAME,
  CHAINCODE_SEQUENCE,
  CHAINCODE_VERSION,
  ENDORSEMENT_POLICY,
  HOST,
  type PeerOrg,
  type Topology,
} from '../config/topology';
import { CommandError, run, type FabricBin } from './exec';
import { chaincodePackages } from './generate';
import { peerCliEnv } from './nodes';
import type { RunPaths } from './paths';

function ordererArgs(t: Topology, p: RunPaths): string[] {
  return ['-o', `${HOST}:${t.orderers[0]!.port}`, '--tls', '--cafile', p.ordererTlsCa(t)];
}

function definitionArgs(t: Topology, p: RunPaths): string[] {
  return [
    '--channelID',
    t.channel,
    '--name',
    CHAINCODE_NAME,
    '--version',
    CHAINCODE_VERSION,
    '--sequence',
    String(CHAINCODE_SEQUENCE),
    '--signature-policy',
    ENDORSEMENT_POLICY,
    '--collections-config',
    p.collections,
  ];
}

function isCommitted(t: Topology, p: RunPaths, bin: FabricBin, org: PeerOrg): boolean {
  try {
    const out = run(
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
    return (JSON.parse(out) as { sequence?: number }).sequence === CHAINCODE_SEQUENCE;
  } catch (err) {
    if (err instanceof CommandError && /not found|does not exist|not defined/i.test(err.output)) return false;
    throw err;
  }
}

/** Installs each org's ccaas package on its peer, approves it per org, commits the definition. */
export function deployChaincode(t: Topology, p: RunPaths, bin: FabricBin, log: (l: string) => void): void {
  const packages = chaincodePackages(t, p);
  for (const org of t.orgs) {
    const env = peerCliEnv(p, org);
    const pkg = packages.find((x) => x.mspId === org.mspId)!;
    const installed = JSON.parse(
      run(bin.path('peer'), ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'], { env }),
    ) as { installed_chaincodes?: { package_id: string }[] };
    if (!(installed.installed_chaincodes ?? []).some((c) => c.package_id === pkg.packageId)) {
      run(bin.path('peer'), ['lifecycle', 'chaincode', 'install', pkg.file], { env });
      log(`  installed ${pkg.packageId.slice(0, 24)}… on ${org.peer.name}`);
    }
  }
  if (isCommitted(t, p, bin, t.orgs[0]!)) return;

  for (const org of t.orgs) {
    const env = peerCliEnv(p, org);
    const pkg = packages.find((x) => x.mspId === org.mspId)!;
    let approved = false;
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
          String(CHAINCODE_SEQUENCE),
          '--output',
          'json',
        ],
        { env },
      );
      approved =
        (JSON.parse(out) as { source?: { Type?: { LocalPackage?: { package_id?: string } } } }).source?.Type
          ?.LocalPackage?.package_id === pkg.packageId;
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
    }
    if (!approved) {
      run(
        bin.path('peer'),
        [
          'lifecycle',
          'chaincode',
          'approveformyorg',
          ...ordererArgs(t, p),
          ...definitionArgs(t, p),
          '--package-id',
          pkg.packageId,
        ],
        { env },
      );
      log(`  ${org.mspId} approved ${CHAINCODE_NAME} ${CHAINCODE_VERSION} (sequence ${CHAINCODE_SEQUENCE})`);
    }
  }

  const peers = t.orgs.flatMap((org) => [
    '--peerAddresses',
    `${HOST}:${org.peer.port}`,
    '--tlsRootCertFiles',
    p.orgTlsCa(org),
  ]);
  run(
    bin.path('peer'),
    ['lifecycle', 'chaincode', 'commit', ...ordererArgs(t, p), ...definitionArgs(t, p), ...peers],
    { env: peerCliEnv(p, t.orgs[0]!) },
  );
  log(`  committed ${CHAINCODE_NAME} on channel ${t.channel}`);
}

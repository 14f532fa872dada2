/**
 * Changes of the channel's configuration: fetch the latest config block, change the decoded
 * config, compute the update (configtxlator), collect the admins' signatures the change's
 * mod_policy needs (`peer channel signconfigtx`) and submit it (`peer channel update`).
 * - An org's own MSP value (its revocation list) has mod_policy Admins of that org: its admin's
 *   signature alone suffices.
 * - A new application org changes the Application group, whose mod_policy is the channel's
 *   `MAJORITY Admins`: a majority of the member orgs' admins sign.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PeerOrg, Topology } from '../config/topology';
import { run, type FabricBin } from './exec';
import { ordererArgs } from './lifecycle';
import { peerCliEnv } from './nodes';
import type { RunPaths } from './paths';

/** The part of an MSP definition (msp.proto FabricMSPConfig, as configtxlator writes JSON) we change. */
interface MspConfigJson {
  name: string;
  revocation_list?: string[];
}

/** An application org's config group as configtxlator writes it (what we read of it). */
export interface OrgGroupJson {
  values: { MSP: { value: { config: MspConfigJson } } };
  [key: string]: unknown;
}

export type ConfigJson = {
  channel_group: {
    groups: {
      Application: { groups: Record<string, OrgGroupJson> };
    };
  };
};

/** configtxlator, always writing to a file (its default /dev/stdout is not openable on a pipe). */
class Lator {
  constructor(
    private readonly bin: FabricBin,
    readonly dir: string,
  ) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }
  decode(type: string, input: string): unknown {
    run(this.bin.path('configtxlator'), [
      'proto_decode',
      '--type',
      type,
      '--input',
      input,
      '--output',
      `${input}.json`,
    ]);
    return JSON.parse(fs.readFileSync(`${input}.json`, 'utf8'));
  }
  encode(type: string, name: string, value: unknown): string {
    const input = this.file(`${name}.json`);
    fs.writeFileSync(input, JSON.stringify(value));
    const output = this.file(`${name}.pb`);
    run(this.bin.path('configtxlator'), [
      'proto_encode',
      '--type',
      type,
      '--input',
      input,
      '--output',
      output,
    ]);
    return output;
  }
}

/** The channel's current configuration, fetched by `org`'s admin from the orderers. */
function fetchConfig(t: Topology, p: RunPaths, bin: FabricBin, org: PeerOrg, lator: Lator): ConfigJson {
  const blockFile = lator.file('block.pb');
  run(bin.path('peer'), ['channel', 'fetch', 'config', blockFile, '-c', t.channel, ...ordererArgs(t, p)], {
    env: peerCliEnv(p, org),
  });
  const block = lator.decode('common.Block', blockFile) as {
    data: { data: [{ payload: { data: { config: ConfigJson } } }] };
  };
  return block.data.data[0].payload.data.config;
}

function withLator<T>(bin: FabricBin, body: (lator: Lator) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'energy-config-'));
  try {
    return body(new Lator(bin, dir));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The MSP ids of the channel's application orgs, as its latest config block has them. */
export function channelOrgs(t: Topology, p: RunPaths, bin: FabricBin, asOrg: PeerOrg): string[] {
  return withLator(bin, (lator) =>
    Object.keys(fetchConfig(t, p, bin, asOrg, lator).channel_group.groups.Application.groups).sort(),
  );
}

/**
 * Fetches the config as `signers[0]`'s admin, applies `change` to a copy, and submits the update
 * signed by every org of `signers` (the last one submits it). Returns false, submitting nothing,
 * when `change` returns false (nothing to change).
 */
export function updateChannelConfig(
  t: Topology,
  p: RunPaths,
  bin: FabricBin,
  signers: [PeerOrg, ...PeerOrg[]],
  change: (config: ConfigJson) => boolean,
): boolean {
  return withLator(bin, (lator) => {
    const original = fetchConfig(t, p, bin, signers[0], lator);
    const updated = structuredClone(original);
    if (!change(updated)) return false;
    const originalPb = lator.encode('common.Config', 'original', original);
    const updatedPb = lator.encode('common.Config', 'updated', updated);
    const updatePb = lator.file('update.pb');
    run(bin.path('configtxlator'), [
      'compute_update',
      '--channel_id',
      t.channel,
      '--original',
      originalPb,
      '--updated',
      updatedPb,
      '--output',
      updatePb,
    ]);
    const envelope = lator.encode('common.Envelope', 'envelope', {
      payload: {
        header: { channel_header: { channel_id: t.channel, type: 2 } },
        data: { config_update: lator.decode('common.ConfigUpdate', updatePb) },
      },
    });
    const submitter = signers[signers.length - 1] as PeerOrg;
    for (const org of signers.slice(0, -1)) {
      run(bin.path('peer'), ['channel', 'signconfigtx', '-f', envelope], { env: peerCliEnv(p, org) });
    }
    // `update` adds the submitter's own signature
    run(bin.path('peer'), ['channel', 'update', '-f', envelope, '-c', t.channel, ...ordererArgs(t, p)], {
      env: peerCliEnv(p, submitter),
    });
    return true;
  });
}

/**
 * Sets `org`'s certificate revocation list on the channel to `crlPem` (the CA's full, current CRL:
 * it replaces the previous one).
 */
export function setRevocationList(
  t: Topology,
  p: RunPaths,
  bin: FabricBin,
  org: PeerOrg,
  crlPem: string,
): void {
  updateChannelConfig(t, p, bin, [org], (config) => {
    const group = config.channel_group.groups.Application.groups[org.mspId];
    if (!group) throw new Error(`the channel's configuration has no application org ${org.mspId}`);
    group.values.MSP.value.config.revocation_list = [Buffer.from(crlPem).toString('base64')];
    return true;
  });
}

/**
 * Adds `orgGroup` (configtxgen -printOrg of the new org) to the channel's application orgs, signed
 * by the admins of `signers` (a majority of the current members). False when it is a member already.
 */
export function addApplicationOrg(
  t: Topology,
  p: RunPaths,
  bin: FabricBin,
  mspId: string,
  orgGroup: OrgGroupJson,
  signers: [PeerOrg, ...PeerOrg[]],
): boolean {
  return updateChannelConfig(t, p, bin, signers, (config) => {
    const orgs = config.channel_group.groups.Application.groups;
    if (orgs[mspId]) return false;
    orgs[mspId] = orgGroup;
    return true;
  });
}

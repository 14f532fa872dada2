/**
 * Changes of the channel's configuration by one org's admin: fetch the latest config block, change
 * the org's own MSP definition, compute the update (configtxlator) and submit it (`peer channel
 * update`, signed by the org's Admin; the org's MSP value has mod_policy Admins of that org, so its
 * signature alone suffices).
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

type ConfigJson = {
  channel_group: {
    groups: {
      Application: { groups: Record<string, { values: { MSP: { value: { config: MspConfigJson } } } }> };
    };
  };
};

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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'energy-config-'));
  const file = (name: string) => path.join(dir, name);
  const env = peerCliEnv(p, org);
  const lator = (args: string[]) => run(bin.path('configtxlator'), args);
  // configtxlator writes to /dev/stdout by default, which a pipe does not open: always to a file.
  const decode = (type: string, input: string): unknown => {
    lator(['proto_decode', '--type', type, '--input', input, '--output', `${input}.json`]);
    return JSON.parse(fs.readFileSync(`${input}.json`, 'utf8'));
  };
  try {
    run(
      bin.path('peer'),
      ['channel', 'fetch', 'config', file('block.pb'), '-c', t.channel, ...ordererArgs(t, p)],
      { env },
    );
    const block = decode('common.Block', file('block.pb')) as {
      data: { data: [{ payload: { data: { config: ConfigJson } } }] };
    };
    const original = block.data.data[0].payload.data.config;
    const updated = structuredClone(original);
    const group = updated.channel_group.groups.Application.groups[org.mspId];
    if (!group) throw new Error(`the channel's configuration has no application org ${org.mspId}`);
    group.values.MSP.value.config.revocation_list = [Buffer.from(crlPem).toString('base64')];
    for (const [name, config] of [
      ['original', original],
      ['updated', updated],
    ] as const) {
      fs.writeFileSync(file(`${name}.json`), JSON.stringify(config));
      lator([
        'proto_encode',
        '--type',
        'common.Config',
        '--input',
        file(`${name}.json`),
        '--output',
        file(`${name}.pb`),
      ]);
    }
    lator([
      'compute_update',
      '--channel_id',
      t.channel,
      '--original',
      file('original.pb'),
      '--updated',
      file('updated.pb'),
      '--output',
      file('update.pb'),
    ]);
    const update: unknown = decode('common.ConfigUpdate', file('update.pb'));
    const envelope = {
      payload: {
        header: { channel_header: { channel_id: t.channel, type: 2 } },
        data: { config_update: update },
      },
    };
    fs.writeFileSync(file('envelope.json'), JSON.stringify(envelope));
    lator([
      'proto_encode',
      '--type',
      'common.Envelope',
      '--input',
      file('envelope.json'),
      '--output',
      file('envelope.pb'),
    ]);
    run(
      bin.path('peer'),
      ['channel', 'update', '-f', file('envelope.pb'), '-c', t.channel, ...ordererArgs(t, p)],
      { env },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The `energy` channel on running nodes: each orderer joins it through the channel participation
 * API (osnadmin), the Raft cluster elects a leader, then each org's peer joins it. Every step is
 * skipped when already done.
 */
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrdererNode, PeerOrg, Topology } from '../config/topology';
import { dialAddress, dialHost } from './dial';
import { run, type FabricBin } from './exec';
import { peerCliEnv } from './nodes';
import type { RunPaths } from './paths';
import { metrics } from './processes';
import { raftHealth } from './raft-health';

function osnadminArgs(t: Topology, p: RunPaths, o: OrdererNode): string[] {
  const tls = path.join(p.ordererAdminDir(t), 'tls');
  return [
    '-o',
    dialAddress(o.host, o.adminPort),
    '--ca-file',
    p.ordererTlsCa(t),
    '--client-cert',
    path.join(tls, 'client.crt'),
    '--client-key',
    path.join(tls, 'client.key'),
  ];
}

/** Joins every orderer to the channel (channel participation API) unless it already is. */
export function joinOrderers(t: Topology, p: RunPaths, bin: FabricBin, log: (l: string) => void): void {
  for (const o of t.orderers) {
    const auth = osnadminArgs(t, p, o);
    const list = run(bin.path('osnadmin'), ['channel', 'list', '--channelID', t.channel, ...auth]);
    if (/Status: 200/.test(list)) continue;
    const out = run(bin.path('osnadmin'), [
      'channel',
      'join',
      '--channelID',
      t.channel,
      '--config-block',
      p.channelBlock,
      ...auth,
    ]);
    if (!/Status: 201/.test(out)) throw new Error(`osnadmin channel join on ${o.name} failed:\n${out}`);
    log(`  ${o.name} joined channel ${t.channel}`);
  }
}

/**
 * Waits until the channel's Raft cluster has a leader that every orderer knows (else the first
 * transactions fail with SERVICE_UNAVAILABLE "no Raft leader"), from the orderers' metrics.
 */
export async function waitRaftLeader(t: Topology, p: RunPaths, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const label = `{channel="${t.channel}"}`;
  for (;;) {
    const all = await Promise.all(t.orderers.map((o) => metrics(o.operationsPort, 2000, dialHost(o.host))));
    const leaders = all.filter((m) => m.get(`consensus_etcdraft_is_leader${label}`) === 1).length;
    const informed = all.every((m) => (m.get(`consensus_etcdraft_leader_changes${label}`) ?? 0) >= 1);
    if (leaders === 1 && informed) return;
    if (Date.now() > deadline) {
      const health = await raftHealth(t);
      throw new Error(
        `no Raft leader for channel ${t.channel} after ${timeoutMs / 1000} s (${health.problems.join('; ')}). ` +
          `Each orderer's log says why: ${t.orderers.map((o) => p.log(o.name)).join(', ')}. ` +
          'A cluster of 3 needs 2 orderers running with their ledgers; `npm run network:status` shows which ' +
          'are up. Keep the ledgers (network/run/data): they are the only copy of the channel.',
      );
    }
    await sleep(250);
  }
}

/** Joins `org`'s peer to the channel unless it already is. */
export function joinPeer(
  t: Topology,
  p: RunPaths,
  bin: FabricBin,
  org: PeerOrg,
  log: (l: string) => void,
): void {
  const env = peerCliEnv(p, org);
  const list = run(bin.path('peer'), ['channel', 'list'], { env });
  if (list.split('\n').some((line) => line.trim() === t.channel)) return;
  run(bin.path('peer'), ['channel', 'join', '-b', p.channelBlock], { env });
  log(`  ${org.peer.name} joined channel ${t.channel}`);
}

/** Each peer's height of the channel's ledger (0 when its operations endpoint does not answer or
 * it is not on the channel yet). */
async function peerHeights(t: Topology): Promise<{ org: PeerOrg; height: number }[]> {
  const label = `{channel="${t.channel}"}`;
  return Promise.all(
    t.orgs.map(async (org) => {
      const m = await metrics(org.peer.operationsPort, 2000, dialHost(org.peer.host));
      return { org, height: m.get(`ledger_blockchain_height${label}`) ?? 0 };
    }),
  );
}

/**
 * Waits until every peer has the blocks the highest one had when the wait began. A peer that has
 * just joined starts from the genesis block: until it has pulled the config update that made its
 * org a member, it refuses its own admin's proposals (the approval of the chaincode definition)
 * as from an unknown org. After a restart of the orderers its delivery client backs off for
 * seconds, so this is not a matter of milliseconds.
 */
export async function waitPeersCaughtUp(
  t: Topology,
  timeoutMs = 120_000,
): Promise<{ height: number; seconds: number }> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let heights = await peerHeights(t);
  const target = Math.max(...heights.map((h) => h.height));
  for (; ; heights = await peerHeights(t)) {
    const behind = heights.filter((h) => h.height < target);
    if (behind.length === 0) return { height: target, seconds: (Date.now() - started) / 1000 };
    if (Date.now() > deadline) {
      const which = behind.map((h) => `${h.org.peer.name} at ${h.height}`).join(', ');
      throw new Error(
        `E_PEER_BEHIND: after ${timeoutMs / 1000} s ${which} still behind block height ${target} of channel ` +
          `${t.channel}: its log (native: network/run/logs; compose: podman logs <host>) says why the orderers ` +
          'give it no blocks',
      );
    }
    await sleep(250);
  }
}

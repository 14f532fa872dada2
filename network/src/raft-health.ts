/**
 * Health of a channel's Raft cluster from the orderers' Prometheus metrics: a process can answer
 * /healthz while its channel has no leader or it has fallen behind, so `network:status`, `up` and
 * the fault tests judge consensus by these figures, not by liveness alone.
 */
import type { Topology } from '../config/topology';
import { dialHost } from './dial';
import { metrics } from './processes';

/** Blocks a reachable orderer may trail the highest one before it counts as lagging. */
export const MAX_BLOCK_LAG = 5;

export interface OrdererRaftState {
  name: string;
  /** false when its metrics endpoint did not answer */
  reachable: boolean;
  isLeader: boolean;
  /** nodes this orderer sees as active (0 while it has no leader) */
  activeNodes: number;
  clusterSize: number;
  /** last block number it has committed for the channel */
  height: number;
  /** block number of its last Raft snapshot (0 before the first) */
  snapshotBlock: number;
}

export interface RaftHealth {
  channel: string;
  healthy: boolean;
  leaders: string[];
  orderers: OrdererRaftState[];
  /** why it is not healthy (empty when healthy) */
  problems: string[];
}

/** Reads every orderer's etcdraft metrics for the channel and judges the cluster. */
export async function raftHealth(t: Topology): Promise<RaftHealth> {
  const label = `{channel="${t.channel}"}`;
  const orderers = await Promise.all(
    t.orderers.map(async (o): Promise<OrdererRaftState> => {
      const m = await metrics(o.operationsPort, 2000, dialHost(o.host));
      const value = (name: string) => m.get(`consensus_etcdraft_${name}${label}`);
      return {
        name: o.name,
        reachable: value('cluster_size') !== undefined,
        isLeader: value('is_leader') === 1,
        activeNodes: value('active_nodes') ?? 0,
        clusterSize: value('cluster_size') ?? 0,
        height: value('committed_block_number') ?? -1,
        snapshotBlock: value('snapshot_block_number') ?? 0,
      };
    }),
  );
  return judgeRaft(t.channel, orderers);
}

/** Pure judgement of the figures (unit-tested): one leader, every node sees it, none lags. */
export function judgeRaft(channel: string, orderers: OrdererRaftState[]): RaftHealth {
  const problems: string[] = [];
  const up = orderers.filter((o) => o.reachable);
  const leaders = up.filter((o) => o.isLeader).map((o) => o.name);
  for (const o of orderers) if (!o.reachable) problems.push(`${o.name}: no metrics (not running?)`);
  if (leaders.length === 0) problems.push(`channel ${channel} has no Raft leader`);
  if (leaders.length > 1) problems.push(`channel ${channel} reports ${leaders.length} leaders`);
  const top = Math.max(-1, ...up.map((o) => o.height));
  for (const o of up) {
    if (o.activeNodes < o.clusterSize) {
      problems.push(`${o.name}: sees ${o.activeNodes} of ${o.clusterSize} Raft nodes active`);
    }
    if (top - o.height > MAX_BLOCK_LAG) {
      problems.push(`${o.name}: at block ${o.height}, ${top - o.height} behind the highest (${top})`);
    }
  }
  return { channel, healthy: problems.length === 0, leaders, orderers, problems };
}

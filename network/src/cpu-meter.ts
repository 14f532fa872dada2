/**
 * Where a bench phase's CPU went: the CPU time of named groups of processes (Linux /proc) and of the
 * whole machine between a start and a stop. On a machine whose few cores run the network, the API
 * and the load generator at once, this says which of them a throughput limit is made of.
 */
import * as os from 'node:os';
import { status } from './network';
import type { NodeKind } from './nodes';
import { cpuSeconds, machineCpuTicks, USER_HZ } from './processes';

/** CPU seconds per group over the phase, and the machine's busy and total CPU seconds (all cores). */
export interface CpuSplit {
  groups: Record<string, number>;
  machineBusy: number;
  machineTotal: number;
  cores: number;
}

export type PidGroups = Record<string, readonly (number | 'self')[]>;

/** Starts measuring; the returned function stops and gives the split since the start. */
export function startCpuMeter(groups: PidGroups): () => CpuSplit {
  const sample = () => ({
    groups: Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [
        name,
        pids.reduce<number>((s, pid) => s + cpuSeconds(pid), 0),
      ]),
    ),
    machine: machineCpuTicks(),
  });
  const before = sample();
  return () => {
    const after = sample();
    const busy = after.machine.busy - before.machine.busy;
    return {
      groups: Object.fromEntries(
        Object.entries(after.groups).map(([name, s]) => [name, s - (before.groups[name] ?? 0)]),
      ),
      machineBusy: busy / USER_HZ,
      // iowait, counted with idle, may step back (Linux): the total is never below the busy part
      machineTotal: (busy + Math.max(0, after.machine.idle - before.machine.idle)) / USER_HZ,
      cores: os.cpus().length,
    };
  };
}

const GROUP_OF: Record<NodeKind, string> = {
  peer: 'peers',
  orderer: 'orderers',
  chaincode: 'chaincode servers',
};

/** The running native network's processes, grouped as peers, orderers and chaincode servers. */
export async function networkPidGroups(): Promise<PidGroups> {
  const groups: Record<string, number[]> = { peers: [], orderers: [], 'chaincode servers': [] };
  for (const node of await status()) {
    if (node.pid !== undefined) groups[GROUP_OF[node.kind]]?.push(node.pid);
  }
  return groups;
}

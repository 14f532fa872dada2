/**
 * Per-round peak RSS of the processes that do a big round's work: this process (a bench's
 * auctioneer, clients or API), the operator's peer and its chaincode server (Linux VmHWM, reset
 * at the start of each round).
 */
import type { Topology } from '../config/topology';
import { RunPaths } from './paths';
import { peakRss, resetPeakRss, runningPid } from './processes';

/** Peak RSS of this process, the operator's peer and its chaincode server during one round. */
export interface Peaks {
  bench?: number;
  peer?: number;
  chaincode?: number;
}

/** Tracks per-round peak RSS of the processes that do the work (Linux VmHWM, reset per round). */
export class PeakTracker {
  private readonly pids: Record<'peer' | 'chaincode', number | undefined>;

  constructor(topology: Topology) {
    const p = new RunPaths();
    const operator = topology.orgs[0];
    this.pids = {
      peer: runningPid(p, operator.peer.name),
      chaincode: runningPid(p, operator.chaincodeServer.name),
    };
  }

  reset(): void {
    resetPeakRss('self');
    for (const pid of Object.values(this.pids)) if (pid !== undefined) resetPeakRss(pid);
  }

  read(): Peaks {
    const of = (pid: number | undefined): number | undefined =>
      pid === undefined ? undefined : peakRss(pid);
    return { bench: peakRss('self'), peer: of(this.pids.peer), chaincode: of(this.pids.chaincode) };
  }
}

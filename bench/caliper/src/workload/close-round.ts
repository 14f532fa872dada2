/**
 * Caliper round "close": every worker waits, in the untimed prepare phase, until the round's
 * closesAt has passed by CLOSE_MARGIN_MS on this machine's clock (the peers' clock guard refuses an
 * early close with TOO_EARLY); then worker 0 closes the round as the operator (CloseRound) and
 * every other worker evaluates GetRound (one request per worker).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SutAdapter, WorkloadModule } from '../caliper-api';
import { marketRequest, workloadArgs, type WorkloadArgs } from '../workload-args';

const CLOSE_MARGIN_MS = 1_000;

class CloseRound implements WorkloadModule {
  private worker = 0;
  private args: WorkloadArgs | undefined;
  private sut: SutAdapter | undefined;

  async initializeWorkloadModule(
    worker: number,
    _w: number,
    _r: number,
    args: unknown,
    sut: SutAdapter,
  ): Promise<void> {
    this.worker = worker;
    this.args = workloadArgs(args);
    this.sut = sut;
    const wait = Date.parse(this.args.closesAt) + CLOSE_MARGIN_MS - Date.now();
    if (wait > 0) {
      if (worker === 0)
        console.log(`close: waiting ${(wait / 1000).toFixed(1)} s for closesAt ${this.args.closesAt}`);
      await sleep(wait);
    }
  }

  async submitTransaction(): Promise<void> {
    const a = this.args as WorkloadArgs;
    const fn = this.worker === 0 ? 'CloseRound' : 'GetRound';
    await (this.sut as SutAdapter).sendRequests(
      marketRequest(a, a.operatorMsp, fn, [a.roundId], { readOnly: this.worker !== 0 }),
    );
  }

  cleanupWorkloadModule(): Promise<void> {
    return Promise.resolve();
  }
}

export function createWorkloadModule(): WorkloadModule {
  return new CloseRound();
}

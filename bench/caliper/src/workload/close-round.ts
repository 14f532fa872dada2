/**
 * Caliper round "close": every worker waits, in the untimed prepare phase, until the round's
 * closesAt has passed by CLOSE_MARGIN_MS on this machine's clock (the peers' clock guard refuses an
 * early close with TOO_EARLY); then worker 0 closes the round as the operator (CloseRound) and
 * every other worker evaluates GetRound (one request per worker).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FabricRequest, WorkloadModule } from '../caliper-api';
import { marketRequest, type WorkloadArgs } from '../workload-args';
import { OperatorStep } from './operator-step';

const CLOSE_MARGIN_MS = 1_000;

class CloseRound extends OperatorStep {
  protected override async prepare(a: WorkloadArgs): Promise<void> {
    const wait = Date.parse(a.closesAt) + CLOSE_MARGIN_MS - Date.now();
    if (wait > 0) {
      if (this.worker === 0)
        console.log(`close: waiting ${(wait / 1000).toFixed(1)} s for closesAt ${a.closesAt}`);
      await sleep(wait);
    }
  }

  protected operatorRequest(a: WorkloadArgs): FabricRequest {
    return marketRequest(a, a.operatorMsp, 'CloseRound', [a.roundId]);
  }

  protected readRequest(a: WorkloadArgs): [string, string[]] {
    return ['GetRound', [a.roundId]];
  }
}

export function createWorkloadModule(): WorkloadModule {
  return new CloseRound();
}

/**
 * Caliper round "open": worker 0 opens the benchmark's round as the operator (OpenRound, the
 * parameters of the simulated round); every other worker evaluates ListRounds, so that each worker
 * sends its one request (Caliper gives every worker at least one).
 */
import type { FabricRequest, WorkloadModule } from '../caliper-api';
import { bidPlan } from '../plan';
import { marketRequest, type WorkloadArgs } from '../workload-args';
import { OperatorStep } from './operator-step';

class OpenRound extends OperatorStep {
  private params = '';

  protected override prepare(a: WorkloadArgs): Promise<void> {
    this.params = JSON.stringify(bidPlan({ ...a, bidsPerTx: 1, buyers: 0, sellers: 0 }).params ?? {});
    return Promise.resolve();
  }

  protected operatorRequest(a: WorkloadArgs): FabricRequest {
    const req = {
      id: a.roundId,
      slot: a.slot,
      closesAt: a.closesAt,
      params: JSON.parse(this.params) as object,
    };
    return marketRequest(a, a.operatorMsp, 'OpenRound', [JSON.stringify(req)]);
  }

  protected readRequest(): [string, string[]] {
    return ['ListRounds', ['OPEN']];
  }
}

export function createWorkloadModule(): WorkloadModule {
  return new OpenRound();
}

/**
 * Caliper round "open": worker 0 opens the benchmark's round as the operator (OpenRound, the
 * parameters of the simulated round); every other worker evaluates ListRounds, so that each worker
 * sends its one request (Caliper gives every worker at least one).
 */
import type { SutAdapter, WorkloadModule } from '../caliper-api';
import { bidPlan } from '../plan';
import { marketRequest, workloadArgs, type WorkloadArgs } from '../workload-args';

class OpenRound implements WorkloadModule {
  private worker = 0;
  private args: WorkloadArgs | undefined;
  private sut: SutAdapter | undefined;
  private params = '';

  initializeWorkloadModule(
    worker: number,
    _w: number,
    _r: number,
    args: unknown,
    sut: SutAdapter,
  ): Promise<void> {
    this.worker = worker;
    this.args = workloadArgs(args);
    this.sut = sut;
    this.params = JSON.stringify(bidPlan({ ...this.args, bidsPerTx: 1, buyers: 0, sellers: 0 }).params ?? {});
    return Promise.resolve();
  }

  async submitTransaction(): Promise<void> {
    const a = this.args as WorkloadArgs;
    const sut = this.sut as SutAdapter;
    if (this.worker !== 0) {
      await sut.sendRequests(marketRequest(a, a.operatorMsp, 'ListRounds', ['OPEN'], { readOnly: true }));
      return;
    }
    const req = {
      id: a.roundId,
      slot: a.slot,
      closesAt: a.closesAt,
      params: JSON.parse(this.params) as object,
    };
    await sut.sendRequests(marketRequest(a, a.operatorMsp, 'OpenRound', [JSON.stringify(req)]));
  }

  cleanupWorkloadModule(): Promise<void> {
    return Promise.resolve();
  }
}

export function createWorkloadModule(): WorkloadModule {
  return new OpenRound();
}

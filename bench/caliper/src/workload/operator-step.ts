/**
 * The shape of the operator's round steps (open, close, clear): Caliper gives every worker at
 * least one request, so worker 0 sends the step's transaction and every other worker one harmless
 * read. Subclasses say what worker 0 prepares, sends, and what the others read.
 */
import type { FabricRequest, SutAdapter, WorkloadModule } from '../caliper-api';
import { marketRequest, workloadArgs, type WorkloadArgs } from '../workload-args';

export abstract class OperatorStep implements WorkloadModule {
  protected worker = 0;
  private stepArgs: WorkloadArgs | undefined;
  private stepSut: SutAdapter | undefined;

  async initializeWorkloadModule(
    worker: number,
    _w: number,
    _r: number,
    args: unknown,
    sut: SutAdapter,
  ): Promise<void> {
    this.worker = worker;
    this.stepArgs = workloadArgs(args);
    this.stepSut = sut;
    await this.prepare(this.stepArgs, sut);
  }

  async submitTransaction(): Promise<void> {
    const a = this.args;
    if (this.worker === 0) {
      await this.sut.sendRequests(this.operatorRequest(a));
      return;
    }
    const [fn, fnArgs] = this.readRequest(a);
    await this.sut.sendRequests(marketRequest(a, a.operatorMsp, fn, fnArgs, { readOnly: true }));
  }

  cleanupWorkloadModule(): Promise<void> {
    return Promise.resolve();
  }

  protected get args(): WorkloadArgs {
    if (this.stepArgs === undefined) throw new Error('workload module used before initializeWorkloadModule');
    return this.stepArgs;
  }

  protected get sut(): SutAdapter {
    if (this.stepSut === undefined) throw new Error('workload module used before initializeWorkloadModule');
    return this.stepSut;
  }

  /** The untimed preparation of this worker (nothing by default). */
  protected prepare(_args: WorkloadArgs, _sut: SutAdapter): Promise<void> {
    return Promise.resolve();
  }

  /** Worker 0's timed transaction. */
  protected abstract operatorRequest(a: WorkloadArgs): FabricRequest;

  /** The read every other worker sends: transaction name and arguments. */
  protected abstract readRequest(a: WorkloadArgs): [string, string[]];
}

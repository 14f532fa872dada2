/**
 * Caliper round "submit": the simulated round's bids as sealed SubmitBids transactions, exactly as
 * the project's client sends them (fabric-client/src/market-client.ts submitBids): the round id as
 * the only argument, the batch `{ salt, bids }` as transient data under `batch` with a fresh
 * 128-bit salt, endorsed by the submitting utility's peer and the operator's (the two members of
 * the utility's collection). Each worker submits its share of the plan (plan.ts).
 */
import { randomBytes } from 'node:crypto';
import { BATCH_TRANSIENT_KEY } from '../../../../chaincode/src/bids';
import type { SutAdapter, WorkloadModule } from '../caliper-api';
import { bidPlan, workerShare, type PlannedTx } from '../plan';
import { marketRequest, workloadArgs, type WorkloadArgs } from '../workload-args';

class SubmitBids implements WorkloadModule {
  private args: WorkloadArgs | undefined;
  private sut: SutAdapter | undefined;
  private share: PlannedTx[] = [];
  private next = 0;

  initializeWorkloadModule(
    worker: number,
    workers: number,
    _r: number,
    args: unknown,
    sut: SutAdapter,
  ): Promise<void> {
    this.args = workloadArgs(args);
    this.sut = sut;
    this.share = workerShare(bidPlan(this.args).txs, worker, workers);
    return Promise.resolve();
  }

  async submitTransaction(): Promise<void> {
    const a = this.args as WorkloadArgs;
    const tx = this.share[this.next++];
    if (!tx) throw new Error(`this worker's ${this.share.length} planned transactions are all sent`);
    const salt = randomBytes(16).toString('hex');
    await (this.sut as SutAdapter).sendRequests(
      marketRequest(a, tx.mspId, 'SubmitBids', [a.roundId], {
        transientMap: { [BATCH_TRANSIENT_KEY]: JSON.stringify({ salt, bids: tx.bids }) },
        targetOrganizations: [tx.mspId, a.operatorMsp],
      }),
    );
  }

  cleanupWorkloadModule(): Promise<void> {
    return Promise.resolve();
  }
}

export function createWorkloadModule(): WorkloadModule {
  return new SubmitBids();
}

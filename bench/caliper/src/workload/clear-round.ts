/**
 * Caliper round "clear", the auctioneer's path (auctioneer/src/service): in the untimed prepare
 * phase worker 0 reads the closed round, its public commitments and every sealed batch through the
 * Caliper connector as the operator, verifies each batch against its commitment and clears the
 * round with the auctioneer's own prepareClearing; the timed transaction is CommitClearing with the
 * result's digest, endorsed by the operator's peer (which re-reads, re-verifies and re-clears).
 * Every other worker evaluates GetRound (one request per worker).
 */
import type { BatchCommitment, RoundRecord, StoredBatch } from '../../../../chaincode/src/model';
import { prepareClearing, type PreparedClearing } from '../../../../auctioneer/src/service/prepare';
import type { SutAdapter, WorkloadModule } from '../caliper-api';
import { marketRequest, resultJson, workloadArgs, type WorkloadArgs } from '../workload-args';

/** Evaluates a market query as the operator through Caliper and returns its JSON answer. */
async function query<T>(sut: SutAdapter, a: WorkloadArgs, fn: string, args: string[]): Promise<T> {
  const status = await sut.sendRequests(marketRequest(a, a.operatorMsp, fn, args, { readOnly: true }));
  return resultJson(status, fn) as T;
}

/** The clearing the auctioneer would commit for the closed round. */
async function prepare(sut: SutAdapter, a: WorkloadArgs): Promise<PreparedClearing> {
  const round = await query<RoundRecord>(sut, a, 'GetRound', [a.roundId]);
  if (round.status !== 'CLOSED') throw new Error(`round ${a.roundId} is ${round.status}, not CLOSED`);
  const market = {
    getCommitments: (id: string) => query<BatchCommitment[]>(sut, a, 'GetCommitments', [id]),
    getBatchesById: (id: string, utility: string, ids: readonly string[]) =>
      query<StoredBatch[]>(sut, a, 'GetBatchesById', [id, utility, JSON.stringify(ids)]),
  };
  const prepared = await prepareClearing(market, round);
  const t = prepared.timings;
  console.log(
    `clear: ${prepared.batchCount} batches, ${prepared.bidCount} bids; read ${t.readMs.toFixed(0)} ms, ` +
      `verify ${t.verifyMs.toFixed(0)} ms, clear ${t.clearMs.toFixed(0)} ms; ${prepared.result.status}`,
  );
  return prepared;
}

class ClearRound implements WorkloadModule {
  private worker = 0;
  private args: WorkloadArgs | undefined;
  private sut: SutAdapter | undefined;
  private digest = '';

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
    if (worker === 0) this.digest = (await prepare(sut, this.args)).resultDigest;
  }

  async submitTransaction(): Promise<void> {
    const a = this.args as WorkloadArgs;
    const sut = this.sut as SutAdapter;
    if (this.worker !== 0) {
      await sut.sendRequests(marketRequest(a, a.operatorMsp, 'GetRound', [a.roundId], { readOnly: true }));
      return;
    }
    await sut.sendRequests(
      marketRequest(a, a.operatorMsp, 'CommitClearing', [a.roundId, this.digest], {
        targetOrganizations: [a.operatorMsp],
      }),
    );
  }

  cleanupWorkloadModule(): Promise<void> {
    return Promise.resolve();
  }
}

export function createWorkloadModule(): WorkloadModule {
  return new ClearRound();
}

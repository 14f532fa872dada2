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
import type { FabricRequest, SutAdapter, WorkloadModule } from '../caliper-api';
import { marketRequest, resultJson, type WorkloadArgs } from '../workload-args';
import { OperatorStep } from './operator-step';

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

class ClearRound extends OperatorStep {
  private digest = '';

  protected override async prepare(a: WorkloadArgs, sut: SutAdapter): Promise<void> {
    if (this.worker === 0) this.digest = (await prepare(sut, a)).resultDigest;
  }

  protected operatorRequest(a: WorkloadArgs): FabricRequest {
    return marketRequest(a, a.operatorMsp, 'CommitClearing', [a.roundId, this.digest], {
      targetOrganizations: [a.operatorMsp],
    });
  }

  protected readRequest(a: WorkloadArgs): [string, string[]] {
    return ['GetRound', [a.roundId]];
  }
}

export function createWorkloadModule(): WorkloadModule {
  return new ClearRound();
}

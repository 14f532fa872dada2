import { readBatchesById, submitBatch } from '../../../chaincode/src/bids';
import {
  commitClearing,
  getPositions,
  getResult,
  getSettlement,
  type PublicResult,
} from '../../../chaincode/src/clearing';
import { settleDelivery } from '../../../chaincode/src/delivery';
import { getReadingCommitments, getReadings, submitReadings } from '../../../chaincode/src/readings';
import { decode } from '../../../chaincode/src/codec';
import { MarketError } from '../../../chaincode/src/errors';
import { collectionOf } from '../../../chaincode/src/keys';
import type { Ledger } from '../../../chaincode/src/ledger';
import type {
  BatchCommitment,
  MeterReading,
  ReadingCommitment,
  StoredBatch,
} from '../../../chaincode/src/model';
import {
  closeRound,
  getRound,
  listCommitmentValues,
  listRounds,
  openRound,
} from '../../../chaincode/src/rounds';
import type { WireBid } from '../../../engine/src/mechanism/types';
import type { AuctioneerMarketPort } from '../../../auctioneer/src/service/market-port';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { MemoryChannel } from '../chaincode/memory-ledger';

export const OP = 'OperatorMSP';
export const U1 = 'Utility1MSP';
export const U2 = 'Utility2MSP';
export const DEFAULT_SALT = 'c'.repeat(32);

type Method = keyof AuctioneerMarketPort;

/**
 * A AuctioneerMarketPort backed by the real chaincode logic on an in-memory channel, as the operator.
 * The clock is settable; failures can be injected per method, before or after the call applies.
 */
export class FakeMarket implements AuctioneerMarketPort {
  readonly channel = new MemoryChannel({ [collectionOf(U1)]: [U1, OP], [collectionOf(U2)]: [U2, OP] });
  nowMs = Date.UTC(2026, 0, 1, 12, 0, 0);
  readonly calls: Method[] = [];
  private readonly failures: { method: Method; error: Error; after: boolean }[] = [];
  /** rewrite batches on their way to the client (tamper tests) */
  batchFilter: (b: StoredBatch[]) => StoredBatch[] = (b) => b;

  count(m: Method): number {
    return this.calls.filter((c) => c === m).length;
  }

  /**
   * the next call of `method` fails with `error` (after applying it when `after`); a plain Error
   * stands for a process killed around the call (not retried)
   */
  failNext(method: Method, error: Error, after = false): void {
    this.failures.push({ method, error, after });
  }

  private async run<T>(
    method: Method,
    msp: string,
    body: (l: Ledger) => Promise<T>,
    transient?: Record<string, string>,
  ): Promise<T> {
    this.calls.push(method);
    const i = this.failures.findIndex((f) => f.method === method);
    const failure = i >= 0 ? this.failures.splice(i, 1)[0] : undefined;
    if (failure && !failure.after) throw failure.error;
    let out: T;
    try {
      out = await this.channel.run(
        {
          msp,
          peer: msp === OP ? OP : msp,
          time: Math.floor(this.nowMs / 1000),
          ...(transient ? { transient } : {}),
        },
        body,
      );
    } catch (e) {
      if (e instanceof MarketError) throw new MarketClientError(e.code, e.message, e.details ?? {});
      throw e;
    }
    if (failure) throw failure.error;
    // what crosses the gateway is JSON
    return JSON.parse(JSON.stringify(out)) as T;
  }

  openRound: AuctioneerMarketPort['openRound'] = (req) => this.run('openRound', OP, (l) => openRound(l, req));
  closeRound: AuctioneerMarketPort['closeRound'] = (id) =>
    this.run('closeRound', OP, (l) => closeRound(l, id));
  getRound: AuctioneerMarketPort['getRound'] = (id) => this.run('getRound', OP, (l) => getRound(l, id));
  listRounds: AuctioneerMarketPort['listRounds'] = (status = '') =>
    this.run('listRounds', OP, (l) => listRounds(l, status));
  getCommitments: AuctioneerMarketPort['getCommitments'] = (id) =>
    this.run('getCommitments', OP, async (l) => {
      await getRound(l, id);
      return (await listCommitmentValues(l, id)).map((v) => decode(v) as BatchCommitment);
    });
  getBatchesById: AuctioneerMarketPort['getBatchesById'] = async (id, utility, batchIds) =>
    this.batchFilter(
      await this.run('getBatchesById', OP, (l) => readBatchesById(l, id, utility, [...batchIds])),
    );
  commitClearing: AuctioneerMarketPort['commitClearing'] = (id, digest) =>
    this.run('commitClearing', OP, (l) => commitClearing(l, id, digest));
  getResult: AuctioneerMarketPort['getResult'] = (id) => this.run('getResult', OP, (l) => getResult(l, id));
  getPositions: AuctioneerMarketPort['getPositions'] = (id) =>
    this.run('getPositions', OP, (l) => getPositions(l, id));
  getSettlement: AuctioneerMarketPort['getSettlement'] = (id, utility = '') =>
    this.run('getSettlement', OP, (l) => getSettlement(l, id, utility));
  getReadingCommitments: AuctioneerMarketPort['getReadingCommitments'] = (id) =>
    this.run('getReadingCommitments', OP, (l) => getReadingCommitments(l, id));
  getReadings: AuctioneerMarketPort['getReadings'] = (id, utility = '') =>
    this.run('getReadings', OP, (l) => getReadings(l, id, utility));
  settleDelivery: AuctioneerMarketPort['settleDelivery'] = (id, digest) =>
    this.run('settleDelivery', OP, (l) => settleDelivery(l, id, digest));

  /** A utility submits a sealed batch (not part of the port: the utilities do this). */
  submit(utility: string, roundId: string, bids: WireBid[], salt = DEFAULT_SALT): Promise<BatchCommitment> {
    return this.channel.run(
      {
        msp: utility,
        time: Math.floor(this.nowMs / 1000),
        transient: { batch: JSON.stringify({ salt, bids }) },
      },
      (l) => submitBatch(l, roundId),
    );
  }

  /** A utility submits meter readings (not part of the port: the utilities do this). */
  submitReadings(
    utility: string,
    roundId: string,
    readings: MeterReading[],
    salt = 'd'.repeat(32),
  ): Promise<ReadingCommitment> {
    return this.channel.run(
      {
        msp: utility,
        time: Math.floor(this.nowMs / 1000),
        transient: { readings: JSON.stringify({ salt, readings }) },
      },
      (l) => submitReadings(l, roundId),
    );
  }

  result(roundId: string): Promise<PublicResult> {
    return this.channel.run({ msp: OP, time: Math.floor(this.nowMs / 1000) }, (l) => getResult(l, roundId));
  }

  eventsNamed(name: string): MemoryChannel['events'] {
    return this.channel.events.filter((e) => e.name === name);
  }
}

import { randomBytes } from 'node:crypto';
/**
 * The API's market for unit tests: the real chaincode logic (chaincode/src) on an in-memory channel
 * (MemoryChannel), one client per org signing as that org, like the API's gateway connections.
 * Only the transport is simulated: results cross as JSON and a chaincode MarketError arrives as the
 * MarketClientError the real client makes of it. Faults are injected before a submit applies
 * (`onSubmit`, `submitDelayMs`) or by replacing a client's method.
 */
import { readBatchesById, submitBatch } from '../../../chaincode/src/bids';
import { getPositions, getResult, getSettlement } from '../../../chaincode/src/clearing';
import { decode } from '../../../chaincode/src/codec';
import {
  getAccount,
  getDeliveryPositions,
  getDeliverySummary,
  getStatement,
  settleDelivery,
} from '../../../chaincode/src/delivery';
import { getReadingCommitments, getReadings, submitReadings } from '../../../chaincode/src/readings';
import { MarketError } from '../../../chaincode/src/errors';
import { collectionOf } from '../../../chaincode/src/keys';
import type { Ledger } from '../../../chaincode/src/ledger';
import type { DeliveryParams } from '../../../chaincode/src/delivery-params';
import type {
  BatchCommitment,
  DeliveryPosition,
  DeliveryStatement,
  DeliverySummary,
  MeterReading,
  OperatorAccount,
  ReadingCommitment,
  StoredReadingBatch,
  UtilityAccount,
  NetPosition,
  RoundRecord,
  Settlement,
  StoredBatch,
} from '../../../chaincode/src/model';
import type { PublicResult } from '../../../chaincode/src/clearing';
import {
  closeRound,
  getRound,
  listCommitmentValues,
  listRounds,
  openRound,
  type OpenRoundRequest,
} from '../../../chaincode/src/rounds';
import type { WireBid } from '../../../engine/src/mechanism/types';
import { DEFAULT_CONFIG, type ApiConfig } from '../../../gateway/src/api/config';
import { MarketClientError, type TxStage } from '../../../fabric-client/src/market-client';
import type { ApiMarketPort } from '../../../gateway/src/api/market-port';
import { MemoryChannel } from '../chaincode/memory-ledger';

export const OP = 'OperatorMSP';
export const U1 = 'Utility1MSP';
export const U2 = 'Utility2MSP';
const ORGS = [OP, U1, U2];
/** closesAt of the rounds addRound opens: bidding stays open for every test */
const FAR_CLOSE = '2099-01-01T00:00:00Z';

/** Every value of the ledger map `m` under composite keys of `type`, decoded, in key order. */
function valuesOfType<T>(m: ReadonlyMap<string, Uint8Array>, type: string): T[] {
  const prefix = `\u0000${type}\u0000`;
  return [...m.entries()]
    .filter(([k]) => k.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, v]) => decode(v) as T);
}

/**
 * What the real client makes of a chaincode error: `CODE: explanation` (the details apart), not
 * retryable, nothing sent to the orderer.
 */
function clientErrorOf(e: unknown, stage: TxStage): unknown {
  if (!(e instanceof MarketError)) return e;
  const message = e.details ? e.message.slice(0, -(JSON.stringify(e.details).length + 1)) : e.message;
  return new MarketClientError(e.code, message, e.details ?? {}, undefined, false, { stage });
}

/** The channel the org clients share, with its fault hooks and what was called. */
export class FakeLedger {
  readonly channel = new MemoryChannel({ [collectionOf(U1)]: [U1, OP], [collectionOf(U2)]: [U2, OP] });
  /** the clock of every transaction (the proposal's and the endorser's), epoch ms */
  now: () => number = Date.now;
  submitCalls: { msp: string; roundId: string; bids: WireBid[] }[] = [];
  /** called before each submit; may throw (or reject) to inject a failure: nothing is applied then */
  onSubmit?: (call: { msp: string; roundId: string; bids: WireBid[]; n: number }) => void | Promise<void>;
  submitDelayMs = 0;
  /** evaluate calls made, e.g. `getRound r1` */
  reads: string[] = [];

  /** Runs one transaction of `msp` on its own peer at `now()`; its result crosses as JSON. */
  async tx<T>(
    msp: string,
    stage: TxStage,
    body: (l: Ledger) => Promise<T>,
    transient?: Record<string, string>,
  ): Promise<T> {
    const time = this.now() / 1000;
    try {
      const out = await this.channel.run({ msp, time, ...(transient ? { transient } : {}) }, body);
      return JSON.parse(JSON.stringify(out)) as T;
    } catch (e) {
      throw clientErrorOf(e, stage);
    }
  }

  /**
   * Opens round `id` as the operator (bidding open until 2099); CLOSED: then closes it, at its
   * close time.
   */
  async addRound(
    id: string,
    status: 'OPEN' | 'CLOSED' = 'OPEN',
    opts: { slot?: string; delivery?: Partial<DeliveryParams> } = {},
  ): Promise<RoundRecord> {
    const req = {
      id,
      slot: opts.slot ?? '2026-01-01T12:00:00Z',
      closesAt: FAR_CLOSE,
      ...(opts.delivery ? { delivery: opts.delivery } : {}),
    };
    const open = await this.tx(OP, 'endorse', (l) => openRound(l, req));
    if (status === 'OPEN') return open;
    const time = Date.parse(FAR_CLOSE) / 1000;
    return this.channel.run({ msp: OP, time }, (l) => closeRound(l, id));
  }

  /** A batch a utility submitted earlier (e.g. before the API restarted); not a submit call. */
  seedBatch(utility: string, roundId: string, bids: WireBid[], salt: string): Promise<BatchCommitment> {
    const transient = { batch: JSON.stringify({ salt, bids }) };
    return this.tx(utility, 'endorse', (l) => submitBatch(l, roundId), transient);
  }

  /** The rounds on the ledger now, by id. */
  get rounds(): Map<string, RoundRecord> {
    return new Map(valuesOfType<RoundRecord>(this.channel.state, 'round').map((r) => [r.id, r]));
  }

  /** Every committed batch of every utility (the operator's view of the collections). */
  get batches(): StoredBatch[] {
    return [...this.channel.privateData.values()].flatMap((m) => valuesOfType<StoredBatch>(m, 'batch'));
  }

  client(mspId: string): FakeMarket {
    return new FakeMarket(this, mspId);
  }
}

/** One org's market client: each call is the chaincode transaction it names, signed by the org. */
export class FakeMarket implements ApiMarketPort {
  constructor(
    private readonly l: FakeLedger,
    readonly mspId: string,
  ) {}

  private evaluate<T>(read: string, body: (l: Ledger) => Promise<T>): Promise<T> {
    this.l.reads.push(read);
    return this.l.tx(this.mspId, 'evaluate', body);
  }

  openRound(req: OpenRoundRequest): Promise<RoundRecord> {
    return this.l.tx(this.mspId, 'endorse', (l) => openRound(l, req));
  }

  closeRound(roundId: string): Promise<RoundRecord> {
    return this.l.tx(this.mspId, 'endorse', (l) => closeRound(l, roundId));
  }

  async submitBids(roundId: string, bids: WireBid[], salt = 'a'.repeat(32)): Promise<BatchCommitment> {
    const n = this.l.submitCalls.length;
    this.l.submitCalls.push({ msp: this.mspId, roundId, bids });
    if (this.l.submitDelayMs) await new Promise((r) => setTimeout(r, this.l.submitDelayMs));
    await this.l.onSubmit?.({ msp: this.mspId, roundId, bids, n });
    const transient = { batch: JSON.stringify({ salt, bids }) };
    return this.l.tx(this.mspId, 'endorse', (l) => submitBatch(l, roundId), transient);
  }

  getRound(roundId: string): Promise<RoundRecord> {
    return this.evaluate(`getRound ${roundId}`, (l) => getRound(l, roundId));
  }

  listRounds(status = ''): Promise<RoundRecord[]> {
    return this.evaluate(`listRounds ${status}`, (l) => listRounds(l, status));
  }

  /** As the contract's GetCommitments: NOT_FOUND for an unknown round, else every commitment. */
  getCommitments(roundId: string): Promise<BatchCommitment[]> {
    return this.evaluate(`getCommitments ${roundId}`, async (l) => {
      await getRound(l, roundId);
      return (await listCommitmentValues(l, roundId)).map((v) => decode(v) as BatchCommitment);
    });
  }

  getBatchesById(roundId: string, utility: string, batchIds: readonly string[]): Promise<StoredBatch[]> {
    return this.evaluate(`getBatchesById ${roundId}`, (l) =>
      readBatchesById(l, roundId, utility, [...batchIds]),
    );
  }

  getResult(roundId: string): Promise<PublicResult> {
    return this.evaluate(`getResult ${roundId}`, (l) => getResult(l, roundId));
  }

  getPositions(roundId: string): Promise<NetPosition[]> {
    return this.evaluate(`getPositions ${roundId}`, (l) => getPositions(l, roundId));
  }

  getSettlement(roundId: string, utility = ''): Promise<Settlement> {
    return this.evaluate(`getSettlement ${roundId}`, (l) => getSettlement(l, roundId, utility));
  }

  submitMeterReadings(
    roundId: string,
    readings: MeterReading[],
    salt = randomBytes(16).toString('hex'),
  ): Promise<ReadingCommitment> {
    const transient = { readings: JSON.stringify({ salt, readings }) };
    return this.l.tx(this.mspId, 'endorse', (l) => submitReadings(l, roundId), transient);
  }

  settleDelivery(roundId: string, settlementDigest: string): Promise<DeliverySummary> {
    return this.l.tx(this.mspId, 'endorse', (l) => settleDelivery(l, roundId, settlementDigest));
  }

  getReadings(roundId: string, utility = ''): Promise<StoredReadingBatch[]> {
    return this.evaluate(`getReadings ${roundId}`, (l) => getReadings(l, roundId, utility));
  }

  getReadingCommitments(roundId: string): Promise<ReadingCommitment[]> {
    return this.evaluate(`getReadingCommitments ${roundId}`, (l) => getReadingCommitments(l, roundId));
  }

  getStatement(roundId: string, utility = ''): Promise<DeliveryStatement> {
    return this.evaluate(`getStatement ${roundId}`, (l) => getStatement(l, roundId, utility));
  }

  getAccount(utility = ''): Promise<UtilityAccount | OperatorAccount> {
    return this.evaluate(`getAccount ${utility}`, (l) => getAccount(l, utility));
  }

  getDeliveryPositions(roundId: string): Promise<DeliveryPosition[]> {
    return this.evaluate(`getDeliveryPositions ${roundId}`, (l) => getDeliveryPositions(l, roundId));
  }

  getDelivery(roundId: string): Promise<DeliverySummary> {
    return this.evaluate(`getDelivery ${roundId}`, (l) => getDeliverySummary(l, roundId));
  }
}

export const TOKENS = {
  op: 'demo-operator-token',
  u1: 'demo-utility1-token',
  u2: 'demo-utility2-token',
};

export function testConfig(batch: Partial<ApiConfig['batch']> = {}): ApiConfig {
  return {
    ...DEFAULT_CONFIG,
    batch: { ...DEFAULT_CONFIG.batch, maxWaitMs: 20, ...batch },
    rateLimit: { max: 100_000, timeWindowMs: 60_000 },
    requestTimeoutMs: 5_000,
    logLevel: 'silent',
  };
}

export function fakeClients(l: FakeLedger): Map<string, FakeMarket> {
  return new Map(ORGS.map((m) => [m, l.client(m)]));
}

export const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export function bid(id: string, over: Partial<WireBid> = {}): WireBid {
  return { id, side: 'buy', price: '15.5', quantity: '1.25', ...over };
}

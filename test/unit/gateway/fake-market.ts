import { createHash } from 'node:crypto';
import type { WireBid } from '../../../engine/src/mechanism/types';
import { batchIdOf } from '../../../chaincode/src/bids';
import type { BatchCommitment, RoundRecord, Settlement, StoredBatch } from '../../../chaincode/src/model';
import { DEFAULT_CONFIG, type ApiConfig } from '../../../gateway/src/api/config';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import type { ApiMarketPort } from '../../../gateway/src/api/market-port';

/** Shared in-memory "ledger" of the fake clients (one per org, like the real gateway connections). */
export class FakeLedger {
  rounds = new Map<string, RoundRecord>();
  batches: StoredBatch[] = [];
  submitCalls: { msp: string; roundId: string; bids: WireBid[] }[] = [];
  /** called before each submit; may throw to inject a failure */
  onSubmit?: (call: { msp: string; roundId: string; bids: WireBid[]; n: number }) => void | Promise<void>;
  submitDelayMs = 0;
  /** evaluate calls made, e.g. `getRound r1` */
  reads: string[] = [];

  addRound(id: string, status: RoundRecord['status'] = 'OPEN'): RoundRecord {
    const r: RoundRecord = {
      id,
      slot: '2026-01-01T12:00:00Z',
      closesAt: '2099-01-01T00:00:00Z',
      status,
      params: { profile: 'default', alpha: '4', gridStep: '0.1', serviceFee: '0' },
      mechanismVersion: 'stackelberg-da/1',
      openedTx: 'tx-open',
    };
    this.rounds.set(id, r);
    return r;
  }

  client(mspId: string): FakeMarket {
    return new FakeMarket(this, mspId);
  }
}

export class FakeMarket implements ApiMarketPort {
  constructor(
    private readonly l: FakeLedger,
    readonly mspId: string,
  ) {}

  private round(roundId: string): RoundRecord {
    const r = this.l.rounds.get(roundId);
    if (!r)
      throw new MarketClientError('NOT_FOUND', `NOT_FOUND: round ${roundId} does not exist`, { roundId });
    return r;
  }

  async openRound(req: { id: string; slot: string; closesAt: string }): Promise<RoundRecord> {
    if (this.mspId !== 'OperatorMSP') throw new MarketClientError('FORBIDDEN', 'FORBIDDEN: operator only');
    if (this.l.rounds.has(req.id))
      throw new MarketClientError('CONFLICT', 'CONFLICT: exists', { roundId: req.id });
    const r = this.l.addRound(req.id);
    r.slot = req.slot;
    r.closesAt = req.closesAt;
    return r;
  }

  async closeRound(roundId: string): Promise<RoundRecord> {
    const r = this.round(roundId);
    if (Date.parse(r.closesAt) > Date.now()) {
      throw new MarketClientError('TOO_EARLY', `TOO_EARLY: round ${roundId} closes at ${r.closesAt}`);
    }
    r.status = 'CLOSED';
    return r;
  }

  async submitBids(roundId: string, bids: WireBid[], salt = 'a'.repeat(32)): Promise<BatchCommitment> {
    const n = this.l.submitCalls.length;
    this.l.submitCalls.push({ msp: this.mspId, roundId, bids });
    if (this.l.submitDelayMs) await new Promise((r) => setTimeout(r, this.l.submitDelayMs));
    await this.l.onSubmit?.({ msp: this.mspId, roundId, bids, n });
    const r = this.round(roundId);
    if (r.status !== 'OPEN') throw new MarketClientError('ROUND_NOT_OPEN', `ROUND_NOT_OPEN: ${r.status}`);
    // like the chaincode: the salt names the batch; the same batch again is a no-op
    const batchId = batchIdOf(roundId, this.mspId, salt);
    const hash = createHash('sha256').update(JSON.stringify(bids)).digest('hex');
    const earlier = this.l.batches.find((b) => b.roundId === roundId && b.batchId === batchId);
    if (earlier && JSON.stringify(earlier.bids) !== JSON.stringify(bids)) {
      throw new MarketClientError('CONFLICT', `CONFLICT: batch ${batchId} exists with other bids`);
    }
    if (!earlier) this.l.batches.push({ roundId, utility: this.mspId, batchId, salt, bids });
    return { roundId, utility: this.mspId, batchId, bidCount: bids.length, hash };
  }

  async getRound(roundId: string): Promise<RoundRecord> {
    this.l.reads.push(`getRound ${roundId}`);
    return this.round(roundId);
  }

  async listRounds(status = ''): Promise<RoundRecord[]> {
    return [...this.l.rounds.values()].filter((r) => status === '' || r.status === status);
  }

  async getBatches(roundId: string, utility = ''): Promise<StoredBatch[]> {
    this.l.reads.push(`getBatches ${roundId}`);
    const target = utility || this.mspId;
    if (this.mspId !== 'OperatorMSP' && target !== this.mspId) {
      throw new MarketClientError('FORBIDDEN', 'FORBIDDEN: not yours');
    }
    this.round(roundId);
    return this.l.batches.filter((b) => b.roundId === roundId && b.utility === target);
  }

  async getCommitments(roundId: string): Promise<BatchCommitment[]> {
    this.l.reads.push(`getCommitments ${roundId}`);
    this.round(roundId);
    return this.l.batches
      .filter((b) => b.roundId === roundId)
      .map((b) => ({ roundId, utility: b.utility, batchId: b.batchId, bidCount: b.bids.length, hash: '' }));
  }

  async getBatchesById(
    roundId: string,
    utility: string,
    batchIds: readonly string[],
  ): Promise<StoredBatch[]> {
    this.l.reads.push(`getBatchesById ${roundId}`);
    const own = await this.getBatches(roundId, utility);
    return own.filter((b) => batchIds.includes(b.batchId));
  }

  async getResult(roundId: string): Promise<never> {
    throw new MarketClientError('NOT_FOUND', `NOT_FOUND: no result for ${roundId}`);
  }

  async getPositions(): Promise<[]> {
    return [];
  }

  async getSettlement(roundId: string, utility = ''): Promise<Settlement> {
    const target = utility || this.mspId;
    if (this.mspId !== 'OperatorMSP' && target !== this.mspId) {
      throw new MarketClientError('FORBIDDEN', 'FORBIDDEN: not yours');
    }
    return { roundId, utility: target, lines: [] };
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
  return new Map(['OperatorMSP', 'Utility1MSP', 'Utility2MSP'].map((m) => [m, l.client(m)]));
}

export const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export function bid(id: string, over: Partial<WireBid> = {}): WireBid {
  return { id, side: 'buy', price: '15.5', quantity: '1.25', ...over };
}

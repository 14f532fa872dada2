import { randomBytes } from 'node:crypto';
import type { WireBid } from '../../../auctioneer/src/mechanism/types';
import type { BatchCommitment } from '../../../chaincode/src/model';
import { MarketClientError } from '../market/market-client';
import type { MarketPort } from './market-port';

/** What one bid request gets back once the batch carrying its bids is committed. */
export interface BidReceipt {
  roundId: string;
  utility: string;
  batchId: string;
  /** bids of this request */
  accepted: number;
  /** bids in the whole batch (this request's and others') */
  batchBidCount: number;
  batchHash: string;
}

export interface BatcherOptions {
  maxBids: number;
  maxWaitMs: number;
  maxInFlight: number;
  maxRetries: number;
  /** backoff before retry n (1-based), ms */
  retryDelayMs?: (attempt: number) => number;
}

export interface BatchObserver {
  onBatch?(info: {
    mspId: string;
    roundId: string;
    bids: number;
    requests: number;
    attempts: number;
    outcome: string;
  }): void;
}

interface Entry {
  bids: WireBid[];
  resolve: (r: BidReceipt) => void;
  reject: (e: unknown) => void;
}

/** Pending and in-flight work of one tenant (org) in one round. */
class Lane {
  queue: Entry[] = [];
  queuedBids = 0;
  timer: NodeJS.Timeout | undefined;
  inFlight = 0;
  constructor(
    readonly client: MarketPort,
    readonly roundId: string,
  ) {}
}

/**
 * Micro-batches concurrent bid requests of one org and round into SubmitBids transactions of at most
 * `maxBids` bids, waiting at most `maxWaitMs` for a batch to fill. Each request is answered on its
 * own: a failed batch fails only its requests. A retryable failure (MVCC conflict, unavailable
 * peer) is retried up to `maxRetries` times with the same salt: the chaincode recognises a batch
 * that did commit after all and returns its commitment, so a retry never records bids twice.
 * Requests must not share bid ids (BidIdRegistry sees to that before they get here).
 */
export class BidBatcher {
  private readonly lanes = new Map<string, Lane>();
  private readonly idle = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly opts: BatcherOptions,
    private readonly observer: BatchObserver = {},
  ) {}

  /** Number of requests queued or in a transaction. */
  get pending(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.queue.length + l.inFlight;
    return n;
  }

  submit(client: MarketPort, roundId: string, bids: WireBid[]): Promise<BidReceipt> {
    if (this.closed) {
      return Promise.reject(
        new MarketClientError('UNAVAILABLE', 'the API is shutting down', {}, undefined, true),
      );
    }
    if (bids.length === 0 || bids.length > this.opts.maxBids) {
      return Promise.reject(new RangeError(`a request carries 1..${this.opts.maxBids} bids`));
    }
    const key = `${client.mspId}\u0000${roundId}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(client, roundId);
      this.lanes.set(key, lane);
    }
    const l = lane;
    return new Promise<BidReceipt>((resolve, reject) => {
      l.queue.push({ bids, resolve, reject });
      l.queuedBids += bids.length;
      if (l.queuedBids >= this.opts.maxBids || this.opts.maxWaitMs === 0) this.flush(key, l);
      else l.timer ??= setTimeout(() => this.flush(key, l), this.opts.maxWaitMs);
    });
  }

  /** Stops accepting requests, sends everything queued now and resolves when all are answered. */
  async drain(): Promise<void> {
    this.closed = true;
    for (const [key, l] of this.lanes) this.flush(key, l);
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  /** Picks the next batch from the lane's queue (FIFO, skipping requests that would overflow it). */
  private take(l: Lane): Entry[] {
    const batch: Entry[] = [];
    let size = 0;
    const rest: Entry[] = [];
    for (const e of l.queue) {
      if (size + e.bids.length <= this.opts.maxBids) {
        batch.push(e);
        size += e.bids.length;
      } else {
        rest.push(e);
      }
    }
    l.queue = rest;
    l.queuedBids = rest.reduce((n, e) => n + e.bids.length, 0);
    return batch;
  }

  private flush(key: string, l: Lane): void {
    if (l.timer) {
      clearTimeout(l.timer);
      l.timer = undefined;
    }
    while (l.queue.length > 0 && l.inFlight < this.opts.maxInFlight) {
      const batch = this.take(l);
      l.inFlight += 1;
      void this.run(l, batch).finally(() => {
        l.inFlight -= 1;
        if (l.queue.length > 0) this.flush(key, l);
        else if (l.inFlight === 0) this.lanes.delete(key);
        if (this.pending === 0) {
          for (const f of this.idle) f();
          this.idle.clear();
        }
      });
    }
  }

  private async run(l: Lane, initial: Entry[]): Promise<void> {
    let entries = initial;
    const salt = randomBytes(16).toString('hex');
    let attempts = 0;
    const report = (outcome: string, batch: Entry[]): void =>
      this.observer.onBatch?.({
        mspId: l.client.mspId,
        roundId: l.roundId,
        bids: batch.reduce((n, e) => n + e.bids.length, 0),
        requests: batch.length,
        attempts,
        outcome,
      });
    for (;;) {
      if (entries.length === 0) return;
      attempts += 1;
      const bids = entries.flatMap((e) => e.bids);
      let commitment: BatchCommitment;
      try {
        commitment = await l.client.submitBids(l.roundId, bids, salt);
      } catch (err) {
        const e = err instanceof MarketClientError ? err : undefined;
        if (e?.code === 'INVALID_BIDS' && Array.isArray(e.details.issues)) {
          // cannot happen after pre-validation unless the round's params changed: fail only the owners
          const bad = this.ownersOfIssues(entries, e.details.issues as { index?: unknown }[]);
          if (bad.size > 0 && bad.size < entries.length) {
            for (const x of bad) x.reject(e);
            report('invalid', [...bad]);
            entries = entries.filter((x) => !bad.has(x));
            continue;
          }
        }
        if (e?.retryable && attempts <= this.opts.maxRetries) {
          await new Promise((r) => setTimeout(r, this.opts.retryDelayMs?.(attempts) ?? 50 * 2 ** attempts));
          continue;
        }
        for (const x of entries) x.reject(err);
        report(e?.code ?? 'error', entries);
        return;
      }
      this.resolveAll(l, entries, commitment);
      report('committed', entries);
      return;
    }
  }

  private resolveAll(l: Lane, entries: Entry[], c: BatchCommitment): void {
    for (const x of entries) {
      x.resolve({
        roundId: l.roundId,
        utility: l.client.mspId,
        batchId: c.batchId,
        accepted: x.bids.length,
        batchBidCount: c.bidCount,
        batchHash: c.hash,
      });
    }
  }

  private ownersOfIssues(entries: Entry[], issues: { index?: unknown }[]): Set<Entry> {
    const owners = new Set<Entry>();
    for (const issue of issues) {
      if (typeof issue.index !== 'number') continue;
      let offset = 0;
      for (const x of entries) {
        if (issue.index >= offset && issue.index < offset + x.bids.length) owners.add(x);
        offset += x.bids.length;
      }
    }
    return owners;
  }
}

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WireBid } from '../../../engine/src/mechanism/types';
import type { BatchCommitment } from '../../../chaincode/src/model';
import { MarketClientError, toMarketClientError } from '../../../fabric-client/src/market-client';
import { backoffDelay, type RetryPolicy } from '../../../fabric-client/src/retry';
import { certainlyNotCommitted } from './bid-ids';
import type { ApiMarketPort } from './market-port';

/**
 * The default backoff of a batch's retries (fabric-client's backoffDelay): retry n waits a
 * jittered 50-100 % of 100 * 2^(n-1) ms, at most 1.6 s (the request deadline bounds the retries
 * anyway: canRetry). `attempts` is not used by backoffDelay; maxRetries counts the retries.
 */
const BATCH_BACKOFF: RetryPolicy = { attempts: Infinity, baseDelayMs: 100, maxDelayMs: 1_600 };

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
  /** backoff before retry n (1-based), ms; default the project's backoffDelay with BATCH_BACKOFF */
  retryDelayMs?: (attempt: number) => number;
  /**
   * Longest the batcher waits for one SubmitBids call, ms (its gRPC deadlines should end it
   * first). Past it the batch's outcome is unknown: its requests are answered so, its in-flight
   * slot is freed for the lane's next batch, and a late answer still frees the ids if it proves
   * nothing was committed. Also the time a retry needs: none is started that could not finish
   * before the batch's earliest request deadline. Default: no limit.
   */
  attemptTimeoutMs?: number;
}

/** Per request: when it must be answered, and what to do once its bids certainly did not commit. */
export interface SubmitOptions {
  /**
   * Epoch ms. Still queued then: it leaves the queue unsent (UNAVAILABLE, nothing committed). Its
   * batch still running then: it is answered "outcome unknown" and the batch goes on.
   */
  deadline?: number;
  /**
   * Called at most once, when it is certain that none of this request's bids is or can become
   * committed — possibly after the request was answered (a late answer of a hung call).
   */
  onNotCommitted?: () => void;
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
  deadline: number;
  onNotCommitted: (() => void) | undefined;
  /** answered (resolved or rejected) */
  answered: boolean;
  /** taken into a batch */
  sent: boolean;
  /** transaction ids of its batch's attempts so far (shared by the batch) */
  txIds: string[];
  timer: NodeJS.Timeout | undefined;
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
    readonly client: ApiMarketPort,
    readonly roundId: string,
  ) {}
}

/** One batch's sending: its requests (fewer once some are failed alone), salt and attempts so far. */
interface BatchRun {
  lane: Lane;
  entries: Entry[];
  /** the same on every attempt: the chaincode recognises a batch that did commit */
  salt: string;
  attempts: number;
  /** some attempt may have reached the orderer and not been proven invalid */
  maybeCommitted: boolean;
  /** transaction ids of the attempts so far (shared with the entries) */
  txIds: string[];
}

/** What one SubmitBids attempt gave: a commitment, an error, or no answer in time. */
type Attempt =
  | { kind: 'committed'; commitment: BatchCommitment }
  | { kind: 'failed'; error: MarketClientError }
  | { kind: 'hung'; call: Promise<BatchCommitment> };

/** The error a request gets when its batch is still running at its deadline or its call hung. */
function unknownOutcome(roundId: string, why: string, transactionIds: string[]): MarketClientError {
  return new MarketClientError(
    'UNAVAILABLE',
    `${why}; the batch may still commit`,
    { roundId, transactionIds: [...transactionIds] },
    transactionIds.at(-1),
    true,
    { stage: 'unknown', mayHaveReachedOrderer: true, mayHaveCommitted: true },
  );
}

/**
 * Micro-batches concurrent bid requests of one org and round into SubmitBids transactions of at most
 * `maxBids` bids, waiting at most `maxWaitMs` for a batch to fill. Each request is answered on its
 * own: a failed batch fails only its requests. A retryable failure (MVCC conflict, unavailable
 * peer, lost commit status) is retried up to `maxRetries` times with the same salt and the same
 * bids: the chaincode recognises a batch that did commit after all and returns its commitment, so
 * a retry never records bids twice. A batch is known not committed only when every attempt is
 * (MarketClientError fate); then each request's `onNotCommitted` runs. Every request is answered by
 * its deadline, and a hung call holds its in-flight slot at most `attemptTimeoutMs`.
 * Requests must not share bid ids (BidIdRegistry sees to that before they get here).
 */
export class BidBatcher {
  private readonly lanes = new Map<string, Lane>();
  /**
   * A number per market client: lanes are per client (an org may have one per enrolled identity,
   * and a batch is signed by one), not per MSP id.
   */
  private readonly clientNumbers = new WeakMap<ApiMarketPort, number>();
  private nextClientNumber = 0;
  private readonly idle = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly opts: BatcherOptions,
    private readonly observer: BatchObserver = {},
  ) {}

  private numberOf(client: ApiMarketPort): number {
    let n = this.clientNumbers.get(client);
    if (n === undefined) {
      n = this.nextClientNumber++;
      this.clientNumbers.set(client, n);
    }
    return n;
  }

  /** Number of requests queued or in a transaction. */
  get pending(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.queue.length + l.inFlight;
    return n;
  }

  submit(
    client: ApiMarketPort,
    roundId: string,
    bids: WireBid[],
    options: SubmitOptions = {},
  ): Promise<BidReceipt> {
    if (this.closed) {
      options.onNotCommitted?.();
      return Promise.reject(
        new MarketClientError(
          'UNAVAILABLE',
          'the API is shutting down; nothing was submitted',
          {},
          undefined,
          true,
        ),
      );
    }
    if (bids.length === 0 || bids.length > this.opts.maxBids) {
      options.onNotCommitted?.();
      return Promise.reject(
        new RangeError(`a request carries 1..${this.opts.maxBids} bids, got ${bids.length}`),
      );
    }
    const key = `${this.numberOf(client)}\u0000${roundId}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(client, roundId);
      this.lanes.set(key, lane);
    }
    const l = lane;
    return new Promise<BidReceipt>((resolve, reject) => {
      const e: Entry = {
        bids,
        deadline: options.deadline ?? Infinity,
        onNotCommitted: options.onNotCommitted,
        answered: false,
        sent: false,
        txIds: [],
        timer: undefined,
        resolve,
        reject,
      };
      if (Number.isFinite(e.deadline)) {
        e.timer = setTimeout(() => this.expire(key, l, e), Math.max(0, e.deadline - Date.now()));
      }
      l.queue.push(e);
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

  private answer(e: Entry, outcome: { receipt: BidReceipt } | { error: unknown }): void {
    if (e.answered) return;
    e.answered = true;
    clearTimeout(e.timer);
    if ('receipt' in outcome) e.resolve(outcome.receipt);
    else e.reject(outcome.error);
  }

  private notCommitted(e: Entry): void {
    const f = e.onNotCommitted;
    e.onNotCommitted = undefined;
    f?.();
  }

  /** A request's deadline: unsent, it leaves the queue; sent, it is answered "outcome unknown". */
  private expire(key: string, l: Lane, e: Entry): void {
    if (e.answered) return;
    if (!e.sent) {
      l.queue = l.queue.filter((x) => x !== e);
      l.queuedBids -= e.bids.length;
      if (l.queue.length === 0 && l.inFlight === 0) this.lanes.delete(key);
      this.answer(e, {
        error: new MarketClientError(
          'UNAVAILABLE',
          `not submitted in time: ${l.inFlight} earlier batch(es) of ${l.client.mspId} in round ${l.roundId} ` +
            'are still running; nothing was submitted',
          { roundId: l.roundId, inFlight: l.inFlight },
          undefined,
          true,
        ),
      });
      this.notCommitted(e);
      this.wakeIdle();
      return;
    }
    this.answer(e, { error: unknownOutcome(l.roundId, 'Fabric did not answer in time', e.txIds) });
  }

  /** Picks the next batch from the lane's queue (FIFO, skipping requests that would overflow it). */
  private take(l: Lane): Entry[] {
    const batch: Entry[] = [];
    let size = 0;
    const rest: Entry[] = [];
    for (const e of l.queue) {
      if (size + e.bids.length <= this.opts.maxBids) {
        batch.push(e);
        e.sent = true;
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
        this.wakeIdle();
      });
    }
  }

  private wakeIdle(): void {
    if (this.pending > 0) return;
    for (const f of this.idle) f();
    this.idle.clear();
  }

  /** One SubmitBids call, given up on (not cancelled) after attemptTimeoutMs. */
  private async attempt(l: Lane, bids: WireBid[], salt: string): Promise<Attempt> {
    const call = l.client.submitBids(l.roundId, bids, salt);
    const settled = call.then(
      (commitment): Attempt => ({ kind: 'committed', commitment }),
      (err: unknown): Attempt => ({ kind: 'failed', error: toMarketClientError(err) }),
    );
    const ms = this.opts.attemptTimeoutMs;
    if (ms === undefined) return settled;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<Attempt>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'hung', call }), ms);
    });
    return Promise.race([settled, hung]).finally(() => clearTimeout(timer));
  }

  /** Sends a batch until it commits, is given up on or fails for good; answers every request. */
  private async run(l: Lane, initial: Entry[]): Promise<void> {
    const r: BatchRun = {
      lane: l,
      entries: initial,
      salt: randomBytes(16).toString('hex'),
      attempts: 0,
      maybeCommitted: false,
      txIds: [],
    };
    for (const x of initial) x.txIds = r.txIds;
    while (r.entries.length > 0) {
      r.attempts += 1;
      const result = await this.attempt(
        l,
        r.entries.flatMap((e) => e.bids),
        r.salt,
      );
      if (result.kind === 'committed') {
        this.resolveAll(l, r.entries, result.commitment);
        this.report(r, 'committed', r.entries);
        return;
      }
      if (result.kind === 'hung') {
        this.giveUp(r, result.call);
        return; // frees the slot: the call goes on without holding the lane
      }
      if (!(await this.afterFailure(r, result.error))) return;
    }
  }

  private report(r: BatchRun, outcome: string, batch: Entry[]): void {
    this.observer.onBatch?.({
      mspId: r.lane.client.mspId,
      roundId: r.lane.roundId,
      bids: batch.reduce((n, e) => n + e.bids.length, 0),
      requests: batch.length,
      attempts: r.attempts,
      outcome,
    });
  }

  /**
   * A call that gave no answer in time: its requests are answered "outcome unknown"; a late
   * failure that proves nothing committed still frees their ids.
   */
  private giveUp(r: BatchRun, call: Promise<BatchCommitment>): void {
    const error = unknownOutcome(
      r.lane.roundId,
      `SubmitBids gave no answer within ${String(this.opts.attemptTimeoutMs)} ms`,
      r.txIds,
    );
    const batch = r.entries;
    for (const x of batch) this.answer(x, { error });
    this.report(r, 'hung', batch);
    const proven = !r.maybeCommitted;
    call.then(
      () => {
        this.report(r, 'committed-late', batch);
      },
      (err: unknown) => {
        const e = toMarketClientError(err);
        if (proven && certainlyNotCommitted(e)) for (const x of batch) this.notCommitted(x);
        this.report(r, `late-${e.code}`, batch);
      },
    );
  }

  /** After a failed attempt: true to send the (remaining) batch again, false once all are answered. */
  private async afterFailure(r: BatchRun, e: MarketClientError): Promise<boolean> {
    if (e.transactionId) r.txIds.push(e.transactionId);
    if (e.mayHaveCommitted) r.maybeCommitted = true;
    if (this.dropInvalidOwners(r, e)) return true;
    const delay = this.opts.retryDelayMs?.(r.attempts) ?? backoffDelay(r.attempts, BATCH_BACKOFF);
    if (e.retryable && r.attempts <= this.opts.maxRetries && this.canRetry(r.entries, delay)) {
      await sleep(delay);
      return true;
    }
    this.failAll(r, e);
    return false;
  }

  /** The batch failed for good: every request gets the final error; ids are freed if nothing committed. */
  private failAll(r: BatchRun, e: MarketClientError): void {
    const final = this.finalError(e, r.maybeCommitted, r.txIds);
    for (const x of r.entries) this.answer(x, { error: final });
    if (!r.maybeCommitted) for (const x of r.entries) this.notCommitted(x);
    this.report(r, e.code, r.entries);
  }

  /**
   * INVALID_BIDS naming some of the batch's requests (cannot happen after pre-validation unless
   * the round's params changed): fails only those owners and keeps the rest. True if it did.
   */
  private dropInvalidOwners(r: BatchRun, e: MarketClientError): boolean {
    if (r.maybeCommitted || e.code !== 'INVALID_BIDS' || !Array.isArray(e.details.issues)) return false;
    const bad = this.ownersOfIssues(r.entries, e.details.issues as { index?: unknown }[]);
    if (bad.size === 0 || bad.size >= r.entries.length) return false;
    for (const x of bad) {
      this.answer(x, { error: e });
      this.notCommitted(x);
    }
    this.report(r, 'invalid', [...bad]);
    r.entries = r.entries.filter((x) => !bad.has(x));
    return true;
  }

  /** A retry is worth it while someone waits and it can finish before the earliest deadline. */
  private canRetry(entries: Entry[], delay: number): boolean {
    const waiting = entries.filter((x) => !x.answered);
    if (waiting.length === 0) return false;
    const deadline = Math.min(...waiting.map((x) => x.deadline));
    return Date.now() + delay + (this.opts.attemptTimeoutMs ?? 0) <= deadline;
  }

  /** The last attempt's error, marked "may have committed" if any earlier attempt may have. */
  private finalError(e: MarketClientError, maybeCommitted: boolean, txIds: string[]): MarketClientError {
    if (e.mayHaveCommitted === maybeCommitted && txIds.length <= 1) return e;
    return new MarketClientError(
      e.code,
      maybeCommitted && !e.mayHaveCommitted
        ? `${e.message} (an earlier attempt may still commit)`
        : e.message,
      { ...e.details, transactionIds: [...txIds] },
      e.transactionId ?? txIds.at(-1),
      e.retryable,
      {
        stage: e.fate.stage,
        mayHaveReachedOrderer: maybeCommitted || e.mayHaveReachedOrderer,
        mayHaveCommitted: maybeCommitted,
      },
    );
  }

  private resolveAll(l: Lane, entries: Entry[], c: BatchCommitment): void {
    for (const x of entries) {
      this.answer(x, {
        receipt: {
          roundId: l.roundId,
          utility: l.client.mspId,
          batchId: c.batchId,
          accepted: x.bids.length,
          batchBidCount: c.bidCount,
          batchHash: c.hash,
        },
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

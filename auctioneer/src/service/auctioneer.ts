import type { Logger } from 'pino';
import type { PublicResult } from '../../../chaincode/src/clearing';
import type { DeliveryParams } from '../../../chaincode/src/delivery-params';
import type { RoundRecord } from '../../../chaincode/src/model';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import type { WireRoundParams } from '../../../engine/src/mechanism/types';
import type { AuctioneerMarketPort } from './market-port';
import type { AuctioneerMetrics } from './metrics';
import { AuctioneerError, prepareClearing, type PreparedClearing } from './prepare';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline, withRetry, type RetryPolicy } from '../../../fabric-client/src/retry';
import { ClearBackoff } from './clear-backoff';
import { Prefetcher } from './prefetch';
import { parseInstantMs, roundsToOpen, type ScheduleConfig } from './schedule';
import { PERMANENT_SETTLE_CODES, prepareSettlement, settleableAtMs, type SettleOutcome } from './settle';
import { SingleFlight } from './single-flight';

export interface AuctioneerCoreOptions {
  market: AuctioneerMarketPort;
  logger: Logger;
  metrics: AuctioneerMetrics;
  retry: RetryPolicy;
  deadlines: { evaluateMs: number; submitMs: number };
  /** undefined = manual mode: never opens rounds, only closes and clears what exists */
  schedule?: ScheduleConfig & { roundParams?: WireRoundParams; roundDelivery?: Partial<DeliveryParams> };
  /**
   * close a round this long after its closesAt; the endorsers' clock guard makes 0 safe (see
   * docs/clock.md): a peer that sees the close as early answers TOO_EARLY with its clock
   */
  closeGraceMs: number;
  /**
   * read each round's sealed batches from this long before its closesAt, every intervalMs, so
   * that the clearing reads only the late ones (prefetch.ts); leadMs 0 = never
   */
  prefetch?: { leadMs: number; intervalMs: number };
  /** test hook: wait this long after logging 'clearing' and before committing */
  pauseBeforeCommitMs?: number;
  /** test hook: wait this long after logging 'settling' and before committing the settlement */
  pauseBeforeSettleMs?: number;
  now?: () => number;
  /** called after each clearing this service committed (bench, tests) */
  onCleared?: (c: ClearedInfo) => void;
  /** called when this service's close of a round was committed (bench, tests) */
  onClosed?: (roundId: string) => void;
  /** called when a clearing attempt failed (it is retried later; bench, tests) */
  onClearFailed?: (roundId: string, error: unknown) => void;
}

export interface ClearedInfo {
  roundId: string;
  prepared: PreparedClearing;
  stored: PublicResult;
  /** ms from the start of clearing to the commit's return */
  totalMs: number;
  commitMs: number;
}

export type ClearOutcome =
  | { roundId: string; outcome: 'committed'; result: PublicResult }
  | { roundId: string; outcome: 'already-cleared' }
  | { roundId: string; outcome: 'not-closed'; status: string }
  | { roundId: string; outcome: 'failed'; error: unknown }
  /** not tried by this reconciliation: its clearing failed `failures` times in a row (ClearBackoff) */
  | { roundId: string; outcome: 'deferred'; failures: number; retryAtMs: number };

/** Reconciliation retries of a round whose clearing fails non-retryably: 30 s, 60 s, … ≤ 30 min. */
const CLEAR_BACKOFF_BASE_MS = 30_000;
const CLEAR_BACKOFF_MAX_MS = 30 * 60_000;

export type CloseOutcome = 'closed' | 'already-closed' | 'too-early' | 'failed';
export type { SettleOutcome } from './settle';

const codeOf = (e: unknown): string =>
  e instanceof MarketClientError || e instanceof AuctioneerError ? e.code : 'INTERNAL';

const errFields = (e: unknown) => ({
  code: codeOf(e),
  err: e instanceof Error ? { message: e.message, name: e.name } : String(e),
  ...(e instanceof MarketClientError || e instanceof AuctioneerError ? { details: e.details } : {}),
});

const MAX_TIMER_MS = 2 ** 31 - 1;
/** Retry delay after TOO_EARLY when the refusal does not say by how much (a txTime check). */
const TOO_EARLY_RETRY_MS = 20;

/**
 * How long until the endorser that refused a close with TOO_EARLY reaches closesAt by its own
 * clock (the guard's details: closesAt, endorserTime), plus 1 ms; TOO_EARLY_RETRY_MS otherwise.
 */
export function tooEarlyRetryMs(details: Record<string, unknown>): number {
  const ms = (k: string): number => (typeof details[k] === 'string' ? Date.parse(details[k]) : NaN);
  const behind = ms('closesAt') - ms('endorserTime');
  return Number.isFinite(behind) && behind >= 0 ? Math.min(MAX_TIMER_MS, behind + 1) : TOO_EARLY_RETRY_MS;
}

/**
 * The auctioneer's decisions: which rounds to open, when to close them, and clearing each closed
 * round exactly once (one in-flight clearing per round; rounds known to be cleared are skipped;
 * the chaincode's idempotent commit makes a repeat after a crash harmless).
 */
export class Auctioneer {
  private readonly closeTimers = new Map<string, NodeJS.Timeout>();
  private readonly clearing = new SingleFlight<ClearOutcome>();
  /** the timer and a reconciliation that meet on a round share one CloseRound */
  private readonly closing = new SingleFlight<CloseOutcome>();
  private readonly clearBackoff = new ClearBackoff(CLEAR_BACKOFF_BASE_MS, CLEAR_BACKOFF_MAX_MS);
  private readonly settled = new Set<string>();
  private readonly opened = new Set<string>();
  /** rounds known to be SETTLED (delivery), and those this process gave up settling (code) */
  private readonly deliverySettled = new Set<string>();
  private readonly settleRefused = new Map<string, { code: string; error: unknown }>();
  private readonly settling = new SingleFlight<SettleOutcome>();
  private readonly notSettleable = new Set<string>();
  private stopped = false;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly prefetcher: Prefetcher;

  constructor(private readonly o: AuctioneerCoreOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.logger;
    this.prefetcher = new Prefetcher({
      leadMs: o.prefetch?.leadMs ?? 0,
      intervalMs: o.prefetch?.intervalMs ?? 1000,
      market: o.market,
      logger: o.logger,
      now: this.now,
    });
  }

  /** Batches of `roundId` read ahead of its close and held (tests, bench). */
  prefetchedBatches(roundId: string): number {
    return this.prefetcher.cache.size(roundId);
  }

  /** Ids of rounds with a pending close timer (for tests and /readyz details). */
  pendingCloses(): string[] {
    return [...this.closeTimers.keys()].sort();
  }

  /** true once the round is known to be cleared (the clearing step's "settled") */
  isSettled(roundId: string): boolean {
    return this.settled.has(roundId);
  }

  /** true once the round's delivery settlement is known to be on the ledger */
  isDeliverySettled(roundId: string): boolean {
    return this.deliverySettled.has(roundId);
  }

  /** Rounds this process gave up settling, with the refusal's code (also a metric). */
  refusedSettlements(): { roundId: string; code: string }[] {
    return [...this.settleRefused].map(([roundId, { code }]) => ({ roundId, code }));
  }

  private call<T>(
    kind: 'evaluate' | 'submit',
    what: string,
    roundId: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const ms = kind === 'evaluate' ? this.o.deadlines.evaluateMs : this.o.deadlines.submitMs;
    return withRetry(
      () => withDeadline(fn(), ms, what),
      this.o.retry,
      (e, attempt, delayMs) =>
        this.log.warn({ roundId, op: what, attempt, delayMs, ...errFields(e) }, 'retrying'),
    );
  }

  private fail(op: string, roundId: string, e: unknown): void {
    this.o.metrics.recordError(op, codeOf(e), roundId);
    this.log.error({ roundId, op, ...errFields(e) }, `${op} failed`);
  }

  /** Schedule mode: opens the upcoming slots' rounds (CONFLICT = already open = fine). */
  async openScheduled(): Promise<void> {
    const s = this.o.schedule;
    if (!s || this.stopped) return;
    for (const r of roundsToOpen(this.now(), s)) {
      if (this.opened.has(r.id)) continue;
      try {
        await this.call('submit', 'openRound', r.id, () =>
          this.o.market.openRound({
            id: r.id,
            slot: r.slot,
            closesAt: r.closesAt,
            ...(s.roundParams ? { params: s.roundParams } : {}),
            ...(s.roundDelivery ? { delivery: s.roundDelivery } : {}),
          }),
        );
        this.o.metrics.roundsOpened.inc();
        this.log.info({ roundId: r.id, slot: r.slot, closesAt: r.closesAt }, 'round opened');
      } catch (e) {
        if (!(e instanceof MarketClientError && e.code === 'CONFLICT')) {
          this.fail('openRound', r.id, e);
          continue;
        }
        this.log.debug({ roundId: r.id }, 'round already exists');
      }
      this.opened.add(r.id);
      this.scheduleClose(r.id, r.closesAtMs);
    }
  }

  /** Arms a timer that closes the round at closesAt (+ grace); closes at once when past due. */
  scheduleClose(roundId: string, closesAtMs: number): void {
    if (this.stopped || this.closeTimers.has(roundId) || this.settled.has(roundId)) return;
    if (!Number.isFinite(closesAtMs)) {
      this.fail('scheduleClose', roundId, new Error(`round ${roundId} has no valid closesAt`));
      return;
    }
    this.armClose(roundId, closesAtMs + this.o.closeGraceMs - this.now());
    this.prefetcher.arm(roundId, closesAtMs);
  }

  private armClose(roundId: string, delayMs: number): void {
    if (this.stopped || this.closeTimers.has(roundId)) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, delayMs));
    const timer = setTimeout(() => {
      this.closeTimers.delete(roundId);
      void this.closeAndClear(roundId);
    }, delay);
    this.closeTimers.set(roundId, timer);
    this.log.debug({ roundId, inMs: delay }, 'close scheduled');
  }

  /**
   * Closes a round; TOO_EARLY re-arms the timer for when the refusing endorser's clock reaches
   * closesAt, an already closed round counts as closed. Concurrent calls for one round share one
   * transaction (two would conflict: the second fails MVCC_READ_CONFLICT and is retried).
   */
  closeRound(roundId: string): Promise<CloseOutcome> {
    return this.closing.run(roundId, () => this.doClose(roundId));
  }

  private async doClose(roundId: string): Promise<CloseOutcome> {
    try {
      await this.call('submit', 'closeRound', roundId, () => this.o.market.closeRound(roundId));
      this.o.metrics.roundsClosed.inc();
      this.log.info({ roundId }, 'round closed');
      this.o.onClosed?.(roundId);
      return 'closed';
    } catch (e) {
      if (e instanceof MarketClientError && e.code === 'ROUND_NOT_OPEN') return 'already-closed';
      if (e instanceof MarketClientError && e.code === 'TOO_EARLY') {
        this.log.info({ roundId, details: e.details }, 'too early to close; retrying later');
        this.armClose(roundId, tooEarlyRetryMs(e.details));
        return 'too-early';
      }
      this.fail('closeRound', roundId, e);
      return 'failed';
    }
  }

  async closeAndClear(roundId: string): Promise<ClearOutcome | CloseOutcome> {
    const closed = await this.closeRound(roundId);
    if (closed === 'closed' || closed === 'already-closed') return this.clear(roundId);
    return closed;
  }

  /** Clears a closed round; concurrent requests for the same round share one clearing. */
  clear(roundId: string): Promise<ClearOutcome> {
    if (this.settled.has(roundId)) return Promise.resolve({ roundId, outcome: 'already-cleared' });
    return this.clearing.run(roundId, () => this.doClear(roundId));
  }

  private async doClear(roundId: string): Promise<ClearOutcome> {
    const start = performance.now();
    try {
      const round: RoundRecord = await this.call('evaluate', 'getRound', roundId, () =>
        this.o.market.getRound(roundId),
      );
      if (round.status === 'CLEARED') {
        this.settled.add(roundId);
        this.prefetcher.drop(roundId);
        this.log.info({ roundId }, 'round already cleared');
        return { roundId, outcome: 'already-cleared' };
      }
      if (round.status !== 'CLOSED') {
        this.log.warn({ roundId, status: round.status }, 'not clearing: round is not closed');
        return { roundId, outcome: 'not-closed', status: round.status };
      }
      await this.prefetcher.idle(roundId);
      const prepared = await prepareClearing(
        this.o.market,
        round,
        (what, fn) => this.call('evaluate', what, roundId, fn),
        this.prefetcher.cache,
      );
      this.log.info(
        {
          roundId,
          batches: prepared.batchCount,
          prefetchedBatches: prepared.prefetchedBatches,
          precleared: prepared.precleared,
          bids: prepared.bidCount,
          resultDigest: prepared.resultDigest,
          status: prepared.result.status,
          price: prepared.result.price,
          timings: prepared.timings,
        },
        'clearing',
      );
      if (this.o.pauseBeforeCommitMs) await sleep(this.o.pauseBeforeCommitMs);
      const c0 = performance.now();
      const stored = await this.call('submit', 'commitClearing', roundId, () =>
        this.o.market.commitClearing(roundId, prepared.resultDigest),
      );
      const end = performance.now();
      if (stored.resultDigest !== prepared.resultDigest) {
        // cannot happen with the chaincode's byte-identical check; never ignore it if it does
        throw new AuctioneerError('BATCH_MISMATCH', 'the stored result is not the one committed', {
          roundId,
          stored: stored.resultDigest,
          committed: prepared.resultDigest,
        });
      }
      this.settled.add(roundId);
      this.prefetcher.drop(roundId);
      this.clearBackoff.succeeded(roundId);
      this.o.metrics.roundsCleared.inc({ status: stored.status });
      this.o.metrics.clearingDuration.observe((end - start) / 1000);
      this.log.info(
        {
          roundId,
          status: stored.status,
          price: stored.price,
          totals: stored.totals,
          batchCount: stored.batchCount,
          bidCount: stored.bidCount,
          clearedTx: stored.clearedTx,
          ms: Math.round(end - start),
        },
        'round cleared',
      );
      this.o.onCleared?.({ roundId, prepared, stored, totalMs: end - start, commitMs: end - c0 });
      return { roundId, outcome: 'committed', result: stored };
    } catch (e) {
      this.fail('clear', roundId, e);
      const d = this.clearBackoff.failed(roundId, e, this.now());
      if (d)
        this.log.warn(
          { roundId, failures: d.failures, retryAt: new Date(d.retryAtMs).toISOString() },
          'clearing failed non-retryably: the reconciliation tries it again only after this',
        );
      this.o.onClearFailed?.(roundId, e);
      return { roundId, outcome: 'failed', error: e };
    }
  }

  /**
   * Brings the service in line with the ledger: closes every OPEN round past its close time (and
   * arms timers for the others), then clears every CLOSED round.
   */
  async reconcile(): Promise<ClearOutcome[]> {
    if (this.stopped) return [];
    const open = await this.call('evaluate', 'listRounds(OPEN)', '', () => this.o.market.listRounds('OPEN'));
    const outcomes: ClearOutcome[] = [];
    for (const r of open) {
      this.opened.add(r.id);
      const closesAtMs = parseInstantMs(r.closesAt);
      if (closesAtMs + this.o.closeGraceMs <= this.now()) {
        this.clearTimer(r.id);
        await this.closeRound(r.id);
      } else {
        this.scheduleClose(r.id, closesAtMs);
      }
    }
    const closed = await this.call('evaluate', 'listRounds(CLOSED)', '', () =>
      this.o.market.listRounds('CLOSED'),
    );
    for (const r of closed) {
      const d = this.clearBackoff.deferral(r.id, this.now());
      outcomes.push(d ? { roundId: r.id, outcome: 'deferred', ...d } : await this.clear(r.id));
    }
    await this.settleDue();
    return outcomes;
  }

  /**
   * Settles every CLEARED round with delivery parameters whose gate has closed by this service's
   * clock (the ledger's statuses say what is left, so a restart re-derives it all).
   */
  async settleDue(): Promise<SettleOutcome[]> {
    if (this.stopped) return [];
    const cleared = await this.call('evaluate', 'listRounds(CLEARED)', '', () =>
      this.o.market.listRounds('CLEARED'),
    );
    const outcomes: SettleOutcome[] = [];
    for (const r of cleared) {
      if (this.deliverySettled.has(r.id) || this.settleRefused.has(r.id)) continue;
      const at = settleableAtMs(r);
      if (at === undefined) {
        if (!this.notSettleable.has(r.id))
          this.log.info({ roundId: r.id }, 'not settling: no delivery parameters');
        this.notSettleable.add(r.id);
        continue;
      }
      if (this.now() < at) continue;
      outcomes.push(await this.settle(r.id));
    }
    return outcomes;
  }

  /** Settles a cleared round's delivery; concurrent requests share one attempt. */
  settle(roundId: string): Promise<SettleOutcome> {
    if (this.deliverySettled.has(roundId)) return Promise.resolve({ roundId, outcome: 'already-settled' });
    const refused = this.settleRefused.get(roundId);
    if (refused) return Promise.resolve({ roundId, outcome: 'refused', error: refused.error });
    return this.settling.run(roundId, () => this.doSettle(roundId));
  }

  private async doSettle(roundId: string): Promise<SettleOutcome> {
    const start = performance.now();
    let digest = '';
    try {
      const round = await this.call('evaluate', 'getRound', roundId, () => this.o.market.getRound(roundId));
      if (round.status === 'SETTLED') {
        this.deliverySettled.add(roundId);
        return { roundId, outcome: 'already-settled' };
      }
      const at = settleableAtMs(round);
      if (round.status !== 'CLEARED' || at === undefined || this.now() < at) {
        return {
          roundId,
          outcome: 'not-due',
          status: round.status,
          ...(at === undefined ? {} : { settleableAt: new Date(at).toISOString() }),
        };
      }
      const prepared = await prepareSettlement(this.o.market, round, (what, fn) =>
        this.call('evaluate', what, roundId, fn),
      );
      digest = prepared.digest;
      this.log.info({ ...prepared }, 'settling');
      if (this.o.pauseBeforeSettleMs) await sleep(this.o.pauseBeforeSettleMs);
      const c0 = performance.now();
      const summary = await this.call('submit', 'settleDelivery', roundId, () =>
        this.o.market.settleDelivery(roundId, prepared.digest),
      );
      if (summary.settlementDigest !== digest) {
        // cannot happen: the chaincode accepts only the digest it re-computed
        throw new AuctioneerError('SETTLEMENT_MISMATCH', 'the stored settlement is not the one committed', {
          roundId,
          stored: summary.settlementDigest,
          committed: digest,
        });
      }
      this.settledDelivery(roundId, 'committed', start);
      this.log.info(
        {
          roundId,
          settlementDigest: digest,
          operator: summary.operator,
          settledTx: summary.settledTx,
          commitMs: Math.round(performance.now() - c0),
        },
        'round settled',
      );
      return { roundId, outcome: 'committed', digest, summary };
    } catch (e) {
      return this.settleFailed(roundId, digest, start, e);
    }
  }

  private settledDelivery(roundId: string, how: 'committed' | 'confirmed', start: number): void {
    this.deliverySettled.add(roundId);
    this.o.metrics.roundsSettled.inc({ how });
    this.o.metrics.settlementDuration.observe((performance.now() - start) / 1000);
  }

  /**
   * ALREADY_SETTLED with our digest = done (a commit whose answer was lost); TOO_EARLY and
   * transient failures are retried at the next reconciliation; a mismatch or bad data is reported
   * and not retried by this process.
   */
  private settleFailed(roundId: string, digest: string, start: number, e: unknown): SettleOutcome {
    const code = codeOf(e);
    if (e instanceof MarketClientError && code === 'ALREADY_SETTLED' && digest !== '') {
      if (e.details.settlementDigest === digest) {
        this.settledDelivery(roundId, 'confirmed', start);
        this.log.info({ roundId, settlementDigest: digest }, 'round settled (confirmed by ALREADY_SETTLED)');
        return { roundId, outcome: 'confirmed', digest };
      }
    }
    if (code === 'TOO_EARLY') {
      this.log.info(
        { roundId, details: (e as MarketClientError).details },
        'too early to settle; retrying later',
      );
      return { roundId, outcome: 'too-early' };
    }
    this.fail('settle', roundId, e);
    if (!PERMANENT_SETTLE_CODES.has(code)) return { roundId, outcome: 'failed', error: e };
    this.settleRefused.set(roundId, { code, error: e });
    this.o.metrics.settlementsRefused.set(this.settleRefused.size);
    this.log.error({ roundId, code, settlementDigest: digest }, 'settlement refused; not retrying');
    return { roundId, outcome: 'refused', error: e };
  }

  /** Reacts to a chaincode event (payload = canonical JSON bytes). */
  async onChaincodeEvent(name: string, payload: Uint8Array): Promise<void> {
    let body: { roundId?: unknown; closesAt?: unknown };
    try {
      body = JSON.parse(new TextDecoder().decode(payload)) as typeof body;
    } catch (e) {
      this.fail('event', '', e);
      return;
    }
    const roundId = typeof body.roundId === 'string' ? body.roundId : '';
    if (!roundId) return;
    this.log.debug({ roundId, event: name }, 'chaincode event');
    if (name === 'RoundOpened' && typeof body.closesAt === 'string') {
      this.opened.add(roundId);
      this.scheduleClose(roundId, parseInstantMs(body.closesAt));
    } else if (name === 'RoundClosed') {
      this.clearTimer(roundId);
      await this.clear(roundId);
    } else if (name === 'RoundCleared') {
      this.clearTimer(roundId);
      this.prefetcher.drop(roundId);
      this.settled.add(roundId);
    } else if (name === 'DeliverySettled') {
      this.deliverySettled.add(roundId);
    }
  }

  private clearTimer(roundId: string): void {
    const t = this.closeTimers.get(roundId);
    if (t) clearTimeout(t);
    this.closeTimers.delete(roundId);
  }

  /** Stops timers and waits for in-flight clearings. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.closeTimers.values()) clearTimeout(t);
    this.closeTimers.clear();
    await Promise.allSettled([
      ...this.clearing.pending(),
      ...this.settling.pending(),
      this.prefetcher.stop(),
    ]);
  }
}

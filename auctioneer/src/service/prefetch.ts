/**
 * When the auctioneer reads a round's sealed batches ahead of its close (sealed-cache.ts): from
 * `leadMs` before closesAt, every `intervalMs` until closesAt, each time only the batches that were
 * committed since. A read that finds nothing new clears the round ahead on what is held (once per
 * set of commitments): when no batch arrives after it, the clearing after the close only compares.
 * One read in flight per round; a failed read is only logged (the clearing reads whatever is
 * missing after the close, and refuses a bad batch there).
 */
import type { Logger } from 'pino';
import type { RoundRecord } from '../../../chaincode/src/model';
import type { AheadPort } from './prepare';
import { SealedBatchCache } from './sealed-cache';

export interface PrefetchOptions {
  /** how long before closesAt the first read starts; 0 = never read ahead */
  leadMs: number;
  intervalMs: number;
  market: AheadPort;
  logger: Logger;
  now: () => number;
}

/** setTimeout's longest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Prefetcher {
  readonly cache = new SealedBatchCache();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** each round's record as read once (its params never change) */
  private readonly records = new Map<string, RoundRecord>();
  private stopped = false;

  constructor(private readonly o: PrefetchOptions) {}

  /** Starts reading `roundId` ahead of its close at `closesAtMs` (no-op when armed or disabled). */
  arm(roundId: string, closesAtMs: number): void {
    if (this.o.leadMs <= 0 || this.stopped || this.timers.has(roundId)) return;
    this.schedule(roundId, closesAtMs, closesAtMs - this.o.leadMs - this.o.now());
  }

  private schedule(roundId: string, closesAtMs: number, delayMs: number): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(roundId);
        if (this.stopped || this.o.now() >= closesAtMs) return;
        // a window further ahead than a timer reaches (~24.8 days): wait again, do not read yet
        const early = closesAtMs - this.o.leadMs - this.o.now();
        if (early > 0) {
          this.schedule(roundId, closesAtMs, early);
          return;
        }
        void this.read(roundId).then(() => {
          const left = closesAtMs - this.o.now();
          if (!this.stopped && left > 0)
            this.schedule(roundId, closesAtMs, Math.min(this.o.intervalMs, left));
        });
      },
      Math.min(MAX_TIMER_MS, Math.max(0, delayMs)),
    );
    this.timers.set(roundId, timer);
  }

  private read(roundId: string): Promise<void> {
    const running = this.inFlight.get(roundId);
    if (running) return running;
    const p = this.readAndClear(roundId)
      .catch((e: unknown) =>
        this.o.logger.warn(
          { roundId, err: e instanceof Error ? e.message : String(e) },
          'reading batches ahead failed; the clearing reads them after the close',
        ),
      )
      .finally(() => this.inFlight.delete(roundId));
    this.inFlight.set(roundId, p);
    return p;
  }

  private async readAndClear(roundId: string): Promise<void> {
    const t0 = performance.now();
    const { added, commitments } = await this.cache.fill(this.o.market, roundId, (_what, fn) => fn());
    const ms = () => Math.round(performance.now() - t0);
    if (added > 0) {
      this.o.logger.debug({ roundId, added, held: this.cache.size(roundId), ms: ms() }, 'batches read ahead');
      return;
    }
    const round = this.records.get(roundId) ?? (await this.o.market.getRound(roundId));
    this.records.set(roundId, round);
    if (this.cache.preclear(round, commitments)) {
      this.o.logger.debug({ roundId, batches: commitments.length, ms: ms() }, 'cleared ahead');
    }
  }

  /** Waits for a read of `roundId` in flight (the clearing then reads only what it lacks). */
  async idle(roundId: string): Promise<void> {
    this.cancel(roundId);
    await this.inFlight.get(roundId);
  }

  private cancel(roundId: string): void {
    const t = this.timers.get(roundId);
    if (t) clearTimeout(t);
    this.timers.delete(roundId);
  }

  /** Forgets a round: cleared, or known cleared elsewhere. */
  drop(roundId: string): void {
    this.cancel(roundId);
    this.cache.drop(roundId);
    this.records.delete(roundId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight.values()]);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { MarketClientError } from './market-client';

export interface RetryPolicy {
  /** total attempts including the first */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Only errors the market client marks retryable (UNAVAILABLE, COMMIT_FAILED) are retried. */
export const isRetryable = (e: unknown): boolean => e instanceof MarketClientError && e.retryable;

/**
 * The one backoff of the project (auctioneer retries, event stream reconnects, the API's batch
 * retries): exponential from baseDelayMs, capped at maxDelayMs, jittered over its upper half.
 */
export function backoffDelay(attempt: number, p: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs, or the attempts are used up; the
 * last error is rethrown unchanged (never swallowed).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  p: RetryPolicy,
  onRetry: (e: unknown, attempt: number, delayMs: number) => void = () => {},
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isRetryable(e) || attempt >= p.attempts) throw e;
      const delay = backoffDelay(attempt, p);
      onRetry(e, attempt, delay);
      await wait(delay);
    }
  }
}

/**
 * Bounds the wait for a call: rejects with a retryable UNAVAILABLE MarketClientError after `ms`.
 * (The gateway connection carries its own gRPC deadlines as well.)
 */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new MarketClientError(
            'UNAVAILABLE',
            `${what}: no answer within ${ms} ms`,
            { deadlineMs: ms },
            undefined,
            true,
          ),
        ),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

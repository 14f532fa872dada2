import { MarketClientError, type MarketClient } from '../../fabric-client/src/market-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `call()`, again after 1 s while it fails UNAVAILABLE (up to 20 times): right after `up` the
 * orderers may still be electing a leader. Any other failure is thrown at once.
 */
export async function whileUnavailable<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!(e instanceof MarketClientError && e.code === 'UNAVAILABLE') || attempt >= 20) throw e;
      await sleep(1000);
    }
  }
}

/**
 * Waits until each client's own peer has round `id` (up to 10 s each). OpenRound's answer comes
 * from the operator's peer; another org's peer may commit that block a moment later, and a bid
 * endorsed there before then is refused NOT_FOUND.
 */
export async function untilVisible(id: string, clients: readonly MarketClient[]): Promise<void> {
  for (const c of clients) {
    for (let attempt = 0; ; attempt++) {
      const seen = await c.getRound(id).then(
        () => true,
        (e: unknown) => {
          if (e instanceof MarketClientError && e.code === 'NOT_FOUND' && attempt < 100) return false;
          throw e;
        },
      );
      if (seen) break;
      await sleep(100);
    }
  }
}

/** Retries `fn` every 500 ms for up to `ms` (a peer may not have committed the newest block yet). */
export async function eventually<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw new Error(`${what}: ${(e as Error).message}`);
      await sleep(500);
    }
  }
}

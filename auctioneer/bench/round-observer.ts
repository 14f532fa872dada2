/**
 * What an in-process auctioneer service reported per round, from its hooks: when its close
 * committed and when its clearing did (performance.now and wall clock), and its first failed
 * clearing attempt. The benches that time rounds through the service wait on it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClearedInfo } from '../src/service/auctioneer';
import type { AuctioneerDeps } from '../src/service/service';

type AuctioneerHooks = Pick<AuctioneerDeps, 'onClosed' | 'onCleared' | 'onClearFailed'>;

export interface Observed {
  closed: Map<string, { perf: number; wall: number }>;
  cleared: Map<string, { at: number; wall: number; info: ClearedInfo }>;
  /** the first failed clearing attempt of a round (the service retries; the bench stops there) */
  failed: Map<string, string>;
}

/** An empty record and the service hooks that fill it. */
export function observeRounds(): { observed: Observed; hooks: AuctioneerHooks } {
  const observed: Observed = { closed: new Map(), cleared: new Map(), failed: new Map() };
  const hooks: AuctioneerHooks = {
    onClosed: (id) => observed.closed.set(id, { perf: performance.now(), wall: Date.now() }),
    onCleared: (info) =>
      observed.cleared.set(info.roundId, { at: performance.now(), wall: Date.now(), info }),
    onClearFailed: (id, e) => {
      if (!observed.failed.has(id)) observed.failed.set(id, e instanceof Error ? e.message : String(e));
    },
  };
  return { observed, hooks };
}

/** Round `id`'s clearing once the service committed it; throws on its first failure, or when a
 * round of `bids` bids is not cleared long after its close. */
export async function waitForClearing(
  observed: Observed,
  id: string,
  closesAtMs: number,
  bids: number,
): Promise<{ at: number; wall: number; info: ClearedInfo }> {
  const waitMs = Math.max(120_000, bids / 5);
  const deadline = closesAtMs + waitMs;
  for (let c = observed.cleared.get(id); ; c = observed.cleared.get(id)) {
    if (c) return c;
    const failed = observed.failed.get(id);
    if (failed !== undefined) throw new Error(`the clearing of ${id} failed: ${failed}`);
    if (Date.now() > deadline)
      throw new Error(`round ${id} was not cleared within ${waitMs / 1000} s of its close`);
    await sleep(50);
  }
}

import { MarketClientError } from '../../../fabric-client/src/market-client';
import { readCommittedBatches } from '../../../fabric-client/src/read-batches';
import type { ApiMarketPort } from './market-port';
import { until } from './timeouts';

/** The org's own batches of a round, in parts (a round may be larger than one answer). */
async function loadOwnBatches(client: ApiMarketPort, roundId: string) {
  const own = (await client.getCommitments(roundId)).filter((c) => c.utility === client.mspId);
  return readCommittedBatches(client, roundId, '', own);
}

/** Ids one org has used in one round: those on the ledger plus those of requests not yet answered. */
interface RoundIds {
  used: Set<string>;
  /** resolves once the ids already on the ledger are in `used` */
  loaded: Promise<void>;
  /** the load has finished (either way) */
  settled: boolean;
}

/** Gives back a request's ids: call it only when none of its bids is or can become committed. */
export type ReleaseIds = () => void;

/**
 * The ids a utility has used per round, so that the API answers 409 to a reused id before
 * anything is sent. The chaincode identifies a bid by (batch, position) and checks ids only within
 * a batch: checking them across batches would cost a ledger read and write per bid (docs/api.md,
 * "Bid identity"). This gateway is its org's one writer, so it can keep the set: loaded from the
 * ledger on first use of a round, then kept up to date by every request it admits. Only the
 * `maxRounds` most recently used rounds are kept; an evicted round is reloaded when used again.
 */
export class BidIdRegistry {
  private readonly rounds = new Map<string, RoundIds>();

  constructor(private readonly maxRounds = 16) {}

  /**
   * Reserves `ids` for a request of `client`'s org in `roundId`, or throws CONFLICT (409) naming
   * the ids already used. Errors while loading the round's ids (e.g. NOT_FOUND) pass through. If
   * the load has not finished by `deadline` (epoch ms), throws a retryable UNAVAILABLE and
   * reserves nothing (the next request loads the ids again).
   */
  async reserve(
    client: ApiMarketPort,
    roundId: string,
    ids: readonly string[],
    deadline = Infinity,
  ): Promise<ReleaseIds> {
    const key = `${client.mspId}\u0000${roundId}`;
    const entry = await this.loaded(client, roundId, key, deadline);
    const taken = ids.filter((id) => entry.used.has(id));
    if (taken.length > 0) {
      throw new MarketClientError('CONFLICT', `${taken.length} bid id(s) already used in round ${roundId}`, {
        roundId,
        ids: taken.slice(0, 50),
      });
    }
    for (const id of ids) entry.used.add(id);
    const reserved = entry;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const id of ids) reserved.used.delete(id);
    };
  }

  /**
   * The round's entry once its ledger ids are in. Waits at most until `deadline`; a load that has
   * not finished by then is dropped (the next request starts another), and an entry replaced while
   * waiting (evicted, reloaded) is waited for afresh, so ids are only ever reserved in the current
   * entry.
   */
  private async loaded(
    client: ApiMarketPort,
    roundId: string,
    key: string,
    deadline: number,
  ): Promise<RoundIds> {
    const ready = this.rounds.get(key);
    // loaded already (a failed load leaves the map when it settles): no wait, no timer
    if (ready?.settled === true) return this.touch(key, ready);
    for (;;) {
      let entry = this.rounds.get(key);
      if (entry) {
        this.rounds.delete(key); // re-insert: most recently used last
      } else {
        const fresh: RoundIds = { used: new Set(), loaded: Promise.resolve(), settled: false };
        fresh.loaded = loadOwnBatches(client, roundId).then(
          (batches) => {
            fresh.settled = true;
            for (const b of batches) for (const bid of b.bids) fresh.used.add(bid.id);
          },
          (err: unknown) => {
            fresh.settled = true;
            if (this.rounds.get(key) === fresh) this.rounds.delete(key); // retry the load next time
            throw err;
          },
        );
        entry = fresh;
      }
      this.rounds.set(key, entry);
      this.evict();
      const waited = entry;
      await until(waited.loaded, deadline, () => {
        if (!waited.settled && this.rounds.get(key) === waited) this.rounds.delete(key);
        return new MarketClientError(
          'UNAVAILABLE',
          `reading the ids already used in round ${roundId} did not finish in time; nothing was submitted`,
          { roundId },
          undefined,
          true,
        );
      });
      if (this.rounds.get(key) === waited) return waited;
    }
  }

  /** Marks the round's entry most recently used and returns it. */
  private touch(key: string, entry: RoundIds): RoundIds {
    this.rounds.delete(key);
    this.rounds.set(key, entry);
    return entry;
  }

  /** Whether this API holds `id` of `mspId` in `roundId` (committed, or a request not known to have failed). */
  holds(mspId: string, roundId: string, id: string): boolean {
    return this.rounds.get(`${mspId}\u0000${roundId}`)?.used.has(id) ?? false;
  }

  private evict(): void {
    for (const key of this.rounds.keys()) {
      if (this.rounds.size <= this.maxRounds) return;
      this.rounds.delete(key);
    }
  }
}

/**
 * Whether a failed submission certainly wrote nothing and never will: its transaction never
 * reached an orderer, the orderer refused it, or its commit status said invalid (MarketClientError
 * fate). After a timeout, a lost commit status or an unknown error the batch may still commit.
 */
export function certainlyNotCommitted(err: unknown): boolean {
  return err instanceof MarketClientError && !err.mayHaveCommitted;
}

import { MarketClientError } from '../market/market-client';
import { readCommittedBatches } from '../market/read-batches';
import type { MarketPort } from './market-port';

/** The org's own batches of a round, in parts (a round may be larger than one answer). */
async function loadOwnBatches(client: MarketPort, roundId: string) {
  const own = (await client.getCommitments(roundId)).filter((c) => c.utility === client.mspId);
  return readCommittedBatches(client, roundId, '', own);
}

/** Ids one org has used in one round: those on the ledger plus those of requests not yet answered. */
interface RoundIds {
  used: Set<string>;
  /** resolves once the ids already on the ledger are in `used` */
  loaded: Promise<void>;
}

/** Gives back a request's ids when its bids were certainly not committed. */
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
   * the ids already used. Errors while loading the round's ids (e.g. NOT_FOUND) pass through.
   */
  async reserve(client: MarketPort, roundId: string, ids: readonly string[]): Promise<ReleaseIds> {
    const key = `${client.mspId}\u0000${roundId}`;
    let entry = this.rounds.get(key);
    if (entry) {
      this.rounds.delete(key); // re-insert: most recently used last
    } else {
      entry = { used: new Set(), loaded: Promise.resolve() };
      const fresh = entry;
      entry.loaded = loadOwnBatches(client, roundId).then(
        (batches) => {
          for (const b of batches) for (const bid of b.bids) fresh.used.add(bid.id);
        },
        (err: unknown) => {
          if (this.rounds.get(key) === fresh) this.rounds.delete(key); // retry the load next time
          throw err;
        },
      );
    }
    this.rounds.set(key, entry);
    this.evict();
    await entry.loaded;

    const taken = ids.filter((id) => entry.used.has(id));
    if (taken.length > 0) {
      throw new MarketClientError('CONFLICT', `${taken.length} bid id(s) already used in round ${roundId}`, {
        roundId,
        ids: taken.slice(0, 50),
      });
    }
    for (const id of ids) entry.used.add(id);
    const reserved = entry;
    return () => {
      for (const id of ids) reserved.used.delete(id);
    };
  }

  private evict(): void {
    for (const key of this.rounds.keys()) {
      if (this.rounds.size <= this.maxRounds) return;
      this.rounds.delete(key);
    }
  }
}

/**
 * Whether a failed submission certainly wrote nothing: the chaincode refused it while endorsing
 * (a chaincode error code). After a timeout or an unavailable peer the batch may still commit.
 */
export function certainlyNotCommitted(err: unknown): boolean {
  return (
    err instanceof MarketClientError &&
    err.code !== 'COMMIT_FAILED' &&
    err.code !== 'ENDORSEMENT_MISMATCH' &&
    err.code !== 'UNAVAILABLE' &&
    err.code !== 'UNKNOWN'
  );
}

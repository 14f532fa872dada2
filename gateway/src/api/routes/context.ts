import type { FastifyRequest } from 'fastify';
import type { RoundRecord } from '../../../../chaincode/src/model';
import { MarketClientError } from '../../../../fabric-client/src/market-client';
import type { BidBatcher } from '../batcher';
import type { BidIdRegistry } from '../bid-ids';
import { connectionKey, type ApiConfig, type Tenant } from '../config';
import type { ApiMarketPort } from '../market-port';
import type { ApiMetrics } from '../metrics';
import { ApiProblem } from '../problem';
import { timeoutProblem, until, type ApiTimeouts } from '../timeouts';

declare module 'fastify' {
  interface FastifyRequest {
    /** epoch ms the request arrived */
    receivedAt: number;
  }
}

/**
 * A round's params never change and its status only moves on: a cached record may say OPEN after
 * the close, but then the chaincode refuses the bids (409 ROUND_NOT_OPEN / BIDDING_CLOSED). The
 * promise is cached, so a burst of requests for a new round reads it once (the peer's gateway
 * refuses more than `limits.concurrency.gatewayService` concurrent calls).
 */
export class RoundCache {
  private readonly rounds = new Map<string, Promise<RoundRecord>>();
  /** the records of `rounds` whose read has resolved (a bid request needs no timer for them) */
  private readonly known = new Map<string, RoundRecord>();

  constructor(private readonly requestTimeoutMs: number) {}

  /** Remembers a round just read or written. */
  set(round: RoundRecord): void {
    this.rounds.set(round.id, Promise.resolve(round));
    this.known.set(round.id, round);
  }

  /** The cached record if its read has already resolved: what get() would resolve to, at once. */
  peek(roundId: string): RoundRecord | undefined {
    return this.known.get(roundId);
  }

  /** The shared read of a round: the caller bounds its own wait. */
  get(client: ApiMarketPort, roundId: string): Promise<RoundRecord> {
    const cached = this.rounds.get(roundId);
    if (cached) return cached;
    // The shared read gives up after two request timeouts, so a hung read is not cached forever;
    // each request stops waiting for it at its own deadline, which always comes first.
    const ms = 2 * this.requestTimeoutMs;
    const read = until(
      client.getRound(roundId),
      Date.now() + ms,
      () =>
        new MarketClientError(
          'UNAVAILABLE',
          `reading round ${roundId} did not finish within ${ms} ms`,
          { roundId },
          undefined,
          true,
          { stage: 'evaluate' },
        ),
    );
    if (this.rounds.size > 10_000) {
      this.rounds.clear();
      this.known.clear();
    }
    this.rounds.set(roundId, read);
    read.then(
      (round) => {
        if (this.rounds.get(roundId) === read) this.known.set(roundId, round);
      },
      () => {
        if (this.rounds.get(roundId) === read) this.rounds.delete(roundId);
      },
    );
    return read;
  }
}

/** What the route modules share: the config, the market clients and the bid pipeline. */
export interface RouteContext {
  config: ApiConfig;
  timeouts: ApiTimeouts;
  metrics: ApiMetrics;
  batcher: BidBatcher;
  bidIds: BidIdRegistry;
  rounds: RoundCache;
  /** fills /healthz and /readyz details, e.g. the auctioneer service's state */
  extraReadiness?: () => Promise<Record<string, unknown>>;
  /** the market clients, one per org and identity (keyed by connectionKey) */
  clients: ReadonlyMap<string, ApiMarketPort>;
  /** the market client signing as the tenant's identity of its org (503 without one) */
  clientOf: (t: Tenant) => ApiMarketPort;
  /** When `req` must be answered (epoch ms): every await of a request path is bounded by it. */
  deadlineOf: (req: FastifyRequest) => number;
  /** `p`, or a 504 naming `what` at the request's deadline */
  call: <T>(req: FastifyRequest, p: Promise<T>, what: string) => Promise<T>;
}

type ContextParts = Omit<RouteContext, 'clientOf' | 'deadlineOf' | 'call'>;

export function routeContext(parts: ContextParts): RouteContext {
  const { config, clients } = parts;
  const deadlineOf = (req: FastifyRequest): number => req.receivedAt + config.requestTimeoutMs;
  return {
    ...parts,
    clientOf: (t) => {
      const c = clients.get(connectionKey(t));
      if (!c) {
        throw new ApiProblem(
          503,
          'UNAVAILABLE',
          'Fabric unavailable',
          `no gateway connection for ${connectionKey(t)}`,
        );
      }
      return c;
    },
    deadlineOf,
    call: (req, p, what) => until(p, deadlineOf(req), () => timeoutProblem(what, config.requestTimeoutMs)),
  };
}

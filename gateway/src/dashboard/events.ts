import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoundRecord } from '../../../chaincode/src/model';
import type { ApiInstance } from '../api/instance';
import type { ApiMarketPort } from '../api/market-port';
import { tenantOf } from '../api/plugins/auth';
import type { RouteContext } from '../api/routes/context';

type Listener = (changed: RoundRecord[]) => void;

/** What of a round record a viewer sees move: a new round, its status, its bid count. */
const signature = (r: RoundRecord): string => `${r.status}|${String(r.bidCount ?? '')}|${r.clearedTx ?? ''}`;

/**
 * Starts telling `onEvent` of the ledger's market events (the chaincode's RoundOpened, RoundClosed,
 * RoundCleared, ... seen by one org's peer) and returns how to stop.
 */
export type MarketEvents = (onEvent: (name: string) => void) => () => void;

export interface RoundWatcherOptions {
  /** the org's chaincode events: each triggers a read; without them, reads every `pollMs` */
  events?: MarketEvents;
  /** the read interval without events (ms, default 2000) */
  pollMs?: number;
  /** the read interval with events, should one be missed (ms, default 30000) */
  fallbackPollMs?: number;
}

/**
 * Reads the (public) round records while someone listens, with one org's client, and tells the
 * listeners which records changed; a new listener gets every record first. With chaincode events,
 * a read follows each event (one at a time: an event during a read reads once more after it) and a
 * slow poll covers a missed one; without, a read every `pollMs`. One read per trigger however many
 * pages are open.
 */
export class RoundWatcher {
  private readonly listeners = new Set<Listener>();
  private readonly seen = new Map<string, string>();
  private latest: RoundRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopEvents: (() => void) | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  /** reads done (tests, the system panel) */
  reads = 0;

  constructor(
    private readonly client: Pick<ApiMarketPort, 'listRounds'>,
    private readonly opts: RoundWatcherOptions = {},
  ) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    if (this.latest.length > 0) fn(this.latest);
    if (!this.timer) this.start();
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private start(): void {
    const events = this.opts.events;
    const every = events ? (this.opts.fallbackPollMs ?? 30_000) : (this.opts.pollMs ?? 2000);
    this.timer = setInterval(() => void this.poll(), every);
    if (events) this.stopEvents = events(() => void this.poll());
    void this.poll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopEvents?.();
    this.stopEvents = undefined;
  }

  /** One read, or one more after the read under way; resolves when the reads are done. */
  poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = this.readLoop().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async readLoop(): Promise<void> {
    do {
      this.again = false;
      await this.read();
    } while (this.rerun());
  }

  /** Whether a trigger came during the last read (a call: TS would narrow the field to false). */
  private rerun(): boolean {
    return this.again;
  }

  /** A failed read is skipped (the next trigger tries again). */
  private async read(): Promise<void> {
    this.reads++;
    try {
      const rounds = await this.client.listRounds('');
      const changed = rounds.filter((r) => this.seen.get(r.id) !== signature(r));
      for (const r of changed) this.seen.set(r.id, signature(r));
      this.latest = rounds;
      if (changed.length > 0) for (const fn of this.listeners) fn(changed);
    } catch {
      // the page keeps its last state; its own calls show a lasting outage
    }
  }
}

/** The org's watcher: on its own chaincode events when there are, else polling. */
function watcherOf(
  client: Pick<ApiMarketPort, 'listRounds'>,
  mspId: string,
  opts: { pollMs?: number; events?: ReadonlyMap<string, MarketEvents> },
): RoundWatcher {
  const events = opts.events?.get(mspId);
  return new RoundWatcher(client, {
    ...(events ? { events } : {}),
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
  });
}

/** One Server-Sent Events message. */
const message = (event: string, data: unknown): string =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** Streams `watcher`'s round changes to one client until it goes away or the server closes. */
function stream(
  req: FastifyRequest,
  reply: FastifyReply,
  watcher: RoundWatcher,
  open: Set<() => void>,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const unsubscribe = watcher.subscribe((rounds) => res.write(message('rounds', rounds)));
  const end = (): void => {
    clearInterval(heartbeat);
    unsubscribe();
    open.delete(end);
    res.end();
  };
  open.add(end);
  req.raw.on('close', end);
}

/**
 * GET /v1/events: Server-Sent Events of round records (public data) as they appear and change,
 * read with the tenant's own org client, on that org's chaincode events (`opts.events`, by MSP id)
 * or, without, every `opts.pollMs`. Not in the OpenAPI document (a stream, not a JSON answer).
 */
export function registerEventsRoute(
  app: ApiInstance,
  ctx: RouteContext,
  opts: { pollMs?: number; events?: ReadonlyMap<string, MarketEvents> } = {},
): void {
  const watchers = new Map<string, RoundWatcher>();
  const open = new Set<() => void>();
  app.get('/v1/events', { schema: { hide: true } }, (req, reply) => {
    const t = tenantOf(req);
    const client = ctx.clientOf(t);
    let w = watchers.get(t.mspId);
    if (!w) watchers.set(t.mspId, (w = watcherOf(client, t.mspId, opts)));
    stream(req, reply, w, open);
    return Promise.resolve(reply);
  });
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    for (const w of watchers.values()) w.stop();
    done();
  });
}

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
 * Reads the (public) round records every `intervalMs` while someone listens, with one org's
 * client, and tells the listeners which records changed; a new listener gets every record first.
 * One read per interval however many pages are open.
 */
export class RoundWatcher {
  private readonly listeners = new Set<Listener>();
  private readonly seen = new Map<string, string>();
  private latest: RoundRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly client: Pick<ApiMarketPort, 'listRounds'>,
    private readonly intervalMs = 2000,
  ) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    if (this.latest.length > 0) fn(this.latest);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      void this.poll();
    }
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One read; a failed read is skipped (the next interval tries again). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rounds = await this.client.listRounds('');
      const changed = rounds.filter((r) => this.seen.get(r.id) !== signature(r));
      for (const r of changed) this.seen.set(r.id, signature(r));
      this.latest = rounds;
      if (changed.length > 0) for (const fn of this.listeners) fn(changed);
    } catch {
      // the page keeps its last state; its own calls show a lasting outage
    } finally {
      this.polling = false;
    }
  }
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
 * read with the tenant's own org client. Not in the OpenAPI document (a stream, not a JSON answer).
 */
export function registerEventsRoute(app: ApiInstance, ctx: RouteContext, intervalMs?: number): void {
  const watchers = new Map<string, RoundWatcher>();
  const open = new Set<() => void>();
  app.get('/v1/events', { schema: { hide: true } }, (req, reply) => {
    const t = tenantOf(req);
    const client = ctx.clientOf(t);
    let w = watchers.get(t.mspId);
    if (!w) watchers.set(t.mspId, (w = new RoundWatcher(client, intervalMs)));
    stream(req, reply, w, open);
    return Promise.resolve(reply);
  });
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    for (const w of watchers.values()) w.stop();
    done();
  });
}

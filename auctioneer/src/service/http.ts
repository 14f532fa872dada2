import Fastify, { type FastifyInstance } from 'fastify';
import type { AuctioneerMetrics } from './metrics';

/** /healthz (process up), /readyz (connected and reconciled), /metrics, on `host` (loopback by default). */
export async function startHealthServer(opts: {
  host?: string;
  port: number;
  metrics: AuctioneerMetrics;
  readiness: () => { ready: boolean; checks: Record<string, boolean> };
}): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ logger: false });
  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const r = opts.readiness();
    return reply
      .code(r.ready ? 200 : 503)
      .send({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  });
  app.get('/metrics', async (_req, reply) =>
    reply
      .header('content-type', opts.metrics.registry.contentType)
      .send(await opts.metrics.registry.metrics()),
  );
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port });
  const addr = app.server.address();
  return { app, port: typeof addr === 'object' && addr ? addr.port : opts.port };
}

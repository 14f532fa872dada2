import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BidBatcher } from './batcher';
import { BidIdRegistry } from './bid-ids';
import type { ApiConfig } from './config';
import type { ApiMarketPort } from './market-port';
import { ApiMetrics } from './metrics';
import { registerAuth } from './plugins/auth';
import { registerErrors, registerRequestLog } from './plugins/errors';
import { registerOpenApi } from './plugins/openapi';
import { registerBenchRoute } from './routes/bench';
import { registerBidRoutes } from './routes/bids';
import { RoundCache, routeContext } from './routes/context';
import { registerDeliveryRoutes } from './routes/delivery';
import { registerHealthRoutes } from './routes/health';
import { registerResultRoutes } from './routes/results';
import { registerDashboard } from '../dashboard';
import type { MarketEvents } from '../dashboard/events';
import type { SystemTargets } from '../dashboard/system';
import { registerRoundRoutes } from './routes/rounds';
import { apiTimeouts } from './timeouts';

export interface AppOptions {
  config: ApiConfig;
  /** one MarketClient per org, signing with that org's identity (keyed by MSP id) */
  clients: ReadonlyMap<string, ApiMarketPort>;
  /** pino options or false (tests) */
  logger?: boolean | Record<string, unknown>;
  defaultMetrics?: boolean;
  /** fills /healthz and /readyz details, e.g. the auctioneer service's state */
  extraReadiness?: () => Promise<Record<string, unknown>>;
  /** adds the benchmark's empty route POST /v1/bench/noop (routes/bench.ts); never from config */
  benchRoute?: boolean;
  /** each org's chaincode events (by MSP id), for the dashboard's live updates (else it polls) */
  marketEvents?: ReadonlyMap<string, MarketEvents>;
  /** what the dashboard's GET /v1/system probes */
  system?: SystemTargets;
}

export interface ApiApp {
  app: FastifyInstance;
  batcher: BidBatcher;
  metrics: ApiMetrics;
}

/** The bid batcher, counting its batches in `metrics`. */
function bidBatcher(config: ApiConfig, attemptTimeoutMs: number, metrics: ApiMetrics): BidBatcher {
  return new BidBatcher(
    { ...config.batch, attemptTimeoutMs },
    {
      onBatch: (b) => {
        metrics.batches.inc({ msp: b.mspId, outcome: b.outcome });
        if (b.outcome === 'committed') {
          metrics.batchBids.observe({ msp: b.mspId }, b.bids);
          metrics.batchRequests.observe({ msp: b.mspId }, b.requests);
          metrics.bidsAccepted.inc({ msp: b.mspId }, b.bids);
        }
      },
    },
  );
}

/**
 * Builds the REST API (not listening): test it with app.inject. The plugins' hooks and handlers are
 * registered on the root instance (plain functions, not encapsulated plugins), so they apply to
 * every route; the order matters: errors, docs, authentication before the rate limit, then routes.
 */
export async function buildApp(opts: AppOptions): Promise<ApiApp> {
  const { config, clients } = opts;
  const timeouts = apiTimeouts(config.requestTimeoutMs);
  const metrics = new ApiMetrics(opts.defaultMetrics ?? false);
  const batcher = bidBatcher(config, timeouts.attemptTimeoutMs, metrics);
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs + 5_000,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: false },
    },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('receivedAt', 0);
  app.addHook('onRequest', (req, _reply, done) => {
    req.receivedAt = Date.now();
    done();
  });
  registerErrors(app);
  await registerOpenApi(app);
  await registerAuth(app, config);
  registerRequestLog(app, metrics);
  app.addHook('preClose', async () => {
    await batcher.drain();
  });

  const ctx = routeContext({
    config,
    clients,
    timeouts,
    metrics,
    batcher,
    bidIds: new BidIdRegistry(),
    rounds: new RoundCache(config.requestTimeoutMs),
    extraReadiness: opts.extraReadiness,
  });
  registerHealthRoutes(app, ctx);
  registerRoundRoutes(app, ctx);
  registerBidRoutes(app, ctx);
  registerResultRoutes(app, ctx);
  registerDeliveryRoutes(app, ctx);
  registerDashboard(app, ctx, {
    ...(opts.marketEvents ? { events: opts.marketEvents } : {}),
    ...(opts.system ? { system: opts.system } : {}),
  });
  if (opts.benchRoute === true) registerBenchRoute(app);
  return { app, batcher, metrics };
}

import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { WireBid, WireRoundParams } from '../../../auctioneer/src/mechanism/types';
import { RoundValidationError } from '../../../auctioneer/src/mechanism/types';
import { validateRound } from '../../../auctioneer/src/mechanism/validate';
import type { RoundRecord } from '../../../chaincode/src/model';
import { MarketClientError } from '../market/market-client';
import { readCommittedBatches } from '../market/read-batches';
import { BidBatcher } from './batcher';
import { BidIdRegistry, certainlyNotCommitted } from './bid-ids';
import type { ApiConfig, Role, Tenant } from './config';
import type { MarketPort } from './market-port';
import { ApiMetrics } from './metrics';
import { ApiProblem, PROBLEM_CONTENT_TYPE, toProblem, type ProblemItem } from './problem';
import {
  BidReceiptSchema,
  bidsBody,
  ListQuery,
  OpenRoundBody,
  ProblemSchema,
  RoundParam,
  UtilityQuery,
  type BidsBody,
} from './schemas';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant | null;
  }
}

export interface AppOptions {
  config: ApiConfig;
  /** one MarketClient per org, signing with that org's identity (keyed by MSP id) */
  clients: ReadonlyMap<string, MarketPort>;
  /** pino options or false (tests) */
  logger?: boolean | Record<string, unknown>;
  defaultMetrics?: boolean;
  /** fills /healthz and /readyz details, e.g. the auctioneer service's state */
  extraReadiness?: () => Promise<Record<string, unknown>>;
}

export interface ApiApp {
  app: FastifyInstance;
  batcher: BidBatcher;
  metrics: ApiMetrics;
}

const PROBE_ROUND = '__readiness_probe__';

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new ApiProblem(504, 'TIMEOUT', 'Gateway timeout', `${what} did not finish within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Maps fastify/ajv validation errors to problem items naming the field (bids: index, id, field). */
function validationItems(err: FastifyError, req: FastifyRequest): ProblemItem[] {
  const where = err.validationContext ?? 'body';
  const body = req.body as { bids?: unknown } | undefined;
  const bids = body && typeof body === 'object' && Array.isArray(body.bids) ? body.bids : undefined;
  return (err.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    let path = `${where}${v.instancePath}`;
    if (typeof params.missingProperty === 'string') path += `/${params.missingProperty}`;
    if (typeof params.additionalProperty === 'string') path += `/${params.additionalProperty}`;
    const reason =
      typeof params.additionalProperty === 'string'
        ? 'unknown field'
        : typeof params.missingProperty === 'string'
          ? 'required'
          : (v.message ?? 'invalid');
    const m = /^body\/bids\/(\d+)(?:\/([^/]+))?/.exec(path);
    if (m && m[1] !== undefined) {
      const index = Number(m[1]);
      const raw = bids?.[index] as { id?: unknown } | undefined;
      const id = raw && typeof raw === 'object' && typeof raw.id === 'string' ? raw.id : '';
      return { path, index, id, field: m[2] ?? 'bid', reason };
    }
    return { path, field: path.split('/').pop() ?? where, reason };
  });
}

/** Builds the REST API (not listening): test it with app.inject. */
export async function buildApp(opts: AppOptions): Promise<ApiApp> {
  const { config, clients } = opts;
  const metrics = new ApiMetrics(opts.defaultMetrics ?? false);
  const batcher = new BidBatcher(config.batch, {
    onBatch: (b) => {
      metrics.batches.inc({ msp: b.mspId, outcome: b.outcome });
      if (b.outcome === 'committed') {
        metrics.batchBids.observe({ msp: b.mspId }, b.bids);
        metrics.batchRequests.observe({ msp: b.mspId }, b.requests);
        metrics.bidsAccepted.inc({ msp: b.mspId }, b.bids);
      }
    },
  });
  const bidIds = new BidIdRegistry();
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs + 5_000,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: false },
    },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('tenant', null);

  // ---- errors as application/problem+json -------------------------------------------------------
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let problem = toProblem(err);
    if (!problem && err.validation) {
      problem = new ApiProblem(
        400,
        'INVALID_REQUEST',
        'Invalid request',
        `the request ${err.validationContext ?? 'body'} does not match the schema`,
        validationItems(err, req),
      );
    }
    if (!problem && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      problem = new ApiProblem(err.statusCode, err.code ?? 'BAD_REQUEST', 'Bad request', err.message, [
        { path: 'body', reason: err.message },
      ]);
    }
    if (!problem) {
      req.log.error({ err }, 'unhandled error');
      problem = new ApiProblem(500, 'INTERNAL', 'Internal error', 'unexpected error; see the server log');
    } else if (problem.status >= 500) {
      req.log.warn({ err }, 'request failed');
    }
    void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toDocument());
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(new ApiProblem(404, 'NO_ROUTE', 'Not found', `no route ${req.method} ${req.url}`).toDocument());
  });

  // ---- docs, rate limit, auth, metrics ------------------------------------------------------------
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Energy auction API',
        version: '1.0.0',
        description:
          'Sealed-bid P2P energy auctions on Hyperledger Fabric. A 201 on bids means the batch ' +
          'carrying them is committed on the ledger. Errors are application/problem+json.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(rateLimit, {
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.timeWindowMs,
    keyGenerator: (req) => req.headers.authorization ?? req.ip,
    allowList: (req) => !req.url.startsWith('/v1/'),
    errorResponseBuilder: (_req, ctx) =>
      new ApiProblem(
        429,
        'RATE_LIMITED',
        'Too many requests',
        `at most ${ctx.max} requests per ${ctx.after}`,
      ),
  });

  // Document the problem+json answers of every /v1 route in the OpenAPI description.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/') || !route.schema) return;
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    route.schema.response = { ...response, '4xx': ProblemSchema, '5xx': ProblemSchema };
  });

  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/v1/')) return;
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    const tenant = m?.[1] !== undefined ? config.tenants[m[1]] : undefined;
    if (!tenant) {
      throw new ApiProblem(
        401,
        'UNAUTHENTICATED',
        'Unauthenticated',
        h ? 'unknown bearer token' : 'missing Authorization: Bearer <token>',
        [{ path: 'header/authorization', field: 'authorization', reason: h ? 'unknown token' : 'required' }],
      );
    }
    req.tenant = tenant;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.addHook('preClose', async () => {
    await batcher.drain();
  });

  const tenantOf = (req: FastifyRequest, role?: Role): Tenant => {
    const t = req.tenant;
    if (!t) throw new ApiProblem(401, 'UNAUTHENTICATED', 'Unauthenticated', 'no tenant');
    if (role && t.role !== role) {
      throw new ApiProblem(
        403,
        'FORBIDDEN',
        'Forbidden',
        `only ${role} tenants may do this (you are ${t.mspId})`,
      );
    }
    return t;
  };
  const clientOf = (t: Tenant): MarketPort => {
    const c = clients.get(t.mspId);
    if (!c)
      throw new ApiProblem(503, 'UNAVAILABLE', 'Fabric unavailable', `no gateway connection for ${t.mspId}`);
    return c;
  };
  const call = <T>(p: Promise<T>, what: string): Promise<T> => withTimeout(p, config.requestTimeoutMs, what);

  /** Whose private data a read targets: a utility only its own; the operator must name one. */
  const targetUtility = (t: Tenant, utility: string | undefined): string => {
    if (t.role === 'operator') {
      if (!utility) {
        throw new ApiProblem(400, 'INVALID_REQUEST', 'Invalid request', 'the operator must name ?utility=', [
          { path: 'querystring/utility', field: 'utility', reason: 'required for the operator' },
        ]);
      }
      return utility;
    }
    if (utility !== undefined && utility !== t.mspId) {
      throw new ApiProblem(403, 'FORBIDDEN', 'Forbidden', `${t.mspId} may not read the data of ${utility}`, [
        { path: 'querystring/utility', field: 'utility', reason: 'another utility' },
      ]);
    }
    return t.mspId;
  };

  // A round's params never change and its status only moves on: a cached record may say OPEN after
  // the close, but then the chaincode refuses the bids (409 ROUND_NOT_OPEN / BIDDING_CLOSED). The
  // promise is cached, so a burst of requests for a new round reads it once (the peer's gateway
  // refuses more than `limits.concurrency.gatewayService` concurrent calls).
  const roundCache = new Map<string, Promise<RoundRecord>>();
  const roundFor = (client: MarketPort, roundId: string): Promise<RoundRecord> => {
    const cached = roundCache.get(roundId);
    if (cached) return cached;
    const read = call(client.getRound(roundId), 'reading the round');
    if (roundCache.size > 10_000) roundCache.clear();
    roundCache.set(roundId, read);
    read.catch(() => {
      if (roundCache.get(roundId) === read) roundCache.delete(roundId);
    });
    return read;
  };

  // ---- probes and metrics ---------------------------------------------------------------------
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const orgs: Record<string, string> = {};
    let ready = true;
    await Promise.all(
      [...clients.entries()].map(async ([msp, c]) => {
        try {
          await withTimeout(c.getRound(PROBE_ROUND), 5_000, 'readiness probe');
          orgs[msp] = 'ok';
        } catch (e) {
          if (e instanceof MarketClientError && e.code === 'NOT_FOUND') orgs[msp] = 'ok';
          else {
            ready = false;
            orgs[msp] = e instanceof Error ? e.message : String(e);
          }
        }
      }),
    );
    const extra = opts.extraReadiness ? await opts.extraReadiness() : {};
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', orgs, ...extra });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // ---- rounds ---------------------------------------------------------------------------------
  app.get(
    '/v1/rounds',
    { schema: { summary: 'List rounds', tags: ['rounds'], querystring: ListQuery } },
    async (req) => {
      const t = tenantOf(req);
      return call(clientOf(t).listRounds(req.query.status ?? ''), 'listing rounds');
    },
  );

  app.post(
    '/v1/rounds',
    { schema: { summary: 'Open a round (operator)', tags: ['operator'], body: OpenRoundBody } },
    async (req, reply) => {
      const t = tenantOf(req, 'operator');
      const round = await call(clientOf(t).openRound(req.body), 'opening the round');
      return reply.code(201).send(round);
    },
  );

  app.post(
    '/v1/rounds/:roundId/close',
    {
      schema: {
        summary: 'Close a round after its closesAt (operator); 409 TOO_EARLY before',
        tags: ['operator'],
        params: RoundParam,
      },
    },
    async (req) => {
      const t = tenantOf(req, 'operator');
      const r = await call(clientOf(t).closeRound(req.params.roundId), 'closing the round');
      roundCache.set(r.id, Promise.resolve(r));
      return r;
    },
  );

  app.get(
    '/v1/rounds/:roundId',
    {
      schema: {
        summary: 'A round: status, parameters and, once cleared, the public result',
        tags: ['rounds'],
        params: RoundParam,
      },
    },
    async (req) => {
      const c = clientOf(tenantOf(req));
      const round = await call(c.getRound(req.params.roundId), 'reading the round');
      roundCache.set(round.id, Promise.resolve(round));
      const result =
        round.status === 'CLEARED' ? await call(c.getResult(round.id), 'reading the result') : null;
      return { round, result };
    },
  );

  const maxBids = Math.min(config.batch.maxBids, 10_000);
  app.post(
    '/v1/rounds/:roundId/bids',
    {
      schema: {
        summary: 'Submit sealed bids (utility); 201 only once the batch carrying them is committed',
        tags: ['bids'],
        params: RoundParam,
        body: bidsBody(maxBids),
        response: { 201: BidReceiptSchema },
      },
    },
    async (req, reply) => {
      const t = tenantOf(req, 'utility');
      const client = clientOf(t);
      const { roundId } = req.params;
      const bids = (req.body as BidsBody).bids as WireBid[];
      const round = await roundFor(client, roundId);
      if (round.status !== 'OPEN') {
        throw new ApiProblem(409, 'ROUND_NOT_OPEN', 'Round not open', `round ${roundId} is ${round.status}`);
      }
      checkBids(round.params, bids);
      const release = await call(
        bidIds.reserve(
          client,
          roundId,
          bids.map((b) => b.id),
        ),
        'reading the ids already used in the round',
      );
      const committed = batcher.submit(client, roundId, bids);
      committed.catch((e: unknown) => {
        if (certainlyNotCommitted(e)) release();
      });
      const receipt = await withTimeout(
        committed,
        config.requestTimeoutMs,
        'committing the bids (outcome unknown: read GET /v1/rounds/{roundId}/bids)',
      );
      return reply.code(201).send(receipt);
    },
  );

  app.get(
    '/v1/rounds/:roundId/bids',
    {
      schema: {
        summary: "Own sealed bids (utility) or a named utility's (operator, ?utility=)",
        tags: ['bids'],
        params: RoundParam,
        querystring: UtilityQuery,
      },
    },
    async (req) => {
      const t = tenantOf(req);
      const utility = targetUtility(t, req.query.utility);
      const client = clientOf(t);
      const { roundId } = req.params;
      // in parts: one GetBatches answer overflows gRPC's message limit beyond ~130k bids
      const batches = await call(
        client.getCommitments(roundId).then((cs) =>
          readCommittedBatches(
            client,
            roundId,
            t.role === 'operator' ? utility : '',
            cs.filter((c) => c.utility === utility),
          ),
        ),
        'reading the bids',
      );
      return {
        roundId: req.params.roundId,
        utility,
        bidCount: batches.reduce((n, b) => n + b.bids.length, 0),
        batches: batches.map((b) => ({ batchId: b.batchId, bids: b.bids })),
      };
    },
  );

  app.get(
    '/v1/rounds/:roundId/settlement',
    {
      schema: {
        summary: "Own settlement lines (utility) or a named utility's (operator, ?utility=)",
        tags: ['settlement'],
        params: RoundParam,
        querystring: UtilityQuery,
      },
    },
    async (req) => {
      const t = tenantOf(req);
      const utility = targetUtility(t, req.query.utility);
      return call(
        clientOf(t).getSettlement(req.params.roundId, t.role === 'operator' ? utility : ''),
        'reading the settlement',
      );
    },
  );

  app.get(
    '/v1/rounds/:roundId/positions',
    {
      schema: {
        summary: 'Net positions of every utility (public)',
        tags: ['settlement'],
        params: RoundParam,
      },
    },
    async (req) => {
      const t = tenantOf(req);
      return call(clientOf(t).getPositions(req.params.roundId), 'reading the positions');
    },
  );

  app.get('/', { schema: { hide: true } }, async () => ({
    name: 'energy-auction API',
    docs: '/docs',
    openapi: '/docs/json',
  }));

  return { app, batcher, metrics };
}

/**
 * Checks a request's bids with the round's parameters as the chaincode will, so a batch never fails
 * because of one request's bid. Throws 422 naming each bid.
 */
export function checkBids(params: Required<WireRoundParams>, bids: WireBid[]): void {
  try {
    validateRound({ params, bids });
  } catch (e) {
    if (!(e instanceof RoundValidationError)) throw e;
    const errors: ProblemItem[] = e.issues.map((i) => ({
      path: `body/bids/${i.index}/${i.field}`,
      index: i.index,
      id: i.id,
      field: i.field,
      reason: i.reason,
    }));
    throw new ApiProblem(
      422,
      'INVALID_BIDS',
      'Invalid bids',
      `${errors.length} invalid bid field(s); nothing was submitted`,
      errors,
    );
  }
}

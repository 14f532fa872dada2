import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { WireBid, WireRoundParams } from '../../../engine/src/mechanism/types';
import { RoundValidationError } from '../../../engine/src/mechanism/types';
import { validateRound } from '../../../engine/src/mechanism/validate';
import type { RoundRecord } from '../../../chaincode/src/model';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { readCommittedBatches } from '../../../fabric-client/src/read-batches';
import { BidBatcher } from './batcher';
import { BidIdRegistry } from './bid-ids';
import type { ApiConfig, Role, Tenant } from './config';
import type { ApiMarketPort } from './market-port';
import { causeOf, problemOf } from './failures';
import { ApiMetrics } from './metrics';
import { ApiProblem, PROBLEM_CONTENT_TYPE, type ProblemItem } from './problem';
import {
  BidReceiptSchema,
  bidsBody,
  ListQuery,
  OpenRoundBody,
  ProblemSchema,
  RoundBidParam,
  RoundParam,
  UtilityQuery,
  type BidsBody,
} from './schemas';
import { apiTimeouts, timeoutProblem, until } from './timeouts';

declare module 'fastify' {
  interface FastifyRequest {
    /** the authenticated tenant (null: no or an unknown bearer token) */
    tenant: Tenant | null;
    /** why a request failed, for the 5xx log line */
    failure: unknown;
    /** epoch ms the request arrived */
    receivedAt: number;
  }
  interface FastifyContextConfig {
    /** the route submits transactions: its market errors say whether the write may still commit */
    submits?: boolean;
  }
}

export interface AppOptions {
  config: ApiConfig;
  /** one MarketClient per org, signing with that org's identity (keyed by MSP id) */
  clients: ReadonlyMap<string, ApiMarketPort>;
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
const PROBE_MS = 5_000;

/** Requests that need a bearer token: the API and the operator's metrics (by route; unmatched by URL). */
const needsAuth = (req: FastifyRequest): boolean => {
  const path = req.routeOptions.url ?? req.url.split('?')[0] ?? '';
  return path.startsWith('/v1/') || path === '/metrics';
};

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
  const timeouts = apiTimeouts(config.requestTimeoutMs);
  const metrics = new ApiMetrics(opts.defaultMetrics ?? false);
  const batcher = new BidBatcher(
    { ...config.batch, attemptTimeoutMs: timeouts.attemptTimeoutMs },
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
  app.decorateRequest('failure', null);
  app.decorateRequest('receivedAt', 0);
  app.addHook('onRequest', async (req) => {
    req.receivedAt = Date.now();
  });

  // ---- errors as application/problem+json -------------------------------------------------------
  app.setErrorHandler((err: FastifyError, req, reply) => {
    req.failure = err;
    let problem = problemOf(err, req.routeOptions.config.submits === true);
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
    // every 5xx is logged with its cause by the onResponse hook below
    problem ??= new ApiProblem(500, 'INTERNAL', 'Internal error', 'unexpected error; see the server log');
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
  // Authentication runs first (a global onRequest hook; the rate limit's hook is per route, and
  // those run after the global ones): the limit is per authenticated tenant, whichever token or
  // spelling of the Authorization header it came with, and per IP without one. The 401 itself
  // comes after the limit (preParsing), so unauthenticated requests are limited too.
  app.addHook('onRequest', async (req) => {
    if (!needsAuth(req)) return;
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    req.tenant = (m?.[1] !== undefined ? config.tenants[m[1]] : undefined) ?? null;
  });
  await app.register(rateLimit, {
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.timeWindowMs,
    keyGenerator: (req) => (req.tenant ? `tenant:${req.tenant.role}:${req.tenant.mspId}` : `ip:${req.ip}`),
    allowList: (req) => !needsAuth(req),
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

  app.addHook('preParsing', async (req) => {
    if (!needsAuth(req) || req.tenant) return;
    const h = req.headers.authorization;
    throw new ApiProblem(
      401,
      'UNAUTHENTICATED',
      'Unauthenticated',
      h ? 'unknown bearer token' : 'missing Authorization: Bearer <token>',
      [{ path: 'header/authorization', field: 'authorization', reason: h ? 'unknown token' : 'required' }],
    );
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) {
      req.log.error(
        {
          status: reply.statusCode,
          route,
          tenant: req.tenant?.name,
          ms: Math.round(reply.elapsedTime),
          cause: req.failure === null ? 'none recorded (answered by fastify itself)' : causeOf(req.failure),
        },
        `answered ${reply.statusCode}`,
      );
    }
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
  const clientOf = (t: Tenant): ApiMarketPort => {
    const c = clients.get(t.mspId);
    if (!c)
      throw new ApiProblem(503, 'UNAVAILABLE', 'Fabric unavailable', `no gateway connection for ${t.mspId}`);
    return c;
  };
  /** When `req` must be answered (epoch ms): every await of a request path is bounded by it. */
  const deadlineOf = (req: FastifyRequest): number => req.receivedAt + config.requestTimeoutMs;
  const call = <T>(req: FastifyRequest, p: Promise<T>, what: string): Promise<T> =>
    until(p, deadlineOf(req), () => timeoutProblem(what, config.requestTimeoutMs));

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
  /** The shared read of a round: the caller bounds its own wait. */
  const roundFor = (client: ApiMarketPort, roundId: string): Promise<RoundRecord> => {
    const cached = roundCache.get(roundId);
    if (cached) return cached;
    // The shared read gives up after two request timeouts, so a hung read is not cached forever;
    // each request stops waiting for it at its own deadline, which always comes first.
    const read = until(
      client.getRound(roundId),
      Date.now() + 2 * config.requestTimeoutMs,
      () =>
        new MarketClientError(
          'UNAVAILABLE',
          `reading round ${roundId} did not finish within ${2 * config.requestTimeoutMs} ms`,
          { roundId },
          undefined,
          true,
          { stage: 'evaluate' },
        ),
    );
    if (roundCache.size > 10_000) roundCache.clear();
    roundCache.set(roundId, read);
    read.catch(() => {
      if (roundCache.get(roundId) === read) roundCache.delete(roundId);
    });
    return read;
  };

  // ---- probes and metrics ---------------------------------------------------------------------
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (req, reply) => {
    const orgs: Record<string, string> = {};
    let ready = true;
    await Promise.all(
      [...clients.entries()].map(async ([msp, c]) => {
        try {
          await until(c.getRound(PROBE_ROUND), Date.now() + PROBE_MS, () =>
            timeoutProblem('readiness probe', PROBE_MS),
          );
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
    const extra = opts.extraReadiness
      ? await until(opts.extraReadiness(), Date.now() + PROBE_MS, () =>
          timeoutProblem('readiness details', PROBE_MS),
        ).catch((e: unknown) => ({ extra: e instanceof Error ? e.message : String(e) }))
      : {};
    if (!ready) req.failure = { notReady: orgs };
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', orgs, ...extra });
  });
  // Prometheus: the operator's token only (401 without a token, 403 for a utility's)
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    tenantOf(req, 'operator');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // ---- rounds ---------------------------------------------------------------------------------
  app.get(
    '/v1/rounds',
    { schema: { summary: 'List rounds', tags: ['rounds'], querystring: ListQuery } },
    async (req) => {
      const t = tenantOf(req);
      return call(req, clientOf(t).listRounds(req.query.status ?? ''), 'listing rounds');
    },
  );

  app.post(
    '/v1/rounds',
    {
      config: { submits: true },
      schema: { summary: 'Open a round (operator)', tags: ['operator'], body: OpenRoundBody },
    },
    async (req, reply) => {
      const t = tenantOf(req, 'operator');
      const round = await call(req, clientOf(t).openRound(req.body), 'opening the round');
      return reply.code(201).send(round);
    },
  );

  app.post(
    '/v1/rounds/:roundId/close',
    {
      config: { submits: true },
      schema: {
        summary: 'Close a round after its closesAt (operator); 409 TOO_EARLY before',
        tags: ['operator'],
        params: RoundParam,
      },
    },
    async (req) => {
      const t = tenantOf(req, 'operator');
      const r = await call(req, clientOf(t).closeRound(req.params.roundId), 'closing the round');
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
      const round = await call(req, c.getRound(req.params.roundId), 'reading the round');
      roundCache.set(round.id, Promise.resolve(round));
      const result =
        round.status === 'CLEARED' ? await call(req, c.getResult(round.id), 'reading the result') : null;
      return { round, result };
    },
  );

  const maxBids = Math.min(config.batch.maxBids, 10_000);
  app.post(
    '/v1/rounds/:roundId/bids',
    {
      config: { submits: true },
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
      const deadline = deadlineOf(req);
      const notSubmitted = (what: string) => (): MarketClientError =>
        new MarketClientError(
          'UNAVAILABLE',
          `${what} did not finish in time; nothing was submitted`,
          { roundId },
          undefined,
          true,
        );
      const round = await until(roundFor(client, roundId), deadline, notSubmitted('reading the round'));
      if (round.status !== 'OPEN') {
        throw new ApiProblem(409, 'ROUND_NOT_OPEN', 'Round not open', `round ${roundId} is ${round.status}`);
      }
      checkBids(round.params, bids);
      const release = await bidIds.reserve(
        client,
        roundId,
        bids.map((b) => b.id),
        deadline,
      );
      // The batcher answers by `deadline - margin` whatever Fabric does (503 if the bids were not
      // sent, 504 "outcome unknown" if their batch is still running) and frees the ids once they
      // are certainly not committed, even after this request was answered.
      const committed = batcher.submit(client, roundId, bids, {
        deadline: deadline - timeouts.answerMarginMs,
        onNotCommitted: release,
      });
      const receipt = await until(committed, deadline, () =>
        unknownBidOutcome(roundId, config.requestTimeoutMs),
      );
      return reply.code(201).send(receipt);
    },
  );

  app.get(
    '/v1/rounds/:roundId/bids/:bidId',
    {
      schema: {
        summary:
          "One own bid (utility) or a named utility's (operator, ?utility=): whether it is in the round and in which batch",
        tags: ['bids'],
        params: RoundBidParam,
        querystring: UtilityQuery,
      },
    },
    async (req) => {
      const t = tenantOf(req);
      const utility = targetUtility(t, req.query.utility);
      const client = clientOf(t);
      const { roundId, bidId } = req.params;
      const found = await call(
        req,
        client
          .getCommitments(roundId)
          .then((cs) =>
            readCommittedBatches(
              client,
              roundId,
              t.role === 'operator' ? utility : '',
              cs.filter((c) => c.utility === utility),
            ),
          )
          .then((batches) => {
            for (const b of batches) {
              const position = b.bids.findIndex((x) => x.id === bidId);
              const bid = b.bids[position];
              if (bid) return { batchId: b.batchId, position, bid };
            }
            return undefined;
          }),
        'reading the bids',
      );
      if (found) return { roundId, utility, committed: true, ...found };
      // held: a request with this id is still running or ended with an unknown outcome (409 on reuse)
      const held = t.role === 'utility' && bidIds.holds(t.mspId, roundId, bidId);
      throw new ApiProblem(
        404,
        'BID_NOT_FOUND',
        'Bid not found',
        held
          ? `bid ${bidId} is not in round ${roundId} (yet): a request carrying it has no known outcome, the id stays taken`
          : `bid ${bidId} is not in round ${roundId}; the id is free`,
        [{ path: 'params/bidId', field: 'bidId', reason: 'not in the round' }],
        { roundId, utility, bidId, committed: false, idTaken: held },
      );
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
        req,
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
        req,
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
      return call(req, clientOf(t).getPositions(req.params.roundId), 'reading the positions');
    },
  );

  app.get('/', { schema: { hide: true } }, async () => ({
    name: 'energy-auction API',
    docs: '/docs',
    openapi: '/docs/json',
  }));

  return { app, batcher, metrics };
}

/** The last-resort answer of a bid request its batcher did not answer in time (should not happen). */
function unknownBidOutcome(roundId: string, ms: number): MarketClientError {
  return new MarketClientError(
    'UNAVAILABLE',
    `committing the bids did not finish within ${ms} ms in round ${roundId}`,
    { roundId },
    undefined,
    true,
    { stage: 'unknown', mayHaveReachedOrderer: true, mayHaveCommitted: true },
  );
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

import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { ApiConfig, Role, Tenant } from '../config';
import { ApiProblem } from '../problem';

declare module 'fastify' {
  interface FastifyRequest {
    /** the authenticated tenant (null: no or an unknown bearer token) */
    tenant: Tenant | null;
  }
}

/** Requests that need a bearer token: the API and the operator's metrics (by route; unmatched by URL). */
const needsAuth = (req: FastifyRequest): boolean => {
  const path = req.routeOptions.url ?? req.url.split('?')[0] ?? '';
  return path.startsWith('/v1/') || path === '/metrics';
};

/** The tenant of a request's bearer token, null without one or for an unknown one. */
function tenantOfToken(config: ApiConfig, req: FastifyRequest): Tenant | null {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return (m?.[1] !== undefined ? config.tenants[m[1]] : undefined) ?? null;
}

/** The 401 of a request without a known bearer token. */
function unauthenticated(req: FastifyRequest): ApiProblem {
  const h = req.headers.authorization;
  return new ApiProblem(
    401,
    'UNAUTHENTICATED',
    'Unauthenticated',
    h ? 'unknown bearer token' : 'missing Authorization: Bearer <token>',
    [{ path: 'header/authorization', field: 'authorization', reason: h ? 'unknown token' : 'required' }],
  );
}

/**
 * Authentication and the rate limit, as hooks of the root instance (so every route has them).
 * Authentication runs first (a global onRequest hook; the rate limit's hook is per route, and
 * those run after the global ones): the limit is per authenticated tenant, whichever token or
 * spelling of the Authorization header it came with, and per IP without one. The 401 itself
 * comes after the limit (preParsing), so unauthenticated requests are limited too.
 */
export async function registerAuth(app: FastifyInstance, config: ApiConfig): Promise<void> {
  app.decorateRequest('tenant', null);
  app.addHook('onRequest', (req, _reply, done) => {
    if (needsAuth(req)) req.tenant = tenantOfToken(config, req);
    done();
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
  app.addHook('preParsing', (req, _reply, _payload, done) => {
    if (!needsAuth(req) || req.tenant) done();
    else done(unauthenticated(req));
  });
}

/** The request's tenant, which must have `role` if given: 401 without one, 403 with another role. */
export function tenantOf(req: FastifyRequest, role?: Role): Tenant {
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
}

/** Whose private data a read targets: a utility only its own; the operator must name one. */
export function targetUtility(t: Tenant, utility: string | undefined): string {
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
}

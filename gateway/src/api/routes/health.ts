import { MarketClientError } from '../../../../fabric-client/src/market-client';
import type { ApiMarketPort } from '../market-port';
import type { ApiInstance } from '../instance';
import { tenantOf } from '../plugins/auth';
import { hiddenRoute } from '../schemas';
import { timeoutProblem, until } from '../timeouts';
import type { RouteContext } from './context';

const PROBE_ROUND = '__readiness_probe__';
const PROBE_MS = 5_000;

/**
 * Failures that are the peer's answer: NOT_FOUND for the probe round, and IDENTITY_REFUSED (the
 * peer is up and refuses the probing identity, a tenant's that was revoked: only that tenant's
 * requests suffer).
 */
const ANSWERS: ReadonlySet<string> = new Set(['NOT_FOUND', 'IDENTITY_REFUSED']);

/** null if the org's peer answers, else why not. */
async function probeOrg(client: ApiMarketPort): Promise<string | null> {
  try {
    await until(client.getRound(PROBE_ROUND), Date.now() + PROBE_MS, () =>
      timeoutProblem('readiness probe', PROBE_MS),
    );
    return null;
  } catch (e) {
    if (e instanceof MarketClientError && ANSWERS.has(e.code)) return null;
    return e instanceof Error ? e.message : String(e);
  }
}

/** The extra readiness details, or why they could not be read. */
async function readinessDetails(ctx: RouteContext): Promise<Record<string, unknown>> {
  if (!ctx.extraReadiness) return {};
  return until(ctx.extraReadiness(), Date.now() + PROBE_MS, () =>
    timeoutProblem('readiness details', PROBE_MS),
  ).catch((e: unknown) => ({ extra: e instanceof Error ? e.message : String(e) }));
}

/**
 * Every org's probe ("ok" or why its peer does not answer); ready when every peer answers. One
 * client per org: readiness is about the peers, and one tenant's revoked identity must not take
 * the whole API out of a load balancer (its own requests are refused, 403).
 */
async function probeAll(
  clients: ReadonlyMap<string, ApiMarketPort>,
): Promise<{ ready: boolean; orgs: Record<string, string> }> {
  const perOrg = new Map<string, ApiMarketPort>();
  for (const c of clients.values()) if (!perOrg.has(c.mspId)) perOrg.set(c.mspId, c);
  const answers = await Promise.all(
    [...perOrg.entries()].map(async ([msp, c]) => [msp, await probeOrg(c)] as const),
  );
  return {
    ready: answers.every(([, problem]) => problem === null),
    orgs: Object.fromEntries(answers.map(([msp, problem]) => [msp, problem ?? 'ok'])),
  };
}

/** Liveness, readiness (every org's peer answers), Prometheus metrics and the index. */
export function registerHealthRoutes(app: ApiInstance, ctx: RouteContext): void {
  app.get('/healthz', { schema: hiddenRoute }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: hiddenRoute }, async (req, reply) => {
    const { ready, orgs } = await probeAll(ctx.clients);
    const extra = await readinessDetails(ctx);
    if (!ready) req.failure = { notReady: orgs };
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', orgs, ...extra });
  });
  // Prometheus: the operator's token only (401 without a token, 403 for a utility's)
  app.get('/metrics', { schema: hiddenRoute }, async (req, reply) => {
    tenantOf(req, 'operator');
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  app.get('/', { schema: hiddenRoute }, () => ({
    name: 'energy-auction API',
    docs: '/docs',
    openapi: '/docs/json',
  }));
}

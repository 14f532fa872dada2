import type { WireBid } from '../../../engine/src/mechanism/types';
import type { PublicResult } from '../../../chaincode/src/clearing';
import type { RoundRecord } from '../../../chaincode/src/model';
import { hasResult } from '../../../chaincode/src/rounds';
import { readCommittedBatches } from '../../../fabric-client/src/read-batches';
import type { Tenant } from '../api/config';
import type { ApiInstance } from '../api/instance';
import type { ApiMarketPort } from '../api/market-port';
import { targetUtility, tenantOf } from '../api/plugins/auth';
import type { RouteContext } from '../api/routes/context';
import { RoundParam, UtilityQuery } from '../api/schemas';
import { aggregateCurves, type Curves } from './curves';

export const curvesRoute = {
  summary:
    'Supply and demand step curves of a round, aggregated to at most 500 price levels: every ' +
    "utility's bids (operator; ?utility= for one) or the caller's own (utility)",
  tags: ['dashboard'],
  params: RoundParam,
  querystring: UtilityQuery,
};

/** Whose bids the curves sum: a utility only its own; the operator all (null) or the one it names. */
export function curvesScope(t: Tenant, utility: string | undefined): string | null {
  if (t.role === 'operator') return utility ?? null;
  return targetUtility(t, utility);
}

/**
 * Curves of rounds whose bids can no longer change (CLOSED, CLEARED, SETTLED), by round, status and scope:
 * reading 10^5 bids once, not on every refresh of a wall screen. Bounded; cleared when full.
 */
export class CurveCache {
  private readonly m = new Map<string, Curves>();
  constructor(private readonly max = 200) {}

  key(round: RoundRecord, scope: string | null): string | null {
    return round.status === 'OPEN' ? null : `${round.id}|${round.status}|${scope ?? '*'}`;
  }

  get(key: string | null): Curves | undefined {
    return key === null ? undefined : this.m.get(key);
  }

  set(key: string | null, c: Curves): void {
    if (key === null) return;
    if (this.m.size >= this.max) this.m.clear();
    this.m.set(key, c);
  }
}

/** The bids of `scope` (null: every utility) in a round, read with the tenant's own client. */
async function scopedBids(
  client: ApiMarketPort,
  t: Tenant,
  roundId: string,
  scope: string | null,
): Promise<WireBid[]> {
  const cs = await client.getCommitments(roundId);
  const utilities = scope === null ? [...new Set(cs.map((c) => c.utility))].sort() : [scope];
  const bids: WireBid[] = [];
  for (const u of utilities) {
    const own = cs.filter((c) => c.utility === u);
    // '' reads the caller's own collection; only the operator names another's
    const batches = await readCommittedBatches(client, roundId, t.role === 'operator' ? u : '', own);
    for (const b of batches) bids.push(...b.bids);
  }
  return bids;
}

/** The clearing figures a chart marks (null before the round is cleared). */
function clearingOf(result: PublicResult | null): Record<string, unknown> | null {
  if (!result) return null;
  return {
    status: result.status,
    price: result.price,
    priceRange: result.priceRange,
    totals: result.totals,
    metrics: result.metrics,
  };
}

/** GET /v1/rounds/:roundId/curves: what the dashboard's round chart draws. */
export function registerCurvesRoute(app: ApiInstance, ctx: RouteContext, cache = new CurveCache()): void {
  app.get('/v1/rounds/:roundId/curves', { schema: curvesRoute }, async (req) => {
    const t = tenantOf(req);
    const scope = curvesScope(t, req.query.utility);
    const client = ctx.clientOf(t);
    const { roundId } = req.params;
    const round = await ctx.call(req, client.getRound(roundId), 'reading the round');
    const result = hasResult(round.status)
      ? await ctx.call(req, client.getResult(roundId), 'reading the result')
      : null;
    const key = cache.key(round, scope);
    let curves = cache.get(key);
    if (!curves) {
      const bids = await ctx.call(req, scopedBids(client, t, roundId, scope), 'reading the bids');
      curves = aggregateCurves(bids, undefined, result?.price);
      cache.set(key, curves);
    }
    return { roundId, status: round.status, utility: scope, ...curves, clearing: clearingOf(result) };
  });
}

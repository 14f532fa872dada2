import type { ApiInstance } from '../instance';
import { targetUtility, tenantOf } from '../plugins/auth';
import { positionsRoute, settlementRoute } from '../schemas';
import type { RouteContext } from './context';

/** A cleared round's results: settlement lines (private) and net positions (public). */
export function registerResultRoutes(app: ApiInstance, ctx: RouteContext): void {
  const { call, clientOf } = ctx;

  app.get('/v1/rounds/:roundId/settlement', { schema: settlementRoute }, async (req) => {
    const t = tenantOf(req);
    const utility = targetUtility(t, req.query.utility);
    return call(
      req,
      clientOf(t).getSettlement(req.params.roundId, t.role === 'operator' ? utility : ''),
      'reading the settlement',
    );
  });

  app.get('/v1/rounds/:roundId/positions', { schema: positionsRoute }, async (req) => {
    const t = tenantOf(req);
    return call(req, clientOf(t).getPositions(req.params.roundId), 'reading the positions');
  });
}

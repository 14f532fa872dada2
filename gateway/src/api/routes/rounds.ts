import { hasResult } from '../../../../chaincode/src/rounds';
import type { ApiInstance } from '../instance';
import { tenantOf } from '../plugins/auth';
import { closeRoundRoute, getRoundRoute, listRoundsRoute, openRoundRoute } from '../schemas';
import type { RouteContext } from './context';

/** Rounds: list and read (any tenant), open and close (the operator). */
export function registerRoundRoutes(app: ApiInstance, ctx: RouteContext): void {
  const { call, clientOf, rounds } = ctx;

  app.get('/v1/rounds', { schema: listRoundsRoute }, async (req) => {
    const t = tenantOf(req);
    return call(req, clientOf(t).listRounds(req.query.status ?? ''), 'listing rounds');
  });

  app.post('/v1/rounds', { config: { submits: true }, schema: openRoundRoute }, async (req, reply) => {
    const t = tenantOf(req, 'operator');
    const round = await call(req, clientOf(t).openRound(req.body), 'opening the round');
    return reply.code(201).send(round);
  });

  app.post(
    '/v1/rounds/:roundId/close',
    { config: { submits: true }, schema: closeRoundRoute },
    async (req) => {
      const t = tenantOf(req, 'operator');
      const r = await call(req, clientOf(t).closeRound(req.params.roundId), 'closing the round');
      rounds.set(r);
      return r;
    },
  );

  app.get('/v1/rounds/:roundId', { schema: getRoundRoute }, async (req) => {
    const c = clientOf(tenantOf(req));
    const round = await call(req, c.getRound(req.params.roundId), 'reading the round');
    rounds.set(round);
    const result = hasResult(round.status)
      ? await call(req, c.getResult(round.id), 'reading the result')
      : null;
    return { round, result };
  });
}

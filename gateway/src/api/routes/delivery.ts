import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { OperatorAccount, ReadingCommitment, UtilityAccount } from '../../../../chaincode/src/model';
import {
  accountPage,
  accountTarget,
  billsCsv,
  billsOf,
  entriesInPeriod,
  type PeriodQuery,
} from '../accounts';
import type { Tenant } from '../config';
import {
  accountRoute,
  billsRoute,
  deliveryPositionsRoute,
  deliverySummaryRoute,
  statementRoute,
  submitReadingsRoute,
} from '../delivery-schemas';
import type { ApiInstance } from '../instance';
import { targetUtility, tenantOf } from '../plugins/auth';
import { ApiProblem } from '../problem';
import {
  checkAgainstLedger,
  ClearedSidesCache,
  parseReadingsCsv,
  readingChunks,
  validateReadings,
  type ReadingsRequest,
} from '../readings';
import type { RouteContext } from './context';

/** The body as the JSON or CSV parser left it, as readings to validate. */
function readingsRequestOf(body: unknown): ReadingsRequest {
  if (body && typeof body === 'object' && (body as { source?: unknown }).source === 'csv') {
    return body as ReadingsRequest;
  }
  const readings = body && typeof body === 'object' ? (body as { readings?: unknown }).readings : undefined;
  if (!Array.isArray(readings)) {
    throw new ApiProblem(400, 'INVALID_REQUEST', 'Invalid request', 'the body must be {"readings": [...]}', [
      { path: 'body/readings', field: 'readings', reason: 'required (an array)' },
    ]);
  }
  const extra = Object.keys(body as object).filter((k) => k !== 'readings');
  if (extra.length > 0) {
    throw new ApiProblem(400, 'INVALID_REQUEST', 'Invalid request', `unknown field ${String(extra[0])}`, [
      { path: `body/${String(extra[0])}`, field: String(extra[0]), reason: 'unknown field' },
    ]);
  }
  return { source: 'json', readings };
}

function registerReadingsRoute(app: ApiInstance, ctx: RouteContext): void {
  const { call, clientOf } = ctx;
  const cleared = new ClearedSidesCache();
  void app.register((plain, _opts, done) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, next) => {
      try {
        next(null, parseReadingsCsv(String(body)));
      } catch (e) {
        next(e as Error);
      }
    });
    scope.post(
      '/v1/rounds/:roundId/meter-readings',
      { config: { submits: true }, schema: submitReadingsRoute, attachValidation: true },
      async (req, reply) => {
        const t = tenantOf(req, 'utility');
        const client = clientOf(t);
        const { roundId } = req.params;
        const request = readingsRequestOf(req.body);
        const readings = validateReadings(request);
        const [sides, earlier] = await call(
          req,
          Promise.all([
            cleared.get(t.mspId, roundId, () => client.getSettlement(roundId, '')),
            client.getReadings(roundId, ''),
          ]),
          'reading the cleared bids',
        );
        checkAgainstLedger(request, readings, sides, earlier);
        const batches: ReadingCommitment[] = [];
        for (const chunk of readingChunks(readings)) {
          batches.push(
            await call(req, client.submitMeterReadings(roundId, chunk), 'committing the readings'),
          );
        }
        return reply.code(201).send({ roundId, utility: t.mspId, accepted: readings.length, batches });
      },
    );
    done();
  });
}

/**
 * The operator names a utility whose collection the chaincode reads: one this API has no client
 * for has no collection on the channel either, so it is a 404 here (the peer would fail it as 500).
 */
function requireKnownUtility(ctx: RouteContext, target: string, where: string): void {
  if (target === '' || target === 'operator') return;
  for (const c of ctx.clients.values()) if (c.mspId === target) return;
  throw new ApiProblem(404, 'NOT_FOUND', 'Not found', `no utility ${target} on this market`, [
    { path: where, field: where.split('/')[1] ?? 'utility', reason: 'not a utility of this market' },
  ]);
}

function readAccount(
  ctx: RouteContext,
  t: Tenant,
  utility: string,
): Promise<UtilityAccount | OperatorAccount> {
  const target = accountTarget(t, utility);
  requireKnownUtility(ctx, target, 'params/utility');
  return ctx.clientOf(t).getAccount(target);
}

const wantsCsv = (req: FastifyRequest, format: string | undefined): boolean =>
  format === 'csv' || (format === undefined && /\btext\/csv\b/.test(req.headers.accept ?? ''));

function registerAccountRoutes(app: ApiInstance, ctx: RouteContext): void {
  const { call } = ctx;
  app.get('/v1/accounts/:utility', { schema: accountRoute }, async (req) => {
    const t = tenantOf(req);
    const account = await call(req, readAccount(ctx, t, req.params.utility), 'reading the account');
    return accountPage(account, req.query);
  });

  app.get('/v1/accounts/:utility/bills', { schema: billsRoute }, async (req, reply) => {
    const t = tenantOf(req);
    const bills = await call(req, billsFor(ctx, t, req.params.utility, req.query), 'reading the bills');
    return wantsCsv(req, req.query.format) ? sendCsv(reply, billsCsv(bills.bills)) : bills;
  });
}

function sendCsv(reply: FastifyReply, text: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .serializer((p) => String(p))
    .send(text);
}

async function billsFor(
  ctx: RouteContext,
  t: Tenant,
  utility: string,
  q: PeriodQuery,
): Promise<{ utility: string; rounds: string[]; bills: ReturnType<typeof billsOf> } & PeriodQuery> {
  const target = accountTarget(t, utility);
  if (target === 'operator') {
    throw new ApiProblem(400, 'INVALID_REQUEST', 'Invalid request', 'the operator has no prosumers to bill', [
      { path: 'params/utility', field: 'utility', reason: 'bills are per utility' },
    ]);
  }
  requireKnownUtility(ctx, target, 'params/utility');
  const client = ctx.clientOf(t);
  const account = await client.getAccount(target);
  const rounds = entriesInPeriod<{ slot: string; roundId: string }>(account.entries, q).map((e) => e.roundId);
  const statements = [];
  for (const r of rounds) statements.push(await client.getStatement(r, target));
  return { utility: account.utility, ...q, rounds, bills: billsOf(statements) };
}

function registerRoundDeliveryRoutes(app: ApiInstance, ctx: RouteContext): void {
  const { call, clientOf } = ctx;
  app.get('/v1/rounds/:roundId/delivery', { schema: deliveryPositionsRoute }, async (req) => {
    const t = tenantOf(req);
    return call(req, clientOf(t).getDeliveryPositions(req.params.roundId), 'reading the delivery positions');
  });

  app.get('/v1/rounds/:roundId/delivery/summary', { schema: deliverySummaryRoute }, async (req) => {
    const t = tenantOf(req);
    return call(req, clientOf(t).getDelivery(req.params.roundId), 'reading the delivery summary');
  });

  app.get('/v1/rounds/:roundId/statement', { schema: statementRoute }, async (req) => {
    const t = tenantOf(req);
    const utility = targetUtility(t, req.query.utility);
    requireKnownUtility(ctx, utility, 'querystring/utility');
    return call(
      req,
      clientOf(t).getStatement(req.params.roundId, t.role === 'operator' ? utility : ''),
      'reading the statement',
    );
  });
}

/** Delivery (issue #15): meter readings, accounts, bills, delivery positions and statements. */
export function registerDeliveryRoutes(app: ApiInstance, ctx: RouteContext): void {
  registerReadingsRoute(app, ctx);
  registerAccountRoutes(app, ctx);
  registerRoundDeliveryRoutes(app, ctx);
}

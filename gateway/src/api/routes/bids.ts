import type { FastifyRequest } from 'fastify';
import type { WireBid, WireRoundParams } from '../../../../engine/src/mechanism/types';
import { RoundValidationError } from '../../../../engine/src/mechanism/types';
import { validateRound } from '../../../../engine/src/mechanism/validate';
import type { StoredBatch } from '../../../../chaincode/src/model';
import { MarketClientError } from '../../../../fabric-client/src/market-client';
import { readCommittedBatches } from '../../../../fabric-client/src/read-batches';
import type { BidReceipt } from '../batcher';
import type { Tenant } from '../config';
import type { ApiInstance } from '../instance';
import type { ApiMarketPort } from '../market-port';
import { targetUtility, tenantOf } from '../plugins/auth';
import { ApiProblem, type ProblemItem } from '../problem';
import { pageOf } from '../paging';
import { getBidRoute, listBidsRoute, submitBidsRoute } from '../schemas';
import { until } from '../timeouts';
import type { RouteContext } from './context';

/** Sealed bids: submit (a utility), read one or all (the utility, or the operator naming one). */
export function registerBidRoutes(app: ApiInstance, ctx: RouteContext): void {
  const maxBids = Math.min(ctx.config.batch.maxBids, 10_000);
  app.post(
    '/v1/rounds/:roundId/bids',
    { config: { submits: true }, schema: submitBidsRoute(maxBids) },
    async (req, reply) => {
      const receipt = await submitBids(ctx, req, req.params.roundId, req.body.bids);
      return reply.code(201).send(receipt);
    },
  );

  app.get('/v1/rounds/:roundId/bids/:bidId', { schema: getBidRoute }, async (req) => {
    const t = tenantOf(req);
    const utility = targetUtility(t, req.query.utility);
    const { roundId, bidId } = req.params;
    const found = await ctx.call(
      req,
      committedBatches(ctx.clientOf(t), roundId, t, utility).then((batches) => findBid(batches, bidId)),
      'reading the bids',
    );
    if (found) return { roundId, utility, committed: true, ...found };
    // held: a request with this id is still running or ended with an unknown outcome (409 on reuse)
    const held = t.role === 'utility' && ctx.bidIds.holds(t.mspId, roundId, bidId);
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
  });

  app.get('/v1/rounds/:roundId/bids', { schema: listBidsRoute }, async (req) => {
    const t = tenantOf(req);
    const utility = targetUtility(t, req.query.utility);
    const { roundId } = req.params;
    const batches = await ctx.call(
      req,
      committedBatches(ctx.clientOf(t), roundId, t, utility),
      'reading the bids',
    );
    const bidCount = batches.reduce((n, b) => n + b.bids.length, 0);
    const { limit, cursor } = req.query;
    if (limit === undefined && cursor === undefined) {
      return {
        roundId,
        utility,
        bidCount,
        batches: batches.map((b) => ({ batchId: b.batchId, bids: b.bids })),
      };
    }
    // a page of the bids in the same order, regrouped by batch
    const page = pageOf(
      batches.flatMap((b) => b.bids.map((bid) => ({ batchId: b.batchId, bid }))),
      { limit, cursor },
      100,
    );
    const grouped = new Map<string, WireBid[]>();
    for (const { batchId, bid } of page.items) {
      const list = grouped.get(batchId);
      if (list) list.push(bid);
      else grouped.set(batchId, [bid]);
    }
    return {
      roundId,
      utility,
      bidCount,
      batches: [...grouped].map(([batchId, bids]) => ({ batchId, bids })),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    };
  });
}

/** Checks, reserves the ids of and commits one request's bids; the receipt once they are committed. */
async function submitBids(
  ctx: RouteContext,
  req: FastifyRequest,
  roundId: string,
  bids: WireBid[],
): Promise<BidReceipt> {
  const t = tenantOf(req, 'utility');
  const client = ctx.clientOf(t);
  const deadline = ctx.deadlineOf(req);
  const notSubmitted = (what: string) => (): MarketClientError =>
    new MarketClientError(
      'UNAVAILABLE',
      `${what} did not finish in time; nothing was submitted`,
      { roundId },
      undefined,
      true,
    );
  // a round already read needs no timer: this path runs once per bid request
  const round =
    ctx.rounds.peek(roundId) ??
    (await until(ctx.rounds.get(client, roundId), deadline, notSubmitted('reading the round')));
  if (round.status !== 'OPEN') {
    throw new ApiProblem(409, 'ROUND_NOT_OPEN', 'Round not open', `round ${roundId} is ${round.status}`);
  }
  checkBids(round.params, bids);
  const release = await ctx.bidIds.reserve(
    client,
    roundId,
    bids.map((b) => b.id),
    deadline,
  );
  // The batcher answers by `deadline - margin` whatever Fabric does (503 if the bids were not
  // sent, 504 "outcome unknown" if their batch is still running) and frees the ids once they
  // are certainly not committed, even after this request was answered.
  const committed = ctx.batcher.submit(client, roundId, bids, {
    deadline: deadline - ctx.timeouts.answerMarginMs,
    onNotCommitted: release,
  });
  return until(committed, deadline, () => unknownBidOutcome(roundId, ctx.config.requestTimeoutMs));
}

/** The committed batches of `utility` in a round (read in parts: one GetBatches answer overflows gRPC's message limit beyond ~130k bids). */
async function committedBatches(
  client: ApiMarketPort,
  roundId: string,
  t: Tenant,
  utility: string,
): Promise<StoredBatch[]> {
  const cs = await client.getCommitments(roundId);
  return readCommittedBatches(
    client,
    roundId,
    t.role === 'operator' ? utility : '',
    cs.filter((c) => c.utility === utility),
  );
}

/** Where bid `bidId` is in `batches`, if it is. */
function findBid(
  batches: StoredBatch[],
  bidId: string,
): { batchId: string; position: number; bid: WireBid } | undefined {
  for (const b of batches) {
    const position = b.bids.findIndex((x) => x.id === bidId);
    const bid = b.bids[position];
    if (bid) return { batchId: b.batchId, position, bid };
  }
  return undefined;
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
function checkBids(params: Required<WireRoundParams>, bids: WireBid[]): void {
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

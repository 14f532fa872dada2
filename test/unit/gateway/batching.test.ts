import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/src/api/app';
import { BidBatcher } from '../../../gateway/src/api/batcher';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { auth, bid, fakeClients, FakeLedger, testConfig, TOKENS } from './fake-market';

describe('micro-batching of bid requests', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;

  async function start(batch: Parameters<typeof testConfig>[0]): Promise<void> {
    ({ app } = await buildApp({ config: testConfig(batch), clients: fakeClients(ledger) }));
  }
  beforeEach(async () => {
    ledger = new FakeLedger();
    await ledger.addRound('r1');
  });
  afterEach(async () => {
    await app.close();
  });

  const post = (token: string, ids: string[]) =>
    app.inject({
      method: 'POST',
      url: '/v1/rounds/r1/bids',
      headers: auth(token),
      payload: { bids: ids.map((i) => bid(i)) },
    });

  it('N concurrent requests of one tenant become fewer transactions, each answered', async () => {
    await start({ maxBids: 1000, maxWaitMs: 30 });
    const n = 40;
    const res = await Promise.all(Array.from({ length: n }, (_, i) => post(TOKENS.u1, [`a${i}`, `b${i}`])));
    expect(res.map((r) => r.statusCode)).toEqual(Array(n).fill(201));
    expect(ledger.submitCalls.length).toBeLessThan(n);
    expect(ledger.submitCalls.length).toBeGreaterThanOrEqual(1);
    const bodies = res.map((r) => JSON.parse(r.body) as { accepted: number; batchId: string });
    expect(bodies.every((b) => b.accepted === 2)).toBe(true);
    const committed = ledger.batches.flatMap((b) => b.bids.map((x) => x.id)).sort();
    expect(committed).toEqual(
      Array.from({ length: n }, (_, i) => [`a${i}`, `b${i}`])
        .flat()
        .sort(),
    );
    // every acknowledged request's batch exists
    const batchIds = new Set(ledger.batches.map((b) => b.batchId));
    expect(bodies.every((b) => batchIds.has(b.batchId))).toBe(true);
  });

  it('never mixes tenants: each org submits its own batch with its own identity', async () => {
    await start({ maxBids: 1000, maxWaitMs: 30 });
    const res = await Promise.all([
      post(TOKENS.u1, ['x1']),
      post(TOKENS.u2, ['x1']),
      post(TOKENS.u1, ['x2']),
      post(TOKENS.u2, ['x2']),
    ]);
    expect(res.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(ledger.submitCalls).toHaveLength(2);
    for (const c of ledger.submitCalls) expect(c.bids.map((b) => b.id).sort()).toEqual(['x1', 'x2']);
    expect(new Set(ledger.submitCalls.map((c) => c.msp))).toEqual(new Set(['Utility1MSP', 'Utility2MSP']));
  });

  it('a burst of requests for a new round reads the round and its used ids once', async () => {
    await start({ maxBids: 1000, maxWaitMs: 30 });
    const res = await Promise.all(Array.from({ length: 50 }, (_, i) => post(TOKENS.u1, [`burst${i}`])));
    expect(res.every((r) => r.statusCode === 201)).toBe(true);
    expect(ledger.reads).toEqual(['getRound r1', 'getCommitments r1']);
  });

  it('bounds a batch by the max bid count', async () => {
    await start({ maxBids: 5, maxWaitMs: 30 });
    const res = await Promise.all(Array.from({ length: 6 }, (_, i) => post(TOKENS.u1, [`p${i}`, `q${i}`])));
    expect(res.every((r) => r.statusCode === 201)).toBe(true);
    expect(Math.max(...ledger.submitCalls.map((c) => c.bids.length))).toBeLessThanOrEqual(5);
    expect(ledger.submitCalls.length).toBeGreaterThanOrEqual(3);
  });

  it('a request reusing an id of a pending request gets 409 at once; the others share a batch', async () => {
    await start({ maxBids: 100, maxWaitMs: 30 });
    const [a, b, c] = await Promise.all([
      post(TOKENS.u1, ['dup', 'a']),
      post(TOKENS.u1, ['dup']),
      post(TOKENS.u1, ['c']),
    ]);
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 409, 201]);
    expect(JSON.parse(b.body)).toMatchObject({ code: 'CONFLICT', ids: ['dup'] });
    expect(ledger.submitCalls.map((s) => s.bids.map((x) => x.id))).toEqual([['dup', 'a', 'c']]);
  });

  it('a request reusing a committed id gets 409 and sends nothing; an id refused by the chaincode is free again', async () => {
    await start({ maxBids: 100, maxWaitMs: 30, maxRetries: 0 });
    expect((await post(TOKENS.u1, ['used'])).statusCode).toBe(201);
    const res = await Promise.all([
      post(TOKENS.u1, ['n1']),
      post(TOKENS.u1, ['used', 'n2']),
      post(TOKENS.u1, ['n3']),
    ]);
    expect(res.map((r) => r.statusCode)).toEqual([201, 409, 201]);
    expect(JSON.parse(res[1].body)).toMatchObject({ ids: ['used'] });
    const ids = ledger.batches.flatMap((b) => b.bids.map((x) => x.id)).sort();
    expect(ids).toEqual(['n1', 'n3', 'used']); // n2 of the refused request is not committed
    // the other utility's ids are its own
    expect((await post(TOKENS.u2, ['used'])).statusCode).toBe(201);

    // refused while endorsing (nothing written): the id may be used again
    ledger.onSubmit = ({ bids }) => {
      if (bids.some((b) => b.id === 'late')) throw new MarketClientError('BIDDING_CLOSED', 'closed');
    };
    expect((await post(TOKENS.u1, ['late'])).statusCode).toBe(409);
    // the peer was unreachable before anything was sent: 503, and the id is free again
    ledger.onSubmit = ({ bids }) => {
      if (bids.some((b) => b.id.startsWith('gone')))
        throw new MarketClientError('UNAVAILABLE', 'connection refused', {}, undefined, true, {
          stage: 'endorse',
        });
    };
    expect((await post(TOKENS.u1, ['gone'])).statusCode).toBe(503);
    // outcome unknown (the batch may still commit): 504, and the id stays taken
    ledger.onSubmit = ({ bids }) => {
      if (bids.some((b) => b.id.startsWith('lost')))
        throw new MarketClientError('UNAVAILABLE', 'commit status lost', {}, 'tx-lost', true, {
          stage: 'commit-status',
          mayHaveReachedOrderer: true,
        });
    };
    const lost = await post(TOKENS.u1, ['lost']);
    expect(lost.statusCode).toBe(504);
    expect(JSON.parse(lost.body)).toMatchObject({ code: 'OUTCOME_UNKNOWN', transactionId: 'tx-lost' });
    ledger.onSubmit = undefined;
    expect((await post(TOKENS.u1, ['late'])).statusCode).toBe(201);
    expect((await post(TOKENS.u1, ['gone'])).statusCode).toBe(201);
    expect(JSON.parse((await post(TOKENS.u1, ['lost'])).body)).toMatchObject({ code: 'CONFLICT' });
  });

  it('loads the ids a utility already has on the ledger before answering (e.g. after a restart)', async () => {
    await ledger.seedBatch('Utility1MSP', 'r1', [bid('old1')], 'e'.repeat(32));
    await start({ maxBids: 100, maxWaitMs: 10 });
    expect((await post(TOKENS.u1, ['old1'])).statusCode).toBe(409);
    expect((await post(TOKENS.u1, ['new1'])).statusCode).toBe(201);
  });

  it('a failed batch fails only its own requests with the reason', async () => {
    await start({ maxBids: 2, maxWaitMs: 30, maxRetries: 0 });
    ledger.onSubmit = ({ bids }) => {
      if (bids.some((b) => b.id.startsWith('bad')))
        throw new MarketClientError('UNKNOWN', 'endorsement failed');
    };
    const res = await Promise.all([post(TOKENS.u1, ['bad1', 'bad2']), post(TOKENS.u1, ['g1', 'g2'])]);
    expect(res[0].statusCode).toBe(502);
    expect(JSON.parse(res[0].body)).toMatchObject({ detail: 'endorsement failed' });
    expect(res[1].statusCode).toBe(201);
  });

  it('retries a batch that failed validation (MVCC) a bounded number of times', async () => {
    await start({ maxBids: 100, maxWaitMs: 10, maxRetries: 2 });
    let fails = 1;
    ledger.onSubmit = () => {
      if (fails-- > 0) throw new MarketClientError('COMMIT_FAILED', 'MVCC_READ_CONFLICT', {}, 'tx', true);
    };
    expect((await post(TOKENS.u1, ['m1'])).statusCode).toBe(201);
    expect(ledger.submitCalls).toHaveLength(2);

    ledger.submitCalls = [];
    fails = 100;
    const res = await post(TOKENS.u1, ['m2']);
    expect(res.statusCode).toBe(503);
    expect(ledger.submitCalls).toHaveLength(3); // 1 + maxRetries
  });

  it('acknowledges a batch that committed although the first attempt looked failed, recording it once', async () => {
    const l = new FakeLedger();
    await l.addRound('r1');
    const client = l.client('Utility1MSP');
    const real = client.submitBids.bind(client);
    let first = true;
    client.submitBids = async (roundId, bids, salt) => {
      const c = await real(roundId, bids, salt);
      if (first) {
        first = false;
        throw new MarketClientError('UNAVAILABLE', 'connection lost after submit', {}, undefined, true);
      }
      return c;
    };
    const batcher = new BidBatcher({
      maxBids: 10,
      maxWaitMs: 0,
      maxInFlight: 1,
      maxRetries: 2,
      retryDelayMs: () => 1,
    });
    const receipt = await batcher.submit(client, 'r1', [bid('z1')]);
    expect(receipt.accepted).toBe(1);
    expect(l.batches).toHaveLength(1);
    expect(receipt.batchId).toBe(l.batches[0]?.batchId);
  });

  it('drain on close answers every pending request', async () => {
    await start({ maxBids: 1000, maxWaitMs: 5_000 });
    const pending = Promise.all([post(TOKENS.u1, ['d1']), post(TOKENS.u2, ['d2'])]);
    await new Promise((r) => setTimeout(r, 50));
    expect(ledger.submitCalls).toHaveLength(0); // still waiting for the batch to fill
    const t0 = Date.now();
    const [, res] = await Promise.all([app.close(), pending]);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(res.map((r) => r.statusCode)).toEqual([201, 201]);
    expect(ledger.batches).toHaveLength(2);
  });
});

describe('BidBatcher: deadlines, hung calls and known outcomes', () => {
  const never = () => new Promise<never>(() => undefined);
  const settled = async (p: Promise<unknown>) =>
    p.then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e: e as MarketClientError }),
    );
  const mayCommit = () =>
    new MarketClientError('UNAVAILABLE', 'commit status lost', {}, 'tx-1', true, {
      stage: 'commit-status',
      mayHaveReachedOrderer: true,
    });
  const refused = (tx = 'tx-2') =>
    new MarketClientError('UNAVAILABLE', 'peer down', {}, tx, true, { stage: 'endorse' });

  async function setup(over: Partial<ConstructorParameters<typeof BidBatcher>[0]> = {}) {
    const l = new FakeLedger();
    await l.addRound('r1');
    const client = l.client('Utility1MSP');
    const batcher = new BidBatcher({
      maxBids: 10,
      maxWaitMs: 0,
      maxInFlight: 1,
      maxRetries: 0,
      retryDelayMs: () => 1,
      ...over,
    });
    return { l, client, batcher };
  }

  it('a request still queued at its deadline leaves unsent, answered UNAVAILABLE, its ids freed', async () => {
    const { l, client, batcher } = await setup({ attemptTimeoutMs: 400 });
    l.onSubmit = () => never();
    const freed: string[] = [];
    const first = settled(
      batcher.submit(client, 'r1', [bid('q1')], { onNotCommitted: () => freed.push('q1') }),
    );
    const t0 = Date.now();
    const second = await settled(
      batcher.submit(client, 'r1', [bid('q2')], {
        deadline: Date.now() + 80,
        onNotCommitted: () => freed.push('q2'),
      }),
    );
    expect(Date.now() - t0).toBeLessThan(500);
    expect(second.ok).toBe(false);
    if (!second.ok) {
      expect(second.e.code).toBe('UNAVAILABLE');
      expect(second.e.mayHaveCommitted).toBe(false);
      expect(second.e.message).toMatch(/nothing was submitted/);
    }
    expect(freed).toEqual(['q2']);
    expect(l.submitCalls.map((c) => c.bids.map((b) => b.id))).toEqual([['q1']]);
    expect((await first).ok).toBe(false); // given up after attemptTimeoutMs, outcome unknown
    expect(freed).toEqual(['q2']);
  });

  it('a hung call is given up after attemptTimeoutMs; a late answer proving nothing committed frees the ids', async () => {
    const { l, client, batcher } = await setup({ attemptTimeoutMs: 50 });
    const late: { fail: (e: unknown) => void }[] = [];
    l.onSubmit = () => new Promise<void>((_, reject) => late.push({ fail: reject }));
    let freed = 0;
    const r = await settled(batcher.submit(client, 'r1', [bid('z1')], { onNotCommitted: () => freed++ }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.e.mayHaveCommitted).toBe(true);
    expect(freed).toBe(0);
    expect(batcher.pending).toBe(0); // the slot is free
    late[0]?.fail(refused());
    await new Promise((res) => setTimeout(res, 10));
    expect(freed).toBe(1);

    // a late answer that leaves the outcome unknown frees nothing
    let kept = 0;
    await settled(batcher.submit(client, 'r1', [bid('z2')], { onNotCommitted: () => kept++ }));
    late[1]?.fail(mayCommit());
    await new Promise((res) => setTimeout(res, 10));
    expect(kept).toBe(0);
  });

  it('an earlier attempt that may have committed keeps the batch unknown whatever the retry says', async () => {
    const { l, client, batcher } = await setup({ maxRetries: 1 });
    let n = 0;
    l.onSubmit = () => {
      throw ++n === 1 ? mayCommit() : refused();
    };
    let freed = 0;
    const r = await settled(batcher.submit(client, 'r1', [bid('m1')], { onNotCommitted: () => freed++ }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.e.mayHaveCommitted).toBe(true);
      expect(r.e.details.transactionIds).toEqual(['tx-1', 'tx-2']);
    }
    expect(freed).toBe(0);
  });

  it('does not start a retry that could not finish before the earliest deadline', async () => {
    const { l, client, batcher } = await setup({ maxRetries: 5, attemptTimeoutMs: 1_000 });
    l.onSubmit = () => {
      throw refused();
    };
    let freed = 0;
    const r = await settled(
      batcher.submit(client, 'r1', [bid('d1')], {
        deadline: Date.now() + 500,
        onNotCommitted: () => freed++,
      }),
    );
    expect(r.ok).toBe(false);
    expect(l.submitCalls).toHaveLength(1);
    expect(freed).toBe(1);
  });
});

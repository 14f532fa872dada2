import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/src/api/app';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { validateRound } from '../../../engine/src/mechanism/validate';
import { RoundValidationError } from '../../../engine/src/mechanism/types';
import { auth, bid, fakeClients, FakeLedger, testConfig, TOKENS } from './fake-market';

interface ProblemDoc {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: { path?: string; field?: string; index?: number; id?: string; reason: string }[];
}

describe('REST API: input validation, auth and tenancy', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;

  beforeEach(async () => {
    ledger = new FakeLedger();
    await ledger.addRound('r1');
    ({ app } = await buildApp({ config: testConfig(), clients: fakeClients(ledger) }));
  });
  afterEach(async () => {
    await app.close();
  });

  const postBids = (payload: unknown, token = TOKENS.u1, round = 'r1') =>
    app.inject({
      method: 'POST',
      url: `/v1/rounds/${round}/bids`,
      headers: { ...auth(token), 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  function problem(res: { statusCode: number; headers: Record<string, unknown>; body: string }): ProblemDoc {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const doc = JSON.parse(res.body) as ProblemDoc;
    expect(doc.status).toBe(res.statusCode);
    expect(typeof doc.type).toBe('string');
    expect(typeof doc.title).toBe('string');
    expect(typeof doc.detail).toBe('string');
    return doc;
  }

  it('accepts a valid request and answers 201 with the committed batch', async () => {
    const res = await postBids({ bids: [bid('a'), bid('b', { side: 'sell', price: '9' })] });
    expect(res.statusCode).toBe(201);
    const body = JSON.parse(res.body) as { accepted: number; batchId: string; utility: string };
    expect(body).toMatchObject({ accepted: 2, utility: 'Utility1MSP' });
    expect(body.batchId).toBe(ledger.batches[0]?.batchId);
    expect(ledger.submitCalls).toHaveLength(1);
    expect(ledger.submitCalls[0]?.msp).toBe('Utility1MSP');
  });

  it('words a malformed price, quantity or alpha exactly as the engine (and so the CLI) does', async () => {
    const engineIssue = (b: Record<string, unknown>) => {
      try {
        validateRound({ params: {}, bids: [b] });
      } catch (e) {
        if (e instanceof RoundValidationError) return e.issues[0];
      }
      return undefined;
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...bid('neg'), price: '-1' }, 'price'],
      [{ ...bid('exp'), quantity: '1e3' }, 'quantity'],
      [{ ...bid('num'), price: 12.5 }, 'price'],
      [{ ...bid('dec'), alpha: '1.23456' }, 'alpha'],
    ];
    for (const [b, field] of cases) {
      const res = await postBids({ bids: [bid('ok'), b] });
      expect(res.statusCode).toBe(400);
      const doc = problem(res);
      expect(doc.code).toBe('INVALID_REQUEST');
      const engine = engineIssue(b);
      expect(engine).toMatchObject({ field, id: b.id });
      expect(doc.errors).toEqual([
        { path: `body/bids/1/${field}`, index: 1, id: b.id, field, reason: engine?.reason },
      ]);
    }
    expect(engineIssue({ ...bid('neg'), price: '-1' })?.reason).toBe(
      'must be a non-negative decimal number like "12.5"',
    );
    expect(ledger.submitCalls).toHaveLength(0);
  });

  it('refuses a body that names a property twice in one object, naming the bid, field and place', async () => {
    const text =
      '{"bids": [{"id": "b0", "side": "buy", "price": "20", "quantity": "1"},\n' +
      ' {"id": "b1", "side": "buy", "price": "20", "price": "99", "quantity": "1"}]}';
    expect(JSON.parse(text)).toBeDefined(); // valid JSON: JSON.parse alone would take price 99
    const res = await postBids(text);
    expect(res.statusCode).toBe(400);
    const doc = problem(res);
    expect(doc.code).toBe('INVALID_REQUEST');
    expect(doc.errors).toEqual([
      {
        path: 'body/bids/1/price',
        index: 1,
        id: 'b1',
        field: 'price',
        reason: 'appears twice in one object (again at line 2, column 45); each name may appear once',
      },
    ]);
    const top = await postBids('{"bids": [], "bids": []}');
    expect(top.statusCode).toBe(400);
    expect(problem(top).errors).toEqual([expect.objectContaining({ path: 'body/bids', field: 'bids' })]);
    expect(ledger.submitCalls).toHaveLength(0);
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await postBids('{"bids": [');
    expect(res.statusCode).toBe(400);
    problem(res);
    expect(ledger.submitCalls).toHaveLength(0);
  });

  const cases: [string, unknown, { index?: number; field: string; status: number }][] = [
    [
      'price as number',
      { bids: [bid('a'), { ...bid('b'), price: 15 }] },
      { index: 1, field: 'price', status: 400 },
    ],
    ['negative price', { bids: [{ ...bid('a'), price: '-1' }] }, { index: 0, field: 'price', status: 400 }],
    [
      'NaN quantity',
      { bids: [{ ...bid('a'), quantity: 'NaN' }] },
      { index: 0, field: 'quantity', status: 400 },
    ],
    [
      'zero quantity',
      { bids: [{ ...bid('a'), quantity: '0' }] },
      { index: 0, field: 'quantity', status: 422 },
    ],
    [
      'huge price',
      { bids: [{ ...bid('a'), price: '1000000.0001' }] },
      { index: 0, field: 'price', status: 422 },
    ],
    [
      'huge quantity',
      { bids: [{ ...bid('a'), quantity: '99999999' }] },
      { index: 0, field: 'quantity', status: 422 },
    ],
    ['exponent', { bids: [{ ...bid('a'), price: '1e3' }] }, { index: 0, field: 'price', status: 400 }],
    [
      'too many price decimals',
      { bids: [{ ...bid('a'), price: '1.00001' }] },
      { index: 0, field: 'price', status: 400 },
    ],
    [
      'too many quantity decimals',
      { bids: [{ ...bid('a'), quantity: '1.0001' }] },
      { index: 0, field: 'quantity', status: 400 },
    ],
    ['zero alpha', { bids: [{ ...bid('a'), alpha: '0' }] }, { index: 0, field: 'alpha', status: 422 }],
    [
      'alpha on a sell bid',
      { bids: [{ ...bid('a'), side: 'sell', alpha: '2' }] },
      { index: 0, field: 'alpha', status: 422 },
    ],
    [
      'unknown bid field',
      { bids: [{ ...bid('a'), colour: 'red' }] },
      { index: 0, field: 'colour', status: 400 },
    ],
    ['unknown side', { bids: [{ ...bid('a'), side: 'hold' }] }, { index: 0, field: 'side', status: 400 }],
    [
      'missing quantity',
      { bids: [{ id: 'a', side: 'buy', price: '1' }] },
      { index: 0, field: 'quantity', status: 400 },
    ],
    ['bad id characters', { bids: [bid('a b')] }, { index: 0, field: 'id', status: 400 }],
    ['id too long', { bids: [bid('x'.repeat(65))] }, { index: 0, field: 'id', status: 400 }],
    ['duplicate ids', { bids: [bid('a'), bid('a')] }, { index: 1, field: 'id', status: 422 }],
    ['unknown top-level field', { bids: [bid('a')], extra: 1 }, { field: 'extra', status: 400 }],
    ['empty bids', { bids: [] }, { field: 'bids', status: 400 }],
    ['bids not an array', { bids: 'a' }, { field: 'bids', status: 400 }],
  ];

  it.each(cases)('rejects %s naming the field, submitting nothing', async (_name, body, want) => {
    const res = await postBids(body);
    expect(res.statusCode).toBe(want.status);
    const doc = problem(res);
    const e = doc.errors?.find((x) => x.field === want.field);
    expect(e).toBeDefined();
    if (want.index !== undefined) expect(e?.index).toBe(want.index);
    expect(e?.reason.length).toBeGreaterThan(0);
    expect(ledger.submitCalls).toHaveLength(0);
  });

  it('names the id of each offending bid', async () => {
    const res = await postBids({ bids: [bid('ok'), { ...bid('bad'), quantity: '0' }] });
    expect(res.statusCode).toBe(422);
    expect(problem(res).errors).toEqual([
      expect.objectContaining({ index: 1, id: 'bad', field: 'quantity' }),
    ]);
  });

  it('rejects more bids than the batch maximum', async () => {
    await app.close();
    ({ app } = await buildApp({ config: testConfig({ maxBids: 3 }), clients: fakeClients(ledger) }));
    const res = await postBids({ bids: ['a', 'b', 'c', 'd'].map((i) => bid(i)) });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.[0]?.field).toBe('bids');
    expect(ledger.submitCalls).toHaveLength(0);
  });

  it('401 without or with a wrong token', async () => {
    const none = await app.inject({ method: 'GET', url: '/v1/rounds' });
    expect(none.statusCode).toBe(401);
    expect(problem(none).errors?.[0]?.field).toBe('authorization');
    const wrong = await postBids({ bids: [bid('a')] }, 'not-a-token');
    expect(wrong.statusCode).toBe(401);
    problem(wrong);
    expect(ledger.submitCalls).toHaveLength(0);
  });

  it('403 when a utility names another utility or acts as operator', async () => {
    for (const url of [
      '/v1/rounds/r1/bids?utility=Utility2MSP',
      '/v1/rounds/r1/settlement?utility=Utility2MSP',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: auth(TOKENS.u1) });
      expect(res.statusCode).toBe(403);
      expect(problem(res).errors?.[0]?.field).toBe('utility');
    }
    const open = await app.inject({
      method: 'POST',
      url: '/v1/rounds',
      headers: auth(TOKENS.u1),
      payload: { id: 'r2', slot: '2026-01-01T12:00:00Z', closesAt: '2099-01-01T00:00:00Z' },
    });
    expect(open.statusCode).toBe(403);
    expect(ledger.rounds.has('r2')).toBe(false);
  });

  it('the operator cannot submit bids', async () => {
    const res = await postBids({ bids: [bid('a')] }, TOKENS.op);
    expect(res.statusCode).toBe(403);
    expect(ledger.submitCalls).toHaveLength(0);
  });

  it('each utility reads its own bids through its own identity; the operator names one', async () => {
    expect((await postBids({ bids: [bid('a')] }, TOKENS.u1)).statusCode).toBe(201);
    expect((await postBids({ bids: [bid('b'), bid('c')] }, TOKENS.u2)).statusCode).toBe(201);
    const own = await app.inject({ method: 'GET', url: '/v1/rounds/r1/bids', headers: auth(TOKENS.u2) });
    expect(own.statusCode).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ utility: 'Utility2MSP', bidCount: 2 });
    const op = await app.inject({
      method: 'GET',
      url: '/v1/rounds/r1/bids?utility=Utility1MSP',
      headers: auth(TOKENS.op),
    });
    expect(JSON.parse(op.body)).toMatchObject({ utility: 'Utility1MSP', bidCount: 1 });
    const opNoUtility = await app.inject({
      method: 'GET',
      url: '/v1/rounds/r1/bids',
      headers: auth(TOKENS.op),
    });
    expect(opNoUtility.statusCode).toBe(400);
  });

  it('rejects bad params and queries', async () => {
    const badRound = await postBids({ bids: [bid('a')] }, TOKENS.u1, 'bad%20round');
    expect(badRound.statusCode).toBe(400);
    expect(problem(badRound).errors?.[0]?.path).toMatch(/^params/);
    const badStatus = await app.inject({
      method: 'GET',
      url: '/v1/rounds?status=DONE',
      headers: auth(TOKENS.u1),
    });
    expect(badStatus.statusCode).toBe(400);
    const unknownQuery = await app.inject({
      method: 'GET',
      url: '/v1/rounds?foo=1',
      headers: auth(TOKENS.u1),
    });
    expect(unknownQuery.statusCode).toBe(400);
    expect(problem(unknownQuery).errors?.[0]?.field).toBe('foo');
  });

  it('maps chaincode errors: unknown round 404, closed round 409, early close 409', async () => {
    const missing = await postBids({ bids: [bid('a')] }, TOKENS.u1, 'nope');
    expect(missing.statusCode).toBe(404);
    expect(problem(missing).code).toBe('NOT_FOUND');
    await ledger.addRound('closed', 'CLOSED');
    const closed = await postBids({ bids: [bid('a')] }, TOKENS.u1, 'closed');
    expect(closed.statusCode).toBe(409);
    const early = await app.inject({ method: 'POST', url: '/v1/rounds/r1/close', headers: auth(TOKENS.op) });
    expect(early.statusCode).toBe(409);
    expect(problem(early).code).toBe('TOO_EARLY');
    expect(ledger.submitCalls).toHaveLength(0);
  });

  it('opens a round as the operator (201) and rejects unknown param fields', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/rounds',
      headers: auth(TOKENS.op),
      payload: {
        id: 'r2',
        slot: '2026-01-01T12:00:00Z',
        closesAt: '2099-01-01T00:00:00Z',
        params: { alpha: '2' },
      },
    });
    expect(ok.statusCode).toBe(201);
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/rounds',
      headers: auth(TOKENS.op),
      payload: { id: 'r3', slot: '2026-01-01T12:00:00Z', closesAt: 'tomorrow', params: { fee: '1' } },
    });
    expect(bad.statusCode).toBe(400);
    const fields = problem(bad).errors?.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['closesAt', 'fee']));
    expect(ledger.rounds.has('r3')).toBe(false);
  });

  it('serves health, readiness, metrics and OpenAPI', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    await postBids({ bids: [bid('a')] });
    const m = await app.inject({ method: 'GET', url: '/metrics', headers: auth(TOKENS.op) });
    expect(m.statusCode).toBe(200);
    expect(m.body).toMatch(/api_bids_accepted_total\{msp="Utility1MSP"\} 1/);
    expect(m.body).toMatch(
      /api_http_requests_total\{method="POST",route="\/v1\/rounds\/:roundId\/bids",status="201"\} 1/,
    );
    const doc = JSON.parse((await app.inject({ method: 'GET', url: '/docs/json' })).body) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/rounds/{roundId}/bids']));
    const post = (doc.paths['/v1/rounds/{roundId}/bids'] as { post: { responses: Record<string, unknown> } })
      .post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '4XX', '5XX']));
  });

  it('readyz is 503 when Fabric is unreachable', async () => {
    const clients = fakeClients(ledger);
    const broken = clients.get('Utility2MSP');
    if (broken) {
      broken.getRound = () => Promise.reject(new MarketClientError('UNAVAILABLE', 'down'));
    }
    const built = await buildApp({ config: testConfig(), clients });
    const res = await built.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ orgs: { Utility2MSP: 'down', Utility1MSP: 'ok' } });
    await built.app.close();
  });

  it('readyz stays 200 when the peer refuses the probing identity (revoked): the peer answered', async () => {
    const clients = fakeClients(ledger);
    const revoked = clients.get('Utility2MSP');
    if (revoked) {
      revoked.getRound = () =>
        Promise.reject(new MarketClientError('IDENTITY_REFUSED', 'the peers refused this client’s identity'));
    }
    const built = await buildApp({ config: testConfig(), clients });
    const res = await built.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ orgs: { Utility2MSP: 'ok', Utility1MSP: 'ok' } });
    await built.app.close();
  });
});

import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/src/api/app';
import { auth, bid, fakeClients, FakeLedger, OP, testConfig, TOKENS, U1, U2 } from './fake-market';
import { closeAndClear, settleRound } from './dashboard/seed';

interface ProblemDoc {
  status: number;
  code?: string;
  errors?: { path?: string; field?: string; index?: number; id?: string; reason: string }[];
}

const BEFORE_GATE = Date.parse('2026-01-01T12:30:00Z');
const AFTER_GATE = Date.parse('2026-01-01T13:20:00Z');

describe('REST API: meter readings, accounts and bills (issue #15)', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;
  let b1: string;
  let b2: string;

  const post = (url: string, token: string, payload: string, type = 'application/json') =>
    app.inject({ method: 'POST', url, headers: { ...auth(token), 'content-type': type }, payload });
  const get = (url: string, token: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { ...auth(token), ...headers } });
  const problem = (res: { body: string; headers: Record<string, unknown> }): ProblemDoc => {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return JSON.parse(res.body) as ProblemDoc;
  };

  beforeEach(async () => {
    ledger = new FakeLedger();
    ledger.now = () => Date.parse('2026-01-01T11:00:00Z');
    await ledger.addRound('r1');
    ({ app } = await buildApp({ config: testConfig(), clients: fakeClients(ledger) }));
    const bids1 = {
      bids: [
        bid('p1', { price: '20', quantity: '2' }),
        bid('p2', { side: 'sell', price: '8', quantity: '1' }),
      ],
    };
    const bids2 = { bids: [bid('q1', { side: 'sell', price: '10', quantity: '2' })] };
    const r1 = await post('/v1/rounds/r1/bids', TOKENS.u1, JSON.stringify(bids1));
    const r2 = await post('/v1/rounds/r1/bids', TOKENS.u2, JSON.stringify(bids2));
    expect([r1.statusCode, r2.statusCode]).toEqual([201, 201]);
    b1 = (JSON.parse(r1.body) as { batchId: string }).batchId;
    b2 = (JSON.parse(r2.body) as { batchId: string }).batchId;
    await closeAndClear(ledger, 'r1');
    ledger.now = () => BEFORE_GATE;
  });
  afterEach(async () => {
    await app.close();
  });

  const u1Readings = () => ({
    readings: [
      { batchId: b1, id: 'p1', side: 'buy', quantity: '1.9' },
      { batchId: b1, id: 'p2', side: 'sell', quantity: '1.1' },
    ],
  });

  it('takes readings as JSON and as CSV, settles, and serves accounts, bills and positions', async () => {
    const [p1, p2] = u1Readings().readings;
    const j = await post('/v1/rounds/r1/meter-readings', TOKENS.u1, JSON.stringify({ readings: [p1] }));
    expect(j.statusCode).toBe(201);
    expect(JSON.parse(j.body)).toMatchObject({
      roundId: 'r1',
      utility: U1,
      accepted: 1,
      batches: [{ count: 1 }],
    });
    const again = await post('/v1/rounds/r1/meter-readings', TOKENS.u1, JSON.stringify({ readings: [p1] }));
    expect(again.statusCode).toBe(422);
    expect(problem(again).errors?.[0]?.reason).toMatch(/already read/);
    const csv = `batchId,id,side,quantity\n${b2},q1,sell,1.5\n`;
    const c = await post('/v1/rounds/r1/meter-readings', TOKENS.u2, csv, 'text/csv');
    expect(c.statusCode).toBe(201);
    expect((await ledger.client(OP).getReadings('r1', U2))[0]?.readings).toEqual([
      { batchId: b2, id: 'q1', side: 'sell', quantity: '1.5' },
    ]);

    ledger.now = () => AFTER_GATE;
    const late = await post('/v1/rounds/r1/meter-readings', TOKENS.u1, JSON.stringify({ readings: [p2] }));
    expect(late.statusCode).toBe(409);
    expect(problem(late).code).toBe('GATE_CLOSED');
    await settleRound(ledger, 'r1');
    // a settled round keeps its clearing result (it was answered null once settled)
    const round = (await get('/v1/rounds/r1', TOKENS.u1)).json<{
      round: { status: string };
      result: { roundId: string; resultDigest: string } | null;
    }>();
    expect(round.round.status).toBe('SETTLED');
    expect(round.result?.roundId).toBe('r1');
    expect(round.result?.resultDigest).toMatch(/^[0-9a-f]{64}$/);

    const acc = await get('/v1/accounts/Utility1MSP', TOKENS.u1);
    expect(acc.statusCode).toBe(200);
    const account = JSON.parse(acc.body) as {
      kind: string;
      rounds: number;
      entries: { roundId: string; net: string }[];
      totals: { net: string };
    };
    expect(account).toMatchObject({ kind: 'utility', rounds: 1, matching: 1 });
    expect(account.entries.map((e) => e.roundId)).toEqual(['r1']);
    expect(account.entries[0]?.net).toBe(account.totals.net);

    expect((await get('/v1/accounts/Utility1MSP?from=2026-01-02T00:00:00Z', TOKENS.u1)).json()).toMatchObject(
      { matching: 0, entries: [] },
    );
    const forbidden = await get('/v1/accounts/Utility2MSP', TOKENS.u1);
    expect(forbidden.statusCode).toBe(403);
    expect((await get('/v1/accounts/operator', TOKENS.u1)).statusCode).toBe(403);
    expect((await get('/v1/accounts/Utility2MSP', TOKENS.op)).json()).toMatchObject({
      kind: 'utility',
      utility: U2,
    });
    const opAcc = (await get('/v1/accounts/operator', TOKENS.op)).json<{
      kind: string;
      totals: Record<string, string>;
    }>();
    expect(opAcc.kind).toBe('operator');
    expect(Object.keys(opAcc.totals)).toEqual(expect.arrayContaining(['fees', 'imbalance', 'net']));

    const bills = (
      await get('/v1/accounts/Utility1MSP/bills?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z', TOKENS.u1)
    ).json<{
      rounds: string[];
      bills: {
        prosumer: string;
        net: string;
        consumed: string;
        delivered: string;
        missingReadings: number;
      }[];
    }>();
    expect(bills.rounds).toEqual(['r1']);
    // p2's reading came after the gate: a missing reading counts as nothing delivered
    expect(bills.bills.map((b) => [b.prosumer, b.consumed, b.delivered, b.missingReadings])).toEqual([
      ['p1', '1.9', '0', 0],
      ['p2', '0', '0', 1],
    ]);
    const sum = bills.bills.reduce((s, b) => s + Math.round(Number(b.net) * 1e7), 0);
    expect(sum).toBe(Math.round(Number(account.totals.net) * 1e7));

    const billsCsv = await get('/v1/accounts/Utility1MSP/bills', TOKENS.u1, { accept: 'text/csv' });
    expect(billsCsv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = billsCsv.body.trim().split('\n');
    expect(lines[0]).toBe(
      'prosumer,rounds,missingReadings,bought,sold,consumed,delivered,trade,fees,imbalance,net',
    );
    expect(lines).toHaveLength(3);
    expect((await get('/v1/accounts/Utility2MSP/bills?format=csv', TOKENS.u1)).statusCode).toBe(403);

    const pos = (await get('/v1/rounds/r1/delivery', TOKENS.u2)).json<{ utility: string }[]>();
    expect(pos.map((p) => p.utility).sort()).toEqual([U1, U2]);
    // the public summary: the same positions, the operator's side, nothing private
    const summary = await get('/v1/rounds/r1/delivery/summary', TOKENS.u2);
    expect(summary.statusCode).toBe(200);
    const s = summary.json<{ positions: unknown[]; operator: { net: string }; readingCount: number }>();
    expect(s.positions).toEqual(pos);
    expect(s.readingCount).toBe(2); // p1 and q1: the late p2 was refused
    const moneyOf = (v: string) => Math.round(Number(v) * 1e7);
    const utilities = (pos as unknown as { moneyNet: string }[]).reduce((n, p) => n + moneyOf(p.moneyNet), 0);
    expect(utilities + moneyOf(s.operator.net)).toBe(0);
    // no lines, readings or statements: those stay in each utility's collection
    expect(Object.keys(s).sort()).toEqual(
      [
        'imbalancePrices',
        'operator',
        'params',
        'positions',
        'price',
        'readingBatchCount',
        'readingCount',
        'roundId',
        'settledAt',
        'settledTx',
        'settlementDigest',
        'slot',
      ].sort(),
    );
    expect((await get('/v1/rounds/r0/delivery/summary', TOKENS.u2)).statusCode).toBe(404);
    expect((await get('/v1/rounds/r1/statement', TOKENS.u1)).json()).toMatchObject({ utility: U1 });
    expect((await get('/v1/rounds/r1/statement?utility=Utility2MSP', TOKENS.u1)).statusCode).toBe(403);
  });

  it('opens a round with delivery parameters over REST, refusing a bad one by field', async () => {
    const body = (delivery: unknown) =>
      JSON.stringify({ id: 'r2', slot: '2026-01-01T13:00:00Z', closesAt: '2026-01-01T12:45:00Z', delivery });
    const bad = await post('/v1/rounds', TOKENS.op, body({ slotSeconds: 'two', extra: 1 }));
    expect(bad.statusCode).toBe(400);
    expect(
      problem(bad)
        .errors?.map((e) => e.field)
        .sort(),
    ).toEqual(['extra', 'slotSeconds']);
    const tooBig = await post('/v1/rounds', TOKENS.op, body({ longDiscount: '2' }));
    expect([tooBig.statusCode, problem(tooBig).code]).toEqual([422, 'INVALID_ARGUMENT']);
    expect(tooBig.body).toContain('longDiscount');
    const ok = await post('/v1/rounds', TOKENS.op, body({ slotSeconds: 60, gateClosureSeconds: 30 }));
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      delivery: { slotSeconds: 60, gateClosureSeconds: 30, shortPremium: '0.2', longDiscount: '0.2' },
    });
  });

  it('pages the statement with limit and cursor', async () => {
    ledger.now = () => AFTER_GATE;
    await settleRound(ledger, 'r1');
    const page = (await get('/v1/accounts/Utility1MSP?limit=1', TOKENS.u1)).json<{
      entries: unknown[];
      nextCursor?: string;
    }>();
    expect(page.entries).toHaveLength(1);
    expect(page.nextCursor).toBeUndefined();
    expect((await get('/v1/accounts/Utility1MSP?cursor=x', TOKENS.u1)).statusCode).toBe(400);
    expect((await get('/v1/accounts/Utility1MSP?limit=0', TOKENS.u1)).statusCode).toBe(400);
    // a utility the market does not have is a 404 naming it, for the operator too
    for (const url of ['/v1/accounts/Utility9MSP', '/v1/rounds/r1/statement?utility=Utility9MSP']) {
      const res = await get(url, TOKENS.op);
      expect([url, res.statusCode, problem(res).code]).toEqual([url, 404, 'NOT_FOUND']);
    }
  });

  it('refuses bad readings naming each one, and writes nothing', async () => {
    const csv = `batchId,id,side,quantity\n${b1},p1,buy,1.9\n${b1},p2,buy,-1\n${b1},zz,sell,1.2345\n`;
    const res = await post('/v1/rounds/r1/meter-readings', TOKENS.u1, csv, 'text/csv');
    expect(res.statusCode).toBe(422);
    const doc = problem(res);
    expect(doc.code).toBe('INVALID_READINGS');
    expect(doc.errors).toEqual([
      { path: 'csv/row/3', index: 1, id: `${b1}/p2`, field: 'quantity', reason: 'negative' },
      {
        path: 'csv/row/4',
        index: 2,
        id: `${b1}/zz`,
        field: 'quantity',
        reason: expect.stringContaining('3 decimals') as unknown,
      },
    ]);

    const ledgerBad = {
      readings: [
        { batchId: b1, id: 'p1', side: 'sell', quantity: '1' },
        { batchId: b1, id: 'nope', side: 'buy', quantity: '1' },
        { batchId: b1, id: 'p2', side: 'sell', quantity: '1', extra: 1 },
      ],
    };
    const j = problem(await post('/v1/rounds/r1/meter-readings', TOKENS.u1, JSON.stringify(ledgerBad)));
    expect(j.status).toBe(422);
    expect(j.errors).toEqual([
      { path: 'body/readings/2', index: 2, id: `${b1}/p2`, field: 'extra', reason: 'unknown field' },
    ]);
    delete (ledgerBad.readings[2] as Record<string, unknown>).extra;
    const k = problem(await post('/v1/rounds/r1/meter-readings', TOKENS.u1, JSON.stringify(ledgerBad)));
    expect(k.errors?.map((e) => [e.index, e.field])).toEqual([
      [0, 'side'],
      [1, 'id'],
    ]);
    const other = problem(
      await post('/v1/rounds/r1/meter-readings', TOKENS.u2, JSON.stringify(u1Readings())),
    );
    expect(other.errors?.map((e) => e.reason)).toEqual([
      expect.stringContaining('unknown bid'),
      expect.stringContaining('unknown bid'),
    ]);
    const header = problem(
      await post('/v1/rounds/r1/meter-readings', TOKENS.u1, 'id,side\nx,buy\n', 'text/csv'),
    );
    expect(header.status).toBe(400);
    expect(await ledger.client(OP).getReadings('r1', U1)).toEqual([]);

    expect(
      (await post('/v1/rounds/r1/meter-readings', TOKENS.u1, JSON.stringify(u1Readings()))).statusCode,
    ).toBe(201);
    const again = problem(
      await post('/v1/rounds/r1/meter-readings', TOKENS.u1, JSON.stringify(u1Readings())),
    );
    expect(again.errors?.[0]?.reason).toMatch(/already read/);
    expect(
      (await post('/v1/rounds/r1/meter-readings', TOKENS.op, JSON.stringify(u1Readings()))).statusCode,
    ).toBe(403);
  });
});

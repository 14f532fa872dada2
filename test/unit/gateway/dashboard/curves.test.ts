import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { WireBid } from '../../../../engine/src/mechanism/types';
import { buildApp } from '../../../../gateway/src/api/app';
import { aggregateCurves, pickLevels } from '../../../../gateway/src/dashboard/curves';
import { registerDashboardFiles } from '../../../../gateway/src/dashboard/static';
import { closeAndClear } from './seed';
import { auth, bid, fakeClients, FakeLedger, OP, testConfig, TOKENS, U1, U2 } from '../fake-market';

const U1_BIDS = [
  bid('s1', { side: 'sell', price: '10', quantity: '5' }),
  bid('s2', { side: 'sell', price: '12', quantity: '3' }),
];
const U2_BIDS = [bid('b1', { price: '15', quantity: '4' }), bid('b2', { price: '11', quantity: '6' })];

describe('GET /v1/rounds/:roundId/curves', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;
  const get = async (url: string, token?: string) => {
    const res = await app.inject({ method: 'GET', url, headers: token ? auth(token) : {} });
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown>, raw: res.body };
  };

  beforeEach(async () => {
    ledger = new FakeLedger();
    await ledger.addRound('r1');
    await ledger.seedBatch(U1, 'r1', U1_BIDS, '1'.repeat(32));
    await ledger.seedBatch(U2, 'r1', U2_BIDS, '2'.repeat(32));
    ({ app } = await buildApp({ config: testConfig(), clients: fakeClients(ledger) }));
  });
  afterEach(async () => {
    await app.close();
  });

  it("gives the operator the market's exact step curves and, once cleared, the clearing", async () => {
    const open = await get('/v1/rounds/r1/curves', TOKENS.op);
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({
      roundId: 'r1',
      status: 'OPEN',
      utility: null,
      prices: ['10', '11', '12', '15'],
      supply: ['5', '5', '8', '8'],
      demand: ['10', '10', '4', '4'],
      exact: true,
      bidCount: 4,
      clearing: null,
    });
    await closeAndClear(ledger, 'r1');
    const cleared = await get('/v1/rounds/r1/curves', TOKENS.op);
    expect(cleared.body).toMatchObject({ status: 'CLEARED', bidCount: 4 });
    const clearing = cleared.body.clearing as { price: string; priceRange: object; metrics: object };
    expect(Number(clearing.price)).toBeGreaterThanOrEqual(10);
    expect(Number(clearing.price)).toBeLessThanOrEqual(15);
    expect(clearing.metrics).toHaveProperty('efficiency');
    // a cleared round's curves are read once: a second request reads no batch
    const before = ledger.reads.filter((r) => r.startsWith('getBatchesById')).length;
    await get('/v1/rounds/r1/curves', TOKENS.op);
    expect(ledger.reads.filter((r) => r.startsWith('getBatchesById')).length).toBe(before);
  });

  it("gives a utility its own bids' curves only, and the operator one utility's when named", async () => {
    const own = await get('/v1/rounds/r1/curves', TOKENS.u1);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      utility: U1,
      prices: ['10', '12'],
      supply: ['5', '8'],
      demand: ['0', '0'],
      bidCount: 2,
    });
    const named = await get(`/v1/rounds/r1/curves?utility=${U2}`, TOKENS.op);
    expect(named.body).toMatchObject({ utility: U2, prices: ['11', '15'], demand: ['10', '4'] });
  });

  it("refuses a utility another utility's curves, and a request without a token", async () => {
    const other = await get(`/v1/rounds/r1/curves?utility=${U2}`, TOKENS.u1);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(other.raw).not.toContain('"15"');
    expect((await get('/v1/rounds/r1/curves')).status).toBe(401);
    expect((await get('/v1/rounds/nope/curves', TOKENS.op)).body).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('GET /v1/session', () => {
  it("names the token's tenant, and refuses a request without a known token", async () => {
    const { app } = await buildApp({ config: testConfig(), clients: fakeClients(new FakeLedger()) });
    const who = await app.inject({ method: 'GET', url: '/v1/session', headers: auth(TOKENS.u1) });
    expect(JSON.parse(who.body)).toEqual({ mspId: U1, role: 'utility' });
    const op = await app.inject({ method: 'GET', url: '/v1/session', headers: auth(TOKENS.op) });
    expect(JSON.parse(op.body)).toEqual({ mspId: OP, role: 'operator' });
    const anon = await app.inject({ method: 'GET', url: '/v1/session', headers: auth('nope') });
    expect(anon.statusCode).toBe(401);
    await app.close();
  });
});

describe('aggregateCurves', () => {
  it('keeps 10^5 bids to at most 500 exact levels, the ends and the clearing price among them', () => {
    const bids: WireBid[] = [];
    for (let i = 0; i < 100_000; i++) {
      const price = `${(i % 5000) + 1}.${String(i % 7)}`;
      bids.push(bid(`x${i}`, { side: i % 2 ? 'sell' : 'buy', price, quantity: '0.5' }));
    }
    const c = aggregateCurves(bids, 500, '1234.5');
    expect(c.prices.length).toBeLessThanOrEqual(500);
    expect(c.exact).toBe(false);
    expect(c.prices[0]).toBe('1');
    expect(c.prices).toContain('1234.5');
    expect(c.supply.at(-1)).toBe('25000');
    expect(c.demand[0]).toBe('25000');
    const s = c.supply.map(Number);
    const d = c.demand.map(Number);
    expect(s.every((v, i) => i === 0 || v >= (s[i - 1] ?? 0))).toBe(true);
    expect(d.every((v, i) => i === 0 || v <= (d[i - 1] ?? 0))).toBe(true);
  });

  it('picks every level when there are few, and never more than max', () => {
    expect(pickLevels([1, 2, 3], 5)).toEqual([0, 1, 2]);
    const many = Array.from({ length: 1000 }, (_, i) => i);
    for (const keep of [undefined, 0, 333, 999, 5000]) {
      const idx = pickLevels(many, 10, keep);
      expect(idx.length).toBeLessThanOrEqual(10);
      expect(idx[0]).toBe(0);
      expect(idx.at(-1)).toBe(999);
    }
    expect(aggregateCurves([])).toMatchObject({ prices: [], supply: [], demand: [], bidCount: 0 });
  });
});

describe('dashboard files', () => {
  let app: FastifyInstance;
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    fs.mkdirSync(path.join(dir, 'vendor'));
    fs.writeFileSync(path.join(dir, 'vendor', 'lib.js'), 'export {};');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not served');
    app = Fastify();
    registerDashboardFiles(app, dir);
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the built files with a strict CSP, only those', async () => {
    const root = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/dashboard/');
    const page = await app.inject({ method: 'GET', url: '/dashboard/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const js = await app.inject({ method: 'GET', url: '/dashboard/vendor/lib.js' });
    expect(js.headers['content-type']).toMatch(/text\/javascript/);
    for (const url of ['/dashboard/notes.txt', '/dashboard/../package.json', '/dashboard/%2e%2e/x.js']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });
});

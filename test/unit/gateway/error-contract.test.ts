/**
 * The API's error contract (issue #12.7): a bodyless action sent with `Content-Type:
 * application/json` and an empty body is accepted like no body; and for every route and method of
 * the OpenAPI document, malformed input is answered with application/problem+json carrying one of
 * the API's documented codes, never a fastify code (FST_...).
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/src/api/app';
import { API_ERROR_CODES } from '../../../gateway/src/api/problem';
import { auth, fakeClients, FakeLedger, testConfig, TOKENS } from './fake-market';

const BODY_LIMIT = 64 * 1024;

describe('REST API error contract', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;

  beforeEach(async () => {
    ledger = new FakeLedger();
    for (const id of ['r1', 'c1', 'c2', 'c3']) await ledger.addRound(id);
    ({ app } = await buildApp({
      config: { ...testConfig(), bodyLimit: BODY_LIMIT },
      clients: fakeClients(ledger),
    }));
  });
  afterEach(async () => {
    await app.close();
  });

  it('closes a round sent with Content-Type application/json and an empty body, like no body or {}', async () => {
    ledger.now = () => Date.parse('2099-01-01T00:00:01Z'); // past the rounds' close
    const close = (round: string, headers: Record<string, string>, payload?: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/rounds/${round}/close`,
        headers: { ...auth(TOKENS.op), ...headers },
        ...(payload === undefined ? {} : { payload }),
      });
    const empty = await close('c1', { 'content-type': 'application/json' }, '');
    const none = await close('c2', {});
    const object = await close('c3', { 'content-type': 'application/json' }, '{}');
    for (const res of [empty, none, object]) {
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'CLOSED' });
    }
    // a route that needs a body still says what is wrong, in the API's terms
    const bids = await app.inject({
      method: 'POST',
      url: '/v1/rounds/r1/bids',
      headers: { ...auth(TOKENS.u1), 'content-type': 'application/json' },
      payload: '',
    });
    expect(bids.statusCode).toBe(400);
    expect(JSON.parse(bids.body)).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('answers malformed input on every documented route with a documented problem code', async () => {
    const doc = JSON.parse((await app.inject({ method: 'GET', url: '/docs/json' })).body) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => ({ path, method: m.toUpperCase() })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(9);
    const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);
    const malformed = [
      { name: 'empty JSON body', type: 'application/json', payload: '' },
      { name: 'invalid JSON', type: 'application/json', payload: '{"bids": [' },
      { name: 'JSON null', type: 'application/json', payload: 'null' },
      { name: 'wrong content type', type: 'text/plain', payload: 'bids' },
      { name: 'unknown content type', type: 'application/x-www-form-urlencoded', payload: 'a=1' },
      { name: 'oversized body', type: 'application/json', payload: `{"x":"${'y'.repeat(BODY_LIMIT)}"}` },
    ];
    let errors = 0;
    for (const { path, method } of routes) {
      for (const token of [TOKENS.op, TOKENS.u1]) {
        const cases = [
          ...malformed.map((m) => ({ ...m, url: fill(path, 'r1') })),
          { name: 'bad path params', type: 'application/json', payload: '{}', url: fill(path, 'bad%20id') },
          {
            name: 'overlong path params',
            type: 'application/json',
            payload: '{}',
            url: fill(path, 'x'.repeat(65)),
          },
          {
            name: 'unknown query',
            type: 'application/json',
            payload: '{}',
            url: `${fill(path, 'r1')}?foo=1`,
          },
        ];
        for (const c of cases) {
          const res = await app.inject({
            method: method as 'GET' | 'POST',
            url: c.url,
            headers: { ...auth(token), 'content-type': c.type },
            ...(method === 'GET' ? {} : { payload: c.payload }),
          });
          const what = `${method} ${c.url.slice(0, 60)} (${c.name}) -> ${res.statusCode}`;
          expect([what, res.statusCode < 500]).toEqual([what, true]);
          if (res.statusCode < 400) continue;
          errors += 1;
          expect([what, res.headers['content-type']]).toEqual([
            what,
            expect.stringMatching(/^application\/problem\+json/),
          ]);
          const problem = JSON.parse(res.body) as { code?: string; status?: number };
          expect([what, problem.status]).toEqual([what, res.statusCode]);
          expect([what, API_ERROR_CODES.includes(problem.code ?? '')]).toEqual([what, true]);
          expect([what, problem.code]).not.toEqual([what, expect.stringMatching(/^FST_/)]);
        }
      }
    }
    expect(errors).toBeGreaterThan(routes.length * 2 * 5);
  });
});

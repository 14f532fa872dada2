import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/src/api/app';
import { auth, fakeClients, FakeLedger, testConfig, TOKENS } from './fake-market';

describe('rate limit per authenticated tenant, and /metrics for the operator only', () => {
  let app: FastifyInstance;

  async function start(max: number, tenants?: ReturnType<typeof testConfig>['tenants']): Promise<void> {
    const ledger = new FakeLedger();
    await ledger.addRound('r1');
    const base = testConfig();
    ({ app } = await buildApp({
      config: { ...base, tenants: tenants ?? base.tenants, rateLimit: { max, timeWindowMs: 60_000 } },
      clients: fakeClients(ledger),
    }));
  }
  afterEach(async () => {
    await app.close();
  });

  const get = (headers: Record<string, string>, url = '/v1/rounds', remoteAddress = '127.0.0.1') =>
    app.inject({ method: 'GET', url, headers, remoteAddress });

  it('spelling the Authorization header differently does not escape the limit', async () => {
    await start(5);
    const codes: number[] = [];
    for (let spaces = 1; spaces <= 8; spaces++) {
      codes.push((await get({ authorization: `Bearer${' '.repeat(spaces)}${TOKENS.u1}` })).statusCode);
    }
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect((await get(auth(TOKENS.u1))).statusCode).toBe(429);
    expect((await get({ authorization: `bearer\t${TOKENS.u1}` })).statusCode).toBe(429);
    // another tenant has its own budget
    expect((await get(auth(TOKENS.u2))).statusCode).toBe(200);
  });

  it('every token of one tenant shares its limit', async () => {
    const tenant = { mspId: 'Utility1MSP', role: 'utility' as const };
    await start(2, {
      'first-token-1': { ...tenant, name: 'a' },
      'second-token-2': { ...tenant, name: 'b' },
    });
    const codes = [
      (await get(auth('first-token-1'))).statusCode,
      (await get(auth('second-token-2'))).statusCode,
      (await get(auth('first-token-1'))).statusCode,
      (await get(auth('second-token-2'))).statusCode,
    ];
    expect(codes).toEqual([200, 200, 429, 429]);
  });

  it('limits unauthenticated requests per IP (401 until the limit, then 429) without touching tenants', async () => {
    await start(3);
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(
        (await get(i % 2 ? {} : { authorization: `Bearer wrong-${i}` }, '/v1/rounds', '10.0.0.7')).statusCode,
      );
    }
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    expect((await get({}, '/v1/rounds', '10.0.0.8')).statusCode).toBe(401);
    expect((await get(auth(TOKENS.u1), '/v1/rounds', '10.0.0.7')).statusCode).toBe(200);
  });

  it('/metrics answers only with the operator token', async () => {
    await start(1_000);
    const none = await get({}, '/metrics');
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toMatch(/problem\+json/);
    expect(none.body).not.toMatch(/api_http_requests_total/);
    const utility = await get(auth(TOKENS.u1), '/metrics');
    expect(utility.statusCode).toBe(403);
    expect(utility.body).not.toMatch(/api_http_requests_total/);
    expect((await get({ authorization: 'Bearer not-a-token' }, '/metrics')).statusCode).toBe(401);
    const operator = await get(auth(TOKENS.op), '/metrics');
    expect(operator.statusCode).toBe(200);
    expect(operator.headers['content-type']).toMatch(/^text\/plain/);
    expect(operator.body).toMatch(/api_http_requests_total\{method="GET",route="\/metrics",status="401"\} 2/);
    // probes stay open
    expect((await get({}, '/healthz')).statusCode).toBe(200);
  });
});

import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/src/api/app';
import { BENCH_NOOP_PATH } from '../../../gateway/src/api/routes/bench';
import { auth, fakeClients, FakeLedger, testConfig, TOKENS } from './fake-market';

describe("the bench's empty route POST /v1/bench/noop", () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(benchRoute?: boolean): Promise<FastifyInstance> {
    ({ app } = await buildApp({
      config: testConfig(),
      clients: fakeClients(new FakeLedger()),
      ...(benchRoute === undefined ? {} : { benchRoute }),
    }));
    return app;
  }

  const post = (a: FastifyInstance, headers: Record<string, string>) =>
    a.inject({
      method: 'POST',
      url: BENCH_NOOP_PATH,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ bids: [{ id: 'b1', side: 'buy', price: '1', quantity: '1' }] }),
    });

  it('does not exist unless the app is built with benchRoute', async () => {
    const a = await start();
    const res = await post(a, auth(TOKENS.u1));
    expect(res.statusCode).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('NO_ROUTE');
    expect((await a.inject({ method: 'GET', url: '/docs/json' })).body).not.toContain('bench');
  });

  it('answers 204 to a utility, 401 without a token, 403 to the operator; it is not documented', async () => {
    const a = await start(true);
    const ok = await post(a, auth(TOKENS.u1));
    expect(ok.statusCode).toBe(204);
    expect(ok.body).toBe('');
    const none = await post(a, {});
    expect(none.statusCode).toBe(401);
    expect(none.json<{ code: string }>().code).toBe('UNAUTHENTICATED');
    expect((await post(a, auth(TOKENS.op))).statusCode).toBe(403);
    expect((await a.inject({ method: 'GET', url: '/docs/json' })).body).not.toContain('bench');
  });
});

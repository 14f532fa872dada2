import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../../gateway/src/api/app';
import { ConfigError } from '../../../engine/src/config-error';
import { connectionKey, DEFAULT_CONFIG, loadConfig } from '../../../gateway/src/api/config';
import { startApi } from '../../../gateway/src/api/server';
import { auth, bid, fakeClients, FakeLedger, testConfig, TOKENS } from './fake-market';

describe('API config', () => {
  it('defaults to 127.0.0.1:3000 with the three demo tenants', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3000);
    expect(
      Object.values(c.tenants)
        .map((t) => t.mspId)
        .sort(),
    ).toEqual(['OperatorMSP', 'Utility1MSP', 'Utility2MSP']);
  });

  it('file < env precedence, with checks naming the setting', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apicfg-'));
    const file = path.join(dir, 'api.json');
    fs.writeFileSync(file, JSON.stringify({ port: 4000, batch: { maxBids: 100, maxWaitMs: 7 } }));
    const c = loadConfig({ API_CONFIG: file, API_BATCH_MAX_WAIT_MS: '9' });
    expect(c.port).toBe(4000);
    expect(c.batch).toMatchObject({
      maxBids: 100,
      maxWaitMs: 9,
      maxInFlight: DEFAULT_CONFIG.batch.maxInFlight,
    });
    expect(() => loadConfig({ API_BATCH_MAX_BIDS: '10001' })).toThrow(/batch.maxBids/);
    expect(() => loadConfig({ API_HOST: '0.0.0.0' })).toThrow(ConfigError);
    // every problem of one start is reported at once, each naming its setting and value
    let all: unknown;
    try {
      loadConfig({ API_HOST: '0.0.0.0', API_PORT: '70000', API_BATCH_MAX_RETRIES: 'x' });
    } catch (e) {
      all = e;
    }
    expect(all).toBeInstanceOf(ConfigError);
    expect((all as ConfigError).code).toBe('CONFIG_INVALID');
    expect((all as ConfigError).problems).toEqual([
      expect.stringContaining('host 0.0.0.0'),
      expect.stringContaining('port must be an integer in [0, 65535], got "70000"'),
      expect.stringContaining('batch.maxRetries must be an integer in [0, 20], got "x"'),
    ]);
    expect(() => loadConfig({ API_TENANTS: '{"short":{"mspId":"X","role":"utility"}}' })).toThrow(
      /8 characters/,
    );
    expect(() => loadConfig({ API_TENANTS: '{"longenough":{"mspId":"X","role":"admin"}}' })).toThrow(/role/);
    const t = loadConfig({ API_TENANTS: '{"tok-12345":{"mspId":"Utility9MSP","role":"utility"}}' });
    expect(t.tenants).toEqual({
      'tok-12345': { mspId: 'Utility9MSP', role: 'utility', name: 'Utility9MSP' },
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('maps a tenant to an enrolled identity by name, and refuses a name that cannot be one', () => {
    const c = loadConfig({
      API_TENANTS: '{"tok-alice-1":{"mspId":"Utility1MSP","role":"utility","identity":"alice"}}',
    });
    expect(c.tenants['tok-alice-1']).toEqual({
      mspId: 'Utility1MSP',
      role: 'utility',
      name: 'Utility1MSP',
      identity: 'alice',
    });
    expect(connectionKey(c.tenants['tok-alice-1']!)).toBe('Utility1MSP/alice');
    expect(connectionKey({ mspId: 'Utility1MSP' })).toBe('Utility1MSP');
    for (const bad of ['../bidder', '', 7, 'a b']) {
      const tenants = JSON.stringify({
        'tok-bad-12': { mspId: 'Utility1MSP', role: 'utility', identity: bad },
      });
      expect(() => loadConfig({ API_TENANTS: tenants })).toThrow(
        `tenant Utility1MSP: identity must be the name of an enrolled identity (A-Za-z0-9._-), got ${JSON.stringify(bad)}`,
      );
    }
  });
});

describe('API limits', () => {
  it('rate-limits per token with a 429 problem document', async () => {
    const ledger = new FakeLedger();
    const { app } = await buildApp({
      config: { ...testConfig(), rateLimit: { max: 3, timeWindowMs: 60_000 } },
      clients: fakeClients(ledger),
    });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push(
        (await app.inject({ method: 'GET', url: '/v1/rounds', headers: auth(TOKENS.u1) })).statusCode,
      );
    }
    expect(codes).toEqual([200, 200, 200, 429]);
    const other = await app.inject({ method: 'GET', url: '/v1/rounds', headers: auth(TOKENS.u2) });
    expect(other.statusCode).toBe(200);
    const limited = await app.inject({ method: 'GET', url: '/v1/rounds', headers: auth(TOKENS.u1) });
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.parse(limited.body)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    await app.close();
  });

  it('answers 504 "outcome unknown" when Fabric does not answer within the request timeout', async () => {
    const ledger = new FakeLedger();
    await ledger.addRound('r1');
    ledger.submitDelayMs = 3_000;
    const { app } = await buildApp({
      config: { ...testConfig({ maxWaitMs: 0 }), requestTimeoutMs: 200 },
      clients: fakeClients(ledger),
    });
    await app.ready();
    const t0 = Date.now();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/rounds/r1/bids',
      headers: auth(TOKENS.u1),
      payload: { bids: [bid('slow')] },
    });
    expect(Date.now() - t0).toBeLessThan(1_500); // the timeout, not the 3 s the call takes
    expect(res.statusCode).toBe(504);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
    await app.close();
  });
});

describe('startApi', () => {
  it('connects one client per org, serves on 127.0.0.1, and on close drains then closes every connection', async () => {
    const ledger = new FakeLedger();
    await ledger.addRound('r1');
    const closed: string[] = [];
    const connected: string[] = [];
    const api = await startApi({
      config: { ...testConfig({ maxWaitMs: 2_000 }), port: 0 },
      connect: (msp) => {
        connected.push(msp);
        return Promise.resolve({ client: ledger.client(msp), close: () => closed.push(msp) });
      },
    });
    expect(connected.sort()).toEqual(['OperatorMSP', 'Utility1MSP', 'Utility2MSP']);
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pending = fetch(`${api.url}/v1/rounds/r1/bids`, {
      method: 'POST',
      headers: { ...auth(TOKENS.u1), 'content-type': 'application/json' },
      body: JSON.stringify({ bids: [bid('late')] }),
    });
    // the request is queued (not timed: a loaded machine may take a while to get it there)
    for (let i = 0; i < 200 && api.batcher.pending === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(api.batcher.pending).toBe(1);
    expect(ledger.submitCalls).toHaveLength(0); // waiting for its batch (max wait 2 s)
    const t0 = Date.now();
    await Promise.all([api.close(), pending.then((r) => expect(r.status).toBe(201))]);
    expect(Date.now() - t0).toBeLessThan(1_500); // drained at once, not after the wait
    expect(ledger.batches).toHaveLength(1);
    expect(closed.sort()).toEqual(['OperatorMSP', 'Utility1MSP', 'Utility2MSP']);
  });

  it('opens one connection per org and identity, and a tenant with an identity signs with it', async () => {
    const ledger = new FakeLedger();
    await ledger.addRound('r1');
    const connected: string[] = [];
    const signers: string[] = [];
    const base = testConfig();
    const api = await startApi({
      config: {
        ...base,
        port: 0,
        tenants: {
          ...base.tenants,
          'tok-alice-123': { mspId: 'Utility1MSP', role: 'utility', name: 'alice', identity: 'alice' },
        },
      },
      connect: (msp, identity) => {
        connected.push(identity === undefined ? msp : `${msp}/${identity}`);
        const client = ledger.client(msp);
        const submit = client.submitBids.bind(client);
        // which connection a batch went through, as the ledger would see its creator
        client.submitBids = (...args) => {
          signers.push(identity ?? 'org');
          return submit(...args);
        };
        return Promise.resolve({ client, close: () => undefined });
      },
    });
    expect(connected.sort()).toEqual(['OperatorMSP', 'Utility1MSP', 'Utility1MSP/alice', 'Utility2MSP']);
    const post = (token: string, id: string) =>
      fetch(`${api.url}/v1/rounds/r1/bids`, {
        method: 'POST',
        headers: { ...auth(token), 'content-type': 'application/json' },
        body: JSON.stringify({ bids: [bid(id)] }),
      });
    const [a, b] = await Promise.all([post('tok-alice-123', 'by-alice'), post(TOKENS.u1, 'by-org')]);
    expect([a.status, b.status]).toEqual([201, 201]);
    // two lanes, one per connection: each batch signed by the identity of the tenant that sent it
    expect(signers.sort()).toEqual(['alice', 'org']);
    expect(
      ledger.submitCalls
        .map((c) => c.bids.map((x) => x.id))
        .flat()
        .sort(),
    ).toEqual(['by-alice', 'by-org']);
    await api.close();
  });

  it('closes the connections already made when one org cannot connect', async () => {
    const closed: string[] = [];
    const ledger = new FakeLedger();
    await expect(
      startApi({
        config: { ...testConfig(), port: 0 },
        connect: (msp) => {
          if (msp === 'Utility2MSP') return Promise.reject(new Error('no connection profile'));
          return Promise.resolve({ client: ledger.client(msp), close: () => closed.push(msp) });
        },
      }),
    ).rejects.toThrow(/no connection profile/);
    expect(closed.sort()).toEqual(['OperatorMSP', 'Utility1MSP']);
  });
});

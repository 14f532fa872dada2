import pino from 'pino';
import { DEFAULT_CONFIG, loadConfig, resolveConfig } from '../../../auctioneer/src/service/config';
import { ConfigError } from '../../../engine/src/config-error';
import { startAuctioneer } from '../../../auctioneer/src/service/service';
import { FakeMarket, U1 } from './fake-market';

describe('auctioneer config', () => {
  it('has the documented defaults', () => {
    expect(resolveConfig()).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({ mode: 'schedule', slotMinutes: 15, http: { port: 3100 } });
  });

  it('reads the environment over the defaults', () => {
    const c = loadConfig({
      AUCTIONEER_MODE: 'manual',
      AUCTIONEER_PORT: '0',
      AUCTIONEER_SLOT_MINUTES: '30',
      AUCTIONEER_ROUND_PARAMS: '{"serviceFee":"0.5"}',
      AUCTIONEER_SUBMIT_TIMEOUT_MS: '5000',
    });
    expect(c).toMatchObject({
      mode: 'manual',
      http: { port: 0 },
      slotMinutes: 30,
      roundParams: { serviceFee: '0.5' },
      deadlines: { evaluateMs: DEFAULT_CONFIG.deadlines.evaluateMs, submitMs: 5000 },
    });
  });

  it('names every invalid setting', () => {
    const e = (() => {
      try {
        loadConfig({ AUCTIONEER_MODE: 'sometimes', AUCTIONEER_PORT: '70000' });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problems).toHaveLength(2);
    expect(() => loadConfig({ AUCTIONEER_SLOT_MINUTES: 'ten' })).toThrow(/AUCTIONEER_SLOT_MINUTES/);
    expect(() => resolveConfig({ slotMinutes: 7 })).toThrow(ConfigError);
  });

  it('listens on a non-loopback host only when AUCTIONEER_ALLOW_REMOTE=1 (a container)', () => {
    expect(() => loadConfig({ AUCTIONEER_HOST: '0.0.0.0' })).toThrow(
      /http\.host 0\.0\.0\.0 is not a loopback address \(set AUCTIONEER_ALLOW_REMOTE=1 to allow\)/,
    );
    expect(loadConfig({ AUCTIONEER_HOST: '0.0.0.0', AUCTIONEER_ALLOW_REMOTE: '1' }).http).toEqual({
      host: '0.0.0.0',
      port: 3100,
      allowRemote: true,
    });
    expect(loadConfig({ AUCTIONEER_HOST: 'localhost' }).http.host).toBe('localhost');
  });
});

describe('startAuctioneer (fake market)', () => {
  it('reconciles on start, serves health, readiness and metrics on 127.0.0.1, and stops', async () => {
    const m = new FakeMarket();
    m.nowMs = Date.now();
    const closesAt = new Date(m.nowMs + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await m.openRound({ id: 'r1', slot: '2026-01-01T13:00:00Z', closesAt });
    await m.submit(U1, 'r1', [
      { id: 'b1', side: 'buy', price: '20', quantity: '3' },
      { id: 's1', side: 'sell', price: '8', quantity: '2' },
    ]);
    m.nowMs += 120_000;
    await m.closeRound('r1');
    const h = await startAuctioneer(
      { mode: 'manual', http: { port: 0 } },
      { market: m, logger: pino({ level: 'silent' }) },
    );
    try {
      await h.ready;
      expect(h.isReady()).toBe(true);
      expect((await m.getRound('r1')).status).toBe('CLEARED');
      const base = `http://127.0.0.1:${h.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { reconciled: true } });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^auctioneer_rounds_cleared_total\{status="cleared"\} 1$/m);
      expect(metrics).toMatch(/^auctioneer_clearing_duration_seconds_count 1$/m);
      expect(metrics).toMatch(/^auctioneer_last_error_timestamp_seconds 0$/m);
    } finally {
      await h.stop();
    }
    await expect(fetch(`http://127.0.0.1:${h.port}/healthz`)).rejects.toThrow();
  });

  it('is not ready while the ledger cannot be read', async () => {
    const m = new FakeMarket();
    m.listRounds = () => Promise.reject(new Error('ledger down'));
    const h = await startAuctioneer(
      { mode: 'manual', http: { port: 0 }, retry: { attempts: 1 } },
      { market: m, logger: pino({ level: 'silent' }) },
    );
    try {
      await h.ready;
      expect(h.isReady()).toBe(false);
      expect((await fetch(`http://127.0.0.1:${h.port}/readyz`)).status).toBe(503);
      const metrics = await (await fetch(`http://127.0.0.1:${h.port}/metrics`)).text();
      expect(metrics).toMatch(/^auctioneer_errors_total\{op="reconcile",code="INTERNAL"\} 1$/m);
    } finally {
      await h.stop();
    }
  });
});

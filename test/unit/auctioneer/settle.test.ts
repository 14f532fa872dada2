import pino from 'pino';
import { Auctioneer } from '../../../auctioneer/src/service/auctioneer';
import { loadConfig, resolveConfig, scheduledDelivery } from '../../../auctioneer/src/service/config';
import { AuctioneerMetrics } from '../../../auctioneer/src/service/metrics';
import { settleableAtMs } from '../../../auctioneer/src/service/settle';
import { DELIVERY_DEFAULTS } from '../../../chaincode/src/delivery-params';
import { ConfigError } from '../../../engine/src/config-error';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { FakeMarket, U1, U2 } from './fake-market';
import { U1_BIDS, U2_BIDS } from '../../fixtures/vector-a-split';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const SLOT = '2026-01-01T12:30:00Z';
const CLOSES_MS = Date.parse('2026-01-01T12:15:00Z');
/** slot + 900 s + 1800 s */
const GATE_MS = Date.parse('2026-01-01T13:15:00Z');
const DELIVERY = { slotSeconds: 900, gateClosureSeconds: 1800 };

const unavailable = () => new MarketClientError('UNAVAILABLE', 'peer down', {}, undefined, true);

function make(market: FakeMarket) {
  const metrics = new AuctioneerMetrics();
  const core = new Auctioneer({
    market,
    logger: pino({ level: 'silent' }),
    metrics,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    deadlines: { evaluateMs: 1000, submitMs: 1000 },
    closeGraceMs: 0,
    now: () => market.nowMs,
  });
  return { core, metrics };
}

const metric = async (metrics: AuctioneerMetrics, name: string, label?: string): Promise<number> =>
  (await metrics.registry.getSingleMetric(name)?.get())?.values
    .filter((v) => label === undefined || Object.values(v.labels).includes(label))
    .reduce((s, v) => s + v.value, 0) ?? NaN;

/**
 * Round `id` cleared by the service (vector A split between both utilities), then metered: Utility1
 * reads every cleared bid as cleared, Utility2 sends no reading for its first cleared bid.
 */
async function clearedAndMetered(m: FakeMarket, id = 'r1', delivery: object | null = DELIVERY) {
  m.nowMs = T0;
  await m.openRound({ id, slot: SLOT, closesAt: '2026-01-01T12:15:00Z', ...(delivery ? { delivery } : {}) });
  m.nowMs = T0 + 60_000;
  await m.submit(U1, id, U1_BIDS);
  await m.submit(U2, id, U2_BIDS);
  m.nowMs = CLOSES_MS + 1000;
  const clearing = await make(m).core.closeAndClear(id);
  expect(clearing).toMatchObject({ outcome: 'committed' });
  let readings = 0;
  for (const u of [U1, U2]) {
    const lines = (await m.getSettlement(id, u)).lines.slice(u === U2 ? 1 : 0);
    if (lines.length === 0) continue;
    await m.submitReadings(
      u,
      id,
      lines.map(({ batchId, id: bidId, side, quantity }) => ({ batchId, id: bidId, side, quantity })),
    );
    readings += lines.length;
  }
  return { readings };
}

describe('auctioneer delivery settlement', () => {
  it('settles a cleared round once its gate has passed, and not before', async () => {
    const m = new FakeMarket();
    const { readings } = await clearedAndMetered(m);
    expect(readings).toBeGreaterThan(1);
    await clearedAndMetered(m, 'legacy', null); // opened without delivery parameters
    const { core, metrics } = make(m);
    m.nowMs = GATE_MS - 1000;
    expect(await core.settleDue()).toEqual([]);
    expect(await core.settle('r1')).toMatchObject({ outcome: 'not-due', status: 'CLEARED' });
    expect(m.count('settleDelivery')).toBe(0);

    m.nowMs = GATE_MS;
    const outs = await core.settleDue();
    expect(outs.map((o) => [o.roundId, o.outcome])).toEqual([['r1', 'committed']]);
    const summary = outs[0]?.outcome === 'committed' ? outs[0].summary : undefined;
    expect(summary?.readingCount).toBe(readings);
    expect(summary?.positions.map((p) => p.utility)).toEqual([U1, U2]);
    expect((await m.getRound('r1')).status).toBe('SETTLED');
    expect((await m.getRound('legacy')).status).toBe('CLEARED');
    expect(m.eventsNamed('DeliverySettled')).toHaveLength(1);
    expect(core.isDeliverySettled('r1')).toBe(true);
    expect(await metric(metrics, 'auctioneer_rounds_settled_total', 'committed')).toBe(1);
    expect(await metric(metrics, 'auctioneer_settlement_duration_seconds')).toBeGreaterThan(0);

    expect(await core.settleDue()).toEqual([]);
    expect((await core.reconcile()).length).toBe(0);
    expect(m.count('settleDelivery')).toBe(1);
    expect(await metric(metrics, 'auctioneer_errors_total')).toBe(0);
  });

  it('a commit whose answer was lost counts as done when the ledger answers ALREADY_SETTLED with our digest', async () => {
    const m = new FakeMarket();
    await clearedAndMetered(m);
    m.nowMs = GATE_MS + 5000;
    m.failNext('settleDelivery', unavailable(), true); // applied on the ledger, answer lost
    const { core, metrics } = make(m);
    const out = await core.settle('r1');
    expect(out).toMatchObject({ outcome: 'confirmed' });
    expect(m.count('settleDelivery')).toBe(2);
    expect(m.eventsNamed('DeliverySettled')).toHaveLength(1);
    expect(await metric(metrics, 'auctioneer_rounds_settled_total', 'confirmed')).toBe(1);
    expect(await metric(metrics, 'auctioneer_errors_total')).toBe(0);
    expect(core.isDeliverySettled('r1')).toBe(true);
  });

  it('a service killed after its commit applied ends, restarted, with exactly one settlement', async () => {
    const m = new FakeMarket();
    await clearedAndMetered(m);
    m.nowMs = GATE_MS + 5000;
    m.failNext('settleDelivery', new Error('process killed'), true); // committed, never acknowledged
    const first = make(m).core;
    expect(await first.settle('r1')).toMatchObject({ outcome: 'failed' });
    expect((await m.getRound('r1')).status).toBe('SETTLED');

    const restarted = make(m);
    await restarted.core.reconcile();
    expect(await restarted.core.settleDue()).toEqual([]);
    expect(await restarted.core.settle('r1')).toEqual({ roundId: 'r1', outcome: 'already-settled' });
    // the first process, still running, also finds it done on its next pass
    expect(await first.settleDue()).toEqual([]);
    expect(await first.settle('r1')).toEqual({ roundId: 'r1', outcome: 'already-settled' });
    expect(m.count('settleDelivery')).toBe(1);
    expect(m.eventsNamed('DeliverySettled')).toHaveLength(1);
    expect(await metric(restarted.metrics, 'auctioneer_errors_total')).toBe(0);
  });

  it('a service killed between computing and committing settles the round once after restart', async () => {
    const m = new FakeMarket();
    await clearedAndMetered(m);
    m.nowMs = GATE_MS + 5000;
    m.failNext('settleDelivery', new Error('process killed')); // before the commit applied
    expect(await make(m).core.settle('r1')).toMatchObject({ outcome: 'failed' });
    expect((await m.getRound('r1')).status).toBe('CLEARED');
    const restarted = make(m).core;
    await restarted.reconcile();
    expect(restarted.isDeliverySettled('r1')).toBe(true);
    expect((await m.getRound('r1')).status).toBe('SETTLED');
    expect(m.eventsNamed('DeliverySettled')).toHaveLength(1);
  });

  it('TOO_EARLY from an endorser is retried at the next pass', async () => {
    const m = new FakeMarket();
    await clearedAndMetered(m);
    m.nowMs = GATE_MS;
    m.failNext('settleDelivery', new MarketClientError('TOO_EARLY', 'endorser clock behind', {}));
    const { core, metrics } = make(m);
    expect((await core.settleDue()).map((o) => o.outcome)).toEqual(['too-early']);
    expect((await core.settleDue()).map((o) => o.outcome)).toEqual(['committed']);
    expect(await metric(metrics, 'auctioneer_errors_total')).toBe(0);
  });

  it('a digest the chaincode does not accept is reported once and not retried', async () => {
    const m = new FakeMarket();
    await clearedAndMetered(m);
    m.nowMs = GATE_MS;
    // the service's view of the round's k+ differs from the ledger's: its digest cannot match
    const realGetRound = m.getRound;
    m.getRound = async (id) => {
      const r = await realGetRound(id);
      return r.delivery ? { ...r, delivery: { ...r.delivery, shortPremium: '0.9' } } : r;
    };
    const { core, metrics } = make(m);
    const outs = await core.settleDue();
    expect(outs.map((o) => o.outcome)).toEqual(['refused']);
    expect(outs[0]?.outcome === 'refused' && (outs[0].error as MarketClientError).code).toBe(
      'SETTLEMENT_MISMATCH',
    );
    expect(await core.settleDue()).toEqual([]);
    expect(await core.settle('r1')).toMatchObject({
      outcome: 'refused',
      error: { code: 'SETTLEMENT_MISMATCH' },
    });
    expect(m.count('settleDelivery')).toBe(1);
    expect((await realGetRound('r1')).status).toBe('CLEARED');
    expect(core.refusedSettlements()).toEqual([{ roundId: 'r1', code: 'SETTLEMENT_MISMATCH' }]);
    expect(await metric(metrics, 'auctioneer_errors_total')).toBe(1);
    expect(await metric(metrics, 'auctioneer_settlements_refused')).toBe(1);
    expect(await metric(metrics, 'auctioneer_rounds_settled_total')).toBe(0);
  });

  it('ALREADY_SETTLED with another digest is an error, not done and not retried', async () => {
    const m = new FakeMarket();
    await clearedAndMetered(m);
    m.nowMs = GATE_MS;
    expect(await make(m).core.settle('r1')).toMatchObject({ outcome: 'committed' });
    // a second service that still sees the round CLEARED and computes with another k+
    const realGetRound = m.getRound;
    m.getRound = async (id) => {
      const r = await realGetRound(id);
      return {
        ...r,
        status: 'CLEARED',
        ...(r.delivery ? { delivery: { ...r.delivery, shortPremium: '0.9' } } : {}),
      };
    };
    const { core, metrics } = make(m);
    const out = await core.settle('r1');
    expect(out).toMatchObject({ outcome: 'refused' });
    expect(out.outcome === 'refused' && (out.error as MarketClientError).code).toBe('ALREADY_SETTLED');
    expect(core.isDeliverySettled('r1')).toBe(false);
    expect(await core.settle('r1')).toMatchObject({ outcome: 'refused' });
    expect(m.count('settleDelivery')).toBe(2);
    expect(await metric(metrics, 'auctioneer_errors_total')).toBe(1);
  });

  it('a reading batch that differs from its commitment is refused before committing', async () => {
    const m = new FakeMarket();
    await clearedAndMetered(m);
    m.nowMs = GATE_MS;
    const realGetReadings = m.getReadings;
    m.getReadings = async (id, u) =>
      (await realGetReadings(id, u)).map((b) => ({
        ...b,
        readings: b.readings.map((r, i) => (i === 0 ? { ...r, quantity: '0' } : r)),
      }));
    const { core } = make(m);
    const out = await core.settle('r1');
    expect(out.outcome === 'refused' && (out.error as { code: string }).code).toBe('HASH_MISMATCH');
    expect(m.count('settleDelivery')).toBe(0);
  });
});

describe('delivery parameters of scheduled rounds', () => {
  it('are validated at start with the chaincode rule and default slotSeconds to the slot length', () => {
    const c = loadConfig({
      AUCTIONEER_ROUND_DELIVERY: '{"gateClosureSeconds":1800}',
      AUCTIONEER_SLOT_MINUTES: '5',
    });
    expect(scheduledDelivery(c)).toEqual({ slotSeconds: 300, gateClosureSeconds: 1800 });
    expect(scheduledDelivery(resolveConfig())).toBeUndefined();
    const problems = (() => {
      try {
        resolveConfig({ roundDelivery: { shortPremium: '11', gateClosureSeconds: -1 } });
      } catch (e) {
        return e instanceof ConfigError ? e.problems : [];
      }
      return [];
    })();
    expect(problems).toEqual([
      expect.stringMatching(/^roundDelivery\.shortPremium /),
      expect.stringMatching(/^roundDelivery\.gateClosureSeconds /),
    ]);
    expect(() => loadConfig({ AUCTIONEER_ROUND_DELIVERY: '{' })).toThrow(ConfigError);
  });

  it('are stored on the rounds the schedule opens, which the service then settles', async () => {
    const m = new FakeMarket();
    m.nowMs = Date.parse('2026-01-01T12:50:00Z');
    const metrics = new AuctioneerMetrics();
    const core = new Auctioneer({
      market: m,
      logger: pino({ level: 'silent' }),
      metrics,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      deadlines: { evaluateMs: 1000, submitMs: 1000 },
      closeGraceMs: 0,
      now: () => m.nowMs,
      schedule: {
        slotMinutes: 15,
        gateClosureSeconds: 300,
        openAheadSlots: 1,
        minBiddingMs: 60_000,
        roundDelivery: { slotSeconds: 900, gateClosureSeconds: 600 },
      },
    });
    await core.openScheduled();
    const [round] = await m.listRounds('OPEN');
    expect(round?.delivery).toEqual({ ...DELIVERY_DEFAULTS, slotSeconds: 900, gateClosureSeconds: 600 });
    expect(round && settleableAtMs(round)).toBe(Date.parse('2026-01-01T13:25:00Z'));
    await core.stop();
  });
});

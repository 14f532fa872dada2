import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { canonicalJson, clearRound } from '../../../engine/src/mechanism';
import { Auctioneer } from '../../../auctioneer/src/service/auctioneer';
import { AuctioneerMetrics } from '../../../auctioneer/src/service/metrics';
import { AuctioneerError, prepareClearing } from '../../../auctioneer/src/service/prepare';
import { assembleRoundInput } from '../../../chaincode/src/assemble';
import { batchIdOf } from '../../../chaincode/src/bids';
import { sha256Hex } from '../../../chaincode/src/codec';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { DEFAULT_SALT, FakeMarket, U1, U2 } from './fake-market';
import { U1_BIDS, U2_BIDS } from '../../fixtures/vector-a-split';

const PARAMS = { profile: 'default', alpha: '4', gridStep: '0.1', serviceFee: '0' } as const;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const CLOSES = '2026-01-01T12:15:00Z';
const CLOSES_MS = Date.parse(CLOSES);

const unavailable = () => new MarketClientError('UNAVAILABLE', 'peer down', {}, undefined, true);

function make(market: FakeMarket, extra: Partial<ConstructorParameters<typeof Auctioneer>[0]> = {}) {
  const metrics = new AuctioneerMetrics();
  const core = new Auctioneer({
    market,
    logger: pino({ level: 'silent' }),
    metrics,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    deadlines: { evaluateMs: 1000, submitMs: 1000 },
    closeGraceMs: 1000,
    now: () => market.nowMs,
    ...extra,
  });
  return { core, metrics };
}

/** Round r1 open with vector A split between both utilities. */
async function openWithBids(m: FakeMarket, id = 'r1'): Promise<void> {
  m.nowMs = T0;
  await m.openRound({ id, slot: '2026-01-01T12:30:00Z', closesAt: CLOSES });
  m.nowMs = T0 + 60_000;
  await m.submit(U1, id, U1_BIDS);
  await m.submit(U2, id, U2_BIDS);
}

async function closedWithBids(m: FakeMarket, id = 'r1'): Promise<void> {
  await openWithBids(m, id);
  m.nowMs = CLOSES_MS + 2000;
  await m.closeRound(id);
}

/** The clearing of openWithBids's batches (the fake market's default salt), assembled as the chaincode does. */
const expectedJson = () =>
  canonicalJson(
    clearRound(
      assembleRoundInput(
        PARAMS,
        [
          { utility: U1, bids: U1_BIDS },
          { utility: U2, bids: U2_BIDS },
        ].map((b) => ({ ...b, batchId: batchIdOf('r1', b.utility, DEFAULT_SALT) })),
      ).input,
    ),
  );

const metric = async (metrics: AuctioneerMetrics, name: string): Promise<number> =>
  (await metrics.registry.getSingleMetric(name)?.get())?.values.reduce((s, v) => s + v.value, 0) ?? NaN;

describe('auctioneer clearing', () => {
  it('commits exactly the mechanism result of the committed bids', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    const { core, metrics } = make(m);
    const out = await core.clear('r1');
    expect(out.outcome).toBe('committed');
    const stored = await m.result('r1');
    expect(stored.resultDigest).toBe(sha256Hex(expectedJson()));
    expect(stored.price).toBe('14.1');
    expect(m.eventsNamed('RoundCleared')).toHaveLength(1);
    expect(await metric(metrics, 'auctioneer_rounds_cleared_total')).toBe(1);
  });

  it('shares one clearing between concurrent triggers and never repeats a settled round', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    const { core } = make(m);
    const closedEvent = new TextEncoder().encode(
      JSON.stringify({ roundId: 'r1', batchCount: 2, bidCount: 8 }),
    );
    const outs = await Promise.all([
      core.clear('r1'),
      core.onChaincodeEvent('RoundClosed', closedEvent),
      core.clear('r1'),
    ]);
    expect(m.count('commitClearing')).toBe(1);
    expect(outs[0]).toBe(outs[2]);
    const again = await core.clear('r1');
    expect(again.outcome).toBe('already-cleared');
    expect(m.count('commitClearing')).toBe(1);
    expect(m.count('getRound')).toBe(1);
  });

  it('a restarted service finds the round cleared and commits nothing', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    await make(m).core.clear('r1');
    const restarted = make(m).core;
    expect(await restarted.reconcile()).toEqual([]);
    expect((await restarted.clear('r1')).outcome).toBe('already-cleared');
    expect(m.count('commitClearing')).toBe(1);
    expect(m.eventsNamed('RoundCleared')).toHaveLength(1);
  });

  it('a commit whose answer was lost is retried and settles once (idempotent commit)', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    m.failNext('commitClearing', unavailable(), true); // applied on the ledger, answer lost
    const { core } = make(m);
    const out = await core.clear('r1');
    expect(out.outcome).toBe('committed');
    expect(m.count('commitClearing')).toBe(2);
    expect(m.eventsNamed('RoundCleared')).toHaveLength(1);
  });

  it('retries retryable errors only: CONFLICT is reported, not retried', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    m.failNext('commitClearing', new MarketClientError('CONFLICT', 'different result stored'));
    const failures: [string, unknown][] = [];
    const { core, metrics } = make(m, { onClearFailed: (id, e) => failures.push([id, e]) });
    const out = await core.clear('r1');
    expect(out.outcome).toBe('failed');
    expect(out.outcome === 'failed' && (out.error as MarketClientError).code).toBe('CONFLICT');
    // the bench's hook sees the failed attempt with its error
    expect(failures).toEqual([['r1', out.outcome === 'failed' && out.error]]);
    expect(m.count('commitClearing')).toBe(1);
    expect(await metric(metrics, 'auctioneer_errors_total')).toBe(1);
    expect(await metric(metrics, 'auctioneer_last_error_timestamp_seconds')).toBeGreaterThan(0);
    // not marked settled: a later attempt may clear it
    expect((await core.clear('r1')).outcome).toBe('committed');
    expect(failures).toHaveLength(1);
  });

  it('gives up after the retry budget and clears on a later attempt', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    for (let i = 0; i < 3; i++) m.failNext('getCommitments', unavailable());
    const { core } = make(m);
    expect((await core.clear('r1')).outcome).toBe('failed');
    expect(m.count('getCommitments')).toBe(3);
    expect(m.count('commitClearing')).toBe(0);
    expect((await core.clear('r1')).outcome).toBe('committed');
  });

  it('spaces out the reconciliation of a round whose clearing fails non-retryably, not of one whose peer is down', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    // what a round too large for the chaincode's execute timeout answers, twice
    const timeout = () => new MarketClientError('UNKNOWN', 'timeout expired while executing transaction');
    m.failNext('commitClearing', timeout());
    m.failNext('commitClearing', timeout());
    const { core } = make(m);
    const t0 = m.nowMs;
    const outcomes = async () => (await core.reconcile()).map((o) => o.outcome);
    expect(await outcomes()).toEqual(['failed']);
    expect(await outcomes()).toEqual(['deferred']); // at once: not tried again
    m.nowMs = t0 + 29_999;
    expect(await outcomes()).toEqual(['deferred']);
    m.nowMs = t0 + 30_000;
    expect(await outcomes()).toEqual(['failed']); // second failure: twice the wait
    m.nowMs = t0 + 30_000 + 59_999;
    expect((await core.reconcile())[0]).toMatchObject({ outcome: 'deferred', failures: 2 });
    expect(m.count('commitClearing')).toBe(2);
    m.nowMs = t0 + 90_000;
    expect(await outcomes()).toEqual(['committed']);

    // a peer that does not answer defers nothing: the next reconciliation tries again
    const m2 = new FakeMarket();
    await closedWithBids(m2);
    for (let i = 0; i < 3; i++) m2.failNext('getCommitments', unavailable());
    const second = make(m2).core;
    expect((await second.reconcile()).map((o) => o.outcome)).toEqual(['failed']);
    expect((await second.reconcile()).map((o) => o.outcome)).toEqual(['committed']);
  });

  it('refuses to commit when a batch does not match its public hash', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    m.batchFilter = (bs) =>
      bs.map((b) => ({ ...b, bids: b.bids.map((x) => (x.id === 'b1' ? { ...x, price: '19' } : x)) }));
    const { core, metrics } = make(m);
    const out = await core.clear('r1');
    expect(out.outcome).toBe('failed');
    expect(out.outcome === 'failed' && out.error).toBeInstanceOf(AuctioneerError);
    expect(out.outcome === 'failed' && (out.error as AuctioneerError).code).toBe('HASH_MISMATCH');
    expect(m.count('commitClearing')).toBe(0);
    expect((await m.getRound('r1')).status).toBe('CLOSED');
    expect(await metric(metrics, 'auctioneer_errors_total')).toBe(1);
  });

  it('refuses to commit when a committed batch is missing', async () => {
    const m = new FakeMarket();
    await closedWithBids(m);
    m.batchFilter = (bs) => bs.filter((b) => b.utility !== U2);
    await expect(prepareClearing(m, await m.getRound('r1'))).rejects.toMatchObject({ code: 'BATCH_MISSING' });
  });

  it('does not clear a round that is still open', async () => {
    const m = new FakeMarket();
    await openWithBids(m);
    const { core } = make(m);
    expect(await core.clear('r1')).toMatchObject({ outcome: 'not-closed', status: 'OPEN' });
    expect(m.count('commitClearing')).toBe(0);
  });
});

describe('auctioneer catch-up and schedule', () => {
  afterEach(() => jest.useRealTimers());

  it('on start closes overdue open rounds, arms timers for the others, clears closed ones', async () => {
    const m = new FakeMarket();
    await openWithBids(m, 'overdue');
    await closedWithBids(m, 'closed');
    m.nowMs = T0;
    await m.openRound({ id: 'future', slot: '2026-01-01T13:00:00Z', closesAt: '2026-01-01T12:45:00Z' });
    m.nowMs = CLOSES_MS + 5000;
    const { core, metrics } = make(m);
    const outcomes = await core.reconcile();
    expect(outcomes.map((o) => [o.roundId, o.outcome])).toEqual([
      ['closed', 'committed'],
      ['overdue', 'committed'],
    ]);
    expect((await m.getRound('future')).status).toBe('OPEN');
    expect(core.pendingCloses()).toEqual(['future']);
    expect(await metric(metrics, 'auctioneer_rounds_closed_total')).toBe(1);
    expect(m.eventsNamed('RoundCleared')).toHaveLength(2);
    await core.stop();
    expect(core.pendingCloses()).toEqual([]);
  });

  it('closes a round when its timer fires and then clears it', async () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const m = new FakeMarket();
    await openWithBids(m);
    const { core } = make(m);
    m.nowMs = CLOSES_MS - 10_000;
    core.scheduleClose('r1', CLOSES_MS);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(m.count('closeRound')).toBe(0);
    m.nowMs = CLOSES_MS + 1000;
    await jest.advanceTimersByTimeAsync(6_100);
    jest.useRealTimers();
    for (let i = 0; i < 50 && !core.isSettled('r1'); i++) await sleep(10);
    expect(m.count('closeRound')).toBe(1);
    expect((await m.getRound('r1')).status).toBe('CLEARED');
    await core.stop();
  });

  it('the timer and a reconciliation closing the same round at once share one CloseRound', async () => {
    const m = new FakeMarket();
    await openWithBids(m);
    m.nowMs = CLOSES_MS + 2000;
    const { core } = make(m);
    const [a, b] = await Promise.all([core.closeRound('r1'), core.closeRound('r1')]);
    expect([a, b]).toEqual(['closed', 'closed']);
    expect(m.count('closeRound')).toBe(1);
    // once done, a later call is a new attempt (the ledger says it is closed already)
    expect(await core.closeRound('r1')).toBe('already-closed');
    expect(m.count('closeRound')).toBe(2);
    await core.stop();
  });

  it('re-arms the timer when the chaincode says it is too early', async () => {
    const m = new FakeMarket();
    await openWithBids(m);
    m.nowMs = CLOSES_MS - 500; // our clock is behind the round's close
    const { core } = make(m);
    expect(await core.closeRound('r1')).toBe('too-early');
    expect(core.pendingCloses()).toEqual(['r1']);
    await core.stop();
  });

  it('opens the scheduled slots once; a second instance treats CONFLICT as already open', async () => {
    const m = new FakeMarket();
    m.nowMs = Date.parse('2026-01-01T12:50:00Z');
    const schedule = { slotMinutes: 15, gateClosureSeconds: 300, openAheadSlots: 2, minBiddingMs: 60_000 };
    const a = make(m, { schedule });
    await a.core.openScheduled();
    await a.core.openScheduled();
    expect(m.count('openRound')).toBe(2);
    expect((await m.listRounds('OPEN')).map((r) => [r.id, r.closesAt])).toEqual([
      ['slot-20260101T1300Z', '2026-01-01T12:55:00Z'],
      ['slot-20260101T1315Z', '2026-01-01T13:10:00Z'],
    ]);
    expect(await metric(a.metrics, 'auctioneer_rounds_opened_total')).toBe(2);
    const b = make(m, { schedule });
    await b.core.openScheduled();
    expect(m.count('openRound')).toBe(4);
    expect(await metric(b.metrics, 'auctioneer_errors_total')).toBe(0);
    expect(b.core.pendingCloses()).toEqual(['slot-20260101T1300Z', 'slot-20260101T1315Z']);
    await a.core.stop();
    await b.core.stop();
  });

  it('manual mode opens nothing', async () => {
    const m = new FakeMarket();
    await make(m).core.openScheduled();
    expect(m.count('openRound')).toBe(0);
  });
});

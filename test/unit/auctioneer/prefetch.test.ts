import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Auctioneer } from '../../../auctioneer/src/service/auctioneer';
import { loadConfig } from '../../../auctioneer/src/service/config';
import { AuctioneerMetrics } from '../../../auctioneer/src/service/metrics';
import { Prefetcher } from '../../../auctioneer/src/service/prefetch';
import { AuctioneerError, prepareClearing } from '../../../auctioneer/src/service/prepare';
import { SealedBatchCache } from '../../../auctioneer/src/service/sealed-cache';
import type { WireBid } from '../../../engine/src/mechanism/types';
import { FakeMarket, U1, U2 } from './fake-market';
import { U1_BIDS, U2_BIDS } from '../../fixtures/vector-a-split';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const CLOSES = '2026-01-01T12:15:00Z';
const direct = <T>(_what: string, fn: () => Promise<T>) => fn();
const quiet = pino({ level: 'silent' });

/** Waits until `ok()` (polled every 10 ms), failing after `ms`: timers on a loaded machine are late. */
async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Round r1 open, with Utility1's batch in it. */
async function openWithU1(m: FakeMarket): Promise<void> {
  m.nowMs = T0;
  await m.openRound({ id: 'r1', slot: '2026-01-01T12:30:00Z', closesAt: CLOSES });
  m.nowMs = T0 + 60_000;
  await m.submit(U1, 'r1', U1_BIDS);
}

/** Batch ids each getBatchesById call asked for. */
function recordReads(m: FakeMarket): string[][] {
  const asked: string[][] = [];
  const read = m.getBatchesById;
  m.getBatchesById = (id, utility, ids) => {
    asked.push([...ids]);
    return read(id, utility, ids);
  };
  return asked;
}

describe('sealed batches read ahead of the close', () => {
  test('the clearing reads only the batches committed after the read-ahead, and clears the same', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    const cache = new SealedBatchCache();
    expect((await cache.fill(m, 'r1', direct)).added).toBe(1);
    expect((await cache.fill(m, 'r1', direct)).added).toBe(0); // nothing new: nothing read
    const late = await m.submit(U2, 'r1', U2_BIDS);
    m.nowMs = Date.parse(CLOSES) + 1000;
    const round = await m.closeRound('r1');
    const asked = recordReads(m);
    const withCache = await prepareClearing(m, round, direct, cache);
    expect(asked).toEqual([[late.batchId]]);
    expect(withCache.prefetchedBatches).toBe(1);
    const without = await prepareClearing(m, round, direct);
    expect(without.prefetchedBatches).toBe(0);
    expect(withCache.resultDigest).toBe(without.resultDigest);
    expect(withCache.bidCount).toBe(8);
  });

  test('a clearing ahead is used only when the round closed with exactly its commitments', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    await m.submit(U2, 'r1', U2_BIDS);
    const cache = new SealedBatchCache();
    const { commitments } = await cache.fill(m, 'r1', direct);
    const open = await m.getRound('r1');
    expect(cache.preclear(open, commitments)).toBe(true);
    expect(cache.preclear(open, commitments)).toBe(false); // once per set of commitments
    m.nowMs = Date.parse(CLOSES) + 1000;
    const round = await m.closeRound('r1');
    const asked = recordReads(m);
    const ahead = await prepareClearing(m, round, direct, cache);
    expect(ahead.precleared).toBe(true);
    expect(asked).toEqual([]);
    const again = await prepareClearing(m, round, direct);
    expect(again.precleared).toBe(false);
    expect(ahead.resultDigest).toBe(again.resultDigest);
    // other params or another order of the same batches: cleared again
    expect(
      cache.precleared({ ...round, params: { ...round.params, serviceFee: '1' } }, commitments),
    ).toBeUndefined();
    expect(cache.precleared(round, [...commitments].reverse())).toBeUndefined();
    expect(cache.precleared(round, commitments.slice(0, 1))).toBeUndefined();
  });

  test('a batch committed after the clearing ahead makes the clearing clear again, with it', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    const cache = new SealedBatchCache();
    const { commitments } = await cache.fill(m, 'r1', direct);
    expect(cache.preclear(await m.getRound('r1'), commitments)).toBe(true);
    await m.submit(U2, 'r1', U2_BIDS);
    m.nowMs = Date.parse(CLOSES) + 1000;
    const round = await m.closeRound('r1');
    const prepared = await prepareClearing(m, round, direct, cache);
    expect(prepared.precleared).toBe(false);
    expect(prepared.prefetchedBatches).toBe(1);
    expect(prepared.bidCount).toBe(8);
    expect(prepared.resultDigest).toBe((await prepareClearing(m, round, direct)).resultDigest);
  });

  test('a batch that does not match its commitment is not kept', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    m.batchFilter = (bs) =>
      bs.map((b) => ({ ...b, bids: b.bids.map((x: WireBid) => ({ ...x, price: '1' })) }));
    const cache = new SealedBatchCache();
    await expect(cache.fill(m, 'r1', direct)).rejects.toBeInstanceOf(AuctioneerError);
    expect(cache.size('r1')).toBe(0);
  });

  test('a cached batch serves only the commitment it was verified against (utility, id and hash)', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    const cache = new SealedBatchCache();
    await cache.fill(m, 'r1', direct);
    const [c] = await m.getCommitments('r1');
    expect(cache.get('r1', c!)).toBeDefined();
    expect(cache.get('r1', { ...c!, hash: '0'.repeat(64) })).toBeUndefined();
    expect(cache.get('r1', { ...c!, utility: U2 })).toBeUndefined();
    expect(cache.get('r2', c!)).toBeUndefined();
  });

  test('the prefetcher reads in the window before closesAt, every interval, and not after it', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    const closesAtMs = Date.now() + 3000;
    const p = new Prefetcher({ leadMs: 10_000, intervalMs: 50, market: m, logger: quiet, now: Date.now });
    p.arm('r1', closesAtMs);
    await until('the first read', () => p.cache.size('r1') === 1);
    await m.submit(U2, 'r1', U2_BIDS);
    await until('the batch submitted since', () => p.cache.size('r1') === 2);
    expect(Date.now()).toBeLessThan(closesAtMs);
    await sleep(closesAtMs - Date.now() + 100);
    const reads = m.count('getCommitments');
    await sleep(200);
    expect(m.count('getCommitments')).toBe(reads);
    await p.stop();
  });

  test('lead 0 never reads ahead; a round armed far ahead is not read yet', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    const off = new Prefetcher({ leadMs: 0, intervalMs: 50, market: m, logger: quiet, now: Date.now });
    off.arm('r1', Date.now() + 100);
    const later = new Prefetcher({ leadMs: 100, intervalMs: 50, market: m, logger: quiet, now: Date.now });
    later.arm('r1', Date.now() + 60_000);
    await sleep(200);
    expect(m.count('getCommitments')).toBe(0);
    await Promise.all([off.stop(), later.stop()]);
  });

  test('the service clears with the batches it read ahead, and with the clearing ahead when nothing came after', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    await m.submit(U2, 'r1', U2_BIDS);
    const cleared: [number, boolean][] = [];
    const core = new Auctioneer({
      market: m,
      logger: quiet,
      metrics: new AuctioneerMetrics(),
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      deadlines: { evaluateMs: 1000, submitMs: 1000 },
      closeGraceMs: 0,
      prefetch: { leadMs: 60_000, intervalMs: 20 },
      onCleared: (c) => cleared.push([c.prepared.prefetchedBatches, c.prepared.precleared]),
    });
    core.scheduleClose('r1', Date.now() + 60_000);
    await until('both batches read ahead', () => core.prefetchedBatches('r1') === 2);
    // the next read finds nothing new and clears ahead (an interval later)
    await until('the clearing ahead', () => m.count('getRound') === 1);
    await sleep(100);
    m.nowMs = Date.parse(CLOSES) + 1000;
    await m.closeRound('r1');
    expect((await core.clear('r1')).outcome).toBe('committed');
    expect(cleared).toEqual([[2, true]]);
    expect(core.prefetchedBatches('r1')).toBe(0); // dropped once cleared
    await core.stop();
  });
});

describe('read-ahead settings', () => {
  test('defaults 10 s ahead every second; the environment sets them; a bad value is refused', () => {
    expect(loadConfig({})).toMatchObject({ prefetchLeadMs: 10_000, prefetchIntervalMs: 1000 });
    expect(
      loadConfig({ AUCTIONEER_PREFETCH_LEAD_MS: '0', AUCTIONEER_PREFETCH_INTERVAL_MS: '250' }),
    ).toMatchObject({ prefetchLeadMs: 0, prefetchIntervalMs: 250 });
    expect(() => loadConfig({ AUCTIONEER_PREFETCH_LEAD_MS: '-1' })).toThrow(/prefetchLeadMs/);
    expect(() => loadConfig({ AUCTIONEER_PREFETCH_INTERVAL_MS: '0' })).toThrow(/prefetchIntervalMs/);
  });
});

describe('read-ahead far in the future', () => {
  test('a round closing in a month is not read now (no timer overflow firing at once)', async () => {
    const m = new FakeMarket();
    await openWithU1(m);
    const p = new Prefetcher({ leadMs: 10_000, intervalMs: 50, market: m, logger: quiet, now: Date.now });
    p.arm('r1', Date.now() + 31 * 24 * 3600_000);
    await sleep(100);
    expect(m.count('getCommitments')).toBe(0);
    await p.stop();
  });
});

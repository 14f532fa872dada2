import { tooEarlyRetryMs } from '../../../auctioneer/src/service/auctioneer';
import { DEFAULT_CONFIG, loadConfig, resolveConfig } from '../../../auctioneer/src/service/config';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS, MAX_CLOCK_SKEW_ENV } from '../../../chaincode/src/clock-guard';
import { ConfigError } from '../../../engine/src/config-error';

describe('close timing (docs/clock.md)', () => {
  it('closes at closesAt by default: the endorsers clock guard makes a grace unnecessary', () => {
    expect(DEFAULT_CONFIG.closeGraceMs).toBe(0);
    expect(loadConfig({}).closeGraceMs).toBe(0);
  });

  it('bounds the grace by the chaincode servers skew bound, read from the same variable', () => {
    const bound = DEFAULT_MAX_CLOCK_SKEW_SECONDS * 1000;
    expect(loadConfig({ AUCTIONEER_CLOSE_GRACE_MS: String(bound) }).closeGraceMs).toBe(bound);
    expect(() => loadConfig({ AUCTIONEER_CLOSE_GRACE_MS: String(bound + 1) })).toThrow(/closeGraceMs/);
    expect(loadConfig({ AUCTIONEER_CLOSE_GRACE_MS: '9000', [MAX_CLOCK_SKEW_ENV]: '10' }).closeGraceMs).toBe(
      9000,
    );
    expect(() => loadConfig({ [MAX_CLOCK_SKEW_ENV]: '0' })).toThrow(ConfigError);
    expect(() => resolveConfig({ closeGraceMs: 2001 }, 2)).toThrow(/at most/);
    expect(resolveConfig({ closeGraceMs: 2000 }, 2).closeGraceMs).toBe(2000);
  });

  it('retries a TOO_EARLY close when the refusing endorser reaches closesAt by its clock', () => {
    const closesAt = '2026-01-01T12:15:00Z';
    expect(tooEarlyRetryMs({ closesAt, endorserTime: '2026-01-01T12:14:59.750Z' })).toBe(251);
    expect(tooEarlyRetryMs({ closesAt, endorserTime: '2026-01-01T12:15:00.000Z' })).toBe(1);
    // the txTime check says nothing of the endorser's clock: a short fixed retry
    expect(tooEarlyRetryMs({ closesAt, txTime: '2026-01-01T12:14:59Z' })).toBe(20);
    expect(tooEarlyRetryMs({})).toBe(20);
  });
});

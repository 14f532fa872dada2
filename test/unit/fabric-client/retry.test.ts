import { backoffDelay, isRetryable, withDeadline, withRetry } from '../../../fabric-client/src/retry';
import { AuctioneerError } from '../../../auctioneer/src/service/prepare';
import { MarketClientError } from '../../../fabric-client/src/market-client';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
const noWait = async () => {};
const unavailable = () => new MarketClientError('UNAVAILABLE', 'down', {}, undefined, true);
const commitFailed = () => new MarketClientError('COMMIT_FAILED', 'mvcc', {}, 'tx1', true);

describe('retry', () => {
  it('retries UNAVAILABLE and COMMIT_FAILED until success', async () => {
    const errors = [unavailable(), commitFailed()];
    const delays: number[] = [];
    let calls = 0;
    const out = await withRetry(
      () => {
        calls++;
        const e = errors.shift();
        return e ? Promise.reject(e) : Promise.resolve('ok');
      },
      policy,
      (_e, _a, d) => delays.push(d),
      noWait,
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it.each([
    ['CONFLICT', new MarketClientError('CONFLICT', 'x')],
    ['CLEARING_MISMATCH', new MarketClientError('CLEARING_MISMATCH', 'x')],
    ['HASH_MISMATCH (local)', new AuctioneerError('HASH_MISMATCH', 'x')],
    ['plain Error', new Error('boom')],
  ])('does not retry %s and rethrows it unchanged', async (_n, err) => {
    let calls = 0;
    const p = withRetry(
      () => {
        calls++;
        return Promise.reject(err);
      },
      policy,
      undefined,
      noWait,
    );
    await expect(p).rejects.toBe(err);
    expect(calls).toBe(1);
  });

  it('gives up after the attempts and rethrows the last error', async () => {
    let calls = 0;
    const last = unavailable();
    const p = withRetry(
      () => {
        calls++;
        return Promise.reject(calls === policy.attempts ? last : unavailable());
      },
      policy,
      undefined,
      noWait,
    );
    await expect(p).rejects.toBe(last);
    expect(calls).toBe(policy.attempts);
  });

  it('backs off exponentially with a cap', () => {
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
  });

  it('turns a missed deadline into a retryable UNAVAILABLE', async () => {
    const e = await withDeadline(new Promise(() => {}), 20, 'getRound').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MarketClientError);
    expect((e as MarketClientError).code).toBe('UNAVAILABLE');
    expect(isRetryable(e)).toBe(true);
    await expect(withDeadline(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});

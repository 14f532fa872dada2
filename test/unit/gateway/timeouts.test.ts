import { DEFAULT_CONFIG, loadConfig } from '../../../gateway/src/api/config';
import { apiTimeouts, until } from '../../../gateway/src/api/timeouts';
import { DEFAULT_DEADLINES } from '../../../fabric-client/src/connect';

describe('API timeouts', () => {
  it('answers within 20 s by default, and the Fabric deadlines of a bid fit inside that', () => {
    expect(DEFAULT_CONFIG.requestTimeoutMs).toBe(20_000);
    expect(loadConfig({}).requestTimeoutMs).toBe(20_000);
    for (const t of [200, 5_000, 20_000, 120_000]) {
      const { deadlines: d, attemptTimeoutMs, answerMarginMs } = apiTimeouts(t);
      // one attempt, after the reads before it, answers before the batcher's deadline
      expect(d.endorse + d.submit + d.commitStatus).toBeLessThan(attemptTimeoutMs);
      expect(d.evaluate + attemptTimeoutMs).toBeLessThan(t - answerMarginMs);
      expect(answerMarginMs).toBeGreaterThan(0);
    }
    // the network's defaults (endorse 30 s, submit 15 s, commit status 60 s) would not
    const { deadlines } = apiTimeouts(20_000);
    expect(deadlines.commitStatus).toBeLessThan(DEFAULT_DEADLINES.commitStatus);
    expect(deadlines).toEqual({ evaluate: 3_000, endorse: 4_000, submit: 3_000, commitStatus: 6_000 });
  });

  it('until() rejects at the deadline and passes a settled value through', async () => {
    await expect(until(Promise.resolve(1), Date.now() + 50, () => new Error('late'))).resolves.toBe(1);
    // on fake timers (Date.now included): not a millisecond early, and at the deadline (a wall
    // clock bound was flaky on a loaded machine)
    jest.useFakeTimers();
    try {
      let outcome = 'pending';
      const p = until(new Promise(() => undefined), Date.now() + 30, () => new Error('late')).catch(
        (e: unknown) => {
          outcome = e instanceof Error ? e.message : String(e);
        },
      );
      await jest.advanceTimersByTimeAsync(29);
      expect(outcome).toBe('pending');
      await jest.advanceTimersByTimeAsync(1);
      await p;
      expect(outcome).toBe('late');
    } finally {
      jest.useRealTimers();
    }
  });
});

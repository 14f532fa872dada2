/** ClearedSidesCache: a utility's cleared bids of a round are read once, bounded, never a failure. */
import type { Settlement } from '../../../chaincode/src/model';
import { ClearedSidesCache } from '../../../gateway/src/api/readings';

const settlement = (roundId: string, n: number): Settlement => ({
  roundId,
  utility: 'U1',
  lines: Array.from({ length: n }, (_, i) => ({
    batchId: '0123456789abcdef',
    id: `b${i}`,
    side: i % 2 ? 'sell' : 'buy',
    quantity: '1',
    payment: '1.0000000',
  })),
});

describe('ClearedSidesCache', () => {
  it("reads a round's settlement once per utility and answers the sides from then on", async () => {
    const cache = new ClearedSidesCache();
    const read = jest.fn(() => Promise.resolve(settlement('r1', 3)));
    const first = await cache.get('U1', 'r1', read);
    const again = await cache.get('U1', 'r1', read);
    expect(read).toHaveBeenCalledTimes(1);
    expect(again).toBe(first);
    expect([...first]).toEqual([
      ['0123456789abcdef/b0', 'buy'],
      ['0123456789abcdef/b1', 'sell'],
      ['0123456789abcdef/b2', 'buy'],
    ]);
    await cache.get('U2', 'r1', read);
    expect(read).toHaveBeenCalledTimes(2); // another utility's own read
  });

  it('keeps neither an empty settlement nor a failed read', async () => {
    const cache = new ClearedSidesCache();
    const empty = jest.fn(() => Promise.resolve(settlement('r1', 0)));
    expect((await cache.get('U1', 'r1', empty)).size).toBe(0);
    await cache.get('U1', 'r1', empty);
    expect(empty).toHaveBeenCalledTimes(2);
    const failing = jest.fn(() => Promise.reject(new Error('UNAVAILABLE')));
    await expect(cache.get('U1', 'r2', failing)).rejects.toThrow('UNAVAILABLE');
    const ok = jest.fn(() => Promise.resolve(settlement('r2', 1)));
    expect((await cache.get('U1', 'r2', ok)).size).toBe(1);
    expect(ok).toHaveBeenCalledTimes(1);
  });

  it('holds at most `max` rounds, dropping the least recently used', async () => {
    const cache = new ClearedSidesCache(2);
    const reads: string[] = [];
    const reader = (id: string) => () => {
      reads.push(id);
      return Promise.resolve(settlement(id, 1));
    };
    await cache.get('U1', 'a', reader('a'));
    await cache.get('U1', 'b', reader('b'));
    await cache.get('U1', 'a', reader('a')); // a is now the most recent
    await cache.get('U1', 'c', reader('c')); // drops b
    await cache.get('U1', 'a', reader('a'));
    await cache.get('U1', 'b', reader('b'));
    expect(reads).toEqual(['a', 'b', 'c', 'b']);
  });
});

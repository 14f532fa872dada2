import { MAX_SIMULATED_BIDS, SimulateOptionsError, simulateRound } from '../../../../engine/src/sim/simulate';
import type { WireBid } from '../../../../engine/src/mechanism/types';

const decimalsOf = (s: string): number => (s.includes('.') ? (s.split('.')[1] ?? '').length : 0);
/** exact comparison of non-negative decimal strings via scaled BigInt (no floats) */
const units = (s: string, d: number): bigint => {
  const [w, f = ''] = s.split('.');
  return BigInt((w ?? '') + f.padEnd(d, '0'));
};

/** Asserts every value is canonical, in [min, max] and has at most maxDecimals decimals. */
function expectInRange(values: string[], min: string, max: string, decimals: number, maxDecimals: number) {
  const lo = units(min, decimals);
  const hi = units(max, decimals);
  const bad = values.filter((v) => {
    if (!/^\d+(\.\d*[1-9])?$/.test(v) || decimalsOf(v) > maxDecimals) return true;
    const u = units(v, decimals);
    return u < lo || u > hi;
  });
  expect(bad).toEqual([]);
  expect(values.length).toBeGreaterThan(0);
}

describe('simulateRound', () => {
  it('is byte-identical for the same seed', () => {
    const a = JSON.stringify(simulateRound({ buyers: 200, sellers: 150, seed: 42 }));
    const b = JSON.stringify(simulateRound({ buyers: 200, sellers: 150, seed: 42 }));
    expect(a).toBe(b);
  });

  it('differs for different seeds', () => {
    const a = simulateRound({ buyers: 50, sellers: 50, seed: 1 });
    const b = simulateRound({ buyers: 50, sellers: 50, seed: 2 });
    expect(JSON.stringify(a.bids)).not.toBe(JSON.stringify(b.bids));
    // and not just one value: most bids differ
    const same = a.bids.filter((x, i) => JSON.stringify(x) === JSON.stringify(b.bids[i])).length;
    expect(same).toBeLessThan(10);
  });

  it('has exact counts, ids, sides and the round alpha', () => {
    const r = simulateRound({ buyers: 7, sellers: 3, seed: 9 });
    expect(r.params).toEqual({ alpha: '4' });
    expect(r.bids.map((b) => b.id)).toEqual([
      'b0000001',
      'b0000002',
      'b0000003',
      'b0000004',
      'b0000005',
      'b0000006',
      'b0000007',
      's0000001',
      's0000002',
      's0000003',
    ]);
    expect(r.bids.filter((b) => b.side === 'buy')).toHaveLength(7);
    expect(r.bids.filter((b) => b.side === 'sell')).toHaveLength(3);
    for (const b of r.bids) expect(b.alpha).toBeUndefined();
    expect(simulateRound({ buyers: 0, sellers: 0, seed: 0 }).bids).toEqual([]);
  });

  it('keeps the default (Doan et al.) ranges and decimals', () => {
    const r = simulateRound({ buyers: 3000, sellers: 3000, seed: 7 });
    const buys = r.bids.filter((b) => b.side === 'buy');
    const sells = r.bids.filter((b) => b.side === 'sell');
    expectInRange(
      buys.map((b) => b.price),
      '14',
      '22',
      4,
      1,
    );
    expectInRange(
      sells.map((b) => b.price),
      '5',
      '13',
      4,
      1,
    );
    expectInRange(
      r.bids.map((b) => b.quantity),
      '0.1',
      '5',
      3,
      3,
    );
    // the whole range is used: both ends are reachable and hit in 3000 draws
    const prices = new Set(buys.map((b) => b.price));
    expect(prices.has('14')).toBe(true);
    expect(prices.has('22')).toBe(true);
    expect(prices.size).toBe(81);
    expect(r.bids.some((b) => decimalsOf(b.quantity) === 3)).toBe(true);
    expect(buys.some((b) => decimalsOf(b.price) === 1)).toBe(true);
  });

  it('honours custom ranges and decimals', () => {
    const r = simulateRound({
      buyers: 500,
      sellers: 500,
      seed: 3,
      buyPrice: { min: '30', max: '31' },
      sellPrice: { min: '1.5', max: '2.5' },
      quantity: { min: '1', max: '2' },
      priceDecimals: 2,
      quantityDecimals: 1,
      alpha: '0.5',
    });
    expect(r.params?.alpha).toBe('0.5');
    const byside = (s: WireBid['side']) => r.bids.filter((b) => b.side === s);
    expectInRange(
      byside('buy').map((b) => b.price),
      '30',
      '31',
      4,
      2,
    );
    expectInRange(
      byside('sell').map((b) => b.price),
      '1.5',
      '2.5',
      4,
      2,
    );
    expectInRange(
      r.bids.map((b) => b.quantity),
      '1',
      '2',
      3,
      1,
    );
    expect(byside('sell').some((b) => decimalsOf(b.price) === 2)).toBe(true);
  });

  it('keeps buyers independent of the number of sellers', () => {
    const a = simulateRound({ buyers: 20, sellers: 1, seed: 5 });
    const b = simulateRound({ buyers: 20, sellers: 30, seed: 5 });
    expect(b.bids.slice(0, 20)).toEqual(a.bids.slice(0, 20));
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => simulateRound({ buyers: -1, sellers: 1, seed: 1 })).toThrow(/buyers/);
    expect(() => simulateRound({ buyers: 1, sellers: 1.5, seed: 1 })).toThrow(/sellers/);
    expect(() => simulateRound({ buyers: 1, sellers: 1, seed: 2 ** 32 })).toThrow(/seed/);
    expect(() => simulateRound({ buyers: 1, sellers: 1, seed: 1, buyPrice: { min: '5', max: '4' } })).toThrow(
      /buyPrice: min 5 is greater than max 4/,
    );
    expect(() => simulateRound({ buyers: 1, sellers: 1, seed: 1, quantity: { min: '0', max: '0' } })).toThrow(
      /quantity: no valid value/,
    );
    expect(() =>
      simulateRound({ buyers: 1, sellers: 1, seed: 1, sellPrice: { min: '-1', max: '4' } }),
    ).toThrow(SimulateOptionsError);
    expect(() => simulateRound({ buyers: 1, sellers: 1, seed: 1, priceDecimals: 5 })).toThrow(
      /priceDecimals/,
    );
    expect(() => simulateRound({ buyers: 1, sellers: 1, seed: 1, alpha: '0' })).toThrow(/alpha/);
    expect(() => simulateRound({ buyers: 99_999_999_999, sellers: 1, seed: 1 })).toThrow(
      /too many bids: buyers \+ sellers = 100000000000, at most 50,000,000 can be simulated/,
    );
    expect(() => simulateRound({ buyers: MAX_SIMULATED_BIDS, sellers: 1, seed: 1 })).toThrow(
      SimulateOptionsError,
    );
  });
});

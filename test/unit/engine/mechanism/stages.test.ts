/** Unit tests of the stages: §3 order, §4 break-even walk, §6 rationing, exact helpers. */
import { validateRound } from '../../../../engine/src/mechanism';
import fc from 'fast-check';
import { proportionalShares } from '../../../../engine/src/mechanism/allocate';
import { breakEven, stage1 } from '../../../../engine/src/mechanism/break-even';
import { ceilDiv, ExactSum, floorDiv, roundHalfUpBig } from '../../../../engine/src/mechanism/exact';
import { IdSet } from '../../../../engine/src/mechanism/id-set';
import { capOrder, splitCapOrder } from '../../../../engine/src/mechanism/demand';
import { orderBids } from '../../../../engine/src/mechanism/order';
import { stableOrder } from '../../../../engine/src/mechanism/radix';
import type { Bid, WireBid } from '../../../../engine/src/mechanism/types';
import { buy, sell, shuffled, VECTOR_A } from './helpers';

const sides = (bids: WireBid[]) => orderBids(validateRound({ bids }).bids);

describe('§3 order', () => {
  it('buyers by price desc then id asc, sellers by price asc then id asc, for any input order', () => {
    const bids = [
      buy('b', '10', '1'),
      buy('a', '10', '1'),
      buy('c', '12', '1'),
      buy('A', '10', '1'),
      sell('z', '5', '1'),
      sell('y', '5', '1'),
      sell('x', '7', '1'),
      sell('w', '3', '1'),
    ];
    for (let seed = 1; seed < 20; seed++) {
      const { buyers, sellers } = sides(shuffled(bids, seed));
      expect(buyers.ids).toEqual(['c', 'A', 'a', 'b']);
      expect(sellers.ids).toEqual(['w', 'y', 'z', 'x']);
      expect(Array.from(buyers.price)).toEqual([120000, 100000, 100000, 100000]);
    }
  });

  it('matches a comparator sort on (price, id), for shuffled ids, ties and prices up to 10^6', () => {
    const prices = ['1000000', '999999.9999', '0', '12.5', '12.5001', '0.0001'];
    for (const [count, seed] of [
      [3000, 1],
      [500, 2],
      [40, 3],
    ] as const) {
      const wire: WireBid[] = [];
      for (let k = 0; k < count; k++) {
        const price = prices[(k * 7 + seed) % prices.length] as string;
        wire.push((k % 2 ? buy : sell)(`x${(k * 7919 + seed) % 100003}`, price, String(1 + (k % 9))));
      }
      const { bids } = validateRound({ bids: shuffled(wire, seed) });
      const { buyers, sellers } = orderBids(bids);
      const cmp = (dir: number) => (x: Bid, y: Bid) => dir * (x.price - y.price) || (x.id < y.id ? -1 : 1);
      const expB = bids.filter((b) => b.side === 'buy').sort(cmp(-1));
      const expS = bids.filter((b) => b.side === 'sell').sort(cmp(1));
      expect(buyers.ids).toEqual(expB.map((b) => b.id));
      expect(sellers.ids).toEqual(expS.map((b) => b.id));
      expect(Array.from(buyers.qty)).toEqual(expB.map((b) => b.quantity));
      expect(Array.from(sellers.price)).toEqual(expS.map((b) => b.price));
    }
  });

  it('the cap order: N = 1000·b − α·xmax descending (clamped at −1), ties by index', () => {
    const { bids } = validateRound({
      bids: Array.from({ length: 500 }, (_, k) =>
        buy(`b${k}`, String(10 + (k % 13)), String(1 + (k % 7)), String(1 + (k % 5))),
      ),
    });
    const buyers = orderBids(bids).buyers;
    const N = (j: number) => Math.max(1000 * buyers.price[j]! - buyers.alpha[j]! * buyers.qty[j]!, -1);
    const expected = Array.from({ length: buyers.n }, (_, j) => j).sort((p, q) => N(q) - N(p) || p - q);
    expect(Array.from(capOrder(buyers))).toEqual(expected);
  });

  it('does not modify its input', () => {
    const { bids } = validateRound({ bids: [buy('b', '1', '1'), buy('a', '2', '1')] });
    orderBids(bids);
    expect(bids.map((b) => b.id)).toEqual(['b', 'a']);
    expect(bids[0]).toEqual({ id: 'b', side: 'buy', price: 10000, quantity: 1000, alpha: 40000 });
  });
});

describe('§4 break-even walk', () => {
  const walk = (bids: WireBid[]) => {
    const { buyers, sellers } = sides(bids);
    return breakEven(buyers, sellers);
  };

  it('CB = CS and only the buyer side can advance: the buyer advances (no double count)', () => {
    // CB = CS = 1; one seller: i → 1, CB = 2 > CS and the seller side is exhausted → stop at (1, 0)
    expect(walk([buy('b1', '10', '1'), buy('b2', '9', '1'), sell('s1', '1', '1')])).toEqual({
      buyer: 1,
      seller: 0,
    });
  });

  it('CB = CS and only the seller side can advance: the seller advances', () => {
    expect(walk([buy('b1', '10', '1'), sell('s1', '1', '1'), sell('s2', '2', '1')])).toEqual({
      buyer: 0,
      seller: 1,
    });
  });

  it('CB = CS and both can advance: both advance; then neither can → stop at (i, j)', () => {
    expect(
      walk([buy('b1', '10', '1'), buy('b2', '9', '1'), sell('s1', '1', '1'), sell('s2', '2', '1')]),
    ).toEqual({ buyer: 1, seller: 1 });
  });

  it('both advance onto an incompatible pair → (i−1, j−1)', () => {
    expect(
      walk([buy('b1', '10', '1'), buy('b2', '3', '1'), sell('s1', '1', '1'), sell('s2', '3', '1')]),
    ).toEqual({ buyer: 0, seller: 0 });
  });

  it('buyer advance onto an incompatible buyer → (i−1, j); seller advance → (i, j−1)', () => {
    expect(walk([buy('b1', '10', '1'), buy('b2', '2', '1'), sell('s1', '3', '5')])).toEqual({
      buyer: 0,
      seller: 0,
    });
    expect(
      walk([
        buy('b1', '10', '1'),
        buy('b2', '9', '3'),
        sell('s1', '1', '2'),
        sell('s2', '2', '1'),
        sell('s3', '9', '1'),
      ]),
    ).toEqual({ buyer: 1, seller: 1 });
  });

  it('trade reduction: winners exclude the break-even buyer; p_max = b(B_K), p_min = s(S_{L−1})', () => {
    const { buyers, sellers } = sides([...VECTOR_A]);
    expect(stage1(buyers, sellers)).toEqual({
      ok: true,
      breakEven: { buyer: 2, seller: 2 },
      nBuyers: 2,
      nSellers: 2,
      pMin: 100000,
      pMax: 150000,
    });
  });

  it('K = 0 and L = 0: one winner each, p_max = b(B_0), p_min = s(S_0)', () => {
    const { buyers, sellers } = sides([buy('b', '10', '1'), sell('s', '5', '1')]);
    expect(stage1(buyers, sellers)).toMatchObject({
      ok: true,
      nBuyers: 1,
      nSellers: 1,
      pMin: 50000,
      pMax: 100000,
    });
  });

  it('no-trade reasons before the walk', () => {
    const s = (bids: WireBid[]) => {
      const { buyers, sellers } = sides(bids);
      return stage1(buyers, sellers);
    };
    expect(s([sell('s', '1', '1')])).toEqual({ ok: false, reason: 'no-buyers' });
    expect(s([buy('b', '1', '1')])).toEqual({ ok: false, reason: 'no-sellers' });
    // compatible means strictly greater
    expect(s([buy('b', '5', '1'), sell('s', '5', '1')])).toEqual({ ok: false, reason: 'no-compatible-pair' });
  });
});

describe('§6 proportional shares', () => {
  const reference = (T: bigint, w: bigint[]): bigint[] => {
    const W = w.reduce((a, b) => a + b, 0n);
    const out = w.map((x) => (T * x) / W);
    const left = Number(T - out.reduce((a, b) => a + b, 0n));
    w.map((x, k) => ({ k, r: (T * x) % W }))
      .sort((a, b) => (a.r === b.r ? a.k - b.k : a.r > b.r ? -1 : 1))
      .slice(0, left)
      .forEach(({ k }) => (out[k] = (out[k] as bigint) + 1n));
    return out;
  };

  it('floors, then one Wh each to the largest remainders', () => {
    // 10 · (3, 5, 7) / 15 = (2, 3.33, 4.67): the leftover Wh goes to the third
    expect(Array.from(proportionalShares(10, [3, 5, 7]))).toEqual([2, 3, 5]);
  });

  it('ties in the remainder go to the earlier bid (§3 order)', () => {
    expect(Array.from(proportionalShares(5, [1, 1, 1, 1, 1, 1, 1]))).toEqual([1, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(proportionalShares(2, [2, 1, 1]))).toEqual([1, 1, 0]);
  });

  it('T = W gives the weights; T = 0 gives zeros', () => {
    expect(Array.from(proportionalShares(9, [4, 5]))).toEqual([4, 5]);
    expect(Array.from(proportionalShares(0, [4, 5]))).toEqual([0, 0]);
  });

  it('is exact beyond 2^53 (bigint path) and sums to T', () => {
    const w = [999_999_999, 1_000_000_000, 333_333_333, 7, 1_000_000_000];
    const T = 2_333_333_331;
    const got = proportionalShares(T, w);
    expect(Array.from(got).map(BigInt)).toEqual(reference(BigInt(T), w.map(BigInt)));
    expect(Array.from(got).reduce((a, b) => a + b, 0)).toBe(T);
  });

  it('matches the bigint reference on many random cases', () => {
    let s = 12345;
    const rnd = (n: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    for (let c = 0; c < 300; c++) {
      const w = Array.from({ length: 1 + rnd(12) }, () => 1 + rnd(c % 2 ? 1_000_000_000 : 50));
      const W = w.reduce((a, b) => a + b, 0);
      const T = rnd(W + 1);
      const expected = reference(BigInt(T), w.map(BigInt));
      expect(Array.from(proportionalShares(T, w)).map(BigInt)).toEqual(expected);
    }
  });
});

describe('stable radix sort', () => {
  it('sorts ascending with ties by index, for keys up to 2^53 − 1', () => {
    let s = 99;
    const rnd = (n: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    for (const max of [1, 7, 65535, 65536, 2 ** 31, 2 ** 44, Number.MAX_SAFE_INTEGER]) {
      const keys = Array.from({ length: 2000 }, () =>
        rnd(4) === 0 ? max : Math.floor((rnd(2 ** 30) / 2 ** 30) * max),
      );
      const expected = keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
      const sorted = new Float64Array(keys.length);
      expect(Array.from(stableOrder(keys, { sorted }))).toEqual(expected);
      expect(Array.from(sorted)).toEqual(expected.map((i) => keys[i]));
      // descending: keys descending, ties still by index ascending
      const down = keys.map((_, i) => i).sort((a, b) => keys[b]! - keys[a]! || a - b);
      expect(Array.from(stableOrder(keys, { descending: true, sorted }))).toEqual(down);
      expect(Array.from(sorted)).toEqual(down.map((i) => keys[i]));
    }
    expect(Array.from(stableOrder([]))).toEqual([]);
    expect(Array.from(stableOrder([0, 0, 0]))).toEqual([0, 1, 2]);
  });

  it('splitCapOrder keeps the order within each part and rebases the tail', () => {
    const { head, tail } = splitCapOrder(Uint32Array.from([4, 0, 3, 1, 2, 5]), 3);
    expect(Array.from(head)).toEqual([0, 1, 2]);
    expect(Array.from(tail)).toEqual([1, 0, 2]);
  });

  it('refuses keys beyond 2^53', () => {
    expect(() => stableOrder([1, 2 ** 53 + 2])).toThrow(RangeError);
  });
});

describe('exact helpers', () => {
  it('floorDiv / ceilDiv for both signs', () => {
    expect([floorDiv(7, 2), floorDiv(-7, 2), floorDiv(6, 3), floorDiv(-6, 3)]).toEqual([3, -4, 2, -2]);
    expect([ceilDiv(7, 2), ceilDiv(-7, 2), ceilDiv(0, 5)]).toEqual([4, -3, 0]);
    expect(floorDiv(2 ** 53 - 1, 3)).toBe(Number((2n ** 53n - 1n) / 3n));
  });

  it('roundHalfUpBig rounds halves toward +∞', () => {
    expect([5n, 7n, -5n, -7n, 4n].map((n) => roundHalfUpBig(n, 2n))).toEqual([3n, 4n, -2n, -3n, 2n]);
  });

  it('ExactSum stays exact past 2^53', () => {
    const s = new ExactSum();
    for (let k = 0; k < 1000; k++) s.add(2 ** 52 - 1);
    s.addProduct(3_000_000_000, 3_000_000_000);
    s.add(-5n);
    expect(s.value()).toBe(1000n * (2n ** 52n - 1n) + 9_000_000_000_000_000_000n - 5n);
  });
});

describe('IdSet (duplicate ids)', () => {
  it('returns the first index of a repeated id, undefined for a new one', () => {
    const s = new IdSet(4);
    expect(s.addOrGet('a', 0)).toBeUndefined();
    expect(s.addOrGet('b', 3)).toBeUndefined();
    expect(s.addOrGet('a', 5)).toBe(0);
    expect(s.addOrGet('b', 6)).toBe(3);
    expect(s.addOrGet('c', 7)).toBeUndefined();
  });

  it('agrees with a Map on many ids, also after falling back on degenerate probing', () => {
    // 'Aa'/'BB'-style strings do not collide under FNV, so force the fallback with a tiny capacity
    for (const capacity of [20000, 1]) {
      const s = new IdSet(capacity);
      const m = new Map<string, number>();
      for (let i = 0; i < 20000; i++) {
        const id = `id${(i * 7919) % 15000}`;
        const expected = m.get(id);
        if (expected === undefined) m.set(id, i);
        expect(s.addOrGet(id, i)).toBe(expected);
      }
    }
  });
});

describe('§3 order with id keys', () => {
  it('orders ids sharing long prefixes, of different lengths, and equal within the key window', () => {
    const ids = [
      'Utility1MSP:b10',
      'Utility1MSP:b9',
      'Utility1MSP:b1',
      'Utility1MSP:b1.0',
      'Utility1MSP:b1-',
      'Utility2MSP:a',
      'Utility1MSP:b1234567890x',
      'Utility1MSP:b1234567890a',
      'Utility1MSP:b12345678',
      'U',
      'Utility1MSP:',
      'z',
      'Z',
      '_',
      '0',
    ];
    const wire = ids.map((id, k) => (k % 3 === 0 ? buy(id, '5', '1') : buy(id, k % 2 ? '5' : '6', '1')));
    for (let seed = 1; seed < 30; seed++) {
      const { bids } = validateRound({ bids: shuffled(wire, seed) });
      const expected = bids
        .slice()
        .sort((x, y) => y.price - x.price || (x.id < y.id ? -1 : 1))
        .map((b) => b.id);
      expect(orderBids(bids).buyers.ids).toEqual(expected);
    }
  });

  // the unsorted-id path keys ids by dense character ranks, several words per id: any id, any length
  it('matches a comparator sort for arbitrary valid ids in any order (fast-check)', () => {
    const alphabet = 'AZaz09._:-'.split('').concat(['b', 'q', 'M']);
    const idArb = fc
      .tuple(
        fc.constantFrom('', 'Utility1MSP:', 'ab12cd34ef56ab78.'),
        fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }),
      )
      .map(([prefix, chars]) => (prefix + chars.join('')).slice(0, 64) || 'x');
    const round = fc.uniqueArray(fc.tuple(idArb, fc.integer({ min: 0, max: 3 }), fc.boolean()), {
      minLength: 2,
      maxLength: 200,
      selector: ([id]) => id,
    });
    fc.assert(
      fc.property(round, fc.integer({ min: 1, max: 1000 }), (rows, seed) => {
        const wire = rows.map(([id, price, isBuy]) => (isBuy ? buy : sell)(id, String(price), '1'));
        const { bids } = validateRound({ bids: shuffled(wire, seed) });
        const cmp = (dir: number) => (x: Bid, y: Bid) => dir * (x.price - y.price) || (x.id < y.id ? -1 : 1);
        const { buyers, sellers } = orderBids(bids);
        expect(buyers.ids).toEqual(
          bids
            .filter((b) => b.side === 'buy')
            .sort(cmp(-1))
            .map((b) => b.id),
        );
        expect(sellers.ids).toEqual(
          bids
            .filter((b) => b.side === 'sell')
            .sort(cmp(1))
            .map((b) => b.id),
        );
      }),
      { numRuns: 300 },
    );
  });

  /** The ids in §3 order by a comparator sort: buyers (dir −1) by price descending, sellers ascending. */
  const byPriceThenId = (bids: Bid[], dir = -1) =>
    bids
      .slice()
      .sort((x, y) => dir * (x.price - y.price) || (x.id < y.id ? -1 : 1))
      .map((b) => b.id);

  it('orders ledger market ids (16 hex, ".", 4 digits) in any input order', () => {
    const hex = (k: number) => ((k * 2654435761) >>> 0).toString(16).padStart(8, '0');
    const wire: WireBid[] = [];
    for (let batch = 0; batch < 30; batch++) {
      for (let pos = 0; pos < 40; pos++) {
        const id = `${hex(batch)}${hex(batch + 7)}.${String(pos).padStart(4, '0')}`;
        wire.push(buy(id, String(10 + ((batch + pos) % 3)), '1'));
      }
    }
    const { bids } = validateRound({ bids: shuffled(wire, 5) });
    expect(orderBids(bids).buyers.ids).toEqual(byPriceThenId(bids));
  });

  it('orders ids sharing a long prefix, some longer than the keyed characters past it', () => {
    const prefix = 'Utility1MSP:round-2026-12-07:'; // 29 characters, more than the 7 keyed characters
    const wire = Array.from({ length: 2000 }, (_, k) =>
      buy(`${prefix}${(k * 7919) % 2003}${k % 5 === 0 ? '.x' : ''}`, String(10 + (k % 4)), '1'),
    );
    for (const seed of [1, 2, 3]) {
      const { bids } = validateRound({ bids: shuffled(wire, seed) });
      expect(orderBids(bids).buyers.ids).toEqual(byPriceThenId(bids));
    }
  });

  it('orders ids that cannot be keyed (not validated: characters above 127) by the strings', () => {
    // clear() takes validated bids; unvalidated ones must still come out in §3 order
    const ids = ['b\u00e9', 'b\u00e8', 'a\u4e00', 'a', 'b', 'bz', '\u00ff'];
    const bids: Bid[] = ids.map((id, k) => ({ id, side: 'buy', price: k % 2, quantity: 1, alpha: 0 }));
    for (let seed = 1; seed < 10; seed++) {
      const input = shuffled(bids, seed);
      expect(orderBids(input).buyers.ids).toEqual(byPriceThenId(input));
    }
  });

  it('orders a large shuffled side of sparse prices and mixed-length ids like a comparator sort', () => {
    const wire = Array.from({ length: 20_000 }, (_, k) =>
      sell(`s${(k * 104729) % 100_003}`, String((k * 37) % 1_000_000), '1'),
    );
    const { bids } = validateRound({ bids: shuffled(wire, 9) });
    expect(orderBids(bids).sellers.ids).toEqual(byPriceThenId(bids, 1));
  });
});

/** clear()/clearRound(): result shape, no-trade reasons, tie rules, numbers beyond 2^53. */
import { clear, clearRound, validateRound } from '../../../../engine/src/mechanism';
import type { WireBid, WireClearingResult } from '../../../../engine/src/mechanism/types';
import { buy, sell, whById, VECTOR_A } from './helpers';

const roundAB: WireBid[] = [buy('b', '10', '1'), sell('s', '5', '1')];

function expectNoTrade(r: WireClearingResult, reason: string): void {
  expect(r.status).toBe('no-trade');
  expect(r.reason).toBe(reason);
  expect(r.price).toBe('0');
  for (const l of [...r.buyers, ...r.sellers]) {
    expect(l.quantity).toBe('0');
    expect(l.payment).toBe('0.0000000');
  }
  expect(r.totals).toEqual({
    energy: '0',
    buyerPayments: '0.0000000',
    sellerReceipts: '0.0000000',
    fees: '0.0000000',
  });
  expect(r.metrics).toMatchObject({
    tradedEnergy: '0',
    supplyTradedPercent: '0.00',
    buyerWelfare: '0.0000000',
    sellerWelfare: '0.0000000',
    socialWelfare: '0.0000000',
  });
}

describe('no-trade results keep the full shape', () => {
  it('empty round', () => {
    const r = clearRound({ bids: [] });
    expectNoTrade(r, 'no-buyers');
    expect(r.priceRange).toEqual({ min: '0', max: '0' });
    expect(r.breakEven).toEqual({ buyer: -1, seller: -1 });
    expect(r.buyers).toEqual([]);
    expect(r.metrics.maxSocialWelfare).toBe('0.0000000');
    expect(r.metrics.efficiency).toBe('0');
  });

  it('no-buyers / no-sellers list every bid with zeros', () => {
    const r1 = clearRound({ bids: [sell('s2', '2', '1'), sell('s1', '1', '1')] });
    expectNoTrade(r1, 'no-buyers');
    expect(r1.sellers.map((l) => l.id)).toEqual(['s1', 's2']);
    const r2 = clearRound({ bids: [buy('b', '2', '1')] });
    expectNoTrade(r2, 'no-sellers');
    expect(r2.buyers).toEqual([{ id: 'b', quantity: '0', payment: '0.0000000' }]);
  });

  it('no-compatible-pair: the best buyer bids exactly the best ask', () => {
    const r = clearRound({ bids: [buy('b', '5', '1'), sell('s', '5', '1')] });
    expectNoTrade(r, 'no-compatible-pair');
    expect(r.breakEven).toEqual({ buyer: -1, seller: -1 });
    expect(r.metrics.maxSocialWelfare).toBe('0.0000000');
    expect(r.metrics.efficiency).toBe('0');
  });

  it('doan2021 no-positive-objective: X(p_max) = 0 and the next candidate is ≤ p_min = mean ask', () => {
    // range [5, 10]; candidates 10 (no demand) and 5 (= the ask): A = 0 at both
    const r = clearRound({
      params: { profile: 'doan2021', gridStep: '5' },
      bids: [buy('b', '10', '1'), sell('s', '5', '1')],
    });
    expectNoTrade(r, 'no-positive-objective');
    expect(r.priceRange).toEqual({ min: '5', max: '10' });
    expect(r.breakEven).toEqual({ buyer: 0, seller: 0 });
    // the same round with the default grid (0.1) trades
    expect(clearRound({ params: { profile: 'doan2021' }, bids: roundAB }).status).toBe('cleared');
  });

  it('zero-demand-at-price: demand below 1 Wh at the price; efficiency 0 of a positive maximum', () => {
    const r = clearRound({ bids: [buy('b', '10', '1', '1000000'), sell('s', '5', '1')] });
    expectNoTrade(r, 'zero-demand-at-price');
    expect(r.price).toBe('0');
    expect(r.priceRange).toEqual({ min: '5', max: '10' });
    // benchmark at p = 5: x = 1000·5/10^6 kWh... = 0.005 Wh; surplus 250 − 125 money units
    expect(r.metrics.maxSocialWelfare).toBe('0.0000125');
    expect(r.metrics.efficiency).toBe('0.000000');
  });
});

describe('leader price ties and ranges', () => {
  // One buyer (b = 10.0001, alpha 4, not capped), one seller at 0 with ample supply:
  // A(p) ∝ p·(b − p), maximal at p = 5.00005, exactly between the ticks 5 and 5.0001.
  const halfTick: WireBid[] = [buy('b', '10.0001', '1000'), sell('s', '0', '2000')];

  it('default: a maximum exactly between two ticks goes to the higher tick', () => {
    expect(clearRound({ bids: halfTick }).price).toBe('5.0001');
  });

  it('doan2021: an exactly tied later candidate does not replace the first (higher) one', () => {
    expect(clearRound({ params: { profile: 'doan2021', gridStep: '0.0001' }, bids: halfTick }).price).toBe(
      '5.0001',
    );
    // with step 0.0003 the candidates ..., 5.0003, 5.0000, 4.9997 ... are not symmetric: 5.0000 wins
    expect(clearRound({ params: { profile: 'doan2021', gridStep: '0.0003' }, bids: halfTick }).price).toBe(
      '5',
    );
  });

  it('doan2021: grid from p_max down; the winning candidate may be below p_min (replays the paper)', () => {
    // break-even (0, 2): winners b and s1, s2; range [9, 12]; mean ask 5; X = 24 − 2p kWh (≤ 10)
    // candidates 12 (A = 0), 10 (5·4 = 20), 8 (≤ 9, the last: 3·8 = 24) → P = 8 < p_min, and s2
    // (ask 9) is paid 8/kWh. The default profile stays in the range: A = (p − 5)·min(X, 2) → P = 11.
    const bids = [
      buy('b', '12', '10'),
      sell('s1', '1', '1'),
      sell('s2', '9', '1'),
      sell('s3', '11.5', '1'),
      sell('s4', '13', '1'),
    ];
    const doan = clearRound({ params: { profile: 'doan2021', gridStep: '2', alpha: '0.5' }, bids });
    expect(doan.priceRange).toEqual({ min: '9', max: '12' });
    expect(doan.breakEven).toEqual({ buyer: 0, seller: 2 });
    expect(doan.price).toBe('8');
    expect(whById(doan)).toEqual({ b: 2000, s1: 1000, s2: 1000, s3: 0, s4: 0 });
    expect(doan.sellers[1]?.payment).toBe('8.0000000');
    const def = clearRound({ params: { alpha: '0.5' }, bids });
    expect(def.price).toBe('11');
    // both allocations are efficient here: the benchmark (p* = 11, 2 kWh) is 13
    expect([doan.metrics.socialWelfare, def.metrics.socialWelfare]).toEqual(['13.0000000', '13.0000000']);
    expect(def.metrics.maxSocialWelfare).toBe('13.0000000');
    expect(def.metrics.efficiency).toBe('1.000000');
    expect([doan.metrics.buyerWelfare, def.metrics.buyerWelfare]).toEqual(['7.0000000', '1.0000000']);
  });

  it('default: p* is an integer tick; the grid step does not apply', () => {
    const r = clearRound({
      params: { gridStep: '1' },
      bids: [...VECTOR_A],
    });
    expect(r.price).toBe('14.1');
  });
});

describe('numbers beyond 2^53 stay exact', () => {
  it('a round at the limits: money up to 10^19 units, welfare in bigint', () => {
    // A(p) = p·min(X, 10^9 Wh), X = 1000·(10^10 − p) Wh: capped up to p = 10^10 − 10^6 ticks,
    // where A is maximal: P = 999900, both trade 10^9 Wh = 1,000,000 kWh
    const r = clearRound({
      bids: [
        buy('b', '1000000', '1000000', '0.0001'),
        buy('c', '999999', '1000000', '0.0001'),
        sell('s', '0', '1000000'),
      ],
    });
    expect(r.status).toBe('cleared');
    expect(r.priceRange).toEqual({ min: '0', max: '999999' });
    expect(r.price).toBe('999900');
    expect(whById(r)).toEqual({ b: 1e9, c: 0, s: 1e9 });
    expect(r.buyers[0]?.payment).toBe('999900000000.0000000');
    expect(r.totals.sellerReceipts).toBe('999900000000.0000000');
    // buyer: 100 · 10^6 − 0.0001/2 · 10^12 = 5·10^7; seller: 999900 · 10^6
    expect(r.metrics.buyerWelfare).toBe('50000000.0000000');
    expect(r.metrics.sellerWelfare).toBe('999900000000.0000000');
    expect(r.metrics.socialWelfare).toBe('999950000000.0000000');
  });

  it('a service fee at the limit', () => {
    const r = clearRound({
      params: { serviceFee: '1000000' },
      bids: [buy('b', '1000000', '1000000', '0.0001'), sell('s', '0', '1000000')],
    });
    expect(r.totals.fees).toBe('1000000000000.0000000');
    expect(r.buyers[0]?.payment).toBe('1999900000000.0000000');
  });
});

describe('clear() on validated input', () => {
  it('equals clearRound and does not modify its input', () => {
    const round = { params: { profile: 'doan2021' as const }, bids: roundAB };
    const { params, bids } = validateRound(round);
    const copy = JSON.parse(JSON.stringify(bids)) as unknown;
    expect(clear(params, bids)).toEqual(clearRound(round));
    expect(bids).toEqual(copy);
  });

  it('clearRound applies overrides', () => {
    expect(
      clearRound({ params: { profile: 'default' }, bids: roundAB }, { profile: 'doan2021' }).profile,
    ).toBe('doan2021');
  });

  it('the buyers pay the fee on top of the price; supply percent rounds half-up', () => {
    // 3 of 8 kWh offered is 37.5 %
    const r = clearRound({
      params: { serviceFee: '0.25' },
      bids: [buy('b', '10', '3', '0.0001'), sell('s', '1', '3'), sell('t', '20', '5')],
    });
    expect(r.status).toBe('cleared');
    expect(r.metrics.supplyTradedPercent).toBe('37.50');
    expect(r.totals.fees).toBe('0.7500000');
  });
});

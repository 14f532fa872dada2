/** docs/mechanism.md §9 test vectors, both profiles, plus the derived payments and metrics. */
import { clearRound } from '../../../../engine/src/mechanism';
import type { Profile, WireBid } from '../../../../engine/src/mechanism/types';
import { buy, money, sell, VECTOR_A, VECTOR_C, whById } from './helpers';

const vectorA: WireBid[] = [...VECTOR_A];

const vectorB: WireBid[] = [
  buy('B1', '22', '1.5'),
  buy('B2', '19', '2'),
  buy('B3', '17', '1'),
  buy('B4', '14', '2.5'),
  buy('B5', '11', '3'),
  sell('S1', '6', '1'),
  sell('S2', '9', '1.5'),
  sell('S3', '12', '2'),
  sell('S4', '15', '1'),
];

const vectorC: WireBid[] = [...VECTOR_C];

const clearVector = (bids: WireBid[], profile: Profile, alpha = '4') =>
  clearRound({ params: { profile, alpha }, bids });

describe('vector A', () => {
  it.each<[Profile, string, Record<string, number>]>([
    ['doan2021', '14', { b1: 1500, b2: 1000, b3: 0, b4: 0, s1: 1000, s2: 1500, s3: 0, s4: 0 }],
    ['default', '14.1', { b1: 1475, b2: 975, b3: 0, b4: 0, s1: 980, s2: 1470, s3: 0, s4: 0 }],
  ])('%s: P = %s, allocations in Wh', (profile, price, wh) => {
    const r = clearVector(vectorA, profile);
    expect(r.status).toBe('cleared');
    expect(r.reason).toBeUndefined();
    expect(r.profile).toBe(profile);
    expect(r.breakEven).toEqual({ buyer: 2, seller: 2 });
    expect(r.priceRange).toEqual({ min: '10', max: '15' });
    expect(r.price).toBe(price);
    expect(whById(r)).toEqual(wh);
    expect(r.buyers.map((l) => l.id)).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect(r.sellers.map((l) => l.id)).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('default: payments, totals and metrics', () => {
    const r = clearVector(vectorA, 'default');
    expect(r.buyers.map((l) => l.payment)).toEqual(['20.7975000', '13.7475000', '0.0000000', '0.0000000']);
    expect(r.sellers.map((l) => l.payment)).toEqual(['13.8180000', '20.7270000', '0.0000000', '0.0000000']);
    expect(r.totals).toEqual({
      energy: '2.45',
      buyerPayments: '34.5450000',
      sellerReceipts: '34.5450000',
      fees: '0.0000000',
    });
    // buyer welfare: 5.9·1.475 − 2·1.475² + 3.9·0.975 − 2·0.975² = 4.35125 + 1.90125
    // seller welfare: 6.1·0.98 + 4.1·1.47 = 5.978 + 6.027
    // competitive benchmark over all bids: X(p) = (65 − 4p)/4 = 5 kWh at p = 11.25;
    //   buyer surplus Σ 2x² = 17.09375, seller surplus 3.25·2 + 1.25·3 = 10.25
    expect(r.metrics).toEqual({
      tradedEnergy: '2.45',
      supplyTradedPercent: '20.42',
      buyerWelfare: '6.2525000',
      sellerWelfare: '12.0050000',
      socialWelfare: '18.2575000',
      maxSocialWelfare: '27.3437500',
      efficiency: '0.667703',
    });
  });

  it('doan2021 with a service fee: buyers pay P + fee, sellers P, the operator the fee', () => {
    const r = clearRound({ params: { profile: 'doan2021', serviceFee: '0.5' }, bids: vectorA });
    expect(r.price).toBe('14');
    expect(r.buyers.map((l) => l.payment).slice(0, 2)).toEqual(['21.7500000', '14.5000000']);
    expect(r.sellers.map((l) => l.payment).slice(0, 2)).toEqual(['14.0000000', '21.0000000']);
    expect(r.totals).toEqual({
      energy: '2.5',
      buyerPayments: '36.2500000',
      sellerReceipts: '35.0000000',
      fees: '1.2500000',
    });
    // fees are a transfer: welfare does not change with the fee
    expect(r.metrics.buyerWelfare).toBe('6.5000000');
    expect(r.metrics.socialWelfare).toBe('18.5000000');
  });
});

describe('vector B', () => {
  it.each<Profile>(['default', 'doan2021'])('%s: P = 16, buyers 1500/750, sellers 900/1350', (profile) => {
    const r = clearVector(vectorB, profile);
    expect(r.status).toBe('cleared');
    expect(r.breakEven).toEqual({ buyer: 2, seller: 2 });
    expect(r.priceRange).toEqual({ min: '9', max: '17' });
    expect(r.price).toBe('16');
    expect(whById(r)).toEqual({
      B1: 1500,
      B2: 750,
      B3: 0,
      B4: 0,
      B5: 0,
      S1: 900,
      S2: 1350,
      S3: 0,
      S4: 0,
    });
    expect(r.buyers.map((l) => l.payment).slice(0, 2)).toEqual(['24.0000000', '12.0000000']);
    expect(r.sellers.map((l) => l.payment).slice(0, 2)).toEqual(['14.4000000', '21.6000000']);
    expect(r.totals.energy).toBe('2.25');
  });
});

describe('vector C (alpha 0.5)', () => {
  it.each<[Profile, string, string]>([
    ['default', '27.75', '124.8750000'],
    ['doan2021', '25', '112.5000000'],
  ])('%s: P = %s; h1 4500 Wh; p1..p3 sell everything', (profile, price, paid) => {
    const r = clearVector(vectorC, profile, '0.5');
    expect(r.status).toBe('cleared');
    expect(r.breakEven).toEqual({ buyer: 0, seller: 3 });
    expect(r.priceRange).toEqual({ min: '14', max: '30' });
    expect(r.price).toBe(price);
    expect(whById(r)).toEqual({ h1: 4500, h2: 0, h3: 0, h4: 0, p1: 2000, p2: 1500, p3: 1000, p4: 0 });
    expect(r.buyers[0]?.payment).toBe(paid);
    expect(r.totals.sellerReceipts).toBe(paid);
    expect(money(r.sellers[0]!.payment) + money(r.sellers[1]!.payment) + money(r.sellers[2]!.payment)).toBe(
      money(paid),
    );
  });

  it('default: supply binds exactly (demand at 27.75 is 4.5 kWh = S)', () => {
    const r = clearVector(vectorC, 'default', '0.5');
    expect(r.totals.energy).toBe('4.5');
    expect(r.metrics.supplyTradedPercent).toBe('60.00'); // 4.5 of 7.5 kWh offered
  });
});

/**
 * The worked examples of docs/mechanisms.md, number for number: every line's kWh and money, the
 * totals, the operator's balance, the welfare figures and the efficiency.
 */
import { runMechanism, type MechanismName, type MechanismResult } from '../../../../engine/src/mechanisms';
import type { WireBid, WireRound } from '../../../../engine/src/mechanism/types';
import { buy, sell, VECTOR_A, VECTOR_C } from '../mechanism/helpers';

/** "id kWh money" per line (losers too), buyers then sellers. */
const lines = (r: MechanismResult): string[] =>
  [...r.buyers, ...r.sellers].map((l) => `${l.id} ${l.quantity} ${l.payment}`);

interface Expected {
  price: string | null;
  lines: string[];
  energy: string;
  paid: string;
  received: string;
  balance: string;
  welfare: [buyer: string, seller: string, social: string, max: string];
  efficiency: string;
  winners: [number, number];
  ir?: number;
}

function check(name: MechanismName, round: WireRound, e: Expected): MechanismResult {
  const r = runMechanism(name, round);
  expect(r.mechanism).toBe(name);
  expect(r.price).toBe(e.price);
  expect(lines(r)).toEqual(e.lines);
  expect(r.totals).toMatchObject({
    energy: e.energy,
    buyerPayments: e.paid,
    sellerReceipts: e.received,
    operatorBalance: e.balance,
  });
  const m = r.metrics;
  expect([m.buyerWelfare, m.sellerWelfare, m.socialWelfare, m.maxSocialWelfare]).toEqual(e.welfare);
  expect(m.efficiency).toBe(e.efficiency);
  expect([r.winners.buyers, r.winners.sellers]).toEqual(e.winners);
  expect(r.irViolations).toBe(e.ir ?? 0);
  return r;
}

const A: WireRound = { bids: [...VECTOR_A] };
const LOSERS_A = ['b4 0 0.0000000', 's4 0 0.0000000'];
const A_STEP_MAX = '54.0000000';

describe('docs/mechanisms.md example A (docs/mechanism.md §9 vector A, step bids: Q = 7 kWh)', () => {
  it('uniform: P = (15 + 13) / 2 = 14, budget balanced, efficient', () => {
    check('uniform', A, {
      price: '14',
      lines: [
        'b1 3 42.0000000',
        'b2 2 28.0000000',
        'b3 2 28.0000000',
        'b4 0 0.0000000',
        's1 2 28.0000000',
        's2 3 42.0000000',
        's3 2 28.0000000',
        's4 0 0.0000000',
      ],
      energy: '7',
      paid: '98.0000000',
      received: '98.0000000',
      balance: '0.0000000',
      welfare: ['28.0000000', '26.0000000', '54.0000000', A_STEP_MAX],
      efficiency: '1.000000',
      winners: [3, 3],
    });
  });

  it('pay-as-bid: every bid at its own price, the operator keeps the whole spread', () => {
    const r = check('pay-as-bid', A, {
      price: null,
      lines: [
        'b1 3 60.0000000',
        'b2 2 36.0000000',
        'b3 2 30.0000000',
        'b4 0 0.0000000',
        's1 2 16.0000000',
        's2 3 30.0000000',
        's3 2 26.0000000',
        's4 0 0.0000000',
      ],
      energy: '7',
      paid: '126.0000000',
      received: '72.0000000',
      balance: '54.0000000',
      welfare: ['0.0000000', '0.0000000', '54.0000000', A_STEP_MAX],
      efficiency: '1.000000',
      winners: [3, 3],
    });
    expect(r.averagePrice).toEqual({ buyers: '18', sellers: '10.2857' });
  });

  it('mcafee: b3 and s3 are excluded; 5 kWh at 15 (buyers) and 13 (sellers), surplus 10', () => {
    const r = check('mcafee', A, {
      price: null,
      lines: [
        'b1 3 45.0000000',
        'b2 2 30.0000000',
        'b3 0 0.0000000',
        'b4 0 0.0000000',
        's1 2 26.0000000',
        's2 3 39.0000000',
        's3 0 0.0000000',
        's4 0 0.0000000',
      ],
      energy: '5',
      paid: '75.0000000',
      received: '65.0000000',
      balance: '10.0000000',
      welfare: ['21.0000000', '19.0000000', '50.0000000', A_STEP_MAX],
      efficiency: '0.925926',
      winners: [2, 2],
    });
    expect(r.averagePrice).toEqual({ buyers: '15', sellers: '13' });
  });

  it('vcg: each winner pays or receives its externality; deficit 7', () => {
    check('vcg', A, {
      price: null,
      lines: [
        'b1 3 43.0000000',
        'b2 2 30.0000000',
        'b3 2 26.0000000',
        'b4 0 0.0000000',
        's1 2 30.0000000',
        's2 3 46.0000000',
        's3 2 30.0000000',
        's4 0 0.0000000',
      ],
      energy: '7',
      paid: '99.0000000',
      received: '106.0000000',
      balance: '-7.0000000',
      welfare: ['27.0000000', '34.0000000', '54.0000000', A_STEP_MAX],
      efficiency: '1.000000',
      winners: [3, 3],
    });
  });

  it('default and doan2021: clear() unchanged, in the shared shape (quadratic utility, α = 4)', () => {
    const d = check('default', A, {
      price: '14.1',
      lines: [
        'b1 1.475 20.7975000',
        'b2 0.975 13.7475000',
        'b3 0 0.0000000',
        ...LOSERS_A.slice(0, 1),
        's1 0.98 13.8180000',
        's2 1.47 20.7270000',
        's3 0 0.0000000',
        ...LOSERS_A.slice(1),
      ],
      energy: '2.45',
      paid: '34.5450000',
      received: '34.5450000',
      balance: '0.0000000',
      welfare: ['6.2525000', '12.0050000', '18.2575000', '27.3437500'],
      efficiency: '0.667703',
      winners: [2, 2],
    });
    expect(d.valuation).toBe('quadratic');
    check('doan2021', A, {
      price: '14',
      lines: [
        'b1 1.5 21.0000000',
        'b2 1 14.0000000',
        'b3 0 0.0000000',
        ...LOSERS_A.slice(0, 1),
        's1 1 14.0000000',
        's2 1.5 21.0000000',
        's3 0 0.0000000',
        ...LOSERS_A.slice(1),
      ],
      energy: '2.5',
      paid: '35.0000000',
      received: '35.0000000',
      balance: '0.0000000',
      welfare: ['6.5000000', '12.0000000', '18.5000000', '27.3437500'],
      efficiency: '0.676571',
      winners: [2, 2],
    });
  });
});

describe('docs/mechanisms.md example R (rationing: A with b2 wanting 3 kWh)', () => {
  const R: WireRound = {
    bids: VECTOR_A.map((b): WireBid => (b.id === 'b2' ? { ...b, quantity: '3' } : b)),
  };
  it('mcafee: buyers b1, b2 (6 kWh) share the sellers s1, s2 (5 kWh) in proportion: 2.5 each', () => {
    check('mcafee', R, {
      price: null,
      lines: [
        'b1 2.5 37.5000000',
        'b2 2.5 37.5000000',
        'b3 0 0.0000000',
        'b4 0 0.0000000',
        's1 2 26.0000000',
        's2 3 39.0000000',
        's3 0 0.0000000',
        's4 0 0.0000000',
      ],
      energy: '5',
      paid: '75.0000000',
      received: '65.0000000',
      balance: '10.0000000',
      // max: 60 + 54 + 15 − 16 − 30 − 26 = 57
      welfare: ['20.0000000', '19.0000000', '49.0000000', '57.0000000'],
      efficiency: '0.859649',
      winners: [2, 2],
    });
  });
});

describe('docs/mechanisms.md example C (docs/mechanism.md §9 vector C: supply binds)', () => {
  const C: WireRound = {
    params: { alpha: '0.5' },
    bids: [...VECTOR_C],
  };
  const buyersC = (h1: string): string[] => [h1, 'h2 0 0.0000000', 'h3 0 0.0000000', 'h4 0 0.0000000'];
  const MAX_C = '93.5000000';

  it('uniform: all 7.5 kWh offered trade at (30 + 27) / 2 = 28.5', () => {
    check('uniform', C, {
      price: '28.5',
      lines: [
        ...buyersC('h1 7.5 213.7500000'),
        'p1 2 57.0000000',
        'p2 1.5 42.7500000',
        'p3 1 28.5000000',
        'p4 3 85.5000000',
      ],
      energy: '7.5',
      paid: '213.7500000',
      received: '213.7500000',
      balance: '0.0000000',
      welfare: ['11.2500000', '82.2500000', MAX_C, MAX_C],
      efficiency: '1.000000',
      winners: [1, 4],
    });
  });

  it('vcg: h1 pays 28 per kWh (h2 would take it all), every seller gets 30 (h1 wants more): deficit 15', () => {
    check('vcg', C, {
      price: null,
      lines: [
        ...buyersC('h1 7.5 210.0000000'),
        'p1 2 60.0000000',
        'p2 1.5 45.0000000',
        'p3 1 30.0000000',
        'p4 3 90.0000000',
      ],
      energy: '7.5',
      paid: '210.0000000',
      received: '225.0000000',
      balance: '-15.0000000',
      welfare: ['15.0000000', '93.5000000', MAX_C, MAX_C],
      efficiency: '1.000000',
      winners: [1, 4],
    });
  });

  it('mcafee: the only buyer is the marginal one, so nothing trades', () => {
    const r = check('mcafee', C, {
      price: null,
      lines: [
        ...buyersC('h1 0 0.0000000'),
        'p1 0 0.0000000',
        'p2 0 0.0000000',
        'p3 0 0.0000000',
        'p4 0 0.0000000',
      ],
      energy: '0',
      paid: '0.0000000',
      received: '0.0000000',
      balance: '0.0000000',
      welfare: ['0.0000000', '0.0000000', '0.0000000', MAX_C],
      efficiency: '0.000000',
      winners: [0, 0],
    });
    expect(r).toMatchObject({ status: 'no-trade', reason: 'trade-reduction', averagePrice: null });
  });
});

describe('docs/mechanisms.md example D (doan2021 below the ask on a coarse grid)', () => {
  const D: WireRound = {
    params: { gridStep: '4' },
    bids: [buy('b1', '13', '100'), sell('s1', '0', '1'), sell('s2', '10', '1'), sell('s3', '12', '1')],
  };

  it('gridStep 4: candidates 13 and 9 (< p_min = 10); 9 wins and s2 is paid 9 < 10: one IR violation', () => {
    check('doan2021', D, {
      price: '9',
      lines: ['b1 1 9.0000000', 's1 0.5 4.5000000', 's2 0.5 4.5000000', 's3 0 0.0000000'],
      energy: '1',
      paid: '9.0000000',
      received: '9.0000000',
      balance: '0.0000000',
      // b1: U(1 kWh) = 13 − 4/2 = 11, pays 9; s2: 4.5 − 5 = −0.5; the maximum: s1's 1 kWh to b1
      welfare: ['2.0000000', '4.0000000', '6.0000000', '11.0000000'],
      efficiency: '0.545455',
      winners: [1, 2],
      ir: 1,
    });
  });

  it('the default profile stays in [p_min, p_max]: no violation', () => {
    const r = runMechanism('default', D);
    expect(r.irViolations).toBe(0);
    expect(Number(r.price)).toBeGreaterThanOrEqual(10);
  });
});

describe('mcafee rationing ties go by id, not by price (docs/mechanisms.md §4)', () => {
  it('two buyers of 1 kWh share 1.501 kWh: the leftover Wh goes to id "a", not to the higher bid "z"', () => {
    const r = runMechanism('mcafee', {
      bids: [
        buy('z', '20', '1'),
        buy('a', '18', '1'),
        buy('c', '15', '2'),
        sell('s1', '8', '0.5'),
        sell('s2', '9', '1.001'),
        sell('s3', '13', '2'),
        sell('s4', '16', '5'),
      ],
    });
    // efficient: 3.501 kWh, c (partial) and s3 marginal; reduced: z, a (2 kWh) against s1, s2 (1.501)
    expect(lines(r).slice(0, 3)).toEqual(['z 0.75 11.2500000', 'a 0.751 11.2650000', 'c 0 0.0000000']);
    expect(r.totals).toMatchObject({
      energy: '1.501',
      buyerPayments: '22.5150000',
      sellerReceipts: '19.5130000',
    });
  });
});

/** docs/settlement.md §6, number for number, and the doc's tables are what the code computes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settleDelivery, type WireSettlement } from '../../../../engine/src/settlement';
import { EXAMPLE_OWNERS, EXAMPLE_PARAMS, EXAMPLE_READINGS, exampleResult, ownerOf } from './example';

const settle = (): WireSettlement =>
  settleDelivery(exampleResult(), EXAMPLE_READINGS, EXAMPLE_PARAMS, ownerOf(EXAMPLE_OWNERS));

const DOC = readFileSync(join(__dirname, '../../../../docs/settlement.md'), 'utf8');
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;

describe('docs/settlement.md §6 worked example', () => {
  const s = settle();

  it('clears as the doc says', () => {
    const r = exampleResult();
    expect(r.price).toBe('14.1');
    expect(r.buyers.map((b) => [b.id, b.quantity, b.payment])).toEqual([
      ['b1', '1.475', '21.5350000'],
      ['b2', '0.975', '14.2350000'],
      ['b3', '0', '0.0000000'],
    ]);
    expect(r.sellers.map((b) => [b.id, b.quantity, b.payment])).toEqual([
      ['s1', '0.98', '13.8180000'],
      ['s2', '1.47', '20.7270000'],
      ['s3', '0', '0.0000000'],
    ]);
  });

  it('has the imbalance prices', () => {
    expect(s.price).toBe('14.1');
    expect(s.params).toEqual({ shortPremium: '0.2005', longDiscount: '0.1235' });
    expect(s.imbalancePrices).toEqual({ short: '16.92705', long: '12.35865' });
  });

  it('has every line', () => {
    const cells = s.lines.map((l) => [
      l.id,
      l.utility,
      l.allocated,
      l.metered,
      l.reading,
      l.deviation,
      l.position,
      l.imbalancePrice,
      l.trade,
      l.fee,
      l.imbalance,
      l.net,
    ]);
    expect(cells).toEqual([
      [
        'b1',
        'Utility1MSP',
        '1.475',
        '1.6',
        'metered',
        '0.125',
        'short',
        '16.92705',
        '-20.7975000',
        '-0.7375000',
        '-2.1158813',
        '-23.6508813',
      ],
      [
        'b3',
        'Utility1MSP',
        '0',
        '0',
        'metered',
        '0',
        'balanced',
        '0',
        '0.0000000',
        '0.0000000',
        '0.0000000',
        '0.0000000',
      ],
      [
        's1',
        'Utility1MSP',
        '0.98',
        '1.051',
        'metered',
        '0.071',
        'long',
        '12.35865',
        '13.8180000',
        '0.0000000',
        '0.8774642',
        '14.6954642',
      ],
      [
        'b2',
        'Utility2MSP',
        '0.975',
        '0.9',
        'metered',
        '-0.075',
        'long',
        '12.35865',
        '-13.7475000',
        '-0.4875000',
        '0.9268988',
        '-13.3081012',
      ],
      [
        's2',
        'Utility2MSP',
        '1.47',
        '0',
        'missing',
        '-1.47',
        'short',
        '16.92705',
        '20.7270000',
        '0.0000000',
        '-24.8827635',
        '-4.1557635',
      ],
      [
        's3',
        'Utility2MSP',
        '0',
        '0.2',
        'metered',
        '0.2',
        'long',
        '12.35865',
        '0.0000000',
        '0.0000000',
        '2.4717300',
        '2.4717300',
      ],
    ]);
    for (const c of cells) expect(DOC).toContain(row(c));
    expect(s.lines.map((l) => l.side)).toEqual(['buy', 'buy', 'sell', 'buy', 'sell', 'sell']);
  });

  it('has the utility statements', () => {
    const cells = s.utilities.map((u) => [
      u.utility,
      u.bids,
      u.missingReadings,
      u.bought,
      u.sold,
      u.consumed,
      u.delivered,
      u.shortEnergy,
      u.longEnergy,
      u.trade,
      u.fees,
      u.imbalance,
      u.net,
    ]);
    expect(cells).toEqual([
      [
        'Utility1MSP',
        3,
        0,
        '1.475',
        '0.98',
        '1.6',
        '1.051',
        '0.125',
        '0.071',
        '-6.9795000',
        '-0.7375000',
        '-1.2384171',
        '-8.9554171',
      ],
      [
        'Utility2MSP',
        3,
        1,
        '0.975',
        '1.47',
        '0.9',
        '0.2',
        '1.47',
        '0.275',
        '6.9795000',
        '-0.4875000',
        '-21.4841347',
        '-14.9921347',
      ],
    ]);
    for (const c of cells) expect(DOC).toContain(row(c));
  });

  it("has the operator's account and balances to zero", () => {
    expect(s.operator).toEqual({
      shortEnergy: '1.595',
      longEnergy: '0.346',
      fees: '1.2250000',
      imbalanceCharges: '26.9986448',
      imbalanceCredits: '-4.2760930',
      imbalance: '22.7225518',
      net: '23.9475518',
    });
    const o = s.operator;
    const opRow = [
      o.shortEnergy,
      o.longEnergy,
      o.fees,
      o.imbalanceCharges,
      o.imbalanceCredits,
      o.imbalance,
      o.net,
    ];
    expect(DOC).toContain(row(opRow));
    expect(s.totals).toEqual({
      trade: '0.0000000',
      utilities: '-23.9475518',
      operator: '23.9475518',
      sum: '0.0000000',
    });
  });
});

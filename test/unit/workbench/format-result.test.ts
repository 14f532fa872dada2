import {
  RESULT_CSV_HEADER,
  alignColumns,
  formatComparisonTable,
  formatCsv,
  formatJson,
  formatTable,
} from '../../../workbench/src/format-result';
import type { WireAllocation, WireClearingResult, WireRound } from '../../../engine/src/mechanism/types';

// A hand-written result in the shape of docs/mechanism.md §9 vector A (default profile); the numbers are
// only used to check the formatting, not the mechanism.
const round: WireRound = {
  bids: [
    { id: 'b1', side: 'buy', price: '20', quantity: '3' },
    { id: 's1', side: 'sell', price: '8', quantity: '2' },
    { id: 'b2', side: 'buy', price: '18', quantity: '2' },
    { id: 's2', side: 'sell', price: '10', quantity: '3.5' },
  ],
};
const result: WireClearingResult = {
  status: 'cleared',
  profile: 'default',
  price: '14.1',
  priceRange: { min: '10', max: '15' },
  // indices into the sorted lists (result.buyers, result.sellers): b2 and s2
  breakEven: { buyer: 1, seller: 1 },
  buyers: [
    { id: 'b1', quantity: '1.475', payment: '20.7975000' },
    { id: 'b2', quantity: '0', payment: '0.0000000' },
  ],
  sellers: [
    { id: 's1', quantity: '0.98', payment: '13.8180000' },
    { id: 's2', quantity: '0.495', payment: '6.9795000' },
  ],
  totals: { energy: '1.475', buyerPayments: '20.7975000', sellerReceipts: '20.7975000', fees: '0.0000000' },
  metrics: {
    tradedEnergy: '1.475',
    supplyTradedPercent: '26.82',
    buyerWelfare: '4.35',
    sellerWelfare: '7.21',
    socialWelfare: '11.56',
    maxSocialWelfare: '12.00',
    efficiency: '0.963333',
  },
};

describe('formatJson', () => {
  it('prints exactly one newline-terminated JSON document', () => {
    const out = formatJson(result);
    expect(out.endsWith('}\n')).toBe(true);
    expect(JSON.parse(out)).toEqual(result);
  });
});

describe('formatCsv', () => {
  it('prints one line per bid in input order', () => {
    expect(formatCsv(result, round)).toBe(
      [
        RESULT_CSV_HEADER,
        'b1,buy,20,3,1.475,20.7975000',
        's1,sell,8,2,0.98,13.8180000',
        'b2,buy,18,2,0,0.0000000',
        's2,sell,10,3.5,0.495,6.9795000',
        '',
      ].join('\n'),
    );
  });

  it('quotes fields that need it and matches by side as well as id', () => {
    const r: WireRound = { bids: [{ id: 'x,1', side: 'sell', price: '1', quantity: '1' }] };
    const res = { ...result, buyers: [{ id: 'x,1', quantity: '9', payment: '9.0000000' }], sellers: [] };
    expect(formatCsv(res, r).split('\n')[1]).toBe('"x,1",sell,1,1,0,0.0000000');
  });
});

describe('formatTable', () => {
  it('shows status, price, range, totals, metrics and the winners only', () => {
    const out = formatTable(result, round);
    expect(out).toMatch(/^Round: 4 bids \(2 buy, 2 sell\), profile default\n/);
    expect(out).toMatch(/status\s+cleared\n/);
    expect(out).toMatch(/clearing price\s+14\.1 per kWh\n/);
    expect(out).toMatch(/price range\s+10 \.\. 15\n/);
    expect(out).toMatch(/traded energy\s+1\.475 kWh \(26\.82% of 5\.5 kWh offered; 5 kWh wanted\)/);
    expect(out).toMatch(/social welfare\s+11\.56 \(max 12\.00\)/);
    expect(out).toMatch(/efficiency\s+0\.963333/);
    expect(out).toMatch(/break-even\s+buyer b2 at 18, seller s2 at 10\n/);
    expect(out).not.toMatch(/#|0-based/);
    expect(out).toMatch(/Winners: 1 buyer\(s\), 2 seller\(s\)/);
    expect(out).toMatch(/ {2}buy\s+b1\s+20\s+3\s+1\.475\s+20\.7975000\n/);
    // b2 (allocated 0) has no winner line; it is named above only as the break-even buyer
    expect(out).not.toMatch(/^\s+buy\s+b2\b/m);
  });

  it('limits the winner lines with maxRows', () => {
    const out = formatTable(result, round, { maxRows: 1 });
    expect(out).toMatch(/b1/);
    expect(out).not.toMatch(/^\s+sell\s+s2\b/m);
    expect(out).toMatch(/… 2 more/);
  });

  it('shows the reason of a no-trade and no clearing price', () => {
    const nt: WireClearingResult = {
      ...result,
      status: 'no-trade',
      reason: 'no compatible pair',
      price: '0',
    };
    const out = formatTable({ ...nt, buyers: [], sellers: [] }, round);
    expect(out).toMatch(/status\s+no-trade \(no compatible pair\)/);
    expect(out).not.toMatch(/clearing price/);
    // no compatible pair: no break-even
    const none = formatTable({ ...nt, breakEven: { buyer: -1, seller: -1 }, buyers: [], sellers: [] }, round);
    expect(none).toMatch(/break-even\s+none\n/);
    // a no-trade after stage 1 keeps its break-even; every bid has a zero line, in sorted order
    const zero = (id: string): WireAllocation => ({ id, quantity: '0', payment: '0.0000000' });
    const late = formatTable(
      { ...nt, buyers: [zero('b1'), zero('b2')], sellers: [zero('s1'), zero('s2')] },
      round,
    );
    expect(late).toMatch(/break-even\s+buyer b2 at 18, seller s2 at 10\n/);
    expect(late).toMatch(/Winners: 0 buyer\(s\), 0 seller\(s\)\n$/);
    expect(out).toMatch(/Winners: 0 buyer\(s\), 0 seller\(s\)\n$/);
  });
});

describe('formatComparisonTable', () => {
  it('puts the two profiles side by side', () => {
    const doan = {
      ...result,
      profile: 'doan2021' as const,
      price: '14',
      metrics: { ...result.metrics, tradedEnergy: '2.5' },
    };
    const out = formatComparisonTable({ default: result, doan2021: doan });
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+default\s+doan2021$/);
    expect(out).toMatch(/\nprice\s+14\.1\s+14\n/);
    expect(out).toMatch(/\ntraded kWh\s+1\.475\s+2\.5\n/);
    // columns line up
    const col = (lines[0] ?? '').indexOf('doan2021');
    for (const l of lines.slice(1)) expect(l.length).toBeGreaterThan(col);
  });
});

describe('alignColumns', () => {
  it('pads every column but the last', () => {
    expect(
      alignColumns([
        ['a', 'bb', 'c'],
        ['ddd', 'e', 'f'],
      ]),
    ).toEqual(['a    bb  c', 'ddd  e   f']);
  });
});

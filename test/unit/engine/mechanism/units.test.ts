import {
  DecimalFormatError,
  formatDecimal,
  formatEnergy,
  formatMoney,
  formatPrice,
  parseDecimal,
} from '../../../../engine/src/mechanism/units';

describe('parseDecimal', () => {
  it.each([
    ['2.5', 3, 2500],
    ['14.1', 4, 141000],
    ['0', 4, 0],
    ['007.010', 3, 7010],
    ['1000000', 3, 1_000_000_000],
  ])('parses %s with %i decimals as %i', (input, decimals, expected) => {
    expect(parseDecimal(input, decimals)).toBe(expected);
  });

  it.each([
    ['1.23456', 4, 'at most 4 decimal places'],
    ['-1', 4, 'non-negative decimal'],
    ['1e3', 4, 'non-negative decimal'],
    ['', 4, 'non-negative decimal'],
    [' 1', 4, 'non-negative decimal'],
    ['NaN', 4, 'non-negative decimal'],
    ['1.', 4, 'non-negative decimal'],
    ['99999999999999999', 0, 'too large'],
  ])('rejects %j (%i decimals): %s', (input, decimals, reason) => {
    expect(() => parseDecimal(input, decimals)).toThrow(reason);
    expect(() => parseDecimal(input, decimals)).toThrow(DecimalFormatError);
  });

  it('rejects non-strings naming the type', () => {
    expect(() => parseDecimal(12, 4)).toThrow('got number');
  });
});

describe('formatting', () => {
  it('round-trips through parse', () => {
    for (const s of ['0', '0.001', '2.5', '14.1', '1000000', '12.345']) {
      expect(formatDecimal(parseDecimal(s, 3), 3)).toBe(s);
    }
  });
  it('formats units', () => {
    expect(formatEnergy(1475)).toBe('1.475');
    expect(formatPrice(141000)).toBe('14.1');
    expect(formatMoney(207975000n)).toBe('20.7975000');
    expect(formatMoney(-5n)).toBe('-0.0000005');
    expect(formatMoney(0n)).toBe('0.0000000');
  });
});

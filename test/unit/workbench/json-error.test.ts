import { locateJsonError } from '../../../workbench/src/json-error';

describe('locateJsonError', () => {
  it('accepts valid JSON (returns undefined)', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, null, "x\\n\\u00e9"], "b": {}} ', '"s"', '0']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(locateJsonError(text)).toBeUndefined();
    }
  });

  it.each([
    ['{"a":1,}', 1, 8, /property name/],
    ['{"a": 1\n "b": 2}', 2, 2, /expected ',' or '}'/],
    ['[1, 2\n,\n]', 3, 1, /expected a value/],
    ['{"bids": [', 1, 11, /end of input/],
    ['', 1, 1, /end of input/],
    ['{} x', 1, 4, /after the end/],
    ['{"a": "b\\q"}', 1, 9, /escape/],
    ['{"a": \'b\'}', 1, 7, /expected a value/],
    ['{"a": 01}', 1, 8, /expected ',' or '}'/],
    ['{"a" 1}', 1, 6, /expected ':'/],
    ['{"a": "b', 1, 9, /unterminated string/],
  ])('locates the error in %j at line %d, column %d', (text, line, column, reason) => {
    expect((): unknown => JSON.parse(text)).toThrow();
    const loc = locateJsonError(text);
    expect(loc).toBeDefined();
    expect(loc?.line).toBe(line);
    expect(loc?.column).toBe(column);
    expect(loc?.reason).toMatch(reason);
  });

  it('is stack-safe on deep nesting', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(199_999);
    expect(locateJsonError(deep)?.reason).toMatch(/end of input/);
  });
});

import { findDuplicateKey, locateJsonError } from '../../../workbench/src/json-error';

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

describe('findDuplicateKey', () => {
  it('finds nothing in JSON without repeated names (same names in different objects are fine)', () => {
    for (const text of [
      '{}',
      '[]',
      '{"a": 1, "b": {"a": 2}, "c": [{"x": 1}, {"x": 2}]}',
      '{"a": "x\\":", "b": "\\\\", "c": "{[,"}',
      '"s"',
    ]) {
      expect(JSON.parse(text)).toBeDefined();
      expect(findDuplicateKey(text)).toBeUndefined();
    }
  });

  it.each([
    ['{"a": 1, "a": 2}', 'a', [], 1, 10],
    ['{"bids": [\n  {"id": "b1", "price": "20", "price": "99"}\n]}', 'price', ['bids', 0], 2, 31],
    ['{"bids": [{"x": 1}, 7, {"id": "b", "id": "c"}]}', 'id', ['bids', 2], 1, 36],
    ['{"a": "b\\\\", "a": 1}', 'a', [], 1, 14],
    ['{"pr\\u0069ce": 1, "price": 2}', 'price', [], 1, 19],
    ['{"a": {"b": 1}, "b": 2, "a": 3}', 'a', [], 1, 25],
    ['[{"a": [1, {"a": 1}], "b": 2, "b": 3}]', 'b', [0], 1, 31],
  ])('finds the repeated name in %j', (text, key, path, line, column) => {
    expect(JSON.parse(text)).toBeDefined();
    expect(findDuplicateKey(text)).toEqual({
      key,
      path,
      position:
        text
          .split('\n')
          .slice(0, line - 1)
          .join('\n').length +
        (line > 1 ? 1 : 0) +
        column -
        1,
      line,
      column,
    });
  });
});

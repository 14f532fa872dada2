import { findDuplicateKey } from '../../../../engine/src/json/duplicate-key';

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

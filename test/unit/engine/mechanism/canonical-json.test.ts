/** canonicalJson: sorted keys, no whitespace, refuses what JSON cannot represent faithfully. */
import fc from 'fast-check';
import { canonicalJson, CanonicalJsonError } from '../../../../engine/src/mechanism';
import { canonicalJsonByWriter } from '../../../../engine/src/mechanism/canonical-json';

/** The same value with every object's keys inserted in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) {
      // defineProperty: a plain assignment of "__proto__" would set the prototype instead
      Object.defineProperty(out, k, {
        value: reversedKeys((v as Record<string, unknown>)[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

describe('canonicalJson', () => {
  it('sorts keys recursively (UTF-16 order), keeps array order, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [3, { z: null, y: 'x' }, 1], B: true, é: 'é', '10': 0, '9': 0 })).toBe(
      '{"10":0,"9":0,"B":true,"a":[3,{"y":"x","z":null},1],"b":1,"é":"é"}',
    );
  });

  it('escapes strings as JSON does and writes -0 as 0', () => {
    expect(canonicalJson(['a"b\\c\n\u0001', -0, 1e21, 0.1])).toBe('["a\\"b\\\\c\\n\\u0001",0,1e+21,0.1]');
  });

  it.each<[string, unknown, string]>([
    ['undefined', undefined, '$'],
    ['an undefined property', { a: { b: undefined } }, '$.a.b'],
    ['an undefined array element', [1, undefined], '$[1]'],
    ['a function', { f: () => 1 }, '$.f'],
    ['a symbol', [Symbol('s')], '$[0]'],
    ['a bigint', { n: 1n }, '$.n'],
    ['NaN', { x: NaN }, '$.x'],
    ['Infinity', [-Infinity], '$[0]'],
    ['a Date', { d: new Date(0) }, '$.d'],
    ['a Map', new Map(), '$'],
  ])('refuses %s, naming where', (_name, value, path) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(` at ${path}`);
  });

  it('refuses cycles but accepts a shared (acyclic) object twice', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(/cyclic/);
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });

  it('keeps an own "__proto__" key (as JSON.parse creates it)', () => {
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":2}}'))).toBe('{"__proto__":{"x":2},"b":1}');
  });

  it('accepts objects without a prototype', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = 2;
    o.a = 1;
    expect(canonicalJson(o)).toBe('{"a":1,"b":2}');
  });

  it('property: independent of key insertion order, parses back to the same value, idempotent', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalJson(v);
        expect(canonicalJson(reversedKeys(v))).toBe(c);
        expect(canonicalJson(JSON.parse(c))).toBe(c);
        expect(canonicalJson(JSON.parse(JSON.stringify(v)))).toBe(c);
      }),
      { numRuns: 500 },
    );
  });

  it('property: the fast path and the writer give the same bytes, keys of any kind included', () => {
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__', '0', '10', '9', '1e3', '-1', '', 'toJSON2'),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(key, tie('v'), { maxKeys: 5 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(canonicalJsonByWriter(v));
        expect(canonicalJson(reversedKeys(v))).toBe(canonicalJsonByWriter(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('the fast path refuses what the writer refuses, with the same error', () => {
    const a: unknown[] = [];
    a.push({ a });
    for (const v of [
      { a: 1, b: { c: undefined } },
      [1, () => 2],
      { x: new Date(0) },
      { n: 2n },
      a,
      { t: { toJSON: () => 1 } },
    ]) {
      expect(() => canonicalJsonByWriter(v)).toThrow(CanonicalJsonError);
      expect(() => canonicalJson(v)).toThrow(
        (() => {
          try {
            canonicalJsonByWriter(v);
          } catch (e) {
            return (e as Error).message;
          }
          return 'not refused';
        })(),
      );
    }
  });
});

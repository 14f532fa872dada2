/** Numeric id keys from the copied characters (engine/src/mechanism/id-keys.ts). */
import fc from 'fast-check';
import {
  allocIdChars,
  copyIdChars,
  ID_WINDOW,
  idKeysOf,
  KEY_LIMIT,
} from '../../../../engine/src/mechanism/id-keys';

function keysOf(ids: string[], limit?: number) {
  const chars = allocIdChars(ids.length);
  ids.forEach((id, k) => expect(copyIdChars(id, chars, k)).toBe(true));
  return idKeysOf(chars, limit);
}

describe('idKeysOf', () => {
  it('orders keys like the strings; equal keys only where an id goes past the keyed positions', () => {
    const idArb = fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/);
    fc.assert(
      fc.property(fc.uniqueArray(idArb, { minLength: 2, maxLength: 60 }), (ids) => {
        const r = keysOf(ids);
        if (r === undefined) return; // a common prefix as long as the window: keyed from the strings
        expect(r.range).toBeLessThanOrEqual(KEY_LIMIT);
        for (let a = 0; a < ids.length; a++) {
          const ka = r.keys[a]!;
          expect(ka).toBeLessThan(r.range);
          for (let b = 0; b < ids.length; b++) {
            const kb = r.keys[b]!;
            // a key order never contradicts the string order
            if (ka < kb) expect(ids[a]! < ids[b]!).toBe(true);
            if (ka === kb && a !== b) expect(r.exact).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is exact for short ids, and uses one digit per different character after the common prefix', () => {
    const r = keysOf(['b0000001', 'b0000010', 'b0000002', 'b000001']);
    expect(r?.exact).toBe(true);
    // after "b00000": position 6 has '0' → 0, '1' → 1; position 7 has ended → 0, '0' → 1, '1' → 2, '2' → 3
    expect(r?.range).toBe(2 * 4);
    expect(Array.from(r?.keys ?? [])).toEqual([0 * 4 + 2, 1 * 4 + 1, 0 * 4 + 3, 1 * 4 + 0]);
  });

  it('stays below a smaller limit, then is not exact', () => {
    const ids = Array.from({ length: 300 }, (_, k) => `x${String(k).padStart(3, '0')}`);
    const r = keysOf(ids, 50);
    expect(r!.range).toBeLessThanOrEqual(50);
    expect(r!.exact).toBe(false);
  });

  it('leaves ids sharing a prefix of the whole window to the caller', () => {
    const prefix = 'p'.repeat(ID_WINDOW);
    expect(keysOf([`${prefix}a`, `${prefix}b`])).toBeUndefined();
  });

  it('reports characters it cannot key', () => {
    const chars = allocIdChars(1);
    expect(copyIdChars('caf\u00e9', chars, 0)).toBe(false);
  });
});

import { encode } from '../../../chaincode/src/codec';
import type { Settlement } from '../../../chaincode/src/model';
import {
  decodeStoredSettlement,
  encodeStoredSettlement,
  SETTLEMENT_FORMAT,
} from '../../../chaincode/src/settlement-store';

const batch = (n: number) => n.toString(16).padStart(64, '0');

/** Lines of 3 batches interleaved, as a clearing orders them (by price, not by batch). */
function settlement(lines: number): Settlement {
  return {
    roundId: 'r1',
    utility: 'Utility1MSP',
    lines: Array.from({ length: lines }, (_, i) => ({
      batchId: batch(i % 3),
      id: `b${i}`,
      side: i % 2 ? 'sell' : 'buy',
      quantity: `${i}.5`,
      payment: `${i * 7}.1230000`,
    })),
  };
}

describe('stored settlements (settlement-store.ts)', () => {
  test('the same lines in the same order come back, with the salt', () => {
    const s = settlement(50);
    const back = decodeStoredSettlement(encodeStoredSettlement(s, 'f'.repeat(64)));
    expect(back).toEqual({ ...s, salt: 'f'.repeat(64) });
    expect(back.lines.map((l) => l.id)).toEqual(s.lines.map((l) => l.id));
  });

  test('each batch id is stored once: a third of the first form’s bytes for many lines', () => {
    const s = settlement(3000);
    const stored = encodeStoredSettlement(s, 'f'.repeat(64));
    const first = encode({ ...s, salt: 'f'.repeat(64) });
    const text = Buffer.from(stored).toString('utf8');
    expect(text.split(batch(1)).length - 1).toBe(1);
    expect(text).toContain(`"format":"${SETTLEMENT_FORMAT}"`);
    expect(stored.length).toBeLessThan(first.length / 3);
  });

  test('a settlement stored in the first form (the Settlement plus its salt) is still read', () => {
    const s = settlement(4);
    expect(decodeStoredSettlement(encode({ ...s, salt: 'a'.repeat(64) }))).toEqual({
      ...s,
      salt: 'a'.repeat(64),
    });
  });

  test('an unknown format or a line naming a batch that is not in the table is refused', () => {
    const stored = JSON.parse(Buffer.from(encodeStoredSettlement(settlement(2), 's')).toString('utf8')) as {
      format: string;
      lines: [number, ...string[]][];
    };
    expect(() => decodeStoredSettlement(encode({ ...stored, format: 'lines-v9' }))).toThrow(
      /unknown format lines-v9/,
    );
    stored.lines[1]![0] = 7;
    expect(() => decodeStoredSettlement(encode(stored))).toThrow(/names batch #7 of 2/);
  });

  test('empty settlement: no batches, no lines', () => {
    const s: Settlement = { roundId: 'r1', utility: 'Utility2MSP', lines: [] };
    expect(decodeStoredSettlement(encodeStoredSettlement(s, 'x'))).toEqual({ ...s, salt: 'x' });
  });
});

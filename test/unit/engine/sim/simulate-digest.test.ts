/**
 * simulateRound's output is pinned: the day profile (day.ts) shares its plan and helpers, and the
 * flat rounds must stay byte-identical to the ones written before it (digests taken from the
 * engine of f8bd26c, before day.ts existed).
 */
import { createHash } from 'node:crypto';
import { simulateRound } from '../../../../engine/src/sim/simulate';

const digest = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex');

describe('simulateRound is byte-identical to the engine before the day profile', () => {
  it.each([
    [
      { buyers: 100, sellers: 100, seed: 1 },
      '880d09371b22dcfd89cdd6a088da4a39c24abfb9140f4f64c8c52b4012eb55eb',
    ],
    [
      {
        buyers: 10,
        sellers: 10,
        seed: 3,
        buyPrice: { min: '20', max: '30' },
        quantity: { min: '1', max: '2' },
        priceDecimals: 2,
        alpha: '0.5',
      },
      'ac7eedb39f7186e59e679653d48f1ce44aeee9b58fff78f5d4d9d95d6103230e',
    ],
    [
      { buyers: 2000, sellers: 1500, seed: 7 },
      'b8599544a064ea92e9d753ff43d2a20ee7e34e87f20b67f752fbac78a08ad290',
    ],
  ])('%j', (options, expected) => {
    expect(digest(simulateRound(options))).toBe(expected);
  });
});

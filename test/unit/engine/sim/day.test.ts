import { createHash } from 'node:crypto';
import { clearRound } from '../../../../engine/src/mechanism';
import {
  DAY_SLOTS,
  loadShape,
  planDay,
  pvShape,
  simulateDay,
  simulateDaySlot,
  slotTime,
} from '../../../../engine/src/sim/day';

const sha = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex');
const kWh = (bids: { side: string; quantity: string }[], side: string): number =>
  bids.filter((b) => b.side === side).reduce((s, b) => s + Number(b.quantity), 0);

describe('simulateDay (96 quarter-hour rounds)', () => {
  const day = simulateDay({ buyers: 40, sellers: 30, seed: 5 });

  it('has 96 slots named 0000..2345', () => {
    expect(day).toHaveLength(DAY_SLOTS);
    expect(slotTime(0)).toBe('0000');
    expect(slotTime(1)).toBe('0015');
    expect(slotTime(95)).toBe('2345');
  });

  it('is deterministic by seed, and a slot alone equals the same slot of the day', () => {
    expect(sha(simulateDay({ buyers: 40, sellers: 30, seed: 5 }))).toBe(sha(day));
    expect(sha(simulateDay({ buyers: 40, sellers: 30, seed: 6 }))).not.toBe(sha(day));
    const plan = planDay({ buyers: 40, sellers: 30, seed: 5 });
    expect(simulateDaySlot(plan, 52)).toEqual(day[52]);
    expect(() => simulateDaySlot(plan, 96)).toThrow(RangeError);
  });

  it('has PV-shaped supply: none at night, most around noon', () => {
    expect(pvShape(0)).toBe(0);
    expect(pvShape(24)).toBe(0);
    expect(pvShape(80)).toBe(0);
    expect(pvShape(52)).toBe(1000);
    for (const t of [0, 10, 23, 81, 95]) expect(kWh(day[t]?.bids ?? [], 'sell')).toBe(0);
    const noon = kWh(day[52]?.bids ?? [], 'sell');
    expect(noon).toBeGreaterThan(kWh(day[36]?.bids ?? [], 'sell'));
    expect(noon).toBeGreaterThan(kWh(day[68]?.bids ?? [], 'sell'));
  });

  it('has load-shaped demand: morning and evening peaks above the night and noon', () => {
    const load = (t: number): number => kWh(day[t]?.bids ?? [], 'buy');
    expect(loadShape(30)).toBeGreaterThan(loadShape(12));
    expect(loadShape(76)).toBeGreaterThan(loadShape(52));
    expect(load(30)).toBeGreaterThan(load(8));
    expect(load(76)).toBeGreaterThan(load(52));
    for (let t = 0; t < DAY_SLOTS; t++) expect(load(t)).toBeGreaterThan(0);
  });

  it('writes canonical quantities on the grid, keeps ids all day and clears', () => {
    for (const round of day) {
      for (const b of round.bids) expect(b.quantity).toMatch(/^\d+(\.\d{1,3})?$/);
      expect(() => clearRound(round)).not.toThrow();
    }
    const ids = new Set(day.flatMap((r) => r.bids.map((b) => b.id)));
    expect([...ids].filter((id) => id.startsWith('b'))).toHaveLength(40);
    expect(clearRound(day[0]).status).toBe('no-trade');
    expect(clearRound(day[52]).status).toBe('cleared');
  });
});

/**
 * Property tests of settleDelivery (docs/settlement.md §3, §5) on random cleared rounds
 * (fast-check): conservation (every unit of money has a counterparty and the books sum to zero),
 * zero deviation moves no imbalance money, more shortfall never pays a short seller more (nor a
 * buyer consuming more less), and the settlement does not depend on the order of the readings.
 */
import fc from 'fast-check';
import { clearRound } from '../../../../engine/src/mechanism';
import type { WireBid, WireClearingResult } from '../../../../engine/src/mechanism/types';
import {
  formatDecimal,
  formatEnergy,
  parseDecimal,
  parseMoney,
} from '../../../../engine/src/mechanism/units';
import {
  settleDelivery,
  type WireReading,
  type WireSettlement,
  type WireSettlementLine,
} from '../../../../engine/src/settlement';

const UTILITIES = ['Utility1MSP', 'Utility2MSP', 'Utility3MSP'] as const;

interface RandomRound {
  bids: WireBid[];
  owners: Map<string, string>;
  fee: string;
}

const bidArb = fc.record({
  buy: fc.boolean(),
  price: fc.integer({ min: 1, max: 30 }),
  qty: fc.integer({ min: 1, max: 5000 }),
  owner: fc.constantFrom(...UTILITIES),
});

const roundArb: fc.Arbitrary<RandomRound> = fc
  .tuple(fc.array(bidArb, { minLength: 2, maxLength: 12 }), fc.constantFrom('0', '0.5', '1.25'))
  .map(([raw, fee]) => {
    const owners = new Map<string, string>();
    const bids = raw.map((b, i): WireBid => {
      const id = `${b.buy ? 'b' : 's'}${String(i)}`;
      owners.set(id, b.owner);
      return { id, side: b.buy ? 'buy' : 'sell', price: String(b.price), quantity: formatEnergy(b.qty) };
    });
    return { bids, owners, fee };
  });

const paramsArb = fc.record({
  shortPremium: fc.integer({ min: 0, max: 100_000 }).map((k) => formatDecimal(k, 4)),
  longDiscount: fc.integer({ min: 0, max: 10_000 }).map((k) => formatDecimal(k, 4)),
});

const clear = (r: RandomRound): WireClearingResult =>
  clearRound({ params: { serviceFee: r.fee }, bids: r.bids });

const linesOf = (result: WireClearingResult): { id: string; side: 'buy' | 'sell'; wh: number }[] => [
  ...result.buyers.map((l) => ({ id: l.id, side: 'buy' as const, wh: parseDecimal(l.quantity, 3) })),
  ...result.sellers.map((l) => ({ id: l.id, side: 'sell' as const, wh: parseDecimal(l.quantity, 3) })),
];

/** For every bid: no reading, or a reading of allocated + a deviation (kept ≥ 0). */
const readingsArb = (result: WireClearingResult): fc.Arbitrary<WireReading[]> =>
  fc
    .array(fc.option(fc.integer({ min: -6000, max: 6000 }), { nil: undefined }), {
      minLength: linesOf(result).length,
      maxLength: linesOf(result).length,
    })
    .map((devs) =>
      linesOf(result).flatMap((l, i) => {
        const dev = devs[i];
        if (dev === undefined) return [];
        return [{ id: l.id, side: l.side, quantity: formatEnergy(Math.max(0, l.wh + dev)) }];
      }),
    );

const caseArb = fc
  .tuple(roundArb, paramsArb)
  .chain(([round, params]) => {
    const result = clear(round);
    return fc.tuple(fc.constant(round), fc.constant(params), fc.constant(result), readingsArb(result));
  })
  .map(([round, params, result, readings]) => ({ round, params, result, readings }));

const settle = (
  result: WireClearingResult,
  readings: readonly WireReading[],
  params: object,
  owners: Map<string, string>,
): WireSettlement => settleDelivery(result, readings, params, (id) => owners.get(id));

const m = (s: string): bigint => parseMoney(s);
const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

describe('settleDelivery properties', () => {
  it('conserves money: trade sums to 0, fees and imbalance are the operator’s negation, sum = 0', () => {
    fc.assert(
      fc.property(caseArb, ({ round, params, result, readings }) => {
        const s = settle(result, readings, params, round.owners);
        const lines = s.lines;
        expect(sum(lines.map((l) => m(l.trade)))).toBe(0n);
        expect(sum(lines.map((l) => m(l.fee)))).toBe(-m(s.operator.fees));
        expect(sum(lines.map((l) => m(l.imbalance)))).toBe(-m(s.operator.imbalance));
        expect(sum(lines.map((l) => m(l.net))) + m(s.operator.net)).toBe(0n);
        expect(sum(s.utilities.map((u) => m(u.net)))).toBe(m(s.totals.utilities));
        expect(m(s.totals.sum)).toBe(0n);
        expect(m(s.totals.trade)).toBe(0n);
        for (const l of lines) expect(m(l.net)).toBe(m(l.trade) + m(l.fee) + m(l.imbalance));
        // every line of the result is settled, with its owner as the account holder
        expect(lines.length).toBe(result.buyers.length + result.sellers.length);
        for (const l of lines) expect(l.utility).toBe(round.owners.get(l.id));
      }),
      { numRuns: 150 },
    );
  });

  it('every trade has a counterparty on the other side; every fee and imbalance has the operator', () => {
    fc.assert(
      fc.property(caseArb, ({ round, params, result, readings }) => {
        const s = settle(result, readings, params, round.owners);
        const buyerTrade = sum(s.lines.filter((l) => l.side === 'buy').map((l) => m(l.trade)));
        const sellerTrade = sum(s.lines.filter((l) => l.side === 'sell').map((l) => m(l.trade)));
        expect(buyerTrade).toBe(-sellerTrade);
        expect(m(s.operator.imbalanceCharges)).toBe(
          -sum(s.lines.filter((l) => l.position === 'short').map((l) => m(l.imbalance))),
        );
        expect(m(s.operator.imbalanceCredits)).toBe(
          -sum(s.lines.filter((l) => l.position === 'long').map((l) => m(l.imbalance))),
        );
        for (const l of s.lines) {
          if (l.side === 'sell') expect(m(l.fee)).toBe(0n);
          if (l.position === 'short') expect(m(l.imbalance) <= 0n).toBe(true);
          if (l.position === 'long') expect(m(l.imbalance) >= 0n).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('zero deviation everywhere moves no imbalance money', () => {
    fc.assert(
      fc.property(roundArb, paramsArb, (round, params) => {
        const result = clear(round);
        const exact = linesOf(result).map((l) => ({ id: l.id, side: l.side, quantity: formatEnergy(l.wh) }));
        const s = settle(result, exact, params, round.owners);
        for (const l of s.lines) {
          expect(l.position).toBe('balanced');
          expect(m(l.imbalance)).toBe(0n);
          expect(l.imbalancePrice).toBe('0');
        }
        expect(m(s.operator.imbalance)).toBe(0n);
        expect(m(s.operator.net)).toBe(m(s.operator.fees));
      }),
      { numRuns: 100 },
    );
  });

  it('more shortfall never pays a short seller more; more consumption never costs a buyer less', () => {
    const pairArb = caseArb.chain((c) =>
      fc.tuple(
        fc.constant(c),
        fc.integer({ min: 0, max: Math.max(0, c.readings.length - 1) }),
        fc.integer({ min: 1, max: 3000 }),
      ),
    );
    fc.assert(
      fc.property(pairArb, ([{ round, params, result, readings }, index, more]) => {
        fc.pre(readings.length > 0);
        const reading = readings[index];
        if (reading === undefined) return;
        const metered = parseDecimal(reading.quantity, 3);
        // a seller delivering less (shortfall grows), a buyer consuming more (its position worsens)
        const worse = reading.side === 'sell' ? Math.max(0, metered - more) : metered + more;
        fc.pre(worse !== metered);
        const changed = readings.map((r, i) => (i === index ? { ...r, quantity: formatEnergy(worse) } : r));
        const lineOf = (s: WireSettlement): WireSettlementLine => {
          const line = s.lines.find((l) => l.id === reading.id);
          if (line === undefined) throw new Error(`no line ${reading.id}`);
          return line;
        };
        const before = lineOf(settle(result, readings, params, round.owners));
        const after = lineOf(settle(result, changed, params, round.owners));
        expect(m(after.imbalance) <= m(before.imbalance)).toBe(true);
        expect(m(after.net) <= m(before.net)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on the order of the readings (same canonical output)', () => {
    const shuffledArb = caseArb.chain((c) =>
      fc.tuple(fc.constant(c), fc.shuffledSubarray(c.readings, { minLength: c.readings.length })),
    );
    fc.assert(
      fc.property(shuffledArb, ([{ round, params, result, readings }, shuffled]) => {
        const a = settle(result, readings, params, round.owners);
        const b = settle(result, shuffled, params, round.owners);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 100 },
    );
  });
});

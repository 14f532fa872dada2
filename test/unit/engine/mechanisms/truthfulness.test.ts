/**
 * Brute-force truthfulness of McAfee and VCG (docs/mechanisms.md §4, §5) on small random rounds:
 * for every bidder and every price of a grid, reporting that price instead of its true one never
 * raises its utility (step valuation: true price × Wh traded − payment, or receipt − true
 * price × Wh). Prices on the same coarse grid, so ties are frequent; quantities are fixed (only
 * the price is misreported).
 */
import fc from 'fast-check';
import { MECHANISMS } from '../../../../engine/src/mechanisms';
import type { Bid, RoundParams } from '../../../../engine/src/mechanism/types';
import { parseDecimal } from '../../../../engine/src/mechanism/units';
import { money } from '../mechanism/helpers';

const PARAMS: RoundParams = { profile: 'default', alpha: 40_000, gridStep: 1000, serviceFee: 0 };
const TICKS = 10_000;
const GRID = Array.from({ length: 9 }, (_, p) => p * TICKS);

/** Bidder k's utility when the round is `bids` and its true price is `truth`. */
function utility(name: 'mcafee' | 'vcg', bids: readonly Bid[], k: number, truth: number): bigint {
  const me = bids[k] as Bid;
  const r = MECHANISMS[name](PARAMS, bids);
  const line = (me.side === 'buy' ? r.buyers : r.sellers).find((l) => l.id === me.id);
  if (line === undefined) throw new Error(`no line for ${me.id}`);
  const q = BigInt(parseDecimal(line.quantity, 3));
  const pay = money(line.payment);
  return me.side === 'buy' ? BigInt(truth) * q - pay : pay - BigInt(truth) * q;
}

/** The first profitable lie, as text, or undefined. */
function profitableLie(name: 'mcafee' | 'vcg', bids: readonly Bid[]): string | undefined {
  for (let k = 0; k < bids.length; k++) {
    const truth = (bids[k] as Bid).price;
    const honest = utility(name, bids, k, truth);
    for (const p of GRID) {
      const lie = bids.map((b, i) => (i === k ? { ...b, price: p } : b));
      const u = utility(name, lie, k, truth);
      if (u > honest) return `${(bids[k] as Bid).id} reports ${p} instead of ${truth}: ${u} > ${honest}`;
    }
  }
  return undefined;
}

const roundArb = fc
  .array(
    fc.record({
      buy: fc.boolean(),
      p: fc.integer({ min: 0, max: 8 }),
      q: fc.oneof(
        fc.integer({ min: 1, max: 3 }).map((x) => x * 1000),
        fc.integer({ min: 1, max: 3000 }),
      ),
    }),
    { minLength: 2, maxLength: 6 },
  )
  .map((raw) =>
    raw.map(
      (b, i): Bid => ({
        id: `t${5 - i}`,
        side: b.buy ? 'buy' : 'sell',
        price: b.p * TICKS,
        quantity: b.q,
        alpha: b.buy ? 40_000 : 0,
      }),
    ),
  );

describe.each(['mcafee', 'vcg'] as const)('%s is truthful (brute force on a price grid)', (name) => {
  it('no single bidder gains by misreporting its price', () => {
    fc.assert(
      fc.property(roundArb, (bids) => {
        expect(profitableLie(name, bids)).toBeUndefined();
      }),
      { numRuns: 250 },
    );
  });
});

it("mcafee: the round that breaks McAfee's p0 case for multi-unit bids (docs/mechanisms.md §4)", () => {
  const bids: Bid[] = [
    { id: 'x0', side: 'buy', price: 2 * TICKS, quantity: 1000, alpha: 40_000 },
    { id: 'x1', side: 'sell', price: 0, quantity: 2000, alpha: 0 },
    { id: 'x2', side: 'sell', price: TICKS, quantity: 1000, alpha: 0 },
    { id: 'x3', side: 'buy', price: TICKS, quantity: 1000, alpha: 40_000 },
  ];
  expect(profitableLie('mcafee', bids)).toBeUndefined();
  // x1 raising its ask to 1 would have won 1 kWh at p0 = 1 under the p0 case; here it stays marginal
  const lie = bids.map((b) => (b.id === 'x1' ? { ...b, price: TICKS } : b));
  expect(MECHANISMS.mcafee(PARAMS, lie).sellers.find((l) => l.id === 'x1')?.quantity).toBe('0');
});

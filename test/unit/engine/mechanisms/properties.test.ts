/**
 * Property tests of every mechanism on random rounds (fast-check): prices on a coarse grid (so
 * ties are common), quantities in whole Wh, and rounds where the supply binds. What each theory
 * promises (docs/mechanisms.md §1 table): individual rationality, quantity balance, money that
 * adds up, the sign of the operator's balance, efficiency ≤ 1, and = 1 where the allocation is
 * the efficient one.
 */
import fc from 'fast-check';
import { MECHANISM_NAMES, MECHANISMS, type MechanismResult } from '../../../../engine/src/mechanisms';
import type { Bid, RoundParams } from '../../../../engine/src/mechanism/types';
import { parseDecimal } from '../../../../engine/src/mechanism/units';
import { money } from '../mechanism/helpers';

const TICKS = 10_000; // 1 currency per kWh

/** A random side: prices on a grid of whole currency units (ties), or any tick. */
const price = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map((p) => p * TICKS),
  fc.integer({ min: 0, max: 30 * TICKS }),
);
const bidArb = fc.record({
  buy: fc.boolean(),
  price,
  qty: fc.oneof(
    fc.integer({ min: 1, max: 4 }).map((q) => q * 1000),
    fc.integer({ min: 1, max: 6000 }),
  ),
  alpha: fc.integer({ min: 1, max: 80_000 }),
});

/** A round of up to `max` bids; `binding` makes every buyer bid above every seller. */
const roundArb = (max: number): fc.Arbitrary<Bid[]> =>
  fc.tuple(fc.array(bidArb, { minLength: 0, maxLength: max }), fc.boolean()).map(([raw, binding]) =>
    raw.map(
      (b, i): Bid => ({
        id: `x${((i * 7919) % 1009).toString().padStart(4, '0')}${i}`,
        side: b.buy ? 'buy' : 'sell',
        price: binding && b.buy ? b.price + 31 * TICKS : b.price,
        quantity: b.qty,
        alpha: b.buy ? b.alpha : 0,
      }),
    ),
  );

const PARAMS: RoundParams = { profile: 'default', alpha: 40_000, gridStep: 1000, serviceFee: 0 };
const feeArb = fc.constantFrom(0, 0, 5000);

const wh = (s: string): number => parseDecimal(s, 3);
const sumWh = (r: MechanismResult, side: 'buyers' | 'sellers'): number =>
  r[side].reduce((a, l) => a + wh(l.quantity), 0);
const sumMoney = (r: MechanismResult, side: 'buyers' | 'sellers'): bigint =>
  r[side].reduce((a, l) => a + money(l.payment), 0n);

function checkBalances(r: MechanismResult): void {
  const energy = wh(r.totals.energy);
  expect(sumWh(r, 'buyers')).toBe(energy);
  expect(sumWh(r, 'sellers')).toBe(energy);
  const paid = money(r.totals.buyerPayments);
  const received = money(r.totals.sellerReceipts);
  expect(sumMoney(r, 'buyers')).toBe(paid);
  expect(sumMoney(r, 'sellers')).toBe(received);
  expect(money(r.totals.operatorBalance)).toBe(paid - received);
  expect(r.status === 'cleared').toBe(energy > 0);
  const winners = (side: 'buyers' | 'sellers'): number => r[side].filter((l) => l.quantity !== '0').length;
  expect(r.winners).toEqual({ buyers: winners('buyers'), sellers: winners('sellers') });
}

/** social ≤ max (exactly, before the rounding of efficiency), and efficiency ≤ 1. */
function checkEfficiencyBound(r: MechanismResult): void {
  const m = r.metrics;
  expect(money(m.socialWelfare)).toBeLessThanOrEqual(money(m.maxSocialWelfare));
  expect(Number(m.efficiency)).toBeLessThanOrEqual(1);
}

type Sign = 'zero' | 'non-negative' | 'non-positive' | 'fees';
const BALANCE: Record<(typeof MECHANISM_NAMES)[number], Sign> = {
  default: 'fees',
  doan2021: 'fees',
  uniform: 'zero',
  'pay-as-bid': 'non-negative',
  mcafee: 'non-negative',
  vcg: 'non-positive',
};

function checkBalanceSign(r: MechanismResult): void {
  const balance = money(r.totals.operatorBalance);
  const sign = BALANCE[r.mechanism];
  if (sign === 'zero') expect(balance).toBe(0n);
  if (sign === 'non-negative') expect(balance).toBeGreaterThanOrEqual(0n);
  if (sign === 'non-positive') expect(balance).toBeLessThanOrEqual(0n);
  if (sign === 'fees') expect(balance).toBe(money(r.totals.fees));
}

/** doan2021's only IR breaks are winning sellers asking more than its price (docs/mechanism.md §5). */
function doanSellersBelowAsk(r: MechanismResult, bids: readonly Bid[]): number {
  if (r.price === null) return 0;
  const P = parseDecimal(r.price, 4);
  const ask = new Map(bids.filter((b) => b.side === 'sell').map((b) => [b.id, b.price]));
  return r.sellers.filter((l) => l.quantity !== '0' && (ask.get(l.id) ?? 0) > P).length;
}

describe.each(MECHANISM_NAMES)('%s on random rounds', (name) => {
  it('balances quantities and money, keeps its balance sign, efficiency ≤ 1, IR (fee 0)', () => {
    fc.assert(
      fc.property(roundArb(14), (bids) => {
        const r = MECHANISMS[name](PARAMS, bids);
        checkBalances(r);
        checkBalanceSign(r);
        checkEfficiencyBound(r);
        if (name === 'doan2021') expect(r.irViolations).toBe(doanSellersBelowAsk(r, bids));
        else expect(r.irViolations).toBe(0);
      }),
      { numRuns: 250 },
    );
  });

  it('does not depend on the input order', () => {
    fc.assert(
      fc.property(roundArb(10), (bids) => {
        expect(MECHANISMS[name](PARAMS, [...bids].reverse())).toEqual(MECHANISMS[name](PARAMS, bids));
      }),
      { numRuns: 60 },
    );
  });
});

describe('welfare identities and efficiency', () => {
  it('step mechanisms: social = buyer + seller welfare + operator balance = Σ b·q − Σ s·q', () => {
    fc.assert(
      fc.property(roundArb(14), (bids) => {
        for (const name of ['uniform', 'pay-as-bid', 'mcafee', 'vcg'] as const) {
          const m = MECHANISMS[name](PARAMS, bids);
          const w = m.metrics;
          expect(money(w.buyerWelfare) + money(w.sellerWelfare) + money(m.totals.operatorBalance)).toBe(
            money(w.socialWelfare),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it('uniform, pay-as-bid and vcg are efficient (social = max, efficiency 1); mcafee trades no more', () => {
    fc.assert(
      fc.property(roundArb(14), (bids) => {
        const [u, p, v, mc] = (['uniform', 'pay-as-bid', 'vcg', 'mcafee'] as const).map((n) =>
          MECHANISMS[n](PARAMS, bids),
        ) as [MechanismResult, MechanismResult, MechanismResult, MechanismResult];
        for (const r of [u, p, v]) {
          expect(r.metrics.socialWelfare).toBe(r.metrics.maxSocialWelfare);
          expect(r.metrics.efficiency).toBe(money(r.metrics.maxSocialWelfare) > 0n ? '1.000000' : '0');
          expect(r.totals.energy).toBe(u.totals.energy);
        }
        expect(wh(mc.totals.energy)).toBeLessThanOrEqual(wh(u.totals.energy));
      }),
      { numRuns: 150 },
    );
  });

  it('Stackelberg profiles with a service fee: the operator gets exactly the fees', () => {
    fc.assert(
      fc.property(roundArb(14), feeArb, (bids, serviceFee) => {
        for (const name of ['default', 'doan2021'] as const) {
          const r = MECHANISMS[name]({ ...PARAMS, serviceFee }, bids);
          checkBalances(r);
          expect(money(r.totals.fees)).toBe(BigInt(serviceFee) * BigInt(wh(r.totals.energy)));
          checkBalanceSign(r);
        }
      }),
      { numRuns: 100 },
    );
  });
});

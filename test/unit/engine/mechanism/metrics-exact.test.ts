/**
 * Exact benchmark and efficiency (issue #14): maxSocialWelfare and efficiency are computed exactly
 * and rounded once. The reference here is independent of the engine's search: a brute force over
 * every piece of the convex dual D(p) in bigint rationals, certified by a primal allocation of the
 * same value (so it is the true maximum).
 */
import fc from 'fast-check';
import { clearRound, validateRound } from '../../../../engine/src/mechanism';
import { ratio } from '../../../../engine/src/mechanism/exact';
import { efficiency, maxSocialWelfareOf } from '../../../../engine/src/mechanism/metrics';
import { orderBids } from '../../../../engine/src/mechanism/order';
import type { Bid, WireBid, WireRound } from '../../../../engine/src/mechanism/types';
import { buy, money, sell, VECTOR_A } from './helpers';

/** A reduced rational of bigints (den > 0). */
class Q {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d = 1n) {
    const g = gcd(n < 0n ? -n : n, d < 0n ? -d : d) || 1n;
    const s = d < 0n ? -1n : 1n;
    this.n = (s * n) / g;
    this.d = (s * d) / g;
  }
  add(o: Q): Q {
    return new Q(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  sub(o: Q): Q {
    return new Q(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  mul(o: Q): Q {
    return new Q(this.n * o.n, this.d * o.d);
  }
  div(o: Q): Q {
    return new Q(this.n * o.d, this.d * o.n);
  }
  cmp(o: Q): number {
    const x = this.n * o.d - o.n * this.d;
    return x > 0n ? 1 : x < 0n ? -1 : 0;
  }
}
function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
const q = (n: number | bigint, d: number | bigint = 1n): Q => new Q(BigInt(n), BigInt(d));
const halfUp = (x: Q): bigint => {
  const t = 2n * x.n + x.d;
  const u = 2n * x.d;
  return t >= 0n ? t / u : -((-t + u - 1n) / u);
};

/** Buyer j's best response at price p (Wh, real): min(max(1000(b − p)/α, 0), xmax). */
function response(b: Bid, p: Q): Q {
  const x = q(1000).mul(q(b.price).sub(p)).div(q(b.alpha));
  if (x.cmp(q(0)) <= 0) return q(0);
  return x.cmp(q(b.quantity)) > 0 ? q(b.quantity) : x;
}
/** U_j(x) = b·x − α·x²/2000, money units. */
const utility = (b: Bid, x: Q): Q =>
  q(b.price)
    .mul(x)
    .sub(q(b.alpha).mul(x).mul(x).div(q(2000)));

/** D(p) = Σ_j max_x (U_j(x) − p·x) + Σ_i (p − s_i)⁺·e_i. */
function dual(buyers: Bid[], sellers: Bid[], p: Q): Q {
  let v = q(0);
  for (const b of buyers) {
    const x = response(b, p);
    v = v.add(utility(b, x).sub(p.mul(x)));
  }
  for (const s of sellers) if (p.cmp(q(s.price)) > 0) v = v.add(p.sub(q(s.price)).mul(q(s.quantity)));
  return v;
}

/** Σ U_j(x_j(p)) − cost of the cheapest sellers supplying Σ x_j(p), or undefined if they cannot. */
function primal(buyers: Bid[], sellers: Bid[], p: Q): Q | undefined {
  let need = q(0);
  let v = q(0);
  for (const b of buyers) {
    const x = response(b, p);
    need = need.add(x);
    v = v.add(utility(b, x));
  }
  for (const s of [...sellers].sort((a, b) => a.price - b.price)) {
    if (need.cmp(q(0)) <= 0) break;
    const y = need.cmp(q(s.quantity)) > 0 ? q(s.quantity) : need;
    v = v.sub(q(s.price).mul(y));
    need = need.sub(y);
  }
  return need.cmp(q(0)) > 0 ? undefined : v;
}

/** Every breakpoint of D (b_j, b_j − α_j·xmax_j/1000, s_i) that is ≥ 0, and 0, ascending. */
function breakpoints(buyers: Bid[], sellers: Bid[]): Q[] {
  const pts = [q(0)];
  for (const b of buyers) pts.push(q(b.price), q(1000 * b.price - b.alpha * b.quantity, 1000));
  for (const s of sellers) pts.push(q(s.price));
  return pts.filter((p) => p.cmp(q(0)) >= 0).sort((a, b) => a.cmp(b));
}

/** The vertex of D on (lo, hi), where D(p) = c2·p² + c1·p + c0, if it lies inside. */
function vertex(buyers: Bid[], sellers: Bid[], lo: Q, hi: Q): Q | undefined {
  const mid = lo.add(hi).div(q(2));
  let c2 = q(0);
  let c1 = q(0);
  for (const b of buyers) {
    const x = response(b, mid);
    const linear = x.cmp(q(0)) > 0 && x.cmp(q(b.quantity)) < 0;
    c2 = linear ? c2.add(q(500, b.alpha)) : c2;
    c1 = c1.sub(linear ? q(1000 * b.price, b.alpha) : x);
  }
  for (const s of sellers) if (mid.cmp(q(s.price)) > 0) c1 = c1.add(q(s.quantity));
  if (c2.n === 0n) return undefined;
  const v = q(0).sub(c1).div(q(2).mul(c2));
  return v.cmp(lo) > 0 && v.cmp(hi) < 0 ? v : undefined;
}

/**
 * max welfare by brute force: D is convex and quadratic between consecutive breakpoints; its
 * minimum over every piece (ends and vertex) is the maximum welfare. Checked against a primal
 * allocation of the same value.
 */
function bruteForceMax(bids: Bid[]): Q {
  const buyers = bids.filter((b) => b.side === 'buy');
  const sellers = bids.filter((b) => b.side === 'sell');
  if (buyers.length === 0 || sellers.length === 0) return q(0);
  const pts = breakpoints(buyers, sellers);
  const candidates = [...pts];
  for (let i = 0; i + 1 < pts.length; i++) {
    const v = vertex(buyers, sellers, pts[i] as Q, pts[i + 1] as Q);
    if (v !== undefined) candidates.push(v);
  }
  let best = { v: dual(buyers, sellers, q(0)), p: q(0) };
  for (const p of candidates) {
    const v = dual(buyers, sellers, p);
    if (v.cmp(best.v) < 0) best = { v, p };
  }
  // certificate: a feasible allocation reaches the dual's minimum, so neither can be improved
  expect(primal(buyers, sellers, best.p)?.cmp(best.v)).toBe(0);
  return best.v;
}

/** Social welfare of the engine's whole-Wh allocation, exact: Σ U_j(q_j) − Σ s_i·q_i. */
function socialOf(bids: Bid[], round: WireRound): Q {
  const r = clearRound(round);
  const byId = new Map(bids.map((b) => [b.id, b]));
  let v = q(0);
  for (const l of r.buyers) v = v.add(utility(byId.get(l.id) as Bid, q(wh(l.quantity))));
  for (const l of r.sellers) v = v.sub(q((byId.get(l.id) as Bid).price).mul(q(wh(l.quantity))));
  return v;
}
const wh = (kWh: string): bigint => {
  const [w = '0', f = ''] = kWh.split('.');
  return BigInt(w + f.padEnd(3, '0'));
};
const sixDecimals = (x: Q): string => {
  const u = halfUp(x.mul(q(1_000_000)));
  return `${u / 1_000_000n}.${(u % 1_000_000n).toString().padStart(6, '0')}`;
};

/** The engine's metrics against the brute force: max rounded once, efficiency rounded once. */
function checkRound(round: WireRound): { efficiency: string; max: Q; social: Q } {
  const { bids } = validateRound(round);
  const r = clearRound(round);
  const max = bruteForceMax(bids);
  expect(money(r.metrics.maxSocialWelfare)).toBe(halfUp(max));
  const social = socialOf(bids, round);
  expect(money(r.metrics.socialWelfare)).toBe(halfUp(social));
  const eff = halfUp(max) === 0n ? '0' : sixDecimals(social.div(max));
  expect(r.metrics.efficiency).toBe(eff);
  return { efficiency: eff, max, social };
}

describe('exact efficiency and benchmark', () => {
  it('a round where 1 Wh trades: efficiency from the exact values, not from rounded ones', () => {
    // α = 2500 currency/kWh²: b wants (10 − p)/2500 kWh, 2 Wh at the ask; s offers 1 Wh at 5
    const round: WireRound = {
      params: { alpha: '2500' },
      bids: [buy('b', '10', '1'), buy('c', '8', '0.5', '777'), sell('s', '5', '0.001')],
    };
    const r = clearRound(round);
    expect(r.totals.energy).toBe('0.001');
    const { efficiency: eff } = checkRound(round);
    // from the 7-decimal strings 0.0037500 / 0.0037881 it would be 0.989942
    expect(r.metrics.socialWelfare).toBe('0.0037500');
    expect(r.metrics.maxSocialWelfare).toBe('0.0037881');
    expect(eff).toBe('0.989931');
    expect(r.metrics.efficiency).toBe('0.989931');
  });

  it('docs/mechanism.md §6: demand at p* rounding down to 0 Wh is no-trade, zero-demand-at-price', () => {
    // α = 100 and 90 currency/kWh²: at any price in [5, 9] each buyer wants < 1 Wh
    const bids = [
      buy('b1', '10', '1', '1000000'),
      buy('b2', '9', '1', '900000'),
      buy('b3', '1', '1'),
      sell('s1', '5', '1'),
      sell('s2', '6', '1'),
    ];
    for (const profile of ['default', 'doan2021'] as const) {
      const round: WireRound = { params: { profile }, bids };
      const r = clearRound(round);
      expect([r.status, r.reason, r.price]).toEqual(['no-trade', 'zero-demand-at-price', '0']);
      expect(r.priceRange).toEqual({ min: '5', max: '9' });
      expect([...r.buyers, ...r.sellers].every((l) => l.quantity === '0')).toBe(true);
      // the benchmark over real quantities is positive, so the efficiency is 0 of it
      const { efficiency: eff, max } = checkRound(round);
      expect(max.n > 0n).toBe(true);
      expect(eff).toBe('0.000000');
    }
  });

  it('efficiency() rounds the exact ratio once, half-up; 0 of a zero maximum', () => {
    expect(efficiency(ratio(1n, 3n), ratio(2n, 3n))).toBe('0.500000');
    // 0.0000005 exactly is rounded up; 1/3 of it is not
    expect(efficiency(ratio(1n, 2n), 1_000_000n)).toBe('0.000001');
    expect(efficiency(ratio(1n, 6n), 1_000_000n)).toBe('0.000000');
    expect(efficiency(5n, 0n)).toBe('0');
    expect(efficiency(ratio(75n, 20000n), ratio(0n))).toBe('0');
    // a maximum reported as 0.0000000 (below half a money unit) has no ratio either
    expect(efficiency(0n, ratio(1n, 80n))).toBe('0');
    expect(efficiency(ratio(1n, 2n), ratio(1n, 2n))).toBe('1.000000');
  });

  it('maxSocialWelfareOf on a bid set equals the brute force (vector A: 27.34375)', () => {
    const bids = validateRound({
      bids: [...VECTOR_A],
    }).bids;
    const { buyers, sellers } = orderBids(bids);
    const m = maxSocialWelfareOf(buyers, sellers);
    const brute = bruteForceMax(bids);
    expect(new Q(m.num, m.den).cmp(brute)).toBe(0);
    expect(halfUp(brute)).toBe(273437500n);
  });

  const price = fc.integer({ min: 0, max: 300 }).map((t) => (t / 10).toFixed(1));
  const qty = fc.oneof(
    fc.integer({ min: 1, max: 5 }).map((w) => (w / 1000).toFixed(3)),
    fc.integer({ min: 1, max: 3000 }).map((w) => (w / 1000).toFixed(3)),
  );
  const alpha = fc.constantFrom(undefined, '0.5', '4', '7.0001', '300', '2500', '12345.6789');
  const bidsArb = fc
    .tuple(
      fc.array(fc.tuple(price, qty, alpha), { minLength: 0, maxLength: 5 }),
      fc.array(fc.tuple(price, qty), { minLength: 0, maxLength: 5 }),
    )
    .map(([bs, ss]) => [
      ...bs.map(([p, x, a], k) => buy(`b${k}`, p, x, a)),
      ...ss.map(([p, x], k) => sell(`s${k}`, p, x)),
    ]);

  it('property: max welfare and efficiency equal the brute force; 0 ≤ efficiency ≤ 1 (default)', () => {
    fc.assert(
      fc.property(bidsArb, fc.constantFrom('default', 'doan2021'), (bids: WireBid[], profile) => {
        const round: WireRound = { params: { profile }, bids };
        const { efficiency: eff, max, social } = checkRound(round);
        // the allocation is feasible, so it never beats the benchmark
        expect(social.cmp(max)).toBeLessThanOrEqual(0);
        expect(Number(eff)).toBeLessThanOrEqual(1);
        // default pays sellers at least their ask and buyers take at most their demand: social ≥ 0
        if (profile === 'default') expect(Number(eff)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('property: the same with up to 12 bids, each buyer its own α (many denominators)', () => {
    const anyAlpha = fc.integer({ min: 1, max: 99_999_999 }).map((u) => (u / 10_000).toFixed(4));
    const wide = fc
      .tuple(
        fc.array(fc.tuple(price, qty, anyAlpha), { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(price, qty), { minLength: 1, maxLength: 12 }),
      )
      .map(([bs, ss]) => [
        ...bs.map(([p, x, a], k) => buy(`b${k}`, p, x, a)),
        ...ss.map(([p, x], k) => sell(`s${k}`, p, x)),
      ]);
    fc.assert(
      fc.property(wide, (bids: WireBid[]) => {
        const { max, social } = checkRound({ bids });
        expect(social.cmp(max)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 150 },
    );
  });
});

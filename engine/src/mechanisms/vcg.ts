/**
 * VCG double auction for divisible step bids (docs/mechanisms.md §5; Vickrey 1961, Clarke 1971,
 * Groves 1973). The efficient allocation (Q Wh). Every bid is one agent; it pays (buyer) or
 * receives (seller) its externality, the others' welfare without it minus their welfare with it.
 *
 * On the unit curves (D(x): the price of the demand curve's Wh x in §3 order, 0 beyond it; S(x)
 * the supply curve's, +∞ beyond), removing winning buyer j (quantity f, filled q) shifts the
 * demand after it left by f. The others then trade Q_j ∈ [Q − q, Q] and
 *   payment_j = Σ_{x = Q−q}^{Q−1} max(D(x + f), S(x)),
 * and for winning seller i (quantity f, filled q):
 *   receipt_i = Σ_{x = Q−q}^{Q−1} min(D(x), S(x + f)).
 * D falls and S rises, so each summand switches from one curve to the other once: the switch is
 * found by binary search on x, and each part is a difference of the curves' prefix sums. Lookups
 * gallop from the unit Q (every lookup is within one bid's quantity of it), so a winner costs
 * O(log q · log d), d the number of bids its range spans: O(n log n) for a round; a winner that
 * trades its whole quantity f pays a function of f alone, so that is computed once per distinct f.
 * Exact integers.
 */
import type { SortedSide } from '../mechanism/order';
import type { Bid, RoundParams } from '../mechanism/types';
import { book, efficientTrade, maxStepWelfare, stepResult, type Money, type Trade } from './book';
import type { MechanismResult } from './types';

/** A side's unit curve: Wh x has price[k] for cum[k] ≤ x < cum[k+1]; beyond the total, `beyond`. */
class Curve {
  private readonly cum: Float64Array;
  private readonly money: bigint[];
  private readonly total: number;
  private anchor = 0;

  constructor(
    private readonly side: SortedSide,
    private readonly beyond: number,
  ) {
    const n = side.n;
    this.cum = new Float64Array(n + 1);
    this.money = new Array<bigint>(n + 1);
    this.money[0] = 0n;
    let m = 0n;
    for (let k = 0; k < n; k++) {
      const q = side.qty[k] as number;
      this.cum[k + 1] = (this.cum[k] as number) + q;
      m += BigInt(side.price[k] as number) * BigInt(q);
      this.money[k + 1] = m;
    }
    this.total = this.cum[n] as number;
  }

  /** Lookups start their search at the bid holding Wh x. */
  anchorAt(x: number): void {
    this.anchor = Math.min(this.search(x, 0, this.side.n - 1), Math.max(this.side.n - 1, 0));
  }

  /** The bid k in [lo, hi] with cum[k] ≤ x < cum[k+1] (x < total). */
  private search(x: number, lo0: number, hi0: number): number {
    let lo = lo0;
    let hi = hi0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.cum[mid] as number) <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The bid holding Wh x (x < total), by galloping from the anchor. */
  private index(x: number): number {
    return (this.cum[this.anchor] as number) <= x ? this.gallopRight(x) : this.gallopLeft(x);
  }

  /** index(x) for x at or after the anchor's bid: doubling steps, then a binary search. */
  private gallopRight(x: number): number {
    const a = this.anchor;
    const last = this.side.n - 1;
    let prev = 0; // cum[a + prev] ≤ x
    let step = 1;
    while (a + step <= last && (this.cum[a + step] as number) <= x) {
      prev = step;
      step *= 2;
    }
    return this.search(x, a + prev, Math.min(a + step - 1, last));
  }

  /** index(x) for x before the anchor's bid. */
  private gallopLeft(x: number): number {
    const a = this.anchor;
    let prev = 0; // cum[a − prev] > x
    let step = 1;
    while (a - step > 0 && (this.cum[a - step] as number) > x) {
      prev = step;
      step *= 2;
    }
    return this.search(x, Math.max(a - step, 0), a - prev - 1);
  }

  /** The price of Wh x. */
  at(x: number): number {
    return x >= this.total ? this.beyond : (this.side.price[this.index(x)] as number);
  }

  /** Σ of the prices of Wh 0 .. x−1 (x ≤ total). */
  sumTo(x: number): bigint {
    if (x >= this.total) return this.money[this.side.n] as bigint;
    const k = this.index(x);
    const partial = BigInt(this.side.price[k] as number) * BigInt(x - (this.cum[k] as number));
    return (this.money[k] as bigint) + partial;
  }
}

/** The first x in [lo, hi) with done(x) (hi if none); done is false, then true. */
function firstTrue(lo: number, hi: number, done: (x: number) => boolean): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = a + Math.floor((b - a) / 2);
    if (done(mid)) b = mid;
    else a = mid + 1;
  }
  return a;
}

/**
 * Σ_{x=Q−q}^{Q−1} of `own` shifted by f while it beats `other`, then `other`: own(x + f) until
 * the first x where other(x) wins (`wins`), other(x) from there.
 */
function externality(
  own: Curve,
  other: Curve,
  Q: number,
  q: number,
  f: number,
  wins: (shifted: number, fixed: number) => boolean,
): bigint {
  const L = Q - q;
  const x0 = firstTrue(L, Q, (x) => wins(own.at(x + f), other.at(x)));
  return own.sumTo(x0 + f) - own.sumTo(L + f) + other.sumTo(Q) - other.sumTo(x0);
}

/**
 * Every winner's VCG money on one side (0 for losers). A winner that trades its whole quantity f
 * has q = f, so its money depends on f alone: it is computed once per distinct quantity.
 */
function sideMoney(
  own: Curve,
  other: Curve,
  side: SortedSide,
  qs: Float64Array,
  Q: number,
  wins: (shifted: number, fixed: number) => boolean,
): Money[] {
  const out = new Array<Money>(side.n).fill(0);
  const byQuantity = new Map<number, bigint>();
  for (let k = 0; k < side.n; k++) {
    const q = qs[k] as number;
    if (q === 0) break; // §3 order: the winners are a prefix
    const f = side.qty[k] as number;
    let m = q === f ? byQuantity.get(f) : undefined;
    if (m === undefined) {
      m = externality(own, other, Q, q, f, wins);
      if (q === f) byQuantity.set(f, m);
    }
    out[k] = m;
  }
  return out;
}

/** Buyers pay max(D(x+f), S(x)): the demand shifted wins while it is above the supply. */
const buyerSwitch = (d: number, s: number): boolean => d <= s;
/** Sellers receive min(D(x), S(x+f)): the supply shifted wins while it is below the demand. */
const sellerSwitch = (s: number, d: number): boolean => s >= d;

function vcgMoney(b: ReturnType<typeof book>, t: Trade): { payB: Money[]; payS: Money[] } {
  const D = new Curve(b.buyers, 0);
  const S = new Curve(b.sellers, Number.POSITIVE_INFINITY);
  D.anchorAt(t.energy);
  S.anchorAt(Math.max(t.energy - 1, 0));
  return {
    payB: sideMoney(D, S, b.buyers, t.qB, t.energy, buyerSwitch),
    payS: sideMoney(S, D, b.sellers, t.qS, t.energy, sellerSwitch),
  };
}

export function vcg(_params: RoundParams, bids: readonly Bid[]): MechanismResult {
  const b = book(bids);
  const t = efficientTrade(b);
  const { payB, payS } = vcgMoney(b, t);
  return stepResult(b, {
    mechanism: 'vcg',
    trade: t,
    payB,
    payS,
    price: null,
    maxSocial: maxStepWelfare(b, t),
  });
}

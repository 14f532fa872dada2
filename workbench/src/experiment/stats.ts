/**
 * Summary statistics of an experiment: mean, sample standard deviation and the 95 % confidence
 * interval of the mean with Student's t quantile (mean ± t(0.975, n − 1) · sd / √n).
 *
 * mathjs gives the mean, the standard deviation and log Γ; it has no t distribution, so the t CDF
 * is the regularized incomplete beta function (continued fraction, modified Lentz, as in Numerical
 * Recipes §6.4) and the quantile is found by bisection on it (to 1e-12, far below what is printed).
 */
import { lgamma, mean, std } from 'mathjs';

export interface Summary {
  n: number;
  mean: number;
  /** sample standard deviation (n − 1); 0 for n < 2 */
  sd: number;
  /** 95 % confidence interval of the mean; [mean, mean] for n < 2 */
  ciLow: number;
  ciHigh: number;
}

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_TERMS = 300;

/** One factor of the continued fraction: d and c updated by the term aa (Lentz's step). */
function lentzStep(aa: number, state: { c: number; d: number }): number {
  let d = 1 + aa * state.d;
  if (Math.abs(d) < TINY) d = TINY;
  let c = 1 + aa / state.c;
  if (Math.abs(c) < TINY) c = TINY;
  state.d = 1 / d;
  state.c = c;
  return state.d * c;
}

/** The continued fraction of I_x(a, b) (converges fast for x < (a + 1) / (a + b + 2)). */
function betaFraction(a: number, b: number, x: number): number {
  const first = 1 - ((a + b) * x) / (a + 1);
  const state = { c: 1, d: 1 / (Math.abs(first) < TINY ? TINY : first) };
  let h = state.d;
  for (let m = 1; m <= MAX_TERMS; m++) {
    const m2 = 2 * m;
    h *= lentzStep((m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), state);
    const del = lentzStep((-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)), state);
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with df degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile (0.5 ≤ p < 1) of Student's t with df degrees of freedom, by bisection. */
export function tQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  while (hi - lo > 1e-12 * hi) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { n, mean: Number.NaN, sd: Number.NaN, ciLow: Number.NaN, ciHigh: Number.NaN };
  const m = mean([...values]);
  if (n < 2) return { n, mean: m, sd: 0, ciLow: m, ciHigh: m };
  const sd = Number(std([...values]));
  const half = (tQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, sd, ciLow: m - half, ciHigh: m + half };
}

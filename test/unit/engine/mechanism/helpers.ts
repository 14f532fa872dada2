/** Shared helpers of the mechanism tests. */
import type { WireBid, WireClearingResult } from '../../../../engine/src/mechanism/types';
import { parseDecimal, parseMoney } from '../../../../engine/src/mechanism/units';

/** "id price/kWh" shorthand: buy('b1', '20', '3'). */
export const buy = (id: string, price: string, quantity: string, alpha?: string): WireBid =>
  alpha === undefined ? { id, side: 'buy', price, quantity } : { id, side: 'buy', price, quantity, alpha };
export const sell = (id: string, price: string, quantity: string): WireBid => ({
  id,
  side: 'sell',
  price,
  quantity,
});

/** docs/mechanism.md §9 vector A (α = 4): every mechanism test that needs it uses this one copy. */
export const VECTOR_A: readonly WireBid[] = [
  buy('b1', '20', '3'),
  buy('b2', '18', '2'),
  buy('b3', '15', '4'),
  buy('b4', '12', '1'),
  sell('s1', '8', '2'),
  sell('s2', '10', '3'),
  sell('s3', '13', '2'),
  sell('s4', '16', '5'),
];

/** Wh of each line, keyed by id. */
export function whById(result: WireClearingResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of [...result.buyers, ...result.sellers]) out[l.id] = parseDecimal(l.quantity, 3);
  return out;
}

/** A wire money string ("-12.3456789") as exact 1e-7 units. */
export function money(s: string): bigint {
  // the wire always carries exactly 7 decimals; parseMoney alone would also accept fewer
  if (!/^-?\d+\.\d{7}$/.test(s)) throw new Error(`not a 7-decimal money string: ${s}`);
  return parseMoney(s);
}

export { shuffled } from '../../../../engine/src/sim/shuffle';

/** docs/mechanism.md §9 vector C (supply binds): the one copy its tests use. */
export const VECTOR_C: readonly WireBid[] = [
  buy('h1', '30', '10'),
  buy('h2', '28', '8'),
  buy('h3', '26', '6'),
  buy('h4', '12', '5'),
  sell('p1', '10', '2'),
  sell('p2', '11', '1.5'),
  sell('p3', '14', '1'),
  sell('p4', '27', '3'),
];

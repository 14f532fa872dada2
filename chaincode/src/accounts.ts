/**
 * Running accounts (issue #15): each utility's across its settled rounds (private, in its
 * collection) and the operator's fee and imbalance account (public: the network has no operator
 * collection, and the operator's totals name no utility). Integer arithmetic on the wire decimals.
 */
import {
  DECIMALS,
  formatEnergy,
  formatMoney,
  parseDecimal,
  parseMoney,
} from '../../engine/src/mechanism/units';
import type { WireOperatorAccount, WireUtilityStatement } from '../../engine/src/settlement/types';
import type { AccountAmounts } from './model';

const ENERGY_FIELDS = ['bought', 'sold', 'consumed', 'delivered', 'shortEnergy', 'longEnergy'] as const;
const MONEY_FIELDS = ['trade', 'fees', 'imbalance', 'net'] as const;
const OPERATOR_ENERGY = ['shortEnergy', 'longEnergy'] as const;
const OPERATOR_MONEY = ['fees', 'imbalanceCharges', 'imbalanceCredits', 'imbalance', 'net'] as const;

/** Wh of a kWh wire amount (signed: a leading '-' is allowed). */
export function energyWh(kwh: string): bigint {
  const negative = kwh.startsWith('-');
  const wh = BigInt(parseDecimal(negative ? kwh.slice(1) : kwh, DECIMALS.energy));
  return negative ? -wh : wh;
}

const addEnergy = (a: string, b: string): string => formatEnergy(energyWh(a) + energyWh(b));
const addMoney = (a: string, b: string): string => formatMoney(parseMoney(a) + parseMoney(b));

/** What one round's statement adds to a utility's account. */
export const amountsOf = (s: WireUtilityStatement): AccountAmounts => ({
  trade: s.trade,
  fees: s.fees,
  imbalance: s.imbalance,
  net: s.net,
  bought: s.bought,
  sold: s.sold,
  consumed: s.consumed,
  delivered: s.delivered,
  shortEnergy: s.shortEnergy,
  longEnergy: s.longEnergy,
});

export const ZERO_AMOUNTS: AccountAmounts = {
  trade: formatMoney(0n),
  fees: formatMoney(0n),
  imbalance: formatMoney(0n),
  net: formatMoney(0n),
  bought: '0',
  sold: '0',
  consumed: '0',
  delivered: '0',
  shortEnergy: '0',
  longEnergy: '0',
};

export function addAmounts(a: AccountAmounts, b: AccountAmounts): AccountAmounts {
  const out = { ...a };
  for (const f of MONEY_FIELDS) out[f] = addMoney(a[f], b[f]);
  for (const f of ENERGY_FIELDS) out[f] = addEnergy(a[f], b[f]);
  return out;
}

export const ZERO_OPERATOR: WireOperatorAccount = {
  shortEnergy: '0',
  longEnergy: '0',
  fees: formatMoney(0n),
  imbalanceCharges: formatMoney(0n),
  imbalanceCredits: formatMoney(0n),
  imbalance: formatMoney(0n),
  net: formatMoney(0n),
};

export function addOperator(a: WireOperatorAccount, b: WireOperatorAccount): WireOperatorAccount {
  const out = { ...a };
  for (const f of OPERATOR_MONEY) out[f] = addMoney(a[f], b[f]);
  for (const f of OPERATOR_ENERGY) out[f] = addEnergy(a[f], b[f]);
  return out;
}

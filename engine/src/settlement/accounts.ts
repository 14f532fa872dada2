/**
 * Running totals of a settlement (docs/settlement.md §5): one tally per utility and the
 * operator's, all exact (Wh as numbers, which stay below 2^53 as the clearing's do; money as bigint).
 */
import type { Side } from '../mechanism/types';
import { formatEnergy, formatMoney } from '../mechanism/units';
import type { Imbalance } from './imbalance';
import type { WireOperatorAccount, WireUtilityStatement } from './types';

/** What one settled line adds to the accounts. */
export interface SettledLine {
  utility: string;
  side: Side;
  allocated: number;
  metered: number;
  missing: boolean;
  deviation: number;
  trade: bigint;
  fee: bigint;
  imbalance: Imbalance;
}

export interface Tally {
  bids: number;
  missingReadings: number;
  bought: number;
  sold: number;
  consumed: number;
  delivered: number;
  shortEnergy: number;
  longEnergy: number;
  trade: bigint;
  fees: bigint;
  imbalanceCharges: bigint;
  imbalanceCredits: bigint;
}

export const emptyTally = (): Tally => ({
  bids: 0,
  missingReadings: 0,
  bought: 0,
  sold: 0,
  consumed: 0,
  delivered: 0,
  shortEnergy: 0,
  longEnergy: 0,
  trade: 0n,
  fees: 0n,
  imbalanceCharges: 0n,
  imbalanceCredits: 0n,
});

/** Adds a line to its utility's tally (money signed for the utility). */
export function addLine(t: Tally, line: SettledLine): void {
  t.bids += 1;
  if (line.missing) t.missingReadings += 1;
  if (line.side === 'buy') {
    t.bought += line.allocated;
    t.consumed += line.metered;
  } else {
    t.sold += line.allocated;
    t.delivered += line.metered;
  }
  const dev = Math.abs(line.deviation);
  if (line.imbalance.position === 'short') t.shortEnergy += dev;
  if (line.imbalance.position === 'long') t.longEnergy += dev;
  t.trade += line.trade;
  t.fees += line.fee;
  // a utility's charges are ≤ 0 (it pays) and its credits ≥ 0
  if (line.imbalance.money < 0n) t.imbalanceCharges += line.imbalance.money;
  else t.imbalanceCredits += line.imbalance.money;
}

const imbalanceOfTally = (t: Tally): bigint => t.imbalanceCharges + t.imbalanceCredits;
export const netOf = (t: Tally): bigint => t.trade + t.fees + imbalanceOfTally(t);

export function utilityStatement(utility: string, t: Tally): WireUtilityStatement {
  return {
    utility,
    bids: t.bids,
    missingReadings: t.missingReadings,
    bought: formatEnergy(t.bought),
    sold: formatEnergy(t.sold),
    consumed: formatEnergy(t.consumed),
    delivered: formatEnergy(t.delivered),
    shortEnergy: formatEnergy(t.shortEnergy),
    longEnergy: formatEnergy(t.longEnergy),
    trade: formatMoney(t.trade),
    fees: formatMoney(t.fees),
    imbalance: formatMoney(imbalanceOfTally(t)),
    net: formatMoney(netOf(t)),
  };
}

/**
 * The operator's account from the sum of every utility's tally: it is the counterparty of each
 * fee and imbalance amount, so its money is exactly their negation (nothing created or lost).
 */
export function operatorAccount(all: Tally): { account: WireOperatorAccount; net: bigint } {
  const fees = -all.fees;
  const charges = -all.imbalanceCharges;
  const credits = -all.imbalanceCredits;
  const net = fees + charges + credits;
  return {
    net,
    account: {
      shortEnergy: formatEnergy(all.shortEnergy),
      longEnergy: formatEnergy(all.longEnergy),
      fees: formatMoney(fees),
      imbalanceCharges: formatMoney(charges),
      imbalanceCredits: formatMoney(credits),
      imbalance: formatMoney(charges + credits),
      net: formatMoney(net),
    },
  };
}

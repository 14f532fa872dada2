/**
 * Types of the imbalance settlement (docs/settlement.md). Wire types carry decimal strings, as the
 * clearing result does (docs/mechanism.md §1); every money field is signed from the account
 * holder's side: positive is credited to it, negative is debited.
 */
import type { Side, ValidationIssue } from '../mechanism/types';

/** One meter reading as it arrives: the metered energy of one bid of the cleared round. */
export interface WireReading {
  /** the bid's id in the clearing result */
  id: string;
  side: Side;
  /** metered kWh (a seller's delivery, a buyer's consumption), at most 3 decimals */
  quantity: string;
}

/** Settlement parameters of a round, wire format (docs/settlement.md §2). */
export interface WireSettlementParams {
  /** k₊: a short position pays p × (1 + k₊); at most 4 decimals, in [0, 10] */
  shortPremium: string;
  /** k₋: a long position is paid p × (1 − k₋); at most 4 decimals, in [0, 1] */
  longDiscount: string;
}

/** Validated settlement parameters in 1e-4 units (10000 = 1). */
export interface SettlementParams {
  shortPremium: number;
  longDiscount: number;
}

/** A bid's position after delivery (docs/settlement.md §3). */
export type Position = 'short' | 'long' | 'balanced';

/** One bid's settlement line. */
export interface WireSettlementLine {
  id: string;
  utility: string;
  side: Side;
  /** kWh allocated by the clearing */
  allocated: string;
  /** kWh metered ("0" when the reading is missing) */
  metered: string;
  reading: 'metered' | 'missing';
  /** metered − allocated, kWh, signed */
  deviation: string;
  position: Position;
  /** the imbalance price applied, per kWh, up to 8 decimals ("0" when balanced) */
  imbalancePrice: string;
  /** the cleared trade: −p·allocated for a buyer, +p·allocated for a seller */
  trade: string;
  /** the service fee: −fee·allocated for a buyer, 0 for a seller */
  fee: string;
  /** imbalance money: negative when short (paid to the operator), positive when long */
  imbalance: string;
  /** trade + fee + imbalance */
  net: string;
}

/** One utility's statement for the round: its lines added up. */
export interface WireUtilityStatement {
  utility: string;
  /** number of lines (bids of this utility in the result) */
  bids: number;
  missingReadings: number;
  /** kWh allocated to its buyers / sellers */
  bought: string;
  sold: string;
  /** kWh metered on its buyers / sellers */
  consumed: string;
  delivered: string;
  /** kWh of short / long deviation, both ≥ 0 */
  shortEnergy: string;
  longEnergy: string;
  trade: string;
  fees: string;
  imbalance: string;
  net: string;
}

/** The distribution operator's account: the counterparty of every fee and imbalance line. */
export interface WireOperatorAccount {
  /** kWh the operator supplied to short positions / took from long ones */
  shortEnergy: string;
  longEnergy: string;
  /** fees received (≥ 0) */
  fees: string;
  /** imbalance money received from short positions (≥ 0) */
  imbalanceCharges: string;
  /** imbalance money paid to long positions (≤ 0) */
  imbalanceCredits: string;
  /** imbalanceCharges + imbalanceCredits */
  imbalance: string;
  /** fees + imbalance: the operator's revenue from the round */
  net: string;
}

/** The settlement of one round (docs/settlement.md §5): canonical, deterministic. */
export interface WireSettlement {
  /** the clearing price p per kWh */
  price: string;
  params: WireSettlementParams;
  /** per kWh, up to 8 decimals: p × (1 + k₊) and p × (1 − k₋) */
  imbalancePrices: { short: string; long: string };
  /** every bid of the result, by (utility, id) in code-unit order */
  lines: WireSettlementLine[];
  /** by utility in code-unit order */
  utilities: WireUtilityStatement[];
  operator: WireOperatorAccount;
  totals: {
    /** Σ of the utilities' trade: always 0 (buyers pay exactly what sellers receive) */
    trade: string;
    /** Σ of the utilities' net */
    utilities: string;
    /** the operator's net */
    operator: string;
    /** utilities + operator: always 0 (conservation) */
    sum: string;
  };
}

/** Thrown for readings or params that break docs/settlement.md §4; names every problem. */
export class SettlementValidationError extends Error {
  readonly code = 'INVALID_SETTLEMENT_INPUT';
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `invalid settlement input: ${issues.length} problem(s): ` +
        issues
          .slice(0, 20)
          .map((i) => `${i.index < 0 ? i.id : `readings[${i.index}] (${i.id})`} ${i.field}: ${i.reason}`)
          .join('; ') +
        (issues.length > 20 ? '; …' : ''),
    );
    this.name = 'SettlementValidationError';
  }
}

/**
 * Thrown when the clearing result or the owner lookup is not what a committed clearing can be
 * (a programming or data error, not a utility's mistake): inconsistent payments, unknown owner.
 */
export class SettlementInputError extends Error {
  readonly code = 'BAD_CLEARING_RESULT';
  constructor(message: string) {
    super(message);
    this.name = 'SettlementInputError';
  }
}

/**
 * Types of the clearing mechanism (docs/mechanism.md). Wire types carry decimal strings;
 * internal types carry integers (Wh, price ticks of 0.0001/kWh, alpha in 0.0001 units, money in
 * 1e-7 currency as bigint because price × energy can exceed 2^53).
 */

export type Side = 'buy' | 'sell';
export type Profile = 'default' | 'doan2021';

/** A bid as it arrives on the wire (round file, REST body, chaincode transient data). */
export interface WireBid {
  id: string;
  side: Side;
  /** currency per kWh, at most 4 decimals */
  price: string;
  /** kWh, at most 3 decimals */
  quantity: string;
  /** currency per kWh², at most 4 decimals; buy bids only; defaults to the round's alpha */
  alpha?: string;
}

/** Round parameters as they arrive on the wire; every field optional (defaults: docs/mechanism.md §2). */
export interface WireRoundParams {
  profile?: Profile;
  alpha?: string;
  gridStep?: string;
  serviceFee?: string;
}

export interface WireRound {
  params?: WireRoundParams;
  bids: WireBid[];
}

/** A validated bid in integer units. */
export interface Bid {
  id: string;
  side: Side;
  /** price ticks (0.0001 currency per kWh) */
  price: number;
  /** Wh */
  quantity: number;
  /** 0.0001 currency per kWh²; for sell bids it is unused and set to 0 */
  alpha: number;
}

/** Validated round parameters in integer units. */
export interface RoundParams {
  profile: Profile;
  /** 0.0001 currency per kWh² */
  alpha: number;
  /** price ticks */
  gridStep: number;
  /** price ticks per kWh, paid by buyers to the distribution operator */
  serviceFee: number;
}

/** One offending field of one bid (or of the params, where index is -1 and id is 'params'). */
export interface ValidationIssue {
  index: number;
  id: string;
  field: string;
  reason: string;
}

/** Thrown for a round that breaks docs/mechanism.md §2; names every offending bid. */
export class RoundValidationError extends Error {
  readonly code = 'INVALID_ROUND';
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `invalid round: ${issues.length} problem(s): ` +
        issues
          .slice(0, 20)
          .map((i) => `bids[${i.index}] (${i.id}) ${i.field}: ${i.reason}`)
          .join('; ') +
        (issues.length > 20 ? '; …' : ''),
    );
    this.name = 'RoundValidationError';
  }
}

type ClearingStatus = 'cleared' | 'no-trade';

/** One participant's line in the result, wire format. Losers appear with quantity "0". */
export interface WireAllocation {
  id: string;
  /** kWh, decimal string (3 decimals max) */
  quantity: string;
  /** money, decimal string with 7 decimals: what a buyer pays (incl. fee) / a seller receives */
  payment: string;
}

/** A clearing's money and energy totals, wire decimals. */
export interface ClearingTotals {
  /** kWh */
  energy: string;
  /** money paid by buyers, incl. fees */
  buyerPayments: string;
  /** money received by sellers */
  sellerReceipts: string;
  /** money received by the distribution operator */
  fees: string;
}

/** A clearing's quantity and welfare figures (docs/mechanism.md §8), wire decimals. */
export interface ClearingMetrics {
  /** kWh traded */
  tradedEnergy: string;
  /** percent of offered supply (all sell bids) traded, 2 decimals */
  supplyTradedPercent: string;
  buyerWelfare: string;
  sellerWelfare: string;
  socialWelfare: string;
  /** the competitive maximum social welfare over all bids */
  maxSocialWelfare: string;
  /** socialWelfare / maxSocialWelfare, 6 decimals ("0" when the maximum is 0) */
  efficiency: string;
}

/**
 * The clearing result in wire format (docs/mechanism.md §8). This is THE canonical result: the chaincode
 * compares canonical JSON of this object byte for byte, so every field must be deterministic.
 */
export interface WireClearingResult {
  status: ClearingStatus;
  reason?: string;
  profile: Profile;
  /** clearing price per kWh ("0" for no-trade) */
  price: string;
  priceRange: { min: string; max: string };
  /** indices into the sorted buyer/seller lists (docs/mechanism.md §4); -1 when there was none */
  breakEven: { buyer: number; seller: number };
  /** in docs/mechanism.md §3 order */
  buyers: WireAllocation[];
  /** in docs/mechanism.md §3 order */
  sellers: WireAllocation[];
  totals: ClearingTotals;
  metrics: ClearingMetrics;
}

/**
 * One result shape for every mechanism (docs/mechanisms.md §1): the four comparison mechanisms
 * and the two Stackelberg profiles. Wire decimal strings as in WireClearingResult: kWh
 * (3 decimals), money (7 decimals, 1 price tick × 1 Wh), prices per kWh (4 decimals). Field
 * names follow WireClearingResult where the two overlap (totals, metrics), so a reader of
 * `clear --json` reads these the same way.
 */
import type { Bid, ClearingMetrics, ClearingTotals, RoundParams, WireAllocation } from '../mechanism/types';

export const MECHANISM_NAMES = ['default', 'doan2021', 'uniform', 'pay-as-bid', 'mcafee', 'vcg'] as const;
export type MechanismName = (typeof MECHANISM_NAMES)[number];

/**
 * How the welfare figures value a bid (docs/mechanisms.md §1): `quadratic` is docs/mechanism.md
 * §8 (buyer utility b·x − α·x²/2, the Stackelberg profiles); `step` values every kWh of a bid at
 * its price (the comparison mechanisms, as in the double-auction literature).
 */
export type Valuation = 'quadratic' | 'step';

export interface MechanismResult {
  mechanism: MechanismName;
  valuation: Valuation;
  status: 'cleared' | 'no-trade';
  /** why there was no trade (the Stackelberg profiles' reasons, or 'no-compatible-pair') */
  reason?: string;
  /** the one price per kWh both sides pay and receive, where the mechanism has one; else null */
  price: string | null;
  /**
   * average price per kWh over the traded energy: buyers' payments (excl. fees) and sellers'
   * receipts, rounded half-up to 4 decimals (display only; null when nothing trades)
   */
  averagePrice: { buyers: string; sellers: string } | null;
  /** the Stackelberg profiles' leader price range and break-even (docs/mechanism.md §4); else absent */
  priceRange?: { min: string; max: string };
  breakEven?: { buyer: number; seller: number };
  /** docs/mechanism.md §3 order; losers with quantity "0" */
  buyers: WireAllocation[];
  sellers: WireAllocation[];
  /** fees: service fees (Stackelberg profiles only; "0.0000000" elsewhere) */
  totals: ClearingTotals & {
    /** buyerPayments − sellerReceipts: the operator's surplus (> 0) or deficit (< 0), incl. fees */
    operatorBalance: string;
  };
  /** as the clearing's; maxSocialWelfare is the maximum under `valuation`, efficiency rounded once */
  metrics: ClearingMetrics;
  winners: { buyers: number; sellers: number };
  /**
   * bids paid below their ask (sellers) or charged more than their value (buyers: payment incl.
   * fee above the utility of what they got under `valuation`), docs/mechanisms.md §1
   */
  irViolations: number;
}

export type Mechanism = (params: RoundParams, bids: readonly Bid[]) => MechanismResult;

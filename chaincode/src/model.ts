import type { Side, WireBid, WireRoundParams } from '../../engine/src/mechanism/types';
import type {
  WireOperatorAccount,
  WireSettlementLine,
  WireUtilityStatement,
} from '../../engine/src/settlement/types';
import type { DeliveryParams } from './delivery-params';

/** Version tag of the clearing rules a round is cleared with (docs/mechanism.md). */
export const MECHANISM_VERSION = 'stackelberg-da/1';

export const OPERATOR_MSP = 'OperatorMSP';

/** Most bids one SubmitBids transaction may carry. */
export const MAX_BATCH_BIDS = 10_000;

/** Most meter readings one SubmitMeterReadings transaction may carry (as bids per batch). */
export const MAX_BATCH_READINGS = MAX_BATCH_BIDS;

export type RoundStatus = 'OPEN' | 'CLOSED' | 'CLEARED' | 'SETTLED';

/** Public round record. Never rewritten by bid submissions (that would serialize all bidders). */
export interface RoundRecord {
  id: string;
  /** delivery slot start, RFC 3339 UTC */
  slot: string;
  /** bidding closes at this instant, RFC 3339 UTC */
  closesAt: string;
  status: RoundStatus;
  /** mechanism parameters with every default filled in */
  params: Required<WireRoundParams>;
  mechanismVersion: string;
  openedTx: string;
  closedTx?: string;
  batchCount?: number;
  bidCount?: number;
  clearedTx?: string;
  /**
   * delivery parameters with every default filled in (delivery-params.ts); only in rounds opened
   * with `delivery`: a round without it uses DELIVERY_DEFAULTS (records of older rounds unchanged)
   */
  delivery?: DeliveryParams;
  settledTx?: string;
}

/** Private bid batch, stored in the submitting utility's collection. Hashed as canonical JSON. */
export interface StoredBatch {
  roundId: string;
  utility: string;
  batchId: string;
  /** hex, at least 128 bits from the client: makes the public hash unguessable */
  salt: string;
  /** ids as the utility sent them; the clearing identifies a bid by batch and position (assemble.ts) */
  bids: WireBid[];
}

/** Public commitment to one private batch. */
export interface BatchCommitment {
  roundId: string;
  utility: string;
  batchId: string;
  bidCount: number;
  /** SHA-256 (hex) of the canonical JSON bytes of the StoredBatch */
  hash: string;
}

/** One utility's net position in a cleared round (public). */
export interface NetPosition {
  roundId: string;
  utility: string;
  /** kWh */
  energyBought: string;
  /** kWh */
  energySold: string;
  /** money paid by its buyers to sellers (excl. fees) */
  moneyPaid: string;
  /** money received by its sellers */
  moneyReceived: string;
  /** service fees paid by its buyers */
  feesPaid: string;
}

/** One bid's settlement line (private to the utility and the operator). */
export interface SettlementLine {
  /** the batch that carried the bid */
  batchId: string;
  /** the bid's id as the utility sent it */
  id: string;
  side: 'buy' | 'sell';
  /** kWh */
  quantity: string;
  /** money: what the buyer pays incl. fee / what the seller receives */
  payment: string;
}

export interface Settlement {
  roundId: string;
  utility: string;
  lines: SettlementLine[];
}

// ---- delivery (issue #15, docs/settlement.md §7) ----

/** One meter reading as a utility sends it: the metered kWh of one of its cleared bids. */
export interface MeterReading {
  /** the batch that carried the bid */
  batchId: string;
  /** the bid's id as the utility sent it in that batch */
  id: string;
  side: Side;
  /** metered kWh: what a seller delivered, what a buyer consumed (at most 3 decimals) */
  quantity: string;
}

/** Private reading batch, stored in the submitting utility's collection. */
export interface StoredReadingBatch {
  roundId: string;
  utility: string;
  readingBatchId: string;
  /** hex, at least 128 bits from the client: makes the public digest unguessable */
  salt: string;
  readings: MeterReading[];
}

/** Public commitment to one private reading batch. */
export interface ReadingCommitment {
  roundId: string;
  utility: string;
  readingBatchId: string;
  count: number;
  /** SHA-256 (hex) of the salt followed by the canonical JSON of the readings (readingsDigestOf) */
  digest: string;
  /** the submitting transaction's timestamp, RFC 3339 UTC */
  submittedAt: string;
}

/** One utility's delivery statement for a settled round (private to it and the operator). */
export interface DeliveryStatement {
  roundId: string;
  utility: string;
  slot: string;
  /** the settling transaction's timestamp, RFC 3339 UTC */
  settledAt: string;
  settledTx: string;
  /** its bids' lines; `id` is `<batchId>/<bid id>` (deliveryBidId) */
  lines: WireSettlementLine[];
  statement: WireUtilityStatement;
}

/** One utility's delivery net position in a settled round (public: no per-bid data). */
export interface DeliveryPosition {
  roundId: string;
  utility: string;
  /** kWh, signed: delivered − consumed (metered) */
  energyNet: string;
  /** money, signed from the utility's side: trade + fees + imbalance */
  moneyNet: string;
}

/** What a statement adds to an account: money signed from the holder's side, energy in kWh. */
export interface AccountAmounts {
  trade: string;
  fees: string;
  imbalance: string;
  net: string;
  bought: string;
  sold: string;
  consumed: string;
  delivered: string;
  shortEnergy: string;
  longEnergy: string;
}

/** One settled round in a utility's account. */
export interface AccountEntry extends AccountAmounts {
  roundId: string;
  slot: string;
  settledAt: string;
  settledTx: string;
}

/** A utility's running account across settled rounds (private to it and the operator). */
export interface UtilityAccount {
  kind: 'utility';
  utility: string;
  /** settled rounds */
  rounds: number;
  /** Σ of the entries */
  totals: AccountAmounts;
  /** in (slot, roundId) order */
  entries: AccountEntry[];
}

/** The operator's side of one settled round (public: operator totals only). */
export interface OperatorEntry extends WireOperatorAccount {
  roundId: string;
  slot: string;
  settledAt: string;
  settledTx: string;
}

/** The operator's running fee and imbalance account (public: no utility's data in it). */
export interface OperatorAccount {
  kind: 'operator';
  utility: typeof OPERATOR_MSP;
  rounds: number;
  totals: WireOperatorAccount;
  /** in (slot, roundId) order */
  entries: OperatorEntry[];
}

/** The public record of a settled round: totals only, no per-bid or per-reading data. */
export interface DeliverySummary {
  roundId: string;
  slot: string;
  /** SHA-256 (hex) of the canonical JSON of the full WireSettlement (settlementDigestOf) */
  settlementDigest: string;
  price: string;
  imbalancePrices: { short: string; long: string };
  params: { shortPremium: string; longDiscount: string };
  readingBatchCount: number;
  readingCount: number;
  positions: DeliveryPosition[];
  operator: WireOperatorAccount;
  settledAt: string;
  settledTx: string;
}

import type { WireBid, WireRoundParams } from '../../engine/src/mechanism/types';

/** Version tag of the clearing rules a round is cleared with (docs/mechanism.md). */
export const MECHANISM_VERSION = 'stackelberg-da/1';

export const OPERATOR_MSP = 'OperatorMSP';

/** Most bids one SubmitBids transaction may carry. */
export const MAX_BATCH_BIDS = 10_000;

export type RoundStatus = 'OPEN' | 'CLOSED' | 'CLEARED';

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

import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { readBatches, readBatchesById, submitBatch } from './bids';
import { commitClearing, getPositions, getResult, getSettlement } from './clearing';
import { canonicalJson } from '../../engine/src/mechanism';
import { decode, parseJsonArg } from './codec';
import {
  getAccount,
  getDeliveryPositions,
  getDeliverySummary,
  getStatement,
  settleDelivery,
} from './delivery';
import { getReadingCommitments, getReadings, submitReadings } from './readings';
import { fabricLedger } from './fabric-ledger';
import type { BatchCommitment } from './model';
import {
  closeRound,
  getRound,
  listCommitmentValues,
  listRounds,
  openRound,
  type OpenRoundRequest,
} from './rounds';

const text = (value: unknown): string => canonicalJson(value);

/**
 * The market's transactions. Each one is a thin adapter: parse arguments, call the logic module
 * with the Ledger port, return canonical JSON.
 */
@Info({ title: 'market', description: 'Sealed-bid P2P energy auctions with verified Stackelberg clearing' })
export class MarketContract extends Contract {
  constructor() {
    super('market');
  }

  /** Operator: open a round. Argument: JSON {id, slot, closesAt, params?}. */
  @Transaction()
  @Returns('string')
  async OpenRound(ctx: Context, requestJson: string): Promise<string> {
    return text(await openRound(fabricLedger(ctx), parseJsonArg('request', requestJson) as OpenRoundRequest));
  }

  /** Operator: close a round once its close time has passed. */
  @Transaction()
  @Returns('string')
  async CloseRound(ctx: Context, roundId: string): Promise<string> {
    return text(await closeRound(fabricLedger(ctx), roundId));
  }

  /** Utility: submit a bid batch; transient field `batch` = {salt, bids}. Returns the public commitment. */
  @Transaction()
  @Returns('string')
  async SubmitBids(ctx: Context, roundId: string): Promise<string> {
    return text(await submitBatch(fabricLedger(ctx), roundId));
  }

  /** Operator: commit the clearing by its SHA-256 (hex, of the canonical JSON of the full result); verified against the sealed bids. */
  @Transaction()
  @Returns('string')
  async CommitClearing(ctx: Context, roundId: string, resultDigest: string): Promise<string> {
    return text(await commitClearing(fabricLedger(ctx), roundId, resultDigest));
  }

  @Transaction(false)
  @Returns('string')
  async GetRound(ctx: Context, roundId: string): Promise<string> {
    return text(await getRound(fabricLedger(ctx), roundId));
  }

  /** Rounds with the given status (OPEN, CLOSED, CLEARED), or all for ''. */
  @Transaction(false)
  @Returns('string')
  async ListRounds(ctx: Context, status: string): Promise<string> {
    return text(await listRounds(fabricLedger(ctx), status));
  }

  @Transaction(false)
  @Returns('string')
  async GetCommitments(ctx: Context, roundId: string): Promise<string> {
    const l = fabricLedger(ctx);
    await getRound(l, roundId);
    return text((await listCommitmentValues(l, roundId)).map((v) => decode(v) as BatchCommitment));
  }

  /** The caller's own batches of a round ('' = own; the operator may name a utility). */
  @Transaction(false)
  @Returns('string')
  async GetBatches(ctx: Context, roundId: string, utility: string): Promise<string> {
    return text(await readBatches(fabricLedger(ctx), roundId, utility));
  }

  /** Named batches of a round ('' = own; the operator may name a utility); batchIdsJson: string[]. */
  @Transaction(false)
  @Returns('string')
  async GetBatchesById(
    ctx: Context,
    roundId: string,
    utility: string,
    batchIdsJson: string,
  ): Promise<string> {
    const ids = parseJsonArg('batchIds', batchIdsJson);
    return text(await readBatchesById(fabricLedger(ctx), roundId, utility, ids));
  }

  @Transaction(false)
  @Returns('string')
  async GetResult(ctx: Context, roundId: string): Promise<string> {
    return text(await getResult(fabricLedger(ctx), roundId));
  }

  @Transaction(false)
  @Returns('string')
  async GetPositions(ctx: Context, roundId: string): Promise<string> {
    return text(await getPositions(fabricLedger(ctx), roundId));
  }

  /** The caller's own settlement lines ('' = own; the operator may name a utility). */
  @Transaction(false)
  @Returns('string')
  async GetSettlement(ctx: Context, roundId: string, utility: string): Promise<string> {
    return text(await getSettlement(fabricLedger(ctx), roundId, utility));
  }

  /**
   * Utility: submit a batch of meter readings of a cleared round before its gate closure;
   * transient field `readings` = {salt, readings: [{batchId, id, side, quantity}]}. Returns the
   * public commitment.
   */
  @Transaction()
  @Returns('string')
  async SubmitMeterReadings(ctx: Context, roundId: string): Promise<string> {
    return text(await submitReadings(fabricLedger(ctx), roundId));
  }

  /** Operator: settle a round's delivery by the SHA-256 (hex) of the canonical settlement JSON, once. */
  @Transaction()
  @Returns('string')
  async SettleDelivery(ctx: Context, roundId: string, settlementDigest: string): Promise<string> {
    return text(await settleDelivery(fabricLedger(ctx), roundId, settlementDigest));
  }

  /** The caller's own reading batches ('' = own; the operator may name a utility). */
  @Transaction(false)
  @Returns('string')
  async GetReadings(ctx: Context, roundId: string, utility: string): Promise<string> {
    return text(await getReadings(fabricLedger(ctx), roundId, utility));
  }

  /** Every utility's public reading commitments of a round. */
  @Transaction(false)
  @Returns('string')
  async GetReadingCommitments(ctx: Context, roundId: string): Promise<string> {
    return text(await getReadingCommitments(fabricLedger(ctx), roundId));
  }

  /** The caller's own delivery statement of a settled round ('' = own; the operator may name a utility). */
  @Transaction(false)
  @Returns('string')
  async GetStatement(ctx: Context, roundId: string, utility: string): Promise<string> {
    return text(await getStatement(fabricLedger(ctx), roundId, utility));
  }

  /** A running account ('' = own; the operator may name a utility, or 'operator' for its own). */
  @Transaction(false)
  @Returns('string')
  async GetAccount(ctx: Context, utility: string): Promise<string> {
    return text(await getAccount(fabricLedger(ctx), utility));
  }

  /** The public delivery net positions of a settled round. */
  @Transaction(false)
  @Returns('string')
  async GetDeliveryPositions(ctx: Context, roundId: string): Promise<string> {
    return text(await getDeliveryPositions(fabricLedger(ctx), roundId));
  }

  /** The public summary of a settled round (NOT_FOUND before). */
  @Transaction(false)
  @Returns('string')
  async GetDelivery(ctx: Context, roundId: string): Promise<string> {
    return text(await getDeliverySummary(fabricLedger(ctx), roundId));
  }
}

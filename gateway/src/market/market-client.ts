import { randomBytes } from 'node:crypto';
import { CommitError, GatewayError, type Contract } from '@hyperledger/fabric-gateway';
import type { WireBid } from '../../../auctioneer/src/mechanism/types';
import type { PublicResult } from '../../../chaincode/src/clearing';
import { sha256Hex } from '../../../chaincode/src/codec';
import { marketErrorCode, type MarketErrorCode } from '../../../chaincode/src/errors';
import type { OpenRoundRequest } from '../../../chaincode/src/rounds';
import {
  OPERATOR_MSP,
  type BatchCommitment,
  type NetPosition,
  type RoundRecord,
  type Settlement,
  type StoredBatch,
} from '../../../chaincode/src/model';

/** Codes of a failed market call: the chaincode's own, or what went wrong on the way. */
export type MarketClientErrorCode =
  | MarketErrorCode
  | 'COMMIT_FAILED'
  | 'ENDORSEMENT_MISMATCH'
  | 'UNAVAILABLE'
  | 'UNKNOWN';

/** A failed chaincode call, with the chaincode's code and details recovered from the gateway error. */
export class MarketClientError extends Error {
  constructor(
    readonly code: MarketClientErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly transactionId?: string,
    /** true when retrying the same call cannot make things worse (e.g. an MVCC conflict) */
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'MarketClientError';
  }
}

const decoder = new TextDecoder();

/** Results up to this size (canonical JSON, ~14k bids) are committed whole, larger ones by digest. */
export const COMMIT_INLINE_MAX_BYTES = 1_000_000;
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
/** the gateway's answer when endorsers' results differ, e.g. one peer has not committed a block yet */
const GRPC_ABORTED = 10;

/** Splits `CODE: explanation {json}` produced by chaincode MarketError into its parts. */
function parseChaincodeMessage(
  text: string,
): { code: MarketErrorCode; message: string; details: Record<string, unknown> } | undefined {
  const code = marketErrorCode(text);
  if (!code) return undefined;
  const body = text.slice(text.indexOf(`${code}: `));
  const brace = body.indexOf(' {');
  let details: Record<string, unknown> = {};
  let message = body;
  if (brace >= 0) {
    try {
      details = JSON.parse(body.slice(brace + 1)) as Record<string, unknown>;
      message = body.slice(0, brace);
    } catch {
      // not our JSON: keep the whole text as the message
    }
  }
  return { code, message, details };
}

/** Maps any error thrown by the gateway client to a MarketClientError (never loses the original text). */
export function toMarketClientError(err: unknown): MarketClientError {
  if (err instanceof MarketClientError) return err;
  if (err instanceof CommitError) {
    return new MarketClientError(
      'COMMIT_FAILED',
      `transaction ${err.transactionId} failed validation: ${String(err.code)}`,
      { validationCode: err.code },
      err.transactionId,
      true,
    );
  }
  if (err instanceof GatewayError) {
    const texts = [...err.details.map((d) => d.message), err.message];
    for (const t of texts) {
      const parsed = parseChaincodeMessage(t);
      if (parsed) {
        const txId = (err as { transactionId?: string }).transactionId;
        return new MarketClientError(parsed.code, parsed.message, parsed.details, txId);
      }
    }
    if (err.code === GRPC_ABORTED && texts.some((t) => t.includes('ProposalResponsePayloads do not match'))) {
      // nothing reached the orderer: retrying once the peers agree is safe
      return new MarketClientError(
        'ENDORSEMENT_MISMATCH',
        `endorsing peers returned different results: ${err.message}`,
        { grpcCode: err.code },
        (err as { transactionId?: string }).transactionId,
        true,
      );
    }
    const unavailable = err.code === GRPC_UNAVAILABLE || err.code === GRPC_DEADLINE_EXCEEDED;
    return new MarketClientError(
      unavailable ? 'UNAVAILABLE' : 'UNKNOWN',
      `${err.message}${err.details.length ? ` (${err.details.map((d) => `${d.mspId}@${d.address}: ${d.message}`).join('; ')})` : ''}`,
      { grpcCode: err.code },
      (err as { transactionId?: string }).transactionId,
      unavailable,
    );
  }
  return new MarketClientError('UNKNOWN', err instanceof Error ? err.message : String(err));
}

/**
 * Typed access to the market chaincode for one identity (one org). Every call maps failures to
 * MarketClientError. Submits return only after the transaction is committed.
 */
export class MarketClient {
  constructor(
    private readonly contract: Contract,
    /** MSP id of the identity this client signs with */
    readonly mspId: string,
  ) {}

  private async evaluate<T>(name: string, ...args: string[]): Promise<T> {
    try {
      return JSON.parse(decoder.decode(await this.contract.evaluateTransaction(name, ...args))) as T;
    } catch (e) {
      throw toMarketClientError(e);
    }
  }

  private async submit<T>(
    name: string,
    args: string[],
    options: { transientData?: Record<string, string>; endorsingOrganizations?: string[] } = {},
  ): Promise<T> {
    try {
      const bytes = await this.contract.submit(name, { arguments: args, ...options });
      return JSON.parse(decoder.decode(bytes)) as T;
    } catch (e) {
      throw toMarketClientError(e);
    }
  }

  openRound(req: OpenRoundRequest): Promise<RoundRecord> {
    return this.submit('OpenRound', [JSON.stringify(req)]);
  }

  closeRound(roundId: string): Promise<RoundRecord> {
    return this.submit('CloseRound', [roundId]);
  }

  /**
   * Submits one sealed batch in this client's org name, endorsed by the org's own peer and the
   * operator's (the two members of its collection). A fresh 128-bit salt is drawn per batch.
   */
  submitBids(
    roundId: string,
    bids: WireBid[],
    salt = randomBytes(16).toString('hex'),
  ): Promise<BatchCommitment> {
    return this.submit('SubmitBids', [roundId], {
      transientData: { batch: JSON.stringify({ salt, bids }) },
      endorsingOrganizations: [this.mspId, OPERATOR_MSP],
    });
  }

  /**
   * Operator: commit the canonical JSON of a clearing; the chaincode re-verifies it. A result over
   * COMMIT_INLINE_MAX_BYTES is sent as its SHA-256 (the chaincode recomputes the result either
   * way): a transaction argument must fit the channel's 10 MB limit and large ones order slowly.
   */
  commitClearing(roundId: string, resultJson: string): Promise<PublicResult> {
    const argument = resultJson.length > COMMIT_INLINE_MAX_BYTES ? sha256Hex(resultJson) : resultJson;
    return this.submit('CommitClearing', [roundId, argument], { endorsingOrganizations: [OPERATOR_MSP] });
  }

  getRound(roundId: string): Promise<RoundRecord> {
    return this.evaluate('GetRound', roundId);
  }

  listRounds(status = ''): Promise<RoundRecord[]> {
    return this.evaluate('ListRounds', status);
  }

  getCommitments(roundId: string): Promise<BatchCommitment[]> {
    return this.evaluate('GetCommitments', roundId);
  }

  /** Own batches ('' ) or, for the operator, a named utility's. */
  getBatches(roundId: string, utility = ''): Promise<StoredBatch[]> {
    return this.evaluate('GetBatches', roundId, utility);
  }

  /** Named batches of a round (own, or for the operator a named utility's); see readCommittedBatches. */
  getBatchesById(roundId: string, utility: string, batchIds: readonly string[]): Promise<StoredBatch[]> {
    return this.evaluate('GetBatchesById', roundId, utility, JSON.stringify(batchIds));
  }

  getResult(roundId: string): Promise<PublicResult> {
    return this.evaluate('GetResult', roundId);
  }

  getPositions(roundId: string): Promise<NetPosition[]> {
    return this.evaluate('GetPositions', roundId);
  }

  getSettlement(roundId: string, utility = ''): Promise<Settlement> {
    return this.evaluate('GetSettlement', roundId, utility);
  }
}

import { randomBytes } from 'node:crypto';
import {
  CommitError,
  CommitStatusError,
  EndorseError,
  GatewayError,
  StatusCode,
  type Contract,
} from '@hyperledger/fabric-gateway';
import type { WireBid } from '../../engine/src/mechanism/types';
import type { PublicResult } from '../../chaincode/src/clearing';
import { marketErrorCode, type MarketErrorCode } from '../../chaincode/src/errors';
import type { OpenRoundRequest } from '../../chaincode/src/rounds';
import {
  OPERATOR_MSP,
  type DeliveryPosition,
  type DeliveryStatement,
  type DeliverySummary,
  type MeterReading,
  type OperatorAccount,
  type ReadingCommitment,
  type StoredReadingBatch,
  type UtilityAccount,
  type BatchCommitment,
  type NetPosition,
  type RoundRecord,
  type Settlement,
  type StoredBatch,
} from '../../chaincode/src/model';

/** Codes of a failed market call: the chaincode's own, or what went wrong on the way. */
export type MarketClientErrorCode =
  | MarketErrorCode
  | 'COMMIT_FAILED'
  | 'ENDORSEMENT_MISMATCH'
  | 'IDENTITY_REFUSED'
  | 'UNAVAILABLE'
  | 'UNKNOWN';

/** Where a failed call stopped: evaluate, or one step of a submit (endorse → submit → commit status). */
export type TxStage = 'evaluate' | 'endorse' | 'submit' | 'commit-status' | 'commit' | 'unknown';

/** What is known about a failed call's transaction. */
export interface TxFate {
  /** where the call failed */
  stage: TxStage;
  /** the transaction may have been sent to the ordering service */
  mayHaveReachedOrderer: boolean;
  /**
   * it may be, or may yet become, committed. False when its outcome is known: it never reached an
   * orderer (an evaluate, an endorsement failure, a submit the ordering service refused) or its
   * commit status said invalid (CommitError).
   */
  mayHaveCommitted: boolean;
}

/** A failed chaincode call, with the chaincode's code and details recovered from the gateway error. */
export class MarketClientError extends Error {
  /** where the call failed and whether its transaction may still commit (default: nothing was sent) */
  readonly fate: TxFate;

  constructor(
    readonly code: MarketClientErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly transactionId?: string,
    /** true when retrying the same call cannot make things worse (e.g. an MVCC conflict) */
    readonly retryable = false,
    fate: Partial<TxFate> = {},
  ) {
    super(message);
    this.name = 'MarketClientError';
    const reached = fate.mayHaveReachedOrderer ?? false;
    this.fate = {
      stage: fate.stage ?? 'unknown',
      mayHaveReachedOrderer: reached,
      mayHaveCommitted: fate.mayHaveCommitted ?? reached,
    };
  }

  /** the transaction may have reached the ordering service */
  get mayHaveReachedOrderer(): boolean {
    return this.fate.mayHaveReachedOrderer;
  }

  /** the outcome is unknown: the transaction may be, or may yet become, committed */
  get mayHaveCommitted(): boolean {
    return this.fate.mayHaveCommitted;
  }
}

const decoder = new TextDecoder();
const RESULT_DIGEST_RE = /^[0-9a-f]{64}$/;

const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
/** the gateway's answer when endorsers' results differ, e.g. one peer has not committed a block yet */
const GRPC_ABORTED = 10;
/** how a peer reports an unreachable chaincode server during simulation */
const CHAINCODE_DOWN =
  /could not launch chaincode|error creating grpc connection to|chaincode .* is not running|chaincode stream terminated/;

const STATUS_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([k, v]) => [v, k]));

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

/** An orderer detail that says the gateway could not even open the broadcast stream to it. */
const NOT_CONNECTED = /connection refused|ECONNREFUSED|no such host|no route to host|connect: /i;

/**
 * Whether a SubmitError's transaction may have reached an orderer. The peer's gateway tries the
 * orderers one by one (fabric internal/pkg/gateway/submit.go): ABORTED means an orderer refused it
 * (4xx), "no orderer nodes available" that none was tried, and UNAVAILABLE "no orderers could
 * successfully process transaction" that each refused (5xx, no detail) or failed (one detail each:
 * only a refused connection proves nothing was sent). A deadline, a cancel or a lost connection to
 * the gateway peer may come after the transaction was sent.
 */
function submitMayHaveReachedOrderer(err: GatewayError): boolean {
  if (err.code === GRPC_DEADLINE_EXCEEDED || err.code === GRPC_CANCELLED) return true;
  if (err.code === GRPC_ABORTED) return false;
  const text = err.message;
  if (text.includes('no orderer nodes available') || text.includes('a prepared transaction')) return false;
  if (text.includes('no orderers could successfully process transaction')) {
    return err.details.some((d) => !NOT_CONNECTED.test(d.message));
  }
  return err.code !== 3 && err.code !== 9; // INVALID_ARGUMENT, FAILED_PRECONDITION: refused by the peer
}

/** The fate of a gateway error by its class (fabric-gateway: EndorseError, SubmitError, ...). */
function fateOf(err: GatewayError, during: 'evaluate' | 'submit'): TxFate {
  if (err instanceof EndorseError) {
    // the client sends a transaction to the orderer only after its endorsement came back
    return { stage: 'endorse', mayHaveReachedOrderer: false, mayHaveCommitted: false };
  }
  if (err instanceof CommitStatusError) {
    return { stage: 'commit-status', mayHaveReachedOrderer: true, mayHaveCommitted: true };
  }
  // fabric-gateway 1.11 exports SubmitError as a type only: recognise it by name
  if (err.name === 'SubmitError') {
    const reached = submitMayHaveReachedOrderer(err);
    return { stage: 'submit', mayHaveReachedOrderer: reached, mayHaveCommitted: reached };
  }
  // a plain GatewayError comes from an evaluate (or an event stream): no transaction at all
  if (during === 'evaluate')
    return { stage: 'evaluate', mayHaveReachedOrderer: false, mayHaveCommitted: false };
  return { stage: 'unknown', mayHaveReachedOrderer: true, mayHaveCommitted: true };
}

const STAGE_TEXT: Record<TxStage, string> = {
  evaluate: '',
  endorse: 'endorsement failed: ',
  submit: 'submit to the orderer failed: ',
  'commit-status': 'commit status unknown: ',
  commit: '',
  unknown: '',
};

/** A transaction its commit status reported invalid (e.g. an MVCC conflict): safe to retry. */
function fromCommitError(err: CommitError): MarketClientError {
  const name = STATUS_NAMES.get(err.code) ?? String(err.code);
  return new MarketClientError(
    'COMMIT_FAILED',
    `transaction ${err.transactionId} failed validation: ${name}`,
    { validationCode: err.code, validation: name },
    err.transactionId,
    true,
    { stage: 'commit', mayHaveReachedOrderer: true, mayHaveCommitted: false },
  );
}

/** What one gateway error says, with its fate and transaction, as the helpers below read it. */
interface GatewayFailure {
  err: GatewayError;
  fate: TxFate;
  txId: string | undefined;
  /** the error's own text and each peer's detail */
  texts: string[];
}

/** The chaincode's MarketError, if any text carries one (first match wins). */
function chaincodeErrorOf(g: GatewayFailure): MarketClientError | undefined {
  for (const t of g.texts) {
    const parsed = parseChaincodeMessage(t);
    if (parsed)
      return new MarketClientError(parsed.code, parsed.message, parsed.details, g.txId, false, g.fate);
  }
  return undefined;
}

/** Endorsers that returned different results: nothing reached the orderer, so a retry is safe. */
function endorsementMismatchOf(g: GatewayFailure): MarketClientError | undefined {
  if (g.err.code !== GRPC_ABORTED) return undefined;
  if (!g.texts.some((t) => t.includes('ProposalResponsePayloads do not match'))) return undefined;
  return new MarketClientError(
    'ENDORSEMENT_MISMATCH',
    `endorsing peers returned different results: ${g.err.message}`,
    { grpcCode: g.err.code },
    g.txId,
    true,
    g.fate,
  );
}

/** A peer's proposal check of the creator: "access denied: channel [c] creator org [M]". */
const ACCESS_DENIED = /access denied: channel \[[^\]]*\] creator org/;

/**
 * The peers refused the client's own certificate before any chaincode ran (revoked by its org's
 * CA, expired, or not of a channel member): a retry with the same identity cannot succeed.
 */
function identityRefusedOf(g: GatewayFailure): MarketClientError | undefined {
  if (!g.texts.some((t) => ACCESS_DENIED.test(t))) return undefined;
  return new MarketClientError(
    'IDENTITY_REFUSED',
    `the peers refused this client's identity (revoked, expired or not a channel member): ${g.err.message}${peerDetails(g.err)}`,
    { grpcCode: g.err.code },
    g.txId,
    false,
    g.fate,
  );
}

const TRANSIENT_GRPC_CODES: ReadonlySet<number> = new Set([
  GRPC_UNAVAILABLE,
  GRPC_DEADLINE_EXCEEDED,
  GRPC_CANCELLED,
]);

/**
 * A failure that comes back by itself: a peer that cannot reach its chaincode server (killed,
 * restarting) fails the endorsement with ABORTED "could not launch chaincode", or "chaincode
 * stream terminated" for proposals in flight when it died (nothing was ordered either way), and
 * the transport codes UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED.
 */
const isUnavailable = (g: GatewayFailure): boolean =>
  g.texts.some((t) => CHAINCODE_DOWN.test(t)) || TRANSIENT_GRPC_CODES.has(g.err.code);

/** Every peer's detail, `(msp@address: message; ...)`, or '' without details. */
const peerDetails = (err: GatewayError): string =>
  err.details.length
    ? ` (${err.details.map((d) => `${d.mspId}@${d.address}: ${d.message}`).join('; ')})`
    : '';

/** Any other gateway failure: UNAVAILABLE (retryable) or UNKNOWN, with the stage and peers named. */
function transportErrorOf(g: GatewayFailure): MarketClientError {
  const unavailable = isUnavailable(g);
  return new MarketClientError(
    unavailable ? 'UNAVAILABLE' : 'UNKNOWN',
    `${STAGE_TEXT[g.fate.stage]}${g.err.message}${peerDetails(g.err)}`,
    { grpcCode: g.err.code },
    g.txId,
    unavailable,
    g.fate,
  );
}

function fromGatewayError(err: GatewayError, during: 'evaluate' | 'submit'): MarketClientError {
  const g: GatewayFailure = {
    err,
    fate: fateOf(err, during),
    txId: (err as { transactionId?: string }).transactionId,
    texts: [...err.details.map((d) => d.message), err.message],
  };
  return chaincodeErrorOf(g) ?? endorsementMismatchOf(g) ?? identityRefusedOf(g) ?? transportErrorOf(g);
}

/** Not from the gateway client: an evaluate left no transaction, a submit may have. */
function fromOtherError(err: unknown, during: 'evaluate' | 'submit'): MarketClientError {
  const fate: TxFate =
    during === 'evaluate'
      ? { stage: 'evaluate', mayHaveReachedOrderer: false, mayHaveCommitted: false }
      : { stage: 'unknown', mayHaveReachedOrderer: true, mayHaveCommitted: true };
  return new MarketClientError(
    'UNKNOWN',
    err instanceof Error ? err.message : String(err),
    {},
    undefined,
    false,
    fate,
  );
}

/**
 * Maps any error thrown by the gateway client to a MarketClientError (never loses the original
 * text), with its fate: where it failed and whether the transaction may still commit. `during`
 * says what the caller was doing: an error of an evaluate never leaves a transaction behind, an
 * unrecognised error of a submit may.
 */
export function toMarketClientError(
  err: unknown,
  during: 'evaluate' | 'submit' = 'submit',
): MarketClientError {
  if (err instanceof MarketClientError) return err;
  if (err instanceof CommitError) return fromCommitError(err);
  if (err instanceof GatewayError) return fromGatewayError(err, during);
  return fromOtherError(err, during);
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
      throw toMarketClientError(e, 'evaluate');
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
   * Operator: commit a clearing by its digest, SHA-256 (hex) of the canonical JSON of the full
   * result (resultDigestOf). Only the digest is sent: transaction arguments are stored in the block,
   * which every channel member reads, and the result holds every bid's quantity and payment. The
   * chaincode recomputes the result from the sealed bids and accepts only the same digest.
   */
  commitClearing(roundId: string, resultDigest: string): Promise<PublicResult> {
    if (!RESULT_DIGEST_RE.test(resultDigest)) {
      // never echo the argument: a result passed here by mistake is private
      return Promise.reject(
        new MarketClientError(
          'INVALID_ARGUMENT',
          'commitClearing takes the SHA-256 of the result (64 lowercase hex chars), not the result',
          { roundId, length: resultDigest.length },
        ),
      );
    }
    return this.submit('CommitClearing', [roundId, resultDigest], { endorsingOrganizations: [OPERATOR_MSP] });
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

  /**
   * Submits one batch of meter readings of a cleared round in this client's org name, endorsed by
   * the org's peer and the operator's (the members of its collection), in the transient field
   * `readings`. A fresh 128-bit salt is drawn per batch; pass the same salt to retry a batch (the
   * same salt and readings return the original commitment).
   */
  submitMeterReadings(
    roundId: string,
    readings: MeterReading[],
    salt = randomBytes(16).toString('hex'),
  ): Promise<ReadingCommitment> {
    return this.submit('SubmitMeterReadings', [roundId], {
      transientData: { readings: JSON.stringify({ salt, readings }) },
      endorsingOrganizations: [this.mspId, OPERATOR_MSP],
    });
  }

  /**
   * Operator: settle a round's delivery by its digest (settlementDigestOf in
   * chaincode/src/delivery-input.ts, computed with computeDelivery from getResult, every utility's
   * getSettlement and getReadings and the round's delivery parameters). Only the digest is sent:
   * the settlement names every bid's reading. Once: a second call is refused ALREADY_SETTLED.
   */
  settleDelivery(roundId: string, settlementDigest: string): Promise<DeliverySummary> {
    if (!RESULT_DIGEST_RE.test(settlementDigest)) {
      // never echo the argument: a settlement passed here by mistake is private
      return Promise.reject(
        new MarketClientError(
          'INVALID_ARGUMENT',
          'settleDelivery takes the SHA-256 of the settlement (64 lowercase hex chars), not the settlement',
          { roundId, length: settlementDigest.length },
        ),
      );
    }
    return this.submit('SettleDelivery', [roundId, settlementDigest], {
      endorsingOrganizations: [OPERATOR_MSP],
    });
  }

  /** Own reading batches ('') or, for the operator, a named utility's. */
  getReadings(roundId: string, utility = ''): Promise<StoredReadingBatch[]> {
    return this.evaluate('GetReadings', roundId, utility);
  }

  /** Every utility's public reading commitments of a round. */
  getReadingCommitments(roundId: string): Promise<ReadingCommitment[]> {
    return this.evaluate('GetReadingCommitments', roundId);
  }

  /** Own delivery statement of a settled round ('') or, for the operator, a named utility's. */
  getStatement(roundId: string, utility = ''): Promise<DeliveryStatement> {
    return this.evaluate('GetStatement', roundId, utility);
  }

  /** A running account: own (''), a named utility's for the operator, or 'operator'. */
  getAccount(utility = ''): Promise<UtilityAccount | OperatorAccount> {
    return this.evaluate('GetAccount', utility);
  }

  /** The public delivery net positions of a settled round. */
  getDeliveryPositions(roundId: string): Promise<DeliveryPosition[]> {
    return this.evaluate('GetDeliveryPositions', roundId);
  }

  /** The public summary of a settled round (NOT_FOUND before). */
  getDelivery(roundId: string): Promise<DeliverySummary> {
    return this.evaluate('GetDelivery', roundId);
  }
}

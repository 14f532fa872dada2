import { MarketClientError, type MarketClientErrorCode } from '../../../fabric-client/src/market-client';

/** One named problem of a request: a path/field, or for bids the index, id and field. */
export interface ProblemItem {
  path?: string;
  field?: string;
  index?: number;
  id?: string;
  reason: string;
}

/** RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: ProblemItem[];
  [extra: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://energy-auction.local/problems/';

/** An error the handlers throw to answer with a given problem document. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly errors?: ProblemItem[],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }

  toDocument(): Problem {
    return {
      type: TYPE_BASE + this.code.toLowerCase().replace(/_/g, '-'),
      title: this.title,
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }
}

const STATUS_BY_CODE: Record<MarketClientErrorCode, [number, string]> = {
  FORBIDDEN: [403, 'Forbidden'],
  // the identity this tenant signs with (config `identity`) was revoked at its org's CA
  IDENTITY_REFUSED: [403, 'Identity refused by the peers'],
  NOT_FOUND: [404, 'Not found'],
  CONFLICT: [409, 'Conflict'],
  INVALID_ARGUMENT: [422, 'Invalid argument'],
  INVALID_BIDS: [422, 'Invalid bids'],
  ROUND_NOT_OPEN: [409, 'Round not open'],
  ROUND_NOT_CLOSED: [409, 'Round not closed'],
  BIDDING_CLOSED: [409, 'Bidding closed'],
  TOO_EARLY: [409, 'Too early'],
  // the gateway's clock (which dates each proposal) and the peers' disagree: not the caller's fault
  CLOCK_SKEW: [503, 'Clock skew between gateway and peers'],
  BATCH_MISSING: [500, 'Batch missing'],
  HASH_MISMATCH: [500, 'Hash mismatch'],
  CLEARING_MISMATCH: [422, 'Clearing mismatch'],
  INVALID_READINGS: [422, 'Invalid meter readings'],
  ROUND_NOT_CLEARED: [409, 'Round not cleared'],
  GATE_CLOSED: [409, 'Gate closed'],
  SETTLEMENT_MISMATCH: [422, 'Settlement mismatch'],
  ALREADY_SETTLED: [409, 'Already settled'],
  COMMIT_FAILED: [503, 'Transaction not committed'],
  ENDORSEMENT_MISMATCH: [503, 'Endorsing peers disagree'],
  UNAVAILABLE: [503, 'Fabric unavailable'],
  UNKNOWN: [502, 'Fabric error'],
};

/**
 * Every `code` an error answer of the API carries: the market's (by its status table above) and
 * the API's own. Never a fastify code (FST_...): the errors plugin maps those onto these.
 */
export const API_ERROR_CODES: readonly string[] = [
  ...Object.keys(STATUS_BY_CODE),
  'INVALID_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
  'NO_ROUTE',
  'BID_NOT_FOUND',
  'OUTCOME_UNKNOWN',
  'TIMEOUT',
  'INTERNAL',
];

/** Turns a MarketClientError into the problem the client sees (details kept, never other tenants' data). */
export function fromMarketError(e: MarketClientError): ApiProblem {
  const [status, title] = STATUS_BY_CODE[e.code];
  const errors: ProblemItem[] | undefined = Array.isArray(e.details.issues)
    ? (e.details.issues as ProblemItem[])
    : undefined;
  const extra: Record<string, unknown> = {};
  if (e.transactionId) extra.transactionId = e.transactionId;
  if (Array.isArray(e.details.ids)) extra.ids = e.details.ids;
  if (e.retryable) extra.retryable = true;
  return new ApiProblem(status, e.code, title, e.message, errors, extra);
}

export function toProblem(e: unknown): ApiProblem | undefined {
  if (e instanceof ApiProblem) return e;
  if (e instanceof MarketClientError) return fromMarketError(e);
  return undefined;
}

import { MarketClientError } from '../../../fabric-client/src/market-client';
import { ApiProblem, fromMarketError, toProblem } from './problem';

/**
 * What a client may assume about a write that failed: `not-committed` (nothing of it is or will be
 * on the ledger; a retry with the same ids is safe) or `unknown` (it may still commit: look it up).
 */
export type WriteOutcome = 'not-committed' | 'unknown';

const transactionIdsOf = (e: MarketClientError): string[] => {
  const ids = Array.isArray(e.details.transactionIds)
    ? e.details.transactionIds.filter((x): x is string => typeof x === 'string')
    : [];
  if (e.transactionId && !ids.includes(e.transactionId)) ids.push(e.transactionId);
  return ids;
};

/**
 * The problem document of a failed market call. A write whose transaction may still commit is a
 * 504 OUTCOME_UNKNOWN naming its transaction id(s) and the Fabric error it ended with; `write`
 * (the route submits transactions) adds `outcome` to every market error.
 */
export function marketProblem(e: MarketClientError, write: boolean): ApiProblem {
  const transactionIds = transactionIdsOf(e);
  if (e.mayHaveCommitted) {
    return new ApiProblem(
      504,
      'OUTCOME_UNKNOWN',
      'Outcome unknown',
      `${e.message}. The transaction may still commit: look the bids up ` +
        '(GET /v1/rounds/{roundId}/bids/{bidId}) before sending them again',
      undefined,
      {
        outcome: 'unknown' satisfies WriteOutcome,
        ...(transactionIds.length > 0 ? { transactionId: transactionIds.at(-1), transactionIds } : {}),
        cause: { code: e.code, stage: e.fate.stage },
      },
    );
  }
  const p = fromMarketError(e);
  if (!write) return p;
  return new ApiProblem(p.status, p.code, p.title, p.message, p.errors, {
    ...p.extra,
    ...(transactionIds.length > 1 ? { transactionIds } : {}),
    outcome: 'not-committed' satisfies WriteOutcome,
  });
}

/** Any error a handler threw, as a problem (undefined: not one we know, i.e. a 500). */
export function problemOf(err: unknown, write: boolean): ApiProblem | undefined {
  if (err instanceof MarketClientError) return marketProblem(err, write);
  return toProblem(err);
}

/** A loggable description of why a request failed (never tokens or bids). */
export function causeOf(err: unknown): Record<string, unknown> {
  if (err instanceof MarketClientError) {
    return {
      type: err.name,
      code: err.code,
      message: err.message,
      transactionId: err.transactionId,
      fate: err.fate,
      retryable: err.retryable,
      details: { ...err.details, issues: undefined, ids: undefined },
    };
  }
  if (err instanceof ApiProblem) return { type: err.name, code: err.code, message: err.message };
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}

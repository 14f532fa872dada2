/**
 * Typed chaincode errors. The message starts with the code so that clients, which only see the
 * message text through the gateway, can recover it: `CODE: explanation {details}`.
 */
export type MarketErrorCode =
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'INVALID_BIDS'
  | 'ROUND_NOT_OPEN'
  | 'ROUND_NOT_CLOSED'
  | 'BIDDING_CLOSED'
  | 'TOO_EARLY'
  | 'BATCH_MISSING'
  | 'HASH_MISMATCH'
  | 'CLEARING_MISMATCH';

export class MarketError extends Error {
  constructor(
    readonly code: MarketErrorCode,
    explanation: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${code}: ${explanation}${details ? ` ${JSON.stringify(details)}` : ''}`);
    this.name = 'MarketError';
  }
}

const CODE_RE = /\b([A-Z_]{4,}): /;

/** Extracts the MarketError code from an error message that crossed the gateway, if any. */
export function marketErrorCode(message: string): MarketErrorCode | undefined {
  const m = CODE_RE.exec(message);
  return m ? (m[1] as MarketErrorCode) : undefined;
}

/**
 * Typed chaincode errors. The message starts with the code so that clients, which only see the
 * message text through the gateway, can recover it: `CODE: explanation {details}`.
 */
export const MARKET_ERROR_CODES = [
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_ARGUMENT',
  'INVALID_BIDS',
  'ROUND_NOT_OPEN',
  'ROUND_NOT_CLOSED',
  'BIDDING_CLOSED',
  'TOO_EARLY',
  'CLOCK_SKEW',
  'BATCH_MISSING',
  'HASH_MISMATCH',
  'CLEARING_MISMATCH',
  'INVALID_READINGS',
  'ROUND_NOT_CLEARED',
  'GATE_CLOSED',
  'SETTLEMENT_MISMATCH',
  'ALREADY_SETTLED',
] as const;

export type MarketErrorCode = (typeof MARKET_ERROR_CODES)[number];

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

const CODE_RE = new RegExp(`\\b(${MARKET_ERROR_CODES.join('|')}): `);

/** Extracts the MarketError code from an error message that crossed the gateway, if any. */
export function marketErrorCode(message: string): MarketErrorCode | undefined {
  return CODE_RE.exec(message)?.[1] as MarketErrorCode | undefined;
}

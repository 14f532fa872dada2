/**
 * The clearing engine (shared/MECHANISM.md): pure, deterministic, integer-exact. Used by the
 * auctioneer to clear, by the chaincode to verify (byte-identical canonical JSON) and by the CLI.
 */
export { canonicalJson, CanonicalJsonError } from './canonical-json';
export { clear, clearRound, type NoTradeReason } from './clear';
export { DEFAULT_PARAMS, validateRound } from './validate';
export * from './types';

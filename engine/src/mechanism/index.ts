/**
 * The clearing engine (docs/mechanism.md): pure, deterministic, integer-exact. Used by the
 * auctioneer to clear, by the chaincode to verify (byte-identical canonical JSON) and by the CLI.
 */
export { canonicalJson, CanonicalJsonError } from './canonical-json';
export { clear, clearRound } from './clear';
export { validateRound } from './validate';
export * from './types';

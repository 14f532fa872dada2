/**
 * The imbalance settlement (docs/settlement.md): pure, deterministic, integer-exact. Used by the
 * operator's service to settle after gate closure and by the chaincode to re-compute and verify.
 */
export { MAX_READING_WH } from './readings';
export { settleDelivery } from './settle';
export type { UtilityOf } from './bids';
export * from './types';

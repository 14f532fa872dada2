import type { Ledger } from './ledger';

/** Name of the private data collection owned by a utility (members: it and the operator). */
export const collectionOf = (msp: string): string => `bids${msp}`;

/** Every ledger key the market uses, in one place. */
export const keys = {
  round: (l: Ledger, roundId: string): string => l.compositeKey('round', [roundId]),
  roundStatus: (l: Ledger, status: string, roundId: string): string =>
    l.compositeKey('roundStatus', [status, roundId]),
  // by batch id alone: batch ids are unique per round across utilities (checked on submit)
  commitment: (l: Ledger, roundId: string, batchId: string): string =>
    l.compositeKey('commit', [roundId, batchId]),
  result: (l: Ledger, roundId: string): string => l.compositeKey('result', [roundId]),
  position: (l: Ledger, roundId: string, utility: string): string =>
    l.compositeKey('position', [roundId, utility]),
  // delivery (issue #15), public
  readingCommit: (l: Ledger, roundId: string, utility: string, readingBatchId: string): string =>
    l.compositeKey('readingCommit', [roundId, utility, readingBatchId]),
  delivery: (l: Ledger, roundId: string): string => l.compositeKey('delivery', [roundId]),
  deliveryPosition: (l: Ledger, roundId: string, utility: string): string =>
    l.compositeKey('deliveryPosition', [roundId, utility]),
  /** the operator's side of each settled round, ordered by slot */
  operatorEntry: (l: Ledger, slot: string, roundId: string): string =>
    l.compositeKey('operatorEntry', [slot, roundId]),
  operatorAccount: (l: Ledger): string => l.compositeKey('operatorAccount', []),
  // private
  batch: (l: Ledger, roundId: string, batchId: string): string => l.compositeKey('batch', [roundId, batchId]),
  settlement: (l: Ledger, roundId: string): string => l.compositeKey('settlement', [roundId]),
  readings: (l: Ledger, roundId: string, readingBatchId: string): string =>
    l.compositeKey('readings', [roundId, readingBatchId]),
  statement: (l: Ledger, roundId: string): string => l.compositeKey('statement', [roundId]),
  account: (l: Ledger, utility: string): string => l.compositeKey('account', [utility]),
  /** one per settled round, ordered by slot: GetAccount reads them by range */
  accountEntry: (l: Ledger, utility: string, slot: string, roundId: string): string =>
    l.compositeKey('accountEntry', [utility, slot, roundId]),
};

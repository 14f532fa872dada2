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
  // private
  batch: (l: Ledger, roundId: string, batchId: string): string => l.compositeKey('batch', [roundId, batchId]),
  settlement: (l: Ledger, roundId: string): string => l.compositeKey('settlement', [roundId]),
};

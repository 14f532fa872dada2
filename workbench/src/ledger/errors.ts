/**
 * The `ledger` commands' exit codes and error texts. Every expected failure is a CliError (one
 * message on stderr, no stack trace) with one of these codes.
 */
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { OPERATOR_MSP } from '../../../chaincode/src/model';
import type { BatchCheckFailure } from '../../../chaincode/src/batch-check';
import { CliError } from '../errors';

/**
 * 0 every round replayed byte-identical (or exported / listed); 1 a round or the network could not
 * be read (unknown round, not cleared, peer unreachable, bad config); 2 bad command line;
 * 3 a replay differs from the recorded clearing; 4 a sealed batch does not match its salted
 * commitment; 5 the identity may not read what was asked (a utility asking for the whole round).
 */
export const LEDGER_EXIT = { unreadable: 1, differs: 3, commitment: 4, refused: 5 } as const;

/** A sealed batch that fails its commitment check, named by id and utility (exit 4). */
export class CommitmentCheckError extends CliError {
  constructor(
    readonly roundId: string,
    readonly failure: BatchCheckFailure,
  ) {
    super(commitmentFailureText(roundId, failure), LEDGER_EXIT.commitment);
    this.name = 'CommitmentCheckError';
  }

  /** the batch that failed, as its commitment names it */
  get batchId(): string {
    return String(this.failure.details.batchId);
  }
}

/** "round r1: batch 1f2e… of Utility1MSP does not match its hash (HASH_MISMATCH, committed …, read …)" */
export function commitmentFailureText(roundId: string, f: BatchCheckFailure): string {
  const d = f.details;
  const extra =
    f.code === 'HASH_MISMATCH'
      ? `, committed ${String(d.expected)}, read ${String(d.got)}`
      : f.code === 'BATCH_MISMATCH' && d.reason === undefined
        ? `, read round ${String(d.batchRound)} utility ${String(d.batchUtility)} id ${String(d.batchBatchId)} with ${String(d.bids)} bid(s), committed ${String(d.committedBids)}`
        : '';
  return (
    `round ${roundId}: ${f.message} (${f.code}${extra}): ` +
    'the sealed bids read are not the ones committed, so the round cannot be replayed'
  );
}

/** The whole round asked for by a utility: what it may do instead (exit 5). */
export function wholeRoundRefusal(
  what: 'export' | 'replay',
  roundId: string,
  mspId: string,
  own?: { batches: number; bids: number },
): CliError {
  const yours = own === undefined ? 'your own bids' : `your ${own.batches} batch(es), ${own.bids} bid(s)`;
  const action = what === 'export' ? 'export the whole round' : 'replay the round';
  return new CliError(
    `${mspId} may read only its own sealed bids: to ${action} ${roundId} (every utility's bids) use ` +
      `the operator's identity (--msp ${OPERATOR_MSP}). As ${mspId}, ` +
      `"energy-auction ledger export ${roundId} --own --msp ${mspId}" exports ${yours}.`,
    LEDGER_EXIT.refused,
  );
}

/** The operator asked for --own: it submits no bids. */
export const operatorOwnText = (roundId: string): string =>
  `${OPERATOR_MSP} submits no bids, so --own would export nothing of ${roundId}: leave --own out to export the whole round`;

/** A round without a committed result (OPEN or CLOSED): nothing to replay yet. */
export const notClearedError = (roundId: string, status: string): CliError =>
  new CliError(
    `round ${roundId} is ${status}, not CLEARED: it has no committed result to replay yet ` +
      '("ledger export" writes its bids once it is closed)',
    LEDGER_EXIT.unreadable,
  );

/** A failed ledger read, as one line (exit 1, or 5 when the chaincode refused the identity). */
export function ledgerReadError(e: unknown, what: string): CliError {
  if (!(e instanceof MarketClientError)) {
    return new CliError(`${what}: ${e instanceof Error ? e.message : String(e)}`, LEDGER_EXIT.unreadable);
  }
  if (e.code === 'FORBIDDEN') return new CliError(`${what}: refused: ${e.message}`, LEDGER_EXIT.refused);
  if (e.code === 'NOT_FOUND') return new CliError(`${what}: ${e.message}`, LEDGER_EXIT.unreadable);
  if (e.code === 'UNAVAILABLE') {
    return new CliError(`${what}: the peer is unavailable (${e.message})`, LEDGER_EXIT.unreadable);
  }
  return new CliError(`${what}: ${e.code}: ${e.message}`, LEDGER_EXIT.unreadable);
}

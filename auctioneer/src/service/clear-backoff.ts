/**
 * Spaces out the reconciliation's attempts at a round whose clearing keeps failing for a reason
 * that waiting does not cure (a non-retryable error: e.g. a round too large for the chaincode's
 * execute timeout). Without it such a round costs the operator's peer a full, failing
 * CommitClearing at every reconciliation, for ever. Transport errors (the peer or orderer down)
 * never defer: the next reconciliation tries again as before.
 */
import { isRetryable } from '../../../fabric-client/src/retry';

export interface Deferral {
  /** non-retryable failures in a row */
  failures: number;
  /** no reconciliation attempt before this instant (ms since the epoch) */
  retryAtMs: number;
}

export class ClearBackoff {
  private readonly deferred = new Map<string, Deferral>();

  constructor(
    /** the wait after the first failure; doubled after each further one */
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  /** Records a failed clearing of `roundId`; the deferral now in force, if the error defers. */
  failed(roundId: string, error: unknown, nowMs: number): Deferral | undefined {
    if (isRetryable(error)) return undefined;
    const failures = (this.deferred.get(roundId)?.failures ?? 0) + 1;
    const wait = Math.min(this.maxMs, this.baseMs * 2 ** (failures - 1));
    const d = { failures, retryAtMs: nowMs + wait };
    this.deferred.set(roundId, d);
    return d;
  }

  /** The round cleared (or was found cleared): no deferral any more. */
  succeeded(roundId: string): void {
    this.deferred.delete(roundId);
  }

  /** The deferral of `roundId` still in force at `nowMs`, if any. */
  deferral(roundId: string, nowMs: number): Deferral | undefined {
    const d = this.deferred.get(roundId);
    return d && nowMs < d.retryAtMs ? d : undefined;
  }
}

import type { Deadlines } from '../../../fabric-client/src/connect';
import { ApiProblem } from './problem';

/**
 * How the API spends a request's time (requestTimeoutMs, T): the Fabric calls it makes give up
 * well before T, so that a failing network answers with its own error (503 when a peer does not
 * answer, 504 "outcome unknown" with the transaction id when the orderer does not) instead of a
 * bare timeout, and a SubmitBids attempt (endorse + submit + commit status) fits in T with room
 * for the reads before it.
 */
export interface ApiTimeouts {
  /** gRPC deadlines of the gateway connections the API opens (fabric-client/src/connect.ts) */
  deadlines: Pick<Deadlines, 'evaluate' | 'endorse' | 'submit' | 'commitStatus'>;
  /** longest the batcher waits for one SubmitBids call (the gRPC deadlines end it first) */
  attemptTimeoutMs: number;
  /** a bid request's batcher deadline is this much before T, so its answer beats the timeout */
  answerMarginMs: number;
}

/** Timeouts for a request timeout of `requestTimeoutMs` (20 s: evaluate 3 s, endorse 4 s, submit 3 s, commit status 6 s). */
export function apiTimeouts(requestTimeoutMs: number): ApiTimeouts {
  const part = (f: number) => Math.max(1, Math.round(requestTimeoutMs * f));
  const deadlines = {
    evaluate: part(0.15),
    endorse: part(0.2),
    submit: part(0.15),
    commitStatus: part(0.3),
  };
  return {
    deadlines,
    attemptTimeoutMs: deadlines.endorse + deadlines.submit + deadlines.commitStatus + part(0.05),
    answerMarginMs: Math.max(20, part(0.025)),
  };
}

/**
 * `p`, or a rejection made by `onTimeout` once `until` (epoch ms) has passed. `p` keeps running:
 * the caller must not leave state behind when it gives up (see BidIdRegistry.reserve).
 */
export function until<T>(p: Promise<T>, deadline: number, onTimeout: () => Error): Promise<T> {
  const ms = deadline - Date.now();
  if (!Number.isFinite(ms)) return p;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A 504 TIMEOUT problem: `what` did not finish within `ms`. */
export const timeoutProblem = (what: string, ms: number): ApiProblem =>
  new ApiProblem(504, 'TIMEOUT', 'Gateway timeout', `${what} did not finish within ${ms} ms`);

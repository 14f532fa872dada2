/**
 * The REST API under faults, on the real Fabric network (network/src), through HTTP only:
 *  - the utility's peer frozen (SIGSTOP of this network's own process, resumed with SIGCONT in a
 *    finally): the bid request gets 503 "not committed" within the request timeout, and a retry
 *    with the same ids commits (before the fix: 409 for bids that are not in the round);
 *  - every orderer frozen: 504 "outcome unknown" with the transaction ids, the ids stay taken, and
 *    the bid lookup tells the client what happened once the orderers are back;
 *  - the rate limit holds against whitespace variants of the bearer token; /metrics needs the
 *    operator's token.
 * Run serially: `npx jest --selectProjects e2e --runInBand test/e2e/api-faults.test.ts`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WireBid } from '../../engine/src/mechanism/types';
import { DEMO_TOKENS, loadConfig } from '../../gateway/src/api/config';
import { startApi, type ApiHandle } from '../../gateway/src/api/server';
import { ApiClient, instant } from '../../gateway/src/rest-client';
import { up } from '../../network/src/network';
import { RunPaths } from '../../network/src/paths';
import { runningPid } from '../../network/src/processes';

const MINUTE = 60_000;
const REQUEST_TIMEOUT_MS = 8_000;
const log = (line: string) => process.stdout.write(line + '\n');

interface Problem {
  status: number;
  code?: string;
  outcome?: string;
  transactionId?: string;
  transactionIds?: string[];
  idTaken?: boolean;
}

const bid = (id: string, side: 'buy' | 'sell' = 'buy'): WireBid => ({
  id,
  side,
  price: side === 'buy' ? '18.5' : '9.5',
  quantity: '1.5',
});

/** Freezes this network's own processes `names` while `fn` runs; always resumes them. */
async function frozen<T>(names: string[], fn: () => Promise<T>): Promise<T> {
  const paths = new RunPaths();
  const pids = names.map((n) => {
    const pid = runningPid(paths, n);
    if (pid === undefined) throw new Error(`${n} is not a running process of this network`);
    return pid;
  });
  const stopped: number[] = [];
  try {
    for (const pid of pids) {
      process.kill(pid, 'SIGSTOP');
      stopped.push(pid);
    }
    return await fn();
  } finally {
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
  }
}

/** POSTs `bids` until an answer other than a transient 5xx (network recovering), at most `ms`. */
async function postUntilSettled(
  api: ApiClient,
  roundId: string,
  bids: WireBid[],
  ms: number,
): Promise<{ status: number; body: unknown; answers: number[] }> {
  const end = Date.now() + ms;
  const answers: number[] = [];
  for (;;) {
    const r = await api.request('POST', `/v1/rounds/${roundId}/bids`, { bids });
    answers.push(r.status);
    if (r.status < 500 || Date.now() > end) return { ...r, answers };
    await sleep(1_000);
  }
}

describe('REST API under faults on the Fabric network', () => {
  let api: ApiHandle | undefined;
  let operator: ApiClient;
  let utility: ApiClient;
  let roundId: string;

  beforeAll(async () => {
    await up({ log });
    api = await startApi({
      config: loadConfig(
        {},
        { port: 0, logLevel: 'warn', requestTimeoutMs: REQUEST_TIMEOUT_MS, batch: { maxWaitMs: 20 } },
      ),
    });
    operator = new ApiClient(api.url, DEMO_TOKENS.operator);
    utility = new ApiClient(api.url, DEMO_TOKENS.utility1);
    const now = Date.now();
    roundId = `e2e-faults-${now}`;
    await operator.openRound({
      id: roundId,
      slot: instant(Math.ceil((now + 20 * MINUTE) / 900_000) * 900_000),
      closesAt: instant(now + 15 * MINUTE),
    });
    // the round and the ids already used are read now, while the peer answers
    expect((await utility.submitBids(roundId, [bid('warm-1')])).accepted).toBe(1);
  }, 10 * MINUTE);

  afterAll(async () => {
    await api?.close();
  });

  it(
    "the utility's peer frozen: 503 within the timeout, nothing committed, and a retry with the same ids commits",
    async () => {
      const bids = [bid('peer-1'), bid('peer-2', 'sell')];
      const t0 = Date.now();
      const failed = await frozen(['peer0.utility1'], () =>
        utility.request('POST', `/v1/rounds/${roundId}/bids`, { bids }),
      );
      const ms = Date.now() - t0;
      log(`frozen peer: HTTP ${failed.status} after ${ms} ms: ${JSON.stringify(failed.body)}`);
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS);
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ code: 'UNAVAILABLE', outcome: 'not-committed' });

      const lookup = await utility.lookupBid(roundId, 'peer-1');
      expect(lookup.status).toBe(404);
      expect(lookup.body).toMatchObject({ idTaken: false });

      const retry = await postUntilSettled(utility, roundId, bids, 60_000);
      log(`retry with the same ids: ${retry.answers.join(', ')}`);
      expect(retry.status).toBe(201); // never 409: the ids were freed
      const found = await utility.lookupBid(roundId, 'peer-2');
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ committed: true, position: 1 });
    },
    3 * MINUTE,
  );

  it(
    'every orderer frozen: 504 outcome unknown with the transaction ids; the ids stay taken; the lookup settles it',
    async () => {
      const bids = [bid('ord-1')];
      const t0 = Date.now();
      const failed = await frozen(['orderer1', 'orderer2', 'orderer3'], () =>
        utility.request('POST', `/v1/rounds/${roundId}/bids`, { bids }),
      );
      const ms = Date.now() - t0;
      log(`frozen orderers: HTTP ${failed.status} after ${ms} ms: ${JSON.stringify(failed.body)}`);
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS);
      expect(failed.status).toBe(504);
      expect(failed.body).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
      const problem = failed.body as Problem;
      expect(problem.transactionId).toMatch(/^[0-9a-f]{64}$/);
      expect(problem.transactionIds?.length).toBeGreaterThanOrEqual(1);

      // the orderers are back: new bids commit again (Raft may take a moment)
      const fresh = await postUntilSettled(utility, roundId, [bid('ord-after')], 2 * MINUTE);
      log(`after the orderers resumed: ${fresh.answers.join(', ')}`);
      expect(fresh.status).toBe(201);

      // the unknown outcome: the id stays taken either way, and the lookup says which it is
      const reuse = await utility.request('POST', `/v1/rounds/${roundId}/bids`, { bids });
      expect(reuse.status).toBe(409);
      const lookup = await utility.lookupBid(roundId, 'ord-1');
      log(`lookup of the unknown bid: HTTP ${lookup.status} ${JSON.stringify(lookup.body)}`);
      if (lookup.status === 200) expect(lookup.body).toMatchObject({ committed: true });
      else expect(lookup).toMatchObject({ status: 404, body: { idTaken: true } });
    },
    4 * MINUTE,
  );

  it(
    'the rate limit holds against whitespace variants of the token; /metrics needs the operator token',
    async () => {
      const limited = await startApi({
        config: loadConfig({}, { port: 0, logLevel: 'warn', rateLimit: { max: 5, timeWindowMs: 60_000 } }),
      });
      try {
        const codes: number[] = [];
        for (let spaces = 1; spaces <= 8; spaces++) {
          const res = await fetch(`${limited.url}/v1/rounds?status=OPEN`, {
            headers: { authorization: `Bearer${' '.repeat(spaces)}${DEMO_TOKENS.utility2}` },
          });
          await res.arrayBuffer();
          codes.push(res.status);
        }
        expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
        const other = await fetch(`${limited.url}/v1/rounds?status=OPEN`, {
          headers: { authorization: `Bearer ${DEMO_TOKENS.utility1}` },
        });
        expect(other.status).toBe(200);

        expect((await fetch(`${limited.url}/metrics`)).status).toBe(401);
        const metrics = await fetch(`${limited.url}/metrics`, {
          headers: { authorization: `Bearer ${DEMO_TOKENS.operator}` },
        });
        expect(metrics.status).toBe(200);
        expect(await metrics.text()).toMatch(/api_http_requests_total\{[^}]*status="429"\} 3/);
      } finally {
        await limited.close();
      }
    },
    2 * MINUTE,
  );
});

/**
 * The API under Fabric faults (fake market): which failures free the bid ids, how a client learns an
 * unknown outcome, and that every request is answered within its timeout however the calls hang.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ServiceError } from '@grpc/grpc-js';
import { CommitStatusError, EndorseError } from '@hyperledger/fabric-gateway';
import { buildApp } from '../../../gateway/src/api/app';
import type { ApiConfig } from '../../../gateway/src/api/config';
import { apiTimeouts } from '../../../gateway/src/api/timeouts';
import { toMarketClientError } from '../../../fabric-client/src/market-client';
import { auth, bid, fakeClients, FakeLedger, testConfig, TOKENS } from './fake-market';

const cause = { code: 4, details: 'x', metadata: undefined } as unknown as ServiceError;
let txSeq = 0;
const endorseFailed = (code = 10) =>
  toMarketClientError(
    new EndorseError({
      code,
      cause,
      transactionId: `tx-e${++txSeq}`,
      message:
        code === 14 ? '14 UNAVAILABLE: connection refused' : '10 ABORTED: failed to endorse transaction',
      details: [],
    }),
  );
const commitStatusLost = () =>
  toMarketClientError(
    new CommitStatusError({
      code: 4,
      cause,
      transactionId: `tx-c${++txSeq}`,
      message: '4 DEADLINE_EXCEEDED: Deadline exceeded',
      details: [],
    }),
  );
const never = () => new Promise<never>(() => undefined);
/** timer and event-loop slack of a loaded test machine: every hung call here would never answer */
const SLACK_MS = 300;

interface Doc {
  code?: string;
  status: number;
  outcome?: string;
  transactionId?: string;
  transactionIds?: string[];
  idTaken?: boolean;
  batchId?: string;
  position?: number;
}

describe('REST API under Fabric faults', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;
  let logLines: Record<string, unknown>[];

  async function start(over: Partial<ApiConfig> = {}, batch: Parameters<typeof testConfig>[0] = {}) {
    logLines = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          logLines.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    ({ app } = await buildApp({
      config: { ...testConfig({ maxWaitMs: 0, ...batch }), ...over },
      clients: fakeClients(ledger),
      logger: { level: 'error', stream },
    }));
    await app.ready(); // like a listening server: time is measured from the request on
  }
  beforeEach(async () => {
    ledger = new FakeLedger();
    await ledger.addRound('r1');
  });
  afterEach(async () => {
    await app.close();
  });

  const post = async (ids: string[], token = TOKENS.u1) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/rounds/r1/bids',
      headers: auth(token),
      payload: { bids: ids.map((i) => bid(i)) },
    });
    return { status: res.statusCode, doc: JSON.parse(res.body) as Doc };
  };
  const lookup = async (id: string, token = TOKENS.u1, query = '') => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/rounds/r1/bids/${id}${query}`,
      headers: auth(token),
    });
    return { status: res.statusCode, doc: JSON.parse(res.body) as Doc };
  };

  it('frees the ids after an endorsement failure (502) and an unreachable peer (503): a retry commits', async () => {
    await start();
    ledger.onSubmit = ({ bids }) => {
      if (bids.some((b) => b.id === 'e1')) throw endorseFailed(10);
      if (bids.some((b) => b.id === 'u1')) throw endorseFailed(14);
    };
    const endorse = await post(['e1', 'e2']);
    expect(endorse.status).toBe(502);
    expect(endorse.doc).toMatchObject({ outcome: 'not-committed' });
    expect(endorse.doc.transactionId).toMatch(/^tx-e/);
    const unavailable = await post(['u1']);
    expect(unavailable.status).toBe(503);
    expect(unavailable.doc).toMatchObject({ code: 'UNAVAILABLE', outcome: 'not-committed' });
    expect((await lookup('e1')).doc).toMatchObject({ status: 404, idTaken: false });

    ledger.onSubmit = undefined;
    expect((await post(['e1', 'e2'])).status).toBe(201);
    expect((await post(['u1'])).status).toBe(201);
    expect(ledger.batches.flatMap((b) => b.bids.map((x) => x.id)).sort()).toEqual(['e1', 'e2', 'u1']);
  });

  it('keeps the ids after an unknown outcome (504 with the transaction ids); the lookup tells the client', async () => {
    await start({}, { maxRetries: 1 });
    let n = 0;
    ledger.onSubmit = () => {
      // first attempt: commit status lost (may commit); the retry: refused at endorsement
      throw ++n === 1 ? commitStatusLost() : endorseFailed(14);
    };
    const res = await post(['k1']);
    expect(res.status).toBe(504);
    expect(res.doc).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
    expect(res.doc.transactionIds).toHaveLength(2);
    expect(res.doc.transactionIds?.[0]).toMatch(/^tx-c/);
    ledger.onSubmit = undefined;
    expect((await post(['k1'])).doc).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect((await lookup('k1')).doc).toMatchObject({ status: 404, code: 'BID_NOT_FOUND', idTaken: true });
    // the 5xx was logged with its cause
    const line = logLines.find((l) => l.status === 504);
    expect(line).toMatchObject({ cause: { code: 'UNAVAILABLE', fate: { mayHaveCommitted: true } } });
  });

  it('looks up an own bid: its batch and position; 404 if absent; 403 for another utility', async () => {
    await start();
    const r = await post(['a1', 'a2']);
    expect(r.status).toBe(201);
    const found = await lookup('a2');
    expect(found.status).toBe(200);
    expect(found.doc).toMatchObject({ batchId: r.doc.batchId, position: 1, committed: true });
    expect((await lookup('a2', TOKENS.u2)).status).toBe(404);
    expect((await lookup('a2', TOKENS.op, '?utility=Utility1MSP')).status).toBe(200);
    expect((await lookup('a2', TOKENS.u2, '?utility=Utility1MSP')).status).toBe(403);
    expect((await lookup('nope')).doc).toMatchObject({ status: 404, idTaken: false });
  });

  it('a hung submit is answered 504 within the timeout and does not block the lane', async () => {
    const requestTimeoutMs = 1_000;
    await start({ requestTimeoutMs }, { maxInFlight: 1 });
    expect(apiTimeouts(requestTimeoutMs).attemptTimeoutMs).toBeLessThan(requestTimeoutMs);
    ledger.onSubmit = ({ n }) => (n === 0 ? never() : undefined);
    const t0 = Date.now();
    const [hung, next] = await Promise.all([
      post(['h1']).then((r) => ({ ...r, ms: Date.now() - t0 })),
      new Promise((r) => setTimeout(r, 20)).then(() =>
        post(['h2']).then((x) => ({ ...x, ms: Date.now() - t0 })),
      ),
    ]);
    expect(hung.status).toBe(504);
    expect(hung.doc).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
    expect(hung.ms).toBeLessThan(requestTimeoutMs + SLACK_MS);
    // the next request of the same lane got the slot once the hung call was given up
    expect(next.status).toBe(201);
    expect(next.ms).toBeLessThan(requestTimeoutMs + SLACK_MS);
    const later = Date.now();
    expect((await post(['h3'])).status).toBe(201);
    expect(Date.now() - later).toBeLessThan(SLACK_MS);
    expect((await post(['h1'])).doc).toMatchObject({ code: 'CONFLICT' }); // unknown: stays taken
  });

  it('8 concurrent requests on a network where every call hangs are all answered within the timeout', async () => {
    const requestTimeoutMs = 1_000;
    await start({ requestTimeoutMs }, { maxInFlight: 4 });
    ledger.onSubmit = () => never();
    const t0 = Date.now();
    const res = await Promise.all(Array.from({ length: 8 }, (_, i) => post([`c${i}`])));
    expect(Date.now() - t0).toBeLessThan(requestTimeoutMs + SLACK_MS);
    expect(res.map((r) => r.status)).toEqual(Array(8).fill(504));
    expect(logLines.filter((l) => l.status === 504)).toHaveLength(8);
  });

  it('a hung round read or ledger load answers 503 "nothing submitted" in time and leaves no id taken', async () => {
    const requestTimeoutMs = 600;
    const clients = fakeClients(ledger);
    const c = clients.get('Utility1MSP');
    if (!c) throw new Error('no client');
    let hangRound = true;
    let hangLoad = true;
    const realRound = c.getRound.bind(c);
    const realCommitments = c.getCommitments.bind(c);
    c.getRound = (id) => (hangRound ? never() : realRound(id));
    c.getCommitments = (id) => (hangLoad ? never() : realCommitments(id));
    ({ app } = await buildApp({
      config: { ...testConfig({ maxWaitMs: 0 }), requestTimeoutMs },
      clients,
    }));
    await app.ready();
    let t0 = Date.now();
    const round = await post(['x1']);
    expect(Date.now() - t0).toBeLessThan(requestTimeoutMs + SLACK_MS);
    expect(round.status).toBe(503);
    expect(round.doc).toMatchObject({ outcome: 'not-committed' });
    t0 = Date.now();
    const read = await app.inject({ method: 'GET', url: '/v1/rounds/r1', headers: auth(TOKENS.u1) });
    expect(Date.now() - t0).toBeLessThan(requestTimeoutMs + SLACK_MS);
    expect(read.statusCode).toBe(504);

    hangRound = false;
    t0 = Date.now();
    const load = await post(['x1']);
    expect(Date.now() - t0).toBeLessThan(requestTimeoutMs + SLACK_MS);
    expect(load.status).toBe(503);
    expect(ledger.submitCalls).toHaveLength(0);
    hangLoad = false;
    expect((await post(['x1'])).status).toBe(201);
  });
});

import * as http from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { RoundRecord } from '../../../../chaincode/src/model';
import { buildApp } from '../../../../gateway/src/api/app';
import { RoundWatcher } from '../../../../gateway/src/dashboard/events';
import { closeAndClear } from './seed';
import { bid, fakeClients, FakeLedger, testConfig, TOKENS, U1 } from '../fake-market';

const round = (id: string, status: RoundRecord['status']): RoundRecord =>
  ({ id, status, slot: '', closesAt: '' }) as RoundRecord;

describe('RoundWatcher', () => {
  it('tells listeners of new and changed rounds only, one read per poll whoever listens', async () => {
    let rounds = [round('a', 'OPEN')];
    let reads = 0;
    const w = new RoundWatcher({ listRounds: () => (reads++, Promise.resolve(rounds)) }, { pollMs: 60_000 });
    const got: string[][] = [];
    const off = w.subscribe((rs) => got.push(rs.map((r) => `${r.id}:${r.status}`)));
    await w.poll();
    expect(got).toEqual([['a:OPEN']]);
    rounds = [round('a', 'CLOSED'), round('b', 'OPEN')];
    await w.poll();
    await w.poll();
    expect(got).toEqual([['a:OPEN'], ['a:CLOSED', 'b:OPEN']]);
    // a late listener gets every record at once
    const late: number[] = [];
    const off2 = w.subscribe((rs) => late.push(rs.length));
    expect(late).toEqual([2]);
    // subscribing read once; the first poll() came during that read, so one more after it
    expect(reads).toBe(4);
    off();
    off2();
  });

  it('reads on each chaincode event (once more for one during a read), not on a timer; stops the events with the last listener', async () => {
    let rounds = [round('a', 'OPEN')];
    let reads = 0;
    let emit: (name: string) => void = () => undefined;
    let following = false;
    const w = new RoundWatcher(
      { listRounds: () => (reads++, Promise.resolve(rounds)) },
      {
        pollMs: 1,
        fallbackPollMs: 60_000,
        events: (onEvent) => {
          following = true;
          emit = onEvent;
          return () => (following = false);
        },
      },
    );
    const got: string[][] = [];
    const off = w.subscribe((rs) => got.push(rs.map((r) => `${r.id}:${r.status}`)));
    expect(following).toBe(true);
    await w.poll(); // the first read, under way
    await new Promise((r) => setTimeout(r, 30)); // pollMs is not used with events
    expect(reads).toBe(2);
    rounds = [round('a', 'CLOSED')];
    emit('RoundClosed');
    emit('RoundClosed'); // during the read: coalesced into one more
    await w.poll();
    expect(reads).toBe(4);
    expect(got).toEqual([['a:OPEN'], ['a:CLOSED']]);
    off();
    expect(following).toBe(false);
  });
});

describe('GET /v1/events', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;
  let base: string;
  beforeEach(async () => {
    ledger = new FakeLedger();
    await ledger.addRound('r1');
    await ledger.seedBatch(U1, 'r1', [bid('s', { side: 'sell', price: '1' })], '1'.repeat(32));
    ({ app } = await buildApp({ config: testConfig(), clients: fakeClients(ledger) }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await app.close();
  });

  /** Reads the event stream as `token` until `until` holds for the text so far. */
  const read = (token: string, until: (text: string) => boolean): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = http.get(`${base}/v1/events`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        let text = '';
        const done = (): void => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, text });
        };
        res.on('data', (c: Buffer) => {
          text += c.toString();
          if (until(text)) done();
        });
        res.on('end', done);
      });
      req.on('error', reject);
    });

  it('streams the rounds, then a round clearing, to a signed-in page', async () => {
    const first = await read(TOKENS.u1, (t) => t.includes('event: rounds'));
    expect(first.status).toBe(200);
    expect(first.text).toContain('"id":"r1"');
    const cleared = read(TOKENS.op, (t) => t.includes('"status":"CLEARED"'));
    setTimeout(() => void closeAndClear(ledger, 'r1'), 100);
    expect((await cleared).text).toMatch(/event: rounds\ndata: \[.*"status":"CLEARED"/);
  }, 15_000);

  it('refuses a request without a known token', async () => {
    const res = await read('nope', () => false);
    expect(res.status).toBe(401);
  });
});

/** GET /v1/rounds/{id}/bids?limit=&cursor=: a utility's bids a page at a time, in ledger order. */
import type { FastifyInstance } from 'fastify';
import type { WireBid } from '../../../engine/src/mechanism/types';
import { buildApp } from '../../../gateway/src/api/app';
import { auth, bid, fakeClients, FakeLedger, testConfig, TOKENS, U1 } from './fake-market';

interface BidsAnswer {
  bidCount: number;
  batches: { batchId: string; bids: WireBid[] }[];
  nextCursor?: string;
}

describe('REST API: paged bids', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;

  beforeAll(async () => {
    ledger = new FakeLedger();
    await ledger.addRound('r1');
    // 3 batches of 4, 3 and 5 bids: 12 in all
    for (const [b, n] of [
      [0, 4],
      [1, 3],
      [2, 5],
    ] as const) {
      const bids = Array.from({ length: n }, (_, i) =>
        bid(`b${b}-${i}`, { price: `${10 + i}`, quantity: '1' }),
      );
      await ledger.seedBatch(U1, 'r1', bids, String(b).repeat(32));
    }
    ({ app } = await buildApp({ config: testConfig(), clients: fakeClients(ledger) }));
  });
  afterAll(async () => {
    await app.close();
  });

  const get = async (query: string) => {
    const r = await app.inject({
      method: 'GET',
      url: `/v1/rounds/r1/bids${query}`,
      headers: auth(TOKENS.u1),
    });
    return { status: r.statusCode, body: r.json<BidsAnswer>() };
  };
  const flat = (a: BidsAnswer) => a.batches.flatMap((b) => b.bids.map((x) => `${b.batchId}/${x.id}`));

  it('walks every bid exactly once, in the order of the whole list, regrouped by batch', async () => {
    const all = await get('');
    expect(all.body.bidCount).toBe(12);
    expect(all.body.nextCursor).toBeUndefined();
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(`?limit=5${cursor === undefined ? '' : `&cursor=${cursor}`}`);
      expect(page.status).toBe(200);
      expect(page.body.bidCount).toBe(12);
      seen.push(...flat(page.body));
      pages.push(flat(page.body).length);
      cursor = page.body.nextCursor;
    } while (cursor !== undefined);
    expect(pages).toEqual([5, 5, 2]);
    expect(seen).toEqual(flat(all.body));
    // the first page spans two batches: 4 of the first, 1 of the second
    expect((await get('?limit=5')).body.batches.map((b) => b.bids.length)).toEqual([4, 1]);
  });

  it('refuses a bad limit or cursor by field', async () => {
    for (const q of ['?limit=0', '?limit=1001', '?limit=x', '?cursor=abc', '?page=2']) {
      const r = await get(q);
      expect([q, r.status]).toEqual([q, 400]);
    }
    expect((await get('?cursor=99')).body.batches).toEqual([]);
  });
});

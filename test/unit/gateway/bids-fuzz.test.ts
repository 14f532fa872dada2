import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/src/api/app';
import { auth, fakeClients, FakeLedger, testConfig, TOKENS } from './fake-market';

// An independent oracle of what a valid bid request for Utility1MSP in a default round is.

/** A decimal string with at most `d` decimals, in (min, max] if `strict`, else in [min, max]. */
function dec(v: unknown, d: number, min: number, max: number, strict: boolean): boolean {
  if (typeof v !== 'string' || !new RegExp(`^[0-9]{1,16}(\\.[0-9]{1,${d}})?$`).test(v)) return false;
  const x = Number(v);
  return (strict ? x > min : x >= min) && x <= max;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const BID_KEYS = ['id', 'side', 'price', 'quantity', 'alpha'];

/** Side, price, quantity and (buy bids only) alpha in range. */
function hasValidTerms(o: Record<string, unknown>): boolean {
  if (o.side !== 'buy' && o.side !== 'sell') return false;
  if (!dec(o.price, 4, 0, 1e6, false) || !dec(o.quantity, 3, 0, 1e6, true)) return false;
  return o.alpha === undefined || (o.side === 'buy' && dec(o.alpha, 4, 0, 1e6, true));
}

/** A valid bid whose id is not in `seen` (added to it). */
function isValidBid(b: unknown, seen: Set<string>): boolean {
  if (!isPlainObject(b)) return false;
  if (Object.keys(b).some((k) => !BID_KEYS.includes(k))) return false;
  if (typeof b.id !== 'string' || !/^[A-Za-z0-9._:-]{1,52}$/.test(b.id) || seen.has(b.id)) return false;
  seen.add(b.id);
  return hasValidTerms(b);
}

function isValid(body: unknown): boolean {
  if (!isPlainObject(body)) return false;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'bids') return false;
  const bids = body.bids;
  if (!Array.isArray(bids) || bids.length === 0 || bids.length > 2000) return false;
  const seen = new Set<string>();
  return (bids as unknown[]).every((b) => isValidBid(b, seen));
}

/** Is the payload JSON of a valid bid request? */
function validPayload(payload: string): boolean {
  try {
    return isValid(JSON.parse(payload));
  } catch {
    return false; // not JSON
  }
}

/** Fresh ids per run (an id already used would, correctly, conflict): suffixes well-formed ids. */
function freshIds(body: unknown, n: number): void {
  if (typeof body !== 'object' || body === null) return;
  const bids = (body as { bids?: unknown }).bids;
  if (!Array.isArray(bids)) return;
  for (const x of bids as unknown[]) {
    if (typeof x !== 'object' || x === null) continue;
    const o = x as Record<string, unknown>;
    if (typeof o.id === 'string' && /^[A-Za-z0-9._:-]{1,8}$/.test(o.id)) o.id = `${o.id}.${String(n)}`;
  }
}

/** The body as JSON ('null' for what JSON.stringify returns undefined for), cut short when `raw` is 0. */
function payloadOf(body: unknown, raw: number): string {
  const json = (JSON.stringify(body) as string | undefined) ?? 'null';
  return raw > 0 ? json : json.slice(0, 7);
}

const decimalish = fc.oneof(
  fc.stringMatching(/^[0-9]{1,7}(\.[0-9]{1,5})?$/),
  fc.constantFrom(
    '0',
    '-1',
    '1e3',
    'NaN',
    'Infinity',
    '',
    ' 1',
    '1.',
    '.5',
    '1000000',
    '1000000.0001',
    '99999999999999999',
  ),
  fc.double().map(String),
  fc.integer(),
  fc.constant(null),
);
const bidArb = fc.record(
  {
    id: fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9._:-]{1,8}$/),
      fc.string(),
      fc.constant('x'.repeat(65)),
      fc.integer(),
    ),
    side: fc.oneof(fc.constantFrom('buy', 'sell'), fc.string()),
    price: decimalish,
    quantity: decimalish,
    alpha: decimalish,
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const validBidArb = fc.record(
  {
    id: fc.stringMatching(/^[A-Za-z0-9._:-]{1,8}$/),
    side: fc.constantFrom('buy', 'sell'),
    price: fc.stringMatching(/^[0-9]{1,6}(\.[0-9]{1,4})?$/),
    quantity: fc.stringMatching(/^[1-9][0-9]{0,5}(\.[0-9]{1,3})?$/),
  },
  { requiredKeys: ['id', 'side', 'price', 'quantity'] },
);
const bodyArb = fc.oneof(
  fc.record({ bids: fc.uniqueArray(validBidArb, { minLength: 1, maxLength: 5, selector: (b) => b.id }) }),
  fc.record({ bids: fc.array(fc.oneof(validBidArb, bidArb), { minLength: 1, maxLength: 4 }) }),
  fc.record({ bids: fc.array(bidArb, { maxLength: 6 }) }),
  fc.record({ bids: fc.array(bidArb, { maxLength: 3 }), other: fc.anything() }, { requiredKeys: ['bids'] }),
  fc.anything(),
);

describe('bid endpoint fuzz (fast-check)', () => {
  let ledger: FakeLedger;
  let app: FastifyInstance;
  beforeAll(async () => {
    ledger = new FakeLedger();
    await ledger.addRound('r1');
    ({ app } = await buildApp({ config: testConfig({ maxWaitMs: 0 }), clients: fakeClients(ledger) }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('never answers 5xx; invalid bodies never reach submitBids; valid ones are committed', async () => {
    let n = 0;
    let validSeen = 0;
    await fc.assert(
      fc.asyncProperty(bodyArb, fc.nat(9), async (body, raw) => {
        n += 1;
        freshIds(body, n);
        const before = ledger.submitCalls.length;
        const payload = payloadOf(body, raw);
        const res = await app.inject({
          method: 'POST',
          url: '/v1/rounds/r1/bids',
          headers: { ...auth(TOKENS.u1), 'content-type': 'application/json' },
          payload,
        });
        expect(res.statusCode).toBeLessThan(500);
        if (validPayload(payload)) {
          validSeen += 1;
          expect(res.statusCode).toBe(201);
          expect(ledger.submitCalls.length).toBe(before + 1);
        } else {
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
          expect(res.headers['content-type']).toMatch(/problem\+json/);
          expect(ledger.submitCalls.length).toBe(before);
        }
      }),
      { numRuns: 400, seed: 20261122 },
    );
    expect(validSeen).toBeGreaterThan(5);
  }, 60_000);
});

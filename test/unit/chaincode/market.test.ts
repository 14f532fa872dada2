import { canonicalJson, clearRound } from '../../../engine/src/mechanism';
import type { WireBid, WireClearingResult } from '../../../engine/src/mechanism/types';
import { parseMoney } from '../../../engine/src/mechanism/units';
import { assembleRoundInput } from '../../../chaincode/src/assemble';
import { batchIdOf, readBatches, readBatchesById, submitBatch } from '../../../chaincode/src/bids';
import { decode, encode, sha256Hex } from '../../../chaincode/src/codec';
import {
  commitClearing,
  getPositions,
  getResult,
  getSettlement,
  settlementSaltOf,
} from '../../../chaincode/src/clearing';
import { MarketError } from '../../../chaincode/src/errors';
import type { StoredBatch } from '../../../chaincode/src/model';
import { collectionOf } from '../../../chaincode/src/keys';
import { decodeStoredSettlement, encodeStoredSettlement } from '../../../chaincode/src/settlement-store';
import type { Ledger } from '../../../chaincode/src/ledger';
import { closeRound, getRound, listRounds, openRound } from '../../../chaincode/src/rounds';
import { MemoryChannel, type TxOptions } from './memory-ledger';
import { PRIVACY_PARAMS, U1_PRIVACY_BIDS, U2_PRIVACY_BIDS } from '../../fixtures/privacy-bids';
import { U1_BIDS, U2_BIDS } from '../../fixtures/vector-a-split';

const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const U2 = 'Utility2MSP';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0) / 1000;
const CLOSES = '2026-01-01T12:15:00Z';
const AFTER_CLOSE = T0 + 15 * 60;
const SALT_A = 'a'.repeat(32);
const SALT_B = 'b'.repeat(32);
const DEFAULT_PARAMS = { profile: 'default', alpha: '4', gridStep: '0.1', serviceFee: '0' } as const;
/** What CommitClearing takes, computed here independently of the chaincode's resultDigestOf. */
const digest = (r: WireClearingResult): string => sha256Hex(canonicalJson(r));
const SOME_DIGEST = '0'.repeat(64);

function newChannel(): MemoryChannel {
  return new MemoryChannel({ [collectionOf(U1)]: [U1, OP], [collectionOf(U2)]: [U2, OP] });
}

async function expectCode(p: Promise<unknown>, code: string, text?: string): Promise<MarketError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MarketError);
  expect((err as MarketError).code).toBe(code);
  if (text) expect((err as MarketError).message).toContain(text);
  return err as MarketError;
}

const tx =
  (ch: MemoryChannel, opts: TxOptions) =>
  <T>(body: (l: Ledger) => Promise<T>) =>
    ch.run(opts, body);
const asOp = (ch: MemoryChannel, time = T0) => tx(ch, { msp: OP, time });
const batch = (bids: WireBid[], salt = SALT_A) => ({ batch: JSON.stringify({ salt, bids }) });
const asUtility = (ch: MemoryChannel, msp: string, bids?: WireBid[], time = T0 + 60, salt = SALT_A) =>
  tx(ch, { msp, time, ...(bids ? { transient: batch(bids, salt) } : {}) });

async function openDefault(ch: MemoryChannel, params = {}): Promise<void> {
  await asOp(ch)((l) => openRound(l, { id: 'r1', slot: '2026-01-01T13:00:00Z', closesAt: CLOSES, params }));
}

/** Round r1 with vector A submitted and closed; returns the expected clearing. */
async function closedVectorA(ch: MemoryChannel, params = {}): Promise<WireClearingResult> {
  await openDefault(ch, params);
  await asUtility(ch, U1, U1_BIDS)((l) => submitBatch(l, 'r1'));
  await asUtility(ch, U2, U2_BIDS)((l) => submitBatch(l, 'r1'));
  await asOp(ch, AFTER_CLOSE)((l) => closeRound(l, 'r1'));
  return clearRound(
    assembleRoundInput({ ...DEFAULT_PARAMS, ...params }, [vectorABatch(U1), vectorABatch(U2)]).input,
  );
}

/** Vector A's batch of one utility as closedVectorA submits it (salt A). */
const vectorABatch = (utility: string) => ({
  utility,
  batchId: batchIdOf('r1', utility, SALT_A),
  bids: utility === U1 ? U1_BIDS : U2_BIDS,
});

describe('rounds', () => {
  it('only the operator opens, closes and commits', async () => {
    const ch = newChannel();
    await expectCode(
      tx(ch, { msp: U1, time: T0 })((l) =>
        openRound(l, { id: 'r1', slot: '2026-01-01T13:00:00Z', closesAt: CLOSES }),
      ),
      'FORBIDDEN',
      'OperatorMSP',
    );
    await openDefault(ch);
    await expectCode(
      tx(ch, { msp: U1, time: AFTER_CLOSE })((l) => closeRound(l, 'r1')),
      'FORBIDDEN',
    );
    await expectCode(
      tx(ch, { msp: U2, time: AFTER_CLOSE })((l) => commitClearing(l, 'r1', SOME_DIGEST)),
      'FORBIDDEN',
    );
    expect((await asOp(ch)((l) => getRound(l, 'r1'))).status).toBe('OPEN');
  });

  it('checks the market.role as well as the MSP: auctioneer commits, bidder bids, auditor only reads public data', async () => {
    const ch = newChannel();
    const expected = await closedVectorA(ch);
    // The operator's own org, without the auctioneer role: no commit, whichever other role.
    for (const role of ['operator', 'auditor', 'bidder', null]) {
      await expectCode(
        tx(ch, { msp: OP, time: AFTER_CLOSE, role })((l) => commitClearing(l, 'r1', digest(expected))),
        'FORBIDDEN',
        'auctioneer',
      );
    }
    // A utility's auditor (or an identity without a role) cannot bid, nor read private data.
    for (const role of ['auditor', 'operator', null]) {
      const opts = { msp: U1, time: T0 + 60, role, transient: batch(U1_BIDS, SALT_B) };
      await expectCode(
        tx(ch, opts)((l) => submitBatch(l, 'r1')),
        'FORBIDDEN',
        'bidder',
      );
      await expectCode(
        tx(ch, { msp: U1, time: T0, role })((l) => readBatches(l, 'r1', '')),
        'FORBIDDEN',
      );
    }
    // The operator's auditor reads public data, not bids; its operator role reads bids.
    const auditor = tx(ch, { msp: OP, time: T0, role: 'auditor' });
    expect((await auditor((l) => getRound(l, 'r1'))).status).toBe('CLOSED');
    await expectCode(
      auditor((l) => readBatches(l, 'r1', U1)),
      'FORBIDDEN',
      'auctioneer or operator',
    );
    const operator = tx(ch, { msp: OP, time: T0, role: 'operator' });
    expect((await operator((l) => readBatches(l, 'r1', U1))).length).toBe(1);
    // Nothing refused was written: the auctioneer's commit still goes through.
    await asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(expected)));
    expect((await auditor((l) => getRound(l, 'r1'))).status).toBe('CLEARED');
  });

  it('opens with defaults filled in and emits RoundOpened', async () => {
    const ch = newChannel();
    await openDefault(ch, { serviceFee: '0.5' });
    const r = await asOp(ch)((l) => getRound(l, 'r1'));
    expect(r.params).toEqual({ profile: 'default', alpha: '4', gridStep: '0.1', serviceFee: '0.5' });
    expect(ch.events).toEqual([
      { name: 'RoundOpened', payload: { roundId: 'r1', slot: '2026-01-01T13:00:00Z', closesAt: CLOSES } },
    ]);
  });

  it('rejects a bad id, a past close time, bad parameters and a duplicate round', async () => {
    const ch = newChannel();
    const open = (req: Parameters<typeof openRound>[1]) => asOp(ch)((l) => openRound(l, req));
    await expectCode(
      open({ id: 'bad id!', slot: '2026-01-01T13:00:00Z', closesAt: CLOSES }),
      'INVALID_ARGUMENT',
      'round id',
    );
    await expectCode(
      open({ id: 'r1', slot: '2026-01-01T13:00:00Z', closesAt: '2026-01-01T11:00:00Z' }),
      'INVALID_ARGUMENT',
      'future',
    );
    await expectCode(
      open({ id: 'r1', slot: '2026-02-30T13:00:00Z', closesAt: CLOSES }),
      'INVALID_ARGUMENT',
      'calendar',
    );
    const e = await expectCode(
      open({ id: 'r1', slot: '2026-01-01T13:00:00Z', closesAt: CLOSES, params: { alpha: '-1' } }),
      'INVALID_ARGUMENT',
      'alpha',
    );
    expect(e.details).toHaveProperty('issues');
    await openDefault(ch);
    await expectCode(open({ id: 'r1', slot: '2026-01-01T13:00:00Z', closesAt: CLOSES }), 'CONFLICT');
  });

  it('closes only after closesAt, counts batches and moves the status index', async () => {
    const ch = newChannel();
    await openDefault(ch);
    await asUtility(ch, U1, U1_BIDS)((l) => submitBatch(l, 'r1'));
    await expectCode(
      asOp(ch, AFTER_CLOSE - 1)((l) => closeRound(l, 'r1')),
      'TOO_EARLY',
      CLOSES,
    );
    const closed = await asOp(ch, AFTER_CLOSE)((l) => closeRound(l, 'r1'));
    expect(closed).toMatchObject({ status: 'CLOSED', batchCount: 1, bidCount: 4 });
    expect(ch.events.at(-1)).toEqual({
      name: 'RoundClosed',
      payload: { roundId: 'r1', batchCount: 1, bidCount: 4 },
    });
    expect((await asOp(ch)((l) => listRounds(l, 'OPEN'))).map((r) => r.id)).toEqual([]);
    expect((await asOp(ch)((l) => listRounds(l, 'CLOSED'))).map((r) => r.id)).toEqual(['r1']);
    await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => closeRound(l, 'r1')),
      'ROUND_NOT_OPEN',
    );
  });
});

describe('bid batches', () => {
  it('stores the batch privately in the caller’s collection and a salted hash publicly', async () => {
    const ch = newChannel();
    await openDefault(ch);
    const c = await asUtility(ch, U1, U1_BIDS)((l) => submitBatch(l, 'r1'));
    expect(c).toMatchObject({
      roundId: 'r1',
      utility: U1,
      bidCount: 4,
      batchId: batchIdOf('r1', U1, SALT_A),
    });
    expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ch.privateData.get(collectionOf(U1))!.size).toBe(1); // one key per batch, whatever its size
    expect(ch.privateData.get(collectionOf(U2))!.size).toBe(0);
    const publicText = [...ch.state.values()].map((v) => Buffer.from(v).toString()).join('\n');
    expect(publicText).not.toContain('"20"');
    expect(publicText).not.toContain(SALT_A);
  });

  it('gives identical bids different public hashes under different salts', async () => {
    const ch = newChannel();
    await openDefault(ch);
    const a = await asUtility(ch, U1, [U1_BIDS[0]!], T0 + 60, SALT_A)((l) => submitBatch(l, 'r1'));
    const b = await asUtility(ch, U2, [U1_BIDS[0]!], T0 + 60, SALT_B)((l) => submitBatch(l, 'r1'));
    expect(a.hash).not.toBe(b.hash);
  });

  it('refuses bids from the operator, after close, into unknown or closed rounds', async () => {
    const ch = newChannel();
    await expectCode(
      asUtility(ch, U1, U1_BIDS)((l) => submitBatch(l, 'r1')),
      'NOT_FOUND',
    );
    await openDefault(ch);
    await expectCode(
      tx(ch, { msp: OP, time: T0 + 60, transient: batch(U1_BIDS) })((l) => submitBatch(l, 'r1')),
      'FORBIDDEN',
    );
    await expectCode(
      asUtility(ch, U1, U1_BIDS, AFTER_CLOSE)((l) => submitBatch(l, 'r1')),
      'BIDDING_CLOSED',
      CLOSES,
    );
    await asOp(ch, AFTER_CLOSE)((l) => closeRound(l, 'r1'));
    await expectCode(
      asUtility(ch, U1, U1_BIDS, T0 + 60)((l) => submitBatch(l, 'r1')),
      'ROUND_NOT_OPEN',
      'CLOSED',
    );
    expect(ch.privateData.get(collectionOf(U1))!.size).toBe(0);
  });

  it('rejects a batch with invalid bids whole, naming each bid', async () => {
    const ch = newChannel();
    await openDefault(ch);
    const bad: WireBid[] = [
      U1_BIDS[0]!,
      { id: 'x1', side: 'buy', price: '-3', quantity: '1' },
      { id: 'x2', side: 'sell', price: '9', quantity: '0' },
    ];
    const e = await expectCode(
      asUtility(ch, U1, bad)((l) => submitBatch(l, 'r1')),
      'INVALID_BIDS',
    );
    const issues = (e.details as { issues: { index: number; id: string; field: string }[] }).issues;
    expect(issues.map((i) => [i.index, i.id, i.field])).toEqual([
      [1, 'x1', 'price'],
      [2, 'x2', 'quantity'],
    ]);
    expect(ch.state.size).toBe(2); // the round and its status index only
    expect(ch.privateData.get(collectionOf(U1))!.size).toBe(0);
  });

  it('rejects a missing salt and a missing batch', async () => {
    const ch = newChannel();
    await openDefault(ch);
    await expectCode(
      tx(ch, { msp: U1, time: T0 + 60 })((l) => submitBatch(l, 'r1')),
      'INVALID_ARGUMENT',
      'transient',
    );
    await expectCode(
      tx(ch, { msp: U1, time: T0 + 60, transient: { batch: JSON.stringify({ bids: U1_BIDS }) } })((l) =>
        submitBatch(l, 'r1'),
      ),
      'INVALID_ARGUMENT',
      'salt',
    );
  });

  it('refuses an id twice in one batch; across batches a bid is (batch, id)', async () => {
    const ch = newChannel();
    await openDefault(ch);
    const e = await expectCode(
      asUtility(ch, U1, [U1_BIDS[0]!, U1_BIDS[0]!])((l) => submitBatch(l, 'r1')),
      'INVALID_BIDS',
    );
    expect(e.details).toMatchObject({ issues: [{ index: 1, id: 'b1', field: 'id' }] });
    const a = await asUtility(ch, U1, U1_BIDS.slice(0, 2), T0 + 60, SALT_A)((l) => submitBatch(l, 'r1'));
    const b = await asUtility(ch, U1, U1_BIDS.slice(1), T0 + 60, SALT_B)((l) => submitBatch(l, 'r1'));
    expect(a.batchId).not.toBe(b.batchId);
    expect((await asUtility(ch, U1)((l) => readBatches(l, 'r1', ''))).length).toBe(2);
  });

  it('records a retried batch (same salt, same bids) once; the same salt with other bids is refused', async () => {
    const ch = newChannel();
    await openDefault(ch);
    const first = await asUtility(ch, U1, U1_BIDS)((l) => submitBatch(l, 'r1'));
    const state = new Map(ch.state);
    const priv = new Map(ch.privateData.get(collectionOf(U1)));
    // even after the close: the retry of a batch that did commit must still learn so
    const retried = await asUtility(ch, U1, U1_BIDS, AFTER_CLOSE)((l) => submitBatch(l, 'r1'));
    expect(retried).toEqual(first);
    expect(ch.state).toEqual(state);
    expect(ch.privateData.get(collectionOf(U1))).toEqual(priv);
    await expectCode(
      asUtility(ch, U1, U1_BIDS.slice(1))((l) => submitBatch(l, 'r1')),
      'CONFLICT',
      first.batchId,
    );
    // another utility with the same salt names a different batch
    const other = await asUtility(ch, U2, U1_BIDS)((l) => submitBatch(l, 'r1'));
    expect(other.batchId).not.toBe(first.batchId);
  });

  it('reads named batches by id: own for a utility, any for the operator, a bounded list', async () => {
    const ch = newChannel();
    await openDefault(ch);
    const a = await asUtility(ch, U1, U1_BIDS, T0 + 60, SALT_A)((l) => submitBatch(l, 'r1'));
    await asUtility(ch, U1, [{ ...U1_BIDS[0]!, id: 'x' }], T0 + 60, SALT_B)((l) => submitBatch(l, 'r1'));
    const got = await asUtility(ch, U1)((l) => readBatchesById(l, 'r1', '', [a.batchId, 'nosuchbatch']));
    expect(got.map((b) => b.batchId)).toEqual([a.batchId]);
    expect(await asOp(ch)((l) => readBatchesById(l, 'r1', U1, [a.batchId]))).toEqual(got);
    await expectCode(
      asUtility(ch, U2)((l) => readBatchesById(l, 'r1', U1, [a.batchId])),
      'FORBIDDEN',
    );
    await expectCode(
      asUtility(ch, U1)((l) => readBatchesById(l, 'r1', '', Array(101).fill(a.batchId))),
      'INVALID_ARGUMENT',
    );
    await expectCode(
      asUtility(ch, U1)((l) => readBatchesById(l, 'r1', '', 'x')),
      'INVALID_ARGUMENT',
    );
  });

  it('lets a utility read only its own batches; the operator reads any', async () => {
    const ch = newChannel();
    await openDefault(ch);
    await asUtility(ch, U1, U1_BIDS)((l) => submitBatch(l, 'r1'));
    const own = await asUtility(ch, U1)((l) => readBatches(l, 'r1', ''));
    expect(own[0]!.bids).toEqual(U1_BIDS);
    await expectCode(
      asUtility(ch, U2)((l) => readBatches(l, 'r1', U1)),
      'FORBIDDEN',
    );
    expect((await asOp(ch)((l) => readBatches(l, 'r1', U1)))[0]!.bids).toHaveLength(4);
  });
});

describe('verified clearing', () => {
  it('accepts exactly the mechanism’s result and settles every utility', async () => {
    const ch = newChannel();
    const expected = await closedVectorA(ch, { serviceFee: '0.5' });
    expect(expected.price).toBe('14.1');
    const rec = await asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(expected)));
    expect(rec).toMatchObject({
      roundId: 'r1',
      status: 'cleared',
      price: '14.1',
      batchCount: 2,
      bidCount: 8,
    });
    expect(rec).not.toHaveProperty('buyers');
    expect((await asOp(ch)((l) => getRound(l, 'r1'))).status).toBe('CLEARED');
    expect(await asOp(ch)((l) => getResult(l, 'r1'))).toEqual(rec);
    expect(ch.events.at(-1)!.name).toBe('RoundCleared');

    const s1 = await asUtility(ch, U1)((l) => getSettlement(l, 'r1', ''));
    const s2 = await asUtility(ch, U2)((l) => getSettlement(l, 'r1', ''));
    expect(s1.lines.map((x) => x.id).sort()).toEqual(['b1', 'b2', 's1', 's3']);
    expect(s1.lines.find((x) => x.id === 'b1')).toMatchObject({ quantity: '1.475' });
    expect(s2.lines.find((x) => x.id === 's2')).toMatchObject({ quantity: '1.47' });
    await expectCode(
      asUtility(ch, U2)((l) => getSettlement(l, 'r1', U1)),
      'FORBIDDEN',
    );

    // money balances: buyers pay sellers plus fees, exactly
    const lines = [...s1.lines, ...s2.lines];
    const paid = lines.filter((x) => x.side === 'buy').reduce((n, x) => n + parseMoney(x.payment), 0n);
    const received = lines.filter((x) => x.side === 'sell').reduce((n, x) => n + parseMoney(x.payment), 0n);
    expect(paid).toBe(received + parseMoney(expected.totals.fees));
    const positions = await asOp(ch)((l) => getPositions(l, 'r1'));
    expect(positions.map((p) => p.utility)).toEqual([U1, U2]);
    const sum = (f: 'moneyPaid' | 'moneyReceived' | 'feesPaid') =>
      positions.reduce((n, p) => n + parseMoney(p[f]), 0n);
    expect(sum('moneyPaid')).toBe(sum('moneyReceived'));
    expect(sum('feesPaid')).toBe(parseMoney(expected.totals.fees));
    expect(sum('feesPaid')).toBeGreaterThan(0n);
  });

  it.each([
    [
      'one Wh moved between buyers',
      (r: WireClearingResult) => {
        r.buyers[0]!.quantity = '1.476';
        r.buyers[1]!.quantity = '0.974';
      },
    ],
    ['the price off by one tick', (r: WireClearingResult) => void (r.price = '14.1001')],
  ])('rejects the digest of a different clearing (%s), naming public facts only', async (_name, tamper) => {
    const ch = newChannel();
    const good = await closedVectorA(ch);
    const result = structuredClone(good);
    tamper(result);
    const e = await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result))),
      'CLEARING_MISMATCH',
    );
    // the mechanism's price, totals and status, never a bid's line
    expect(e.details).toEqual({
      roundId: 'r1',
      submittedDigest: digest(result),
      status: good.status,
      price: good.price,
      totals: good.totals,
    });
    for (const line of [...good.buyers, ...good.sellers]) expect(e.message).not.toContain(line.id);
    expect((await asOp(ch)((l) => getRound(l, 'r1'))).status).toBe('CLOSED');
  });

  it('rejects the digest of a clearing with a batch left out, and of non-canonical JSON', async () => {
    const ch = newChannel();
    const full = await closedVectorA(ch);
    const partial = clearRound(assembleRoundInput(DEFAULT_PARAMS, [vectorABatch(U1)]).input);
    await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(partial))),
      'CLEARING_MISMATCH',
    );
    await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', sha256Hex(JSON.stringify(full, null, 1)))),
      'CLEARING_MISMATCH',
    );
  });

  it('settles exactly once: a repeated commit is a no-op, a different one is refused', async () => {
    const ch = newChannel();
    const result = await closedVectorA(ch);
    const first = await asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result)));
    const snapshot = new Map(ch.state);
    const events = ch.events.length;
    const again = await asOp(ch, AFTER_CLOSE + 5)((l) => commitClearing(l, 'r1', digest(result)));
    expect(again).toEqual(first);
    expect(ch.state).toEqual(snapshot);
    expect(ch.events.length).toBe(events);
    const other = structuredClone(result);
    other.price = '14';
    await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(other))),
      'CONFLICT',
    );
  });

  it('detects a private batch that no longer matches its public hash', async () => {
    const ch = newChannel();
    const result = await closedVectorA(ch);
    const coll = ch.privateData.get(collectionOf(U2))!;
    const [key, bytes] = [...coll.entries()].find(([k]) => k.includes('batch'))!;
    coll.set(key, Buffer.from(Buffer.from(bytes).toString().replace('"15"', '"15.5"')));
    await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result))),
      'HASH_MISMATCH',
    );
  });

  it('reports a private batch that names another bid count than its commitment as not matching it', async () => {
    const ch = newChannel();
    const result = await closedVectorA(ch);
    const coll = ch.privateData.get(collectionOf(U2))!;
    const [key, bytes] = [...coll.entries()].find(([k]) => k.includes('batch'))!;
    const stored = decode(bytes) as StoredBatch;
    coll.set(key, encode({ ...stored, bids: stored.bids.slice(1) }));
    const e = await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result))),
      'HASH_MISMATCH',
      'does not match its commitment',
    );
    expect(e.details).toMatchObject({ utility: U2, bids: 3, committedBids: 4 });
  });

  it('refuses to clear when a committed batch is not readable', async () => {
    const ch = newChannel();
    const result = await closedVectorA(ch);
    const coll = ch.privateData.get(collectionOf(U1))!;
    const [key] = [...coll.keys()].filter((k) => k.includes('batch'));
    coll.delete(key!);
    const e = await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result))),
      'BATCH_MISSING',
    );
    expect(e.details).toEqual({ roundId: 'r1', utility: U1, batchId: batchIdOf('r1', U1, SALT_A) });
    expect((await asOp(ch)((l) => getRound(l, 'r1'))).status).toBe('CLOSED');
  });

  it('takes only the digest: a result sent whole is refused and not echoed', async () => {
    const ch = newChannel();
    const result = await closedVectorA(ch);
    const whole = canonicalJson(result);
    const e = await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', whole)),
      'INVALID_ARGUMENT',
      'SHA-256',
    );
    expect(e.details).toEqual({ roundId: 'r1', length: whole.length });
    for (const line of result.buyers) expect(e.message).not.toContain(line.id);
    await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result).toUpperCase())),
      'INVALID_ARGUMENT',
    );
    expect((await asOp(ch)((l) => getRound(l, 'r1'))).status).toBe('CLOSED');
    const rec = await asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result)));
    expect(rec.resultDigest).toBe(digest(result));
    expect((await asUtility(ch, U1)((l) => getSettlement(l, 'r1', ''))).lines).toHaveLength(4);
  });

  it('writes no per-bid value into public state, events or the commit’s answer', async () => {
    // bids whose Utility2 lines are not public by coincidence (two winning bids on each side)
    const ch = newChannel();
    await openDefault(ch, PRIVACY_PARAMS);
    await asUtility(ch, U1, U1_PRIVACY_BIDS)((l) => submitBatch(l, 'r1'));
    await asUtility(ch, U2, U2_PRIVACY_BIDS)((l) => submitBatch(l, 'r1'));
    const closed = await asOp(ch, AFTER_CLOSE)((l) => closeRound(l, 'r1'));
    const result = clearRound(
      assembleRoundInput(closed.params, [
        { utility: U1, batchId: batchIdOf('r1', U1, SALT_A), bids: U1_PRIVACY_BIDS },
        { utility: U2, batchId: batchIdOf('r1', U2, SALT_A), bids: U2_PRIVACY_BIDS },
      ]).input,
    );
    const rec = await asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result)));
    const published = [
      canonicalJson(rec),
      canonicalJson(ch.events),
      ...[...ch.state.values()].map((v) => Buffer.from(v).toString()),
    ].join('\n');
    expect(published).toContain(`"price":"${result.price}"`); // the search looks at the public record
    // Utility2's traded lines (Utility1 has one winning buyer: that line is its public position)
    const u2Batch = batchIdOf('r1', U2, SALT_A);
    const traded = [...result.buyers, ...result.sellers].filter(
      (line) => line.id.startsWith(u2Batch) && line.quantity !== '0',
    );
    expect(traded.length).toBe(4);
    for (const line of traded) {
      expect(published).not.toContain(line.id); // market ids `<batch>.<position>`
      expect(published).not.toContain(`"${line.quantity}"`);
      expect(published).not.toContain(`"${line.payment}"`);
    }
    for (const bid of [...U1_PRIVACY_BIDS, ...U2_PRIVACY_BIDS])
      expect(published).not.toContain(`"${bid.id}"`);
    for (const bid of U2_PRIVACY_BIDS) expect(published).not.toContain(`"${bid.price}"`);
  });

  it('stores each settlement with a secret salt derived from the utility’s batch salts', async () => {
    const ch = newChannel();
    const result = await closedVectorA(ch);
    await asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result)));
    const own = await asUtility(ch, U1)((l) => getSettlement(l, 'r1', ''));
    expect(own).not.toHaveProperty('salt');
    const stored = [...ch.privateData.get(collectionOf(U1))!.entries()].find(([k]) =>
      k.includes('settlement'),
    )![1];
    const salt = settlementSaltOf('r1', U1, [SALT_A]);
    expect(decodeStoredSettlement(stored)).toEqual({ ...own, salt });
    expect(Buffer.from(stored).toString()).toBe(Buffer.from(encodeStoredSettlement(own, salt)).toString());
    // the block holds sha256(stored): a non-member's exact guess of the lines does not match it
    expect(sha256Hex(stored)).not.toBe(sha256Hex(canonicalJson(own)));
    expect(sha256Hex(stored)).not.toBe(sha256Hex(encodeStoredSettlement(own, '')));
    // the salt depends on the secret batch salts, the utility and the round, and is not public
    expect(
      new Set([salt, settlementSaltOf('r1', U1, [SALT_B]), settlementSaltOf('r1', U2, [SALT_A])]).size,
    ).toBe(3);
    expect(settlementSaltOf('r2', U1, [SALT_A])).not.toBe(salt);
    const publicText = [...ch.state.values()].map((v) => Buffer.from(v).toString()).join('\n');
    expect(publicText).not.toContain(salt);
  });

  it('refuses to commit an open round', async () => {
    const ch = newChannel();
    await openDefault(ch);
    await expectCode(
      asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', SOME_DIGEST)),
      'ROUND_NOT_CLOSED',
    );
  });

  it('is deterministic: two independent executions write identical bytes', async () => {
    const snapshots: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ch = newChannel();
      const result = await closedVectorA(ch, { serviceFee: '0.25' });
      await asOp(ch, AFTER_CLOSE)((l) => commitClearing(l, 'r1', digest(result)));
      const dump = (m: Map<string, Uint8Array>) =>
        [...m.entries()].map(([k, v]) => k + '=' + Buffer.from(v).toString('hex'));
      snapshots.push(JSON.stringify([dump(ch.state), ...[...ch.privateData.values()].map(dump)]));
    }
    expect(snapshots[0]).toBe(snapshots[1]);
  });
});

import { canonicalJson, clearRound } from '../../../engine/src/mechanism';
import type { WireBid } from '../../../engine/src/mechanism/types';
import { parseMoney } from '../../../engine/src/mechanism/units';
import { assembleRoundInput } from '../../../chaincode/src/assemble';
import { batchIdOf, submitBatch } from '../../../chaincode/src/bids';
import { decode, sha256Hex } from '../../../chaincode/src/codec';
import { commitClearing, getResult, getSettlement } from '../../../chaincode/src/clearing';
import {
  getAccount,
  getDeliveryPositions,
  getDeliverySummary,
  getStatement,
  settleDelivery,
} from '../../../chaincode/src/delivery';
import { computeDelivery } from '../../../chaincode/src/delivery-input';
import { MarketError } from '../../../chaincode/src/errors';
import { collectionOf } from '../../../chaincode/src/keys';
import type { Ledger } from '../../../chaincode/src/ledger';
import type { MeterReading, OperatorAccount, Settlement, UtilityAccount } from '../../../chaincode/src/model';
import { getReadings, readingBatchIdOf, submitReadings } from '../../../chaincode/src/readings';
import {
  closeRound,
  deliveryParamsOfRound,
  getRound,
  listRounds,
  openRound,
} from '../../../chaincode/src/rounds';
import { MemoryChannel, type TxOptions } from './memory-ledger';
import { U1_BIDS, U2_BIDS } from '../../fixtures/vector-a-split';

const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const U2 = 'Utility2MSP';
const at = (iso: string): number => Date.parse(iso) / 1000;
const SALT_A = 'a'.repeat(32);
const SALT_R = 'c'.repeat(32);
const SALT_R2 = 'd'.repeat(32);
const SOME_DIGEST = '0'.repeat(64);

/** Round `id`: bidding closes at 12:15 of its day; the slot starts at `slot`; gate 15 + 10 min later. */
interface RoundPlan {
  id: string;
  slot: string;
}
const R1: RoundPlan = { id: 'r1', slot: '2026-01-01T13:00:00Z' };
const R2: RoundPlan = { id: 'r2', slot: '2026-01-01T13:15:00Z' };
const DELIVERY = {
  shortPremium: '0.2005',
  longDiscount: '0.1235',
  slotSeconds: 900,
  gateClosureSeconds: 600,
};
const OPEN_AT = at('2026-01-01T12:00:00Z');
const CLOSES = '2026-01-01T12:15:00Z';
const gateOf = (p: RoundPlan): number => at(p.slot) + 900 + 600;

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

const run =
  (ch: MemoryChannel, opts: TxOptions) =>
  <T>(body: (l: Ledger) => Promise<T>): Promise<T> =>
    ch.run(opts, body);
const asOp = (ch: MemoryChannel, time: number, endorserTime?: number) =>
  run(ch, { msp: OP, time, ...(endorserTime === undefined ? {} : { endorserTime }) });

const readingsTransient = (readings: unknown, salt: string) => ({
  readings: JSON.stringify({ salt, readings }),
});

/** Submits a reading batch as `msp` at `time` (endorser clock `endorserTime`, default the same). */
function submit(
  ch: MemoryChannel,
  msp: string,
  roundId: string,
  readings: unknown,
  opts: { time: number; salt?: string; endorserTime?: number },
) {
  return ch.run(
    {
      msp,
      time: opts.time,
      transient: readingsTransient(readings, opts.salt ?? SALT_R),
      ...(opts.endorserTime === undefined ? {} : { endorserTime: opts.endorserTime }),
    },
    (l) => submitReadings(l, roundId),
  );
}

/** Opens, fills with vector A, closes and clears round `p` (service fee 0.5). */
async function clearedRound(ch: MemoryChannel, p: RoundPlan, delivery: object | null = DELIVERY) {
  const params = { serviceFee: '0.5' };
  await asOp(
    ch,
    OPEN_AT,
  )((l) =>
    openRound(l, { id: p.id, slot: p.slot, closesAt: CLOSES, params, ...(delivery ? { delivery } : {}) }),
  );
  const bidTx = (msp: string, bids: WireBid[]) =>
    run(ch, { msp, time: OPEN_AT + 60, transient: { batch: JSON.stringify({ salt: SALT_A, bids }) } });
  await bidTx(U1, U1_BIDS)((l) => submitBatch(l, p.id));
  await bidTx(U2, U2_BIDS)((l) => submitBatch(l, p.id));
  await asOp(ch, at(CLOSES))((l) => closeRound(l, p.id));
  const round = await asOp(ch, at(CLOSES))((l) => getRound(l, p.id));
  const batches = [U1, U2].map((u) => ({
    utility: u,
    batchId: batchIdOf(p.id, u, SALT_A),
    bids: u === U1 ? U1_BIDS : U2_BIDS,
  }));
  const result = clearRound(assembleRoundInput(round.params, batches).input);
  await asOp(ch, at(CLOSES))((l) => commitClearing(l, p.id, sha256Hex(canonicalJson(result))));
}

/** A utility's cleared lines as readings (metered = allocated + delta Wh per line, by index). */
async function ownLines(ch: MemoryChannel, utility: string, roundId: string): Promise<Settlement> {
  return run(ch, { msp: utility, time: OPEN_AT })((l) => getSettlement(l, roundId, ''));
}

const reading = (batchId: string, id: string, side: 'buy' | 'sell', quantity: string): MeterReading => ({
  batchId,
  id,
  side,
  quantity,
});

/** The operator's service: read what the ledger holds, settle it, and return the digest. */
async function operatorDigest(ch: MemoryChannel, roundId: string, time: number) {
  const op = asOp(ch, time);
  const round = await op((l) => getRound(l, roundId));
  const summary = await op((l) => getResult(l, roundId));
  const settlements = [
    await op((l) => getSettlement(l, roundId, U1)),
    await op((l) => getSettlement(l, roundId, U2)),
  ];
  const batches = [
    ...(await op((l) => getReadings(l, roundId, U2))),
    ...(await op((l) => getReadings(l, roundId, U1))),
  ];
  return computeDelivery(summary, settlements, batches, deliveryParamsOfRound(round));
}

/** U1 reads every line (+10 Wh on each), U2 every line but s2 (buyers −5 Wh). */
async function submitTypicalReadings(ch: MemoryChannel, p: RoundPlan): Promise<void> {
  const before = gateOf(p) - 60;
  const u1 = await ownLines(ch, U1, p.id);
  await submit(
    ch,
    U1,
    p.id,
    u1.lines.map((l) => reading(l.batchId, l.id, l.side, String((Number(l.quantity) * 1000 + 10) / 1000))),
    { time: before },
  );
  const u2 = await ownLines(ch, U2, p.id);
  await submit(
    ch,
    U2,
    p.id,
    u2.lines
      .filter((l) => l.id !== 's2')
      .map((l) =>
        reading(
          l.batchId,
          l.id,
          l.side,
          l.side === 'buy' ? String(Math.max(0, Number(l.quantity) * 1000 - 5) / 1000) : l.quantity,
        ),
      ),
    { time: before },
  );
}

describe('OpenRound with delivery parameters', () => {
  it('stores them only when given, defaults filled in, and refuses bad ones', async () => {
    const ch = newChannel();
    const plain = await asOp(ch, OPEN_AT)((l) => openRound(l, { id: 'p', slot: R1.slot, closesAt: CLOSES }));
    expect(plain).not.toHaveProperty('delivery');
    const given = await asOp(
      ch,
      OPEN_AT,
    )((l) =>
      openRound(l, { id: 'g', slot: R1.slot, closesAt: CLOSES, delivery: { gateClosureSeconds: 60 } }),
    );
    expect(given.delivery).toEqual({
      shortPremium: '0.2',
      longDiscount: '0.2',
      slotSeconds: 900,
      gateClosureSeconds: 60,
    });
    const err = await expectCode(
      asOp(
        ch,
        OPEN_AT,
      )((l) => openRound(l, { id: 'b', slot: R1.slot, closesAt: CLOSES, delivery: { slotSeconds: 0 } })),
      'INVALID_ARGUMENT',
    );
    expect(err.details?.issues).toEqual([expect.objectContaining({ field: 'slotSeconds' })]);
    await expectCode(
      asOp(ch, OPEN_AT)((l) => getRound(l, 'b')),
      'NOT_FOUND',
    );
  });
});

describe('SubmitMeterReadings', () => {
  it('accepts a utility’s readings of its own cleared bids: private batch, salted public commitment', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1);
    const lines = (await ownLines(ch, U1, 'r1')).lines;
    expect(lines).toHaveLength(4);
    const readings = lines.map((l) => reading(l.batchId, l.id, l.side, '1.234'));
    const time = gateOf(R1) - 1;
    const c = await submit(ch, U1, 'r1', readings, { time });
    const readingBatchId = readingBatchIdOf('r1', U1, SALT_R);
    expect(c).toEqual({
      roundId: 'r1',
      utility: U1,
      readingBatchId,
      count: 4,
      digest: sha256Hex(SALT_R + canonicalJson(readings)),
      submittedAt: new Date(time * 1000).toISOString().replace('.000Z', 'Z'),
    });
    const stored = await run(ch, { msp: U1, time })((l) => getReadings(l, 'r1', ''));
    expect(stored).toEqual([{ roundId: 'r1', utility: U1, readingBatchId, salt: SALT_R, readings }]);
    expect(await asOp(ch, time)((l) => getReadings(l, 'r1', U1))).toEqual(stored);
    // the public state holds the commitment, never a quantity
    const publicText = [...ch.state.values()].map((v) => Buffer.from(v).toString()).join('\n');
    expect(publicText).toContain(c.digest);
    expect(publicText).not.toContain('1.234');
  });

  it('names every bad reading (INVALID_READINGS) and writes nothing', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1);
    const [b1, , s1] = (await ownLines(ch, U1, 'r1')).lines.sort((a, b) => (a.id < b.id ? -1 : 1));
    const bid = b1!.batchId;
    const u2Batch = batchIdOf('r1', U2, SALT_A);
    const bad = [
      reading(bid, 'b1', 'buy', '1'), // ok
      reading(bid, 'nope', 'buy', '1'), // unknown bid
      reading(u2Batch, 'b3', 'buy', '1'), // another utility's bid
      reading(bid, s1!.id, 'buy', '1'), // wrong side
      reading(bid, 'b1', 'buy', '2'), // duplicate
      reading(bid, 'b2', 'buy', '-1'), // negative
      reading(bid, 'b2', 'buy', '1.0001'), // fractional Wh
      reading(bid, 's3', 'sell', '1000000.001'), // too large
      { ...reading(bid, 's3', 'sell', '1'), extra: 1 }, // unknown field
      { id: 'b2', side: 'buy', quantity: '1' }, // no batchId
    ];
    const before = ch.state.size;
    const err = await expectCode(submit(ch, U1, 'r1', bad, { time: gateOf(R1) - 10 }), 'INVALID_READINGS');
    const issues = err.details?.issues as { index: number; id: string; field: string; reason: string }[];
    const has = (index: number, field: string, text: string): void =>
      expect(issues.some((i) => i.index === index && i.field === field && i.reason.includes(text))).toBe(
        true,
      );
    expect(issues.some((i) => i.index === 0)).toBe(false);
    has(1, 'id', 'unknown bid');
    has(2, 'id', 'unknown bid');
    expect(issues.find((i) => i.index === 2)!.id).toBe(`${u2Batch}/b3`);
    has(3, 'side', 'wrong side');
    has(4, 'id', 'duplicate');
    has(5, 'quantity', 'negative');
    has(6, 'quantity', 'whole number of Wh');
    has(7, 'quantity', 'at most 1000000 kWh');
    has(8, 'extra', 'unknown field');
    has(9, 'batchId', 'required');
    expect(err.details?.issueCount).toBe(issues.length);
    expect(ch.state.size).toBe(before);
    expect(await run(ch, { msp: U1, time: OPEN_AT })((l) => getReadings(l, 'r1', ''))).toEqual([]);
  });

  it('refuses the operator, a round not cleared, a missing or bad transient batch', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1);
    const t = gateOf(R1) - 10;
    await expectCode(submit(ch, OP, 'r1', [], { time: t }), 'FORBIDDEN');
    await asOp(ch, OPEN_AT)((l) => openRound(l, { id: 'open', slot: R1.slot, closesAt: CLOSES }));
    await expectCode(
      submit(ch, U1, 'open', [reading('x', 'b1', 'buy', '1')], { time: t }),
      'ROUND_NOT_CLEARED',
    );
    await expectCode(submit(ch, U1, 'nope', [reading('x', 'b1', 'buy', '1')], { time: t }), 'NOT_FOUND');
    await expectCode(submit(ch, U1, 'r1', [], { time: t }), 'INVALID_ARGUMENT', 'readings must be an array');
    await expectCode(
      submit(ch, U1, 'r1', [reading('x', 'b1', 'buy', '1')], { time: t, salt: 'short' }),
      'INVALID_ARGUMENT',
      'salt',
    );
    await expectCode(
      run(ch, { msp: U1, time: t })((l) => submitReadings(l, 'r1')),
      'INVALID_ARGUMENT',
      'transient',
    );
  });

  it('takes several batches per utility; a retry returns the commitment, other readings under its salt conflict, a bid read twice is refused', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1);
    const lines = (await ownLines(ch, U1, 'r1')).lines;
    const t = gateOf(R1) - 100;
    const first = lines.slice(0, 2).map((l) => reading(l.batchId, l.id, l.side, '1'));
    const c1 = await submit(ch, U1, 'r1', first, { time: t });
    const keysBefore = [...ch.state.keys()];
    // a retry (same salt, same readings, even reordered keys) returns the first commitment
    const again = await submit(
      ch,
      U1,
      'r1',
      first.map((r) => ({ quantity: r.quantity, side: r.side, id: r.id, batchId: r.batchId })),
      { time: t + 5 },
    );
    expect(again).toEqual(c1);
    expect([...ch.state.keys()]).toEqual(keysBefore);
    await expectCode(submit(ch, U1, 'r1', [{ ...first[0]!, quantity: '2' }], { time: t + 6 }), 'CONFLICT');
    // a second batch (new salt) of the other bids
    const second = lines.slice(2).map((l) => reading(l.batchId, l.id, l.side, '0.5'));
    const c2 = await submit(ch, U1, 'r1', second, { time: t + 7, salt: SALT_R2 });
    expect(c2.readingBatchId).not.toBe(c1.readingBatchId);
    // a bid read in an earlier batch
    const err = await expectCode(
      submit(ch, U1, 'r1', [first[1]!], { time: t + 8, salt: 'e'.repeat(32) }),
      'INVALID_READINGS',
    );
    const issues = err.details?.issues as { index: number; field: string; reason: string }[];
    expect(issues.map((i) => [i.index, i.field])).toEqual([[0, 'id']]);
    expect(issues[0]!.reason).toContain(c1.readingBatchId);
    expect(await run(ch, { msp: U1, time: t })((l) => getReadings(l, 'r1', ''))).toHaveLength(2);
  });

  it('closes at the gate: by the proposal time and by the endorser’s clock', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1);
    const [l0] = (await ownLines(ch, U1, 'r1')).lines;
    const one = [reading(l0!.batchId, l0!.id, l0!.side, '1')];
    const gate = gateOf(R1);
    await expectCode(submit(ch, U1, 'r1', one, { time: gate }), 'GATE_CLOSED', '2026-01-01T13:25:00Z');
    // the proposal says 2 s before the gate, the endorser's clock 1 s after it (within the skew)
    const err = await expectCode(
      submit(ch, U1, 'r1', one, { time: gate - 2, endorserTime: gate + 1 }),
      'GATE_CLOSED',
      'endorser',
    );
    expect(err.details).toMatchObject({ roundId: 'r1', gateClosesAt: '2026-01-01T13:25:00Z' });
    // a proposal dated far from the endorser's clock is refused as skew
    await expectCode(submit(ch, U1, 'r1', one, { time: gate - 100, endorserTime: gate + 1 }), 'CLOCK_SKEW');
    await submit(ch, U1, 'r1', one, { time: gate - 1 });
  });
});

describe('SettleDelivery', () => {
  it('settles once, after the gate, exactly the ledger’s settlement', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1);
    await submitTypicalReadings(ch, R1);
    const gate = gateOf(R1);
    const { settlement, digest } = await operatorDigest(ch, 'r1', gate);
    expect(settlement.lines.find((l) => l.id.endsWith('/s2'))?.reading).toBe('missing');
    expect(settlement.totals.sum).toBe('0.0000000');

    await expectCode(settleDelivery_(ch, 'r1', digest, gate - 1), 'TOO_EARLY');
    await expectCode(settleDelivery_(ch, 'r1', digest, gate + 1, gate - 1), 'TOO_EARLY', 'endorser');
    await expectCode(
      run(ch, { msp: U1, time: gate })((l) => settleDelivery(l, 'r1', digest)),
      'FORBIDDEN',
    );
    await expectCode(settleDelivery_(ch, 'r1', 'not a digest', gate), 'INVALID_ARGUMENT');
    const mismatch = await expectCode(settleDelivery_(ch, 'r1', SOME_DIGEST, gate), 'SETTLEMENT_MISMATCH');
    expect(mismatch.details).toMatchObject({ submittedDigest: SOME_DIGEST, price: settlement.price });
    expect((await asOp(ch, gate)((l) => getRound(l, 'r1'))).status).toBe('CLEARED');

    const summary = await settleDelivery_(ch, 'r1', digest, gate);
    expect(summary).toMatchObject({
      roundId: 'r1',
      settlementDigest: digest,
      price: settlement.price,
      readingBatchCount: 2,
      readingCount: 7,
      operator: settlement.operator,
    });
    expect(JSON.stringify(summary)).not.toContain('/b1');
    const round = await asOp(ch, gate)((l) => getRound(l, 'r1'));
    expect(round).toMatchObject({ status: 'SETTLED', settledTx: summary.settledTx });
    expect((await asOp(ch, gate)((l) => listRounds(l, 'SETTLED'))).map((r) => r.id)).toEqual(['r1']);
    expect(await asOp(ch, gate)((l) => listRounds(l, 'CLEARED'))).toEqual([]);
    expect(await asOp(ch, gate)((l) => getDeliverySummary(l, 'r1'))).toEqual(summary);
    expect(ch.events.at(-1)!.name).toBe('DeliverySettled');

    const positions = await run(ch, { msp: U2, time: gate })((l) => getDeliveryPositions(l, 'r1'));
    expect(positions).toEqual(summary.positions);
    expect(positions.map((p) => p.moneyNet)).toEqual(settlement.utilities.map((u) => u.net));
    for (const u of settlement.utilities) {
      const st = await run(ch, { msp: u.utility, time: gate })((l) => getStatement(l, 'r1', ''));
      expect(st.statement).toEqual(u);
      expect(st.lines).toEqual(settlement.lines.filter((l) => l.utility === u.utility));
      expect(st).not.toHaveProperty('salt');
      expect(await asOp(ch, gate)((l) => getStatement(l, 'r1', u.utility))).toEqual(st);
    }

    const again = await expectCode(settleDelivery_(ch, 'r1', digest, gate + 5), 'ALREADY_SETTLED');
    expect(again.details).toMatchObject({ settlementDigest: digest });
    await expectCode(settleDelivery_(ch, 'r1', SOME_DIGEST, gate + 5), 'ALREADY_SETTLED');
    // readings after settlement are refused
    const [l0] = (await ownLines(ch, U1, 'r1')).lines;
    await expectCode(
      submit(ch, U1, 'r1', [reading(l0!.batchId, l0!.id, l0!.side, '1')], { time: gate - 1, salt: SALT_R2 }),
      'GATE_CLOSED',
    );
  });

  it('refuses a reading batch that no longer matches its public digest (HASH_MISMATCH)', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1);
    await submitTypicalReadings(ch, R1);
    const { digest } = await operatorDigest(ch, 'r1', gateOf(R1));
    const u2 = ch.privateData.get(collectionOf(U2))!;
    const [key, bytes] = [...u2.entries()].find(([k]) => k.includes('readings'))!;
    const batch = decode(bytes) as { readings: MeterReading[] };
    batch.readings[0]!.quantity = '0.001';
    u2.set(key, Buffer.from(JSON.stringify(batch)));
    const err = await expectCode(settleDelivery_(ch, 'r1', digest, gateOf(R1)), 'HASH_MISMATCH');
    expect(err.details).toMatchObject({ roundId: 'r1', utility: U2 });
    expect((await asOp(ch, gateOf(R1))((l) => getRound(l, 'r1'))).status).toBe('CLEARED');
  });

  it('refuses a round that is not cleared', async () => {
    const ch = newChannel();
    await asOp(ch, OPEN_AT)((l) => openRound(l, { id: 'o', slot: R1.slot, closesAt: CLOSES }));
    await expectCode(settleDelivery_(ch, 'o', SOME_DIGEST, gateOf(R1)), 'ROUND_NOT_CLEARED');
  });

  it('settles a round without readings: every line missing', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1, null);
    const gate = at(R1.slot) + 900 + 3600; // the defaults
    const { settlement, digest } = await operatorDigest(ch, 'r1', gate);
    expect(settlement.lines.every((l) => l.reading === 'missing')).toBe(true);
    expect(settlement.params).toEqual({ shortPremium: '0.2', longDiscount: '0.2' });
    await expectCode(settleDelivery_(ch, 'r1', digest, gate - 1), 'TOO_EARLY');
    await settleDelivery_(ch, 'r1', digest, gate);
  });

  it('keeps running accounts: each equals the sum of its statements, the operator’s the negation', async () => {
    const ch = newChannel();
    const totals = new Map<string, bigint>();
    let operatorNet = 0n;
    for (const p of [R1, R2]) {
      await clearedRound(ch, p);
      await submitTypicalReadings(ch, p);
      const { settlement, digest } = await operatorDigest(ch, p.id, gateOf(p));
      await settleDelivery_(ch, p.id, digest, gateOf(p));
      for (const u of settlement.utilities)
        totals.set(u.utility, (totals.get(u.utility) ?? 0n) + parseMoney(u.net));
      operatorNet += parseMoney(settlement.operator.net);
    }
    const t = gateOf(R2);
    let utilitiesNet = 0n;
    for (const u of [U1, U2]) {
      const account = (await run(ch, { msp: u, time: t })((l) => getAccount(l, ''))) as UtilityAccount;
      expect(account.kind).toBe('utility');
      expect(account.rounds).toBe(2);
      expect(account.entries.map((e) => e.roundId)).toEqual(['r1', 'r2']);
      const statements = await Promise.all(
        ['r1', 'r2'].map((r) => run(ch, { msp: u, time: t })((l) => getStatement(l, r, ''))),
      );
      for (const f of ['trade', 'fees', 'imbalance', 'net'] as const) {
        const sum = statements.reduce((n, s) => n + parseMoney(s.statement[f]), 0n);
        expect([f, parseMoney(account.totals[f])]).toEqual([f, sum]);
        expect(account.entries.map((e) => e[f])).toEqual(statements.map((s) => s.statement[f]));
      }
      expect(parseMoney(account.totals.net)).toBe(totals.get(u));
      expect(account.entries[0]).toMatchObject({ slot: R1.slot, settledAt: '2026-01-01T13:25:00Z' });
      expect(await asOp(ch, t)((l) => getAccount(l, u))).toEqual(account);
      utilitiesNet += parseMoney(account.totals.net);
    }
    const op = (await asOp(ch, t)((l) => getAccount(l, 'operator'))) as OperatorAccount;
    expect(op).toMatchObject({ kind: 'operator', rounds: 2 });
    expect(parseMoney(op.totals.net)).toBe(operatorNet);
    expect(op.entries.map((e) => e.roundId)).toEqual(['r1', 'r2']);
    expect(utilitiesNet + parseMoney(op.totals.net)).toBe(0n);
    expect(await asOp(ch, t)((l) => getAccount(l, ''))).toEqual(op);
  });

  it('refuses a utility another’s readings, statement and account', async () => {
    const ch = newChannel();
    await clearedRound(ch, R1);
    await submitTypicalReadings(ch, R1);
    const { digest } = await operatorDigest(ch, 'r1', gateOf(R1));
    await settleDelivery_(ch, 'r1', digest, gateOf(R1));
    const asU2 = run(ch, { msp: U2, time: gateOf(R1) });
    await expectCode(
      asU2((l) => getReadings(l, 'r1', U1)),
      'FORBIDDEN',
    );
    await expectCode(
      asU2((l) => getStatement(l, 'r1', U1)),
      'FORBIDDEN',
    );
    await expectCode(
      asU2((l) => getAccount(l, U1)),
      'FORBIDDEN',
    );
    await expectCode(
      asU2((l) => getAccount(l, 'operator')),
      'FORBIDDEN',
    );
    // and the ledger keeps them in U1's collection only
    const u2Values = [...ch.privateData.get(collectionOf(U2))!.values()].map((v) => decode(v));
    expect(JSON.stringify(u2Values)).not.toContain(U1);
  });
});

function settleDelivery_(
  ch: MemoryChannel,
  roundId: string,
  digest: string,
  time: number,
  endorserTime?: number,
) {
  return asOp(ch, time, endorserTime)((l) => settleDelivery(l, roundId, digest));
}

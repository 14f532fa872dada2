import { setTimeout as sleep } from 'node:timers/promises';
/**
 * Issue #15 on the real network: a "day" of 8 consecutive delivery slots (2 s each, gate closure
 * 45 s after each slot's end, so the test runs in about a minute). Utility1 and Utility2 bid vector
 * A in every round; the operator closes and clears each. Then each utility sends its meter readings
 * (deviating both ways; Utility1 in two batches in the first round; Utility2 leaves one bid
 * unread and sends another one late, after the gate: refused GATE_CLOSED). After each gate the
 * operator computes the settlement from what it reads (computeDelivery, the chaincode's own
 * function) and commits its digest; a second SettleDelivery is refused ALREADY_SETTLED. The
 * accounts grow by exactly the sum of the statements, the operator's by its side, and the books
 * close (Σ = 0). A utility cannot submit for, nor read, another's readings, statement or account.
 * Finally, as Utility1, every block from the first opening to the last settlement is searched for
 * Utility2's readings (values, JSON, salts) and statement: none is there.
 *
 * The network is brought up (or reused) here; scripts/test.sh takes it down afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { canonicalJson, clearRound } from '../../engine/src/mechanism';
import type { WireBid } from '../../engine/src/mechanism/types';
import { DECIMALS, formatEnergy, parseDecimal, parseMoney } from '../../engine/src/mechanism/units';
import { assembleRoundInput } from '../../chaincode/src/assemble';
import { computeDelivery } from '../../chaincode/src/delivery-input';
import type {
  MeterReading,
  OperatorAccount,
  RoundRecord,
  Settlement,
  UtilityAccount,
} from '../../chaincode/src/model';
import { deliveryParamsOfRound } from '../../chaincode/src/rounds';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { connectGateway } from '../../fabric-client/src/connect';
import { up } from '../../network/src/network';
import { U1_BIDS, U2_BIDS } from '../fixtures/vector-a-split';
import { blockNumber, blockTxIds, findAll, type Haystack, type Needle } from './block-bytes';
import { eventually, whileUnavailable } from './round-helpers';

const MINUTE = 60_000;
const CHANNEL = 'energy';
const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const U2 = 'Utility2MSP';
const SLOTS = 8;
const SLOT_SECONDS = 2;
const GATE_SECONDS = 45;
const DELIVERY = {
  shortPremium: '0.25',
  longDiscount: '0.15',
  slotSeconds: SLOT_SECONDS,
  gateClosureSeconds: GATE_SECONDS,
};
/** Utility2's reading of b3 in the first round: a value to look for in the blocks */
const DISTINCT = '7.777';
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const salt = () => randomBytes(16).toString('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest();
const wh = (kwh: string) => parseDecimal(kwh, DECIMALS.energy);
const kwh = (w: number) => formatEnergy(Math.max(0, w));

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'OK',
    (e: unknown) => (e instanceof MarketClientError ? e.code : `not a MarketClientError: ${String(e)}`),
  );
}

/**
 * A second reading batch right after the first: the utility's own peer has committed the first
 * (the gateway waits for that), the operator's may not yet, and then the two endorsers read
 * different earlier batches (ENDORSEMENT_MISMATCH, nothing ordered). Sent again with the same salt
 * until both agree (the error is retryable: nothing reached the orderer).
 */
async function submitAfterEarlier(c: MarketClient, roundId: string, readings: MeterReading[]): Promise<void> {
  const salt = randomBytes(16).toString('hex');
  for (let attempt = 1; ; attempt++) {
    try {
      await c.submitMeterReadings(roundId, readings, salt);
      return;
    } catch (e) {
      if (!(e instanceof MarketClientError && e.code === 'ENDORSEMENT_MISMATCH') || attempt >= 20) throw e;
      await sleep(250);
    }
  }
}

async function waitUntil(seconds: number): Promise<void> {
  await sleep(Math.max(0, seconds * 1000 - Date.now()));
}

/** A utility's readings of its lines: buyers and sellers off their allocation by the given Wh. */
function readingsOf(s: Settlement, buyWh: number, sellWh: number): MeterReading[] {
  return s.lines.map((l) => ({
    batchId: l.batchId,
    id: l.id,
    side: l.side,
    quantity: kwh(wh(l.quantity) + (l.side === 'buy' ? buyWh : sellWh)),
  }));
}

describe('delivery: meter readings, settlement and accounts on the Fabric network', () => {
  const gateways = new Map<string, Gateway>();
  let op: MarketClient;
  let u1: MarketClient;
  let u2: MarketClient;

  beforeAll(async () => {
    await up({ log });
    for (const msp of [OP, U1, U2]) gateways.set(msp, await connectGateway(msp));
    const client = (msp: string) =>
      new MarketClient(gateways.get(msp)!.getNetwork(CHANNEL).getContract('market'), msp);
    [op, u1, u2] = [client(OP), client(U1), client(U2)];
  }, 15 * MINUTE);

  afterAll(() => {
    for (const g of gateways.values()) g.close();
  });

  /** Opens a round; retries while the orderers elect a leader right after `up`. */
  async function openRound(id: string, slot: number, closesAt: number): Promise<RoundRecord> {
    return whileUnavailable(() =>
      op.openRound({ id, slot: instant(slot), closesAt: instant(closesAt), delivery: DELIVERY }),
    );
  }

  /** Closes and clears a round with the mechanism's result on its committed batches. */
  async function closeAndClear(id: string): Promise<void> {
    const closed = await op.closeRound(id);
    const commitments = await op.getCommitments(id);
    const bids = new Map<string, WireBid[]>();
    for (const utility of [U1, U2]) {
      for (const b of await op.getBatches(id, utility)) bids.set(b.batchId, b.bids);
    }
    const batches = commitments.map((c) => ({
      utility: c.utility,
      batchId: c.batchId,
      bids: bids.get(c.batchId)!,
    }));
    const result = clearRound(assembleRoundInput(closed.params, batches).input);
    expect(result.status).toBe('cleared');
    await op.commitClearing(id, sha256(canonicalJson(result)).toString('hex'));
  }

  /** The operator's service: what it reads of a round, settled with the chaincode's own function. */
  async function operatorSettlement(id: string) {
    const round = await op.getRound(id);
    const result = await op.getResult(id);
    const utilities = (await op.getPositions(id)).map((p) => p.utility);
    const settlements = await Promise.all(utilities.map((u) => op.getSettlement(id, u)));
    const batches = (await Promise.all(utilities.map((u) => op.getReadings(id, u)))).flat();
    return computeDelivery(result, settlements, batches, deliveryParamsOfRound(round));
  }

  test(
    'eight slots: readings, a missing and a late one, settled once each, accounts reconcile, nothing leaks',
    async () => {
      const tag = `dlv-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
      const ids = Array.from({ length: SLOTS }, (_, i) => `${tag}-${i}`);
      const t0 = Math.ceil(Date.now() / 1000) + 1;
      const slotOf = (i: number) => t0 + i * SLOT_SECONDS;
      const gateOf = (i: number) => slotOf(i) + SLOT_SECONDS + GATE_SECONDS;
      const closesAt = t0 + 8;
      const accountsBefore = {
        u1: (await u1.getAccount()) as UtilityAccount,
        u2: (await u2.getAccount()) as UtilityAccount,
        op: (await op.getAccount('operator')) as OperatorAccount,
      };

      // the day's rounds: open, bid, close, clear
      const rounds: RoundRecord[] = [];
      for (const [i, id] of ids.entries()) rounds.push(await openRound(id, slotOf(i), closesAt));
      expect(rounds[0]!.delivery).toEqual(DELIVERY);
      await Promise.all(ids.flatMap((id) => [u1.submitBids(id, U1_BIDS), u2.submitBids(id, U2_BIDS)]));
      await waitUntil(closesAt + 1.1);
      await Promise.all(ids.map((id) => closeAndClear(id)));
      log(`[delivery] ${SLOTS} rounds cleared ${Math.round(Date.now() / 1000 - t0)} s after t0`);

      // readings: Utility1 every line (buyers +13 Wh, sellers −21 Wh), in two batches in round 0;
      // Utility2 buyers −17 Wh, sellers +19 Wh; in round 0 s2 is never read, b4 comes late, b3 is DISTINCT
      // (each utility's own peer may commit the clearing's block a moment after the operator's)
      const ownLines = (c: MarketClient) =>
        Promise.all(
          ids.map((id) => eventually(`${c.mspId} settlement of ${id}`, 30_000, () => c.getSettlement(id))),
        );
      const own1 = await ownLines(u1);
      const own2 = await ownLines(u2);
      const u2Readings: MeterReading[][] = [];
      const u2Salts: string[] = [];
      let late: MeterReading | undefined;
      await Promise.all(
        ids.map(async (id, i) => {
          const r1 = readingsOf(own1[i]!, 13, -21);
          if (i === 0) {
            await u1.submitMeterReadings(id, r1.slice(0, 2));
            await submitAfterEarlier(u1, id, r1.slice(2));
          } else {
            await u1.submitMeterReadings(id, r1);
          }
          let r2 = readingsOf(own2[i]!, -17, 19);
          if (i === 0) {
            late = r2.find((r) => r.id === 'b4');
            r2 = r2
              .filter((r) => r.id !== 's2' && r.id !== 'b4')
              .map((r) => (r.id === 'b3' ? { ...r, quantity: DISTINCT } : r));
          }
          const s = salt();
          u2Salts[i] = s;
          u2Readings[i] = r2;
          await u2.submitMeterReadings(id, r2, s);
        }),
      );
      expect(late).toBeDefined();
      const readAt = Date.now() / 1000;
      log(`[delivery] readings in ${Math.round(readAt - t0)} s after t0 (first gate at ${gateOf(0) - t0} s)`);
      expect(readAt).toBeLessThan(gateOf(0));

      // a utility cannot submit for, nor read, the other's readings
      const foreign = { ...readingsOf(own1[1]!, 0, 0)[0]! };
      expect(await codeOf(u2.submitMeterReadings(ids[1]!, [foreign]))).toBe('INVALID_READINGS');
      expect(await codeOf(u1.getReadings(ids[0]!, U2))).toBe('FORBIDDEN');
      expect(await codeOf(op.submitMeterReadings(ids[0]!, readingsOf(own1[0]!, 0, 0)))).toBe('FORBIDDEN');
      expect((await u2.getReadings(ids[0]!)).flatMap((b) => b.readings)).toEqual(u2Readings[0]);
      expect(await codeOf(op.settleDelivery(ids[0]!, '0'.repeat(64)))).toBe('TOO_EARLY');

      // after each gate: the late reading is refused, the operator settles each round once
      await waitUntil(gateOf(0) + 1.5);
      expect(await codeOf(u2.submitMeterReadings(ids[0]!, [late!]))).toBe('GATE_CLOSED');
      const settlements: {
        id: string;
        settlement: Awaited<ReturnType<typeof operatorSettlement>>['settlement'];
        summary: Awaited<ReturnType<MarketClient['settleDelivery']>>;
      }[] = [];
      for (const [i, id] of ids.entries()) {
        await waitUntil(gateOf(i) + 1.5);
        const { settlement, digest } = await operatorSettlement(id);
        if (i === 0) {
          expect(await codeOf(op.settleDelivery(id, '1'.repeat(64)))).toBe('SETTLEMENT_MISMATCH');
          const missing = settlement.lines
            .filter((l) => l.reading === 'missing')
            .map((l) => l.id.split('/')[1]);
          expect(missing.sort()).toEqual(['b4', 's2']);
        }
        const summary = await op.settleDelivery(id, digest);
        expect(summary.settlementDigest).toBe(digest);
        expect(settlement.totals.sum).toBe('0.0000000');
        const positions = settlement.lines.map((l) => l.position);
        expect(positions).toEqual(expect.arrayContaining(['short', 'long']));
        settlements.push({ id, settlement, summary });
      }
      expect(await codeOf(op.settleDelivery(ids[0]!, settlements[0]!.summary.settlementDigest))).toBe(
        'ALREADY_SETTLED',
      );
      expect((await op.listRounds('SETTLED')).filter((r) => r.id.startsWith(tag))).toHaveLength(SLOTS);
      log(`[delivery] ${SLOTS} rounds settled ${Math.round(Date.now() / 1000 - t0)} s after t0`);

      // statements and accounts: each account grew by exactly its statements, the books close
      const settledAccount = (c: MarketClient, before: UtilityAccount) =>
        eventually(`${c.mspId} account`, 30_000, async () => {
          const a = (await c.getAccount()) as UtilityAccount;
          if (a.rounds - before.rounds < SLOTS) throw new Error(`${a.rounds - before.rounds} rounds so far`);
          return a;
        });
      const after = {
        u1: await settledAccount(u1, accountsBefore.u1),
        u2: await settledAccount(u2, accountsBefore.u2),
        op: (await op.getAccount('operator')) as OperatorAccount,
      };
      let operatorSum = 0n;
      for (const [key, client, msp] of [
        ['u1', u1, U1],
        ['u2', u2, U2],
      ] as const) {
        const statements = await Promise.all(ids.map((id) => client.getStatement(id)));
        for (const [i, s] of statements.entries()) {
          expect(s.statement).toEqual(settlements[i]!.settlement.utilities.find((u) => u.utility === msp));
        }
        expect(after[key].rounds - accountsBefore[key].rounds).toBe(SLOTS);
        expect(after[key].entries.filter((e) => e.roundId.startsWith(tag)).map((e) => e.roundId)).toEqual(
          ids,
        );
        for (const f of ['trade', 'fees', 'imbalance', 'net'] as const) {
          const sum = statements.reduce((n, s) => n + parseMoney(s.statement[f]), 0n);
          const grew = parseMoney(after[key].totals[f]) - parseMoney(accountsBefore[key].totals[f]);
          expect([msp, f, grew]).toEqual([msp, f, sum]);
        }
        expect(await op.getAccount(msp)).toEqual(after[key]);
      }
      for (const s of settlements) operatorSum += parseMoney(s.settlement.operator.net);
      expect(parseMoney(after.op.totals.net) - parseMoney(accountsBefore.op.totals.net)).toBe(operatorSum);
      const utilitiesSum = settlements.reduce(
        (n, s) => n + s.settlement.utilities.reduce((m, u) => m + parseMoney(u.net), 0n),
        0n,
      );
      expect(utilitiesSum + operatorSum).toBe(0n);

      // a utility cannot read the other's statement or account
      expect(await codeOf(u1.getStatement(ids[0]!, U2))).toBe('FORBIDDEN');
      expect(await codeOf(u1.getAccount(U2))).toBe('FORBIDDEN');
      expect(await codeOf(u1.getAccount('operator'))).toBe('FORBIDDEN');

      // no reading or statement of Utility2 is in any block Utility1 reads
      const qscc = gateways.get(U1)!.getNetwork(CHANNEL).getContract('qscc');
      const blockOf = (txId: string) =>
        eventually(`block of ${txId}`, 30_000, async () =>
          blockNumber(await qscc.evaluateTransaction('GetBlockByTxID', CHANNEL, txId)),
        );
      const first = await blockOf(rounds[0]!.openedTx);
      const last = await blockOf(settlements.at(-1)!.summary.settledTx);
      const blocks: Haystack[] = [];
      for (let n = first; n <= last; n++) {
        const bytes = await qscc.evaluateTransaction('GetBlockByNumber', CHANNEL, String(n));
        blocks.push({ where: `block ${n}`, bytes });
        for (const txId of blockTxIds(bytes)) {
          const tx = await qscc.evaluateTransaction('GetTransactionByID', CHANNEL, txId);
          blocks.push({ where: `tx ${txId} (block ${n})`, bytes: tx });
        }
      }
      const u2Statement0 = await op.getStatement(ids[0]!, U2);
      const secrets: Needle[] = [
        { what: 'Utility2 distinctive reading', value: DISTINCT },
        ...u2Salts.map((s, i): Needle => ({ what: `Utility2 reading salt of round ${i}`, value: s })),
        ...u2Readings.flatMap((rs, i) =>
          rs.map(
            (r): Needle => ({
              what: `Utility2 reading ${r.id} of round ${i} as JSON`,
              value: canonicalJson(r),
            }),
          ),
        ),
        { what: 'Utility2 readings of round 0 as JSON', value: canonicalJson(u2Readings[0]) },
        { what: 'Utility2 statement of round 0 as JSON', value: canonicalJson(u2Statement0.statement) },
        { what: 'Utility2 statement lines of round 0', value: canonicalJson(u2Statement0.lines) },
        {
          what: 'SHA-256 of Utility2 statement without its salt',
          value: sha256(canonicalJson(u2Statement0)),
        },
      ];
      const commitments = await op.getReadingCommitments(ids[0]!);
      const visible: Needle[] = [
        {
          what: 'Utility2 reading commitment digest',
          value: commitments.find((c) => c.utility === U2)!.digest,
        },
        { what: 'settlement digest', value: settlements[0]!.summary.settlementDigest },
      ];
      expect(
        findAll(blocks, visible)
          .map((h) => h.what)
          .sort(),
      ).toEqual(expect.arrayContaining(visible.map((v) => v.what).sort()));
      log(`[delivery] searched blocks ${first}..${last} (${blocks.length} blocks and transactions)`);
      expect(findAll(blocks, secrets)).toEqual([]);
    },
    8 * MINUTE,
  );
});

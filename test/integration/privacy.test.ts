import { setTimeout as sleep } from 'node:timers/promises';
/**
 * DESIGN invariant 10 on the real network: blocks are readable by every channel member, so nothing
 * private of one utility may appear in any of them. Utility1 and Utility2 bid in one round, the
 * operator closes and commits it through MarketClient; then, as Utility1, the test reads every block
 * from the round's opening to its clearing (qscc GetBlockByNumber on Utility1's peer), every
 * transaction in them (qscc GetTransactionByID) and the same blocks from the block event stream,
 * and searches their raw bytes for each private value of Utility2: bid ids, prices, quantities and
 * JSON, batch salts, the batches' JSON, each settlement line's quantity, payment and JSON, and the
 * SHA-256 of its settlement as an outsider would guess it. The same search is shown to find
 * public values (Utility1's batch id, the price, a private write's value hash) in those blocks and
 * each secret in what the operator reads, so it cannot pass by looking in the wrong place.
 *
 * The network is brought up (or reused) here; scripts/test.sh takes it down afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { canonicalJson, clearRound } from '../../engine/src/mechanism';
import type { WireBid, WireClearingResult } from '../../engine/src/mechanism/types';
import { assembleRoundInput } from '../../chaincode/src/assemble';
import { settlementSaltOf } from '../../chaincode/src/clearing';
import { encodeStoredSettlement } from '../../chaincode/src/settlement-store';
import type { RoundRecord } from '../../chaincode/src/model';
import { MarketClient } from '../../fabric-client/src/market-client';
import { connectGateway } from '../../fabric-client/src/connect';
import { up } from '../../network/src/network';
import { PRIVACY_PARAMS, U1_PRIVACY_BIDS, U2_PRIVACY_BIDS } from '../fixtures/privacy-bids';
import { blockNumber, blockTxIds, findAll, type Haystack, type Needle } from './block-bytes';
import { eventually, whileUnavailable } from './round-helpers';

const MINUTE = 60_000;
const CHANNEL = 'energy';
const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const U2 = 'Utility2MSP';
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const salt = () => randomBytes(16).toString('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest();

describe('privacy of the blocks on the Fabric network', () => {
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

  /** Opens a round as the operator; retries while the orderers elect a leader right after `up`. */
  async function openRound(id: string, closesInMs: number): Promise<RoundRecord> {
    return whileUnavailable(() => {
      const closesAt = instant(Math.ceil((Date.now() + closesInMs) / 1000) * 1000);
      const slot = instant(Date.now() + 60 * MINUTE);
      return op.openRound({ id, slot, closesAt, params: PRIVACY_PARAMS });
    });
  }

  /** What the mechanism makes of the round's committed batches, read on the operator's peer. */
  async function expectedClearing(round: RoundRecord): Promise<WireClearingResult> {
    const commitments = await op.getCommitments(round.id);
    const bids = new Map<string, WireBid[]>();
    for (const utility of new Set(commitments.map((c) => c.utility))) {
      for (const b of await op.getBatches(round.id, utility)) bids.set(b.batchId, b.bids);
    }
    const batches = commitments.map((c) => ({
      utility: c.utility,
      batchId: c.batchId,
      bids: bids.get(c.batchId)!,
    }));
    return clearRound(assembleRoundInput(round.params, batches).input);
  }

  /** As Utility1: every block from `first` to `last` and every transaction in them, via qscc. */
  async function readBlocksViaQscc(
    first: bigint,
    last: bigint,
  ): Promise<{ blocks: Haystack[]; txs: Haystack[] }> {
    const qscc = gateways.get(U1)!.getNetwork(CHANNEL).getContract('qscc');
    const blocks: Haystack[] = [];
    const txs: Haystack[] = [];
    for (let n = first; n <= last; n++) {
      const bytes = await qscc.evaluateTransaction('GetBlockByNumber', CHANNEL, String(n));
      expect(blockNumber(bytes)).toBe(n);
      blocks.push({ where: `qscc GetBlockByNumber ${n}`, bytes });
      for (const txId of blockTxIds(bytes)) {
        const tx = await qscc.evaluateTransaction('GetTransactionByID', CHANNEL, txId);
        txs.push({ where: `qscc GetTransactionByID ${txId} (block ${n})`, bytes: tx });
      }
    }
    return { blocks, txs };
  }

  /** As Utility1: the same blocks, full, from the peer's block event stream. */
  async function readBlockEvents(first: bigint, last: bigint): Promise<Haystack[]> {
    const events = await gateways.get(U1)!.getNetwork(CHANNEL).getBlockEvents({ startBlock: first });
    const out: Haystack[] = [];
    try {
      for await (const block of events) {
        const bytes = block.serializeBinary();
        const n = blockNumber(bytes);
        out.push({ where: `block event ${n}`, bytes });
        if (n >= last) break;
      }
    } finally {
      events.close();
    }
    return out;
  }

  test(
    'no private value of Utility2 is in any block, transaction or block event Utility1 reads',
    async () => {
      const id = `priv-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
      const salts = { u1: salt(), u2a: salt(), u2b: salt() };
      const round = await openRound(id, 8000);
      const [c1] = await Promise.all([
        u1.submitBids(id, U1_PRIVACY_BIDS, salts.u1),
        u2.submitBids(id, U2_PRIVACY_BIDS.slice(0, 3), salts.u2a),
        u2.submitBids(id, U2_PRIVACY_BIDS.slice(3), salts.u2b),
      ]);
      await sleep(Math.max(0, Date.parse(round.closesAt) - Date.now() + 1100));
      const closed = await op.closeRound(id);
      const expected = await expectedClearing(closed);
      expect(expected.status).toBe('cleared');
      const resultDigest = sha256(canonicalJson(expected)).toString('hex');
      const stored = await op.commitClearing(id, resultDigest);
      expect(stored.resultDigest).toBe(resultDigest);

      // what the operator (a member of Utility2's collection) reads: the secrets to look for
      const settlement = await op.getSettlement(id, U2);
      const batches = await op.getBatches(id, U2);
      const commitments = await op.getCommitments(id);
      const positions = await op.getPositions(id);
      const traded = settlement.lines.filter((l) => l.quantity !== '0');
      expect(traded.filter((l) => l.side === 'buy').length).toBeGreaterThanOrEqual(2);
      expect(traded.filter((l) => l.side === 'sell').length).toBeGreaterThanOrEqual(2);

      const secrets: Needle[] = [
        { what: 'Utility2 batch salt (first batch)', value: salts.u2a },
        { what: 'Utility2 batch salt (second batch)', value: salts.u2b },
        ...U2_PRIVACY_BIDS.flatMap((b): Needle[] => [
          { what: `Utility2 bid id ${b.id}`, value: b.id },
          { what: `Utility2 bid ${b.id} as JSON`, value: canonicalJson(b) },
          { what: `Utility2 bid ${b.id} price`, value: b.price },
          { what: `Utility2 bid ${b.id} price field`, value: `"price":"${b.price}"` },
          { what: `Utility2 bid ${b.id} quantity`, value: b.quantity },
        ]),
        ...batches.map(
          (b): Needle => ({ what: `Utility2 batch ${b.batchId} as JSON`, value: canonicalJson(b) }),
        ),
        ...traded.flatMap((l): Needle[] => [
          { what: `Utility2 settlement quantity of ${l.id}`, value: l.quantity },
          { what: `Utility2 settlement payment of ${l.id}`, value: l.payment },
          { what: `Utility2 settlement line ${l.id} as JSON`, value: canonicalJson(l) },
        ]),
        { what: 'Utility2 settlement lines as JSON', value: canonicalJson(settlement.lines) },
        { what: 'Utility2 settlement as JSON', value: canonicalJson(settlement) },
      ];
      // an outsider who guessed every line could confirm the guess against a private write's hash
      const guessHash: Needle = {
        what: 'SHA-256 of Utility2 settlement without a secret salt',
        value: sha256(canonicalJson(settlement)),
      };

      // the secrets are in what the operator reads, and none of them is a public fact by accident
      const operatorView: Haystack[] = [
        { where: 'operator GetSettlement', bytes: Buffer.from(canonicalJson(settlement)) },
        { where: 'operator GetBatches', bytes: Buffer.from(canonicalJson(batches)) },
      ];
      expect(new Set(secrets.map((s) => s.what)).size).toBe(secrets.length);
      const seen = new Set(findAll(operatorView, secrets).map((h) => h.what));
      expect(secrets.filter((s) => !seen.has(s.what)).map((s) => s.what)).toEqual([]);
      const publicFacts: Haystack[] = [
        {
          where: 'public result, positions, round, commitments',
          bytes: Buffer.from(canonicalJson([stored, positions, closed, commitments])),
        },
      ];
      expect(findAll(publicFacts, secrets)).toEqual([]);

      // the blocks from the round's opening to its clearing, as Utility1 reads them
      const qscc = gateways.get(U1)!.getNetwork(CHANNEL).getContract('qscc');
      const blockOf = (txId: string) =>
        eventually(`block of ${txId} on Utility1's peer`, 30_000, async () =>
          blockNumber(await qscc.evaluateTransaction('GetBlockByTxID', CHANNEL, txId)),
        );
      const first = await blockOf(round.openedTx);
      const last = await blockOf(stored.clearedTx);
      expect(last).toBeGreaterThan(first);
      const { blocks, txs } = await readBlocksViaQscc(first, last);
      const events = await readBlockEvents(first, last);
      expect(events.map((e) => e.where)).toEqual(
        blocks.map((b) => b.where.replace('qscc GetBlockByNumber', 'block event')),
      );
      const txIds = txs.map((t) => t.where.split(' ')[2]);
      expect(txIds).toEqual(expect.arrayContaining([round.openedTx, closed.closedTx, stored.clearedTx]));
      log(`[privacy] round ${id}: blocks ${first}..${last}, ${txs.length} transactions searched`);

      // the search finds public values and private writes' hashes in each view of the blocks
      const u2Commitments = commitments.filter((c) => c.utility === U2);
      const u2Salts = u2Commitments.map((c) => batches.find((b) => b.batchId === c.batchId)!.salt);
      const storedSettlement = Buffer.from(
        encodeStoredSettlement(settlement, settlementSaltOf(id, U2, u2Salts)),
      ).toString('utf8');
      const visible: Needle[] = [
        { what: 'Utility1 batch id', value: c1.batchId },
        { what: 'public price', value: `"price":"${stored.price}"` },
        { what: 'public result digest', value: stored.resultDigest },
        {
          what: 'value hash of a Utility2 private batch write',
          value: Buffer.from(u2Commitments[0]!.hash, 'hex'),
        },
        { what: 'value hash of Utility2’s salted settlement write', value: sha256(storedSettlement) },
      ];
      for (const view of [blocks, txs, events]) {
        const found = new Set(findAll(view, visible).map((h) => h.what));
        expect([view[0]!.where, ...visible.filter((v) => !found.has(v.what)).map((v) => v.what)]).toEqual([
          view[0]!.where,
        ]);
      }

      // and finds none of Utility2's secrets
      expect(findAll([...blocks, ...txs, ...events], [...secrets, guessHash])).toEqual([]);
    },
    5 * MINUTE,
  );
});

/**
 * DESIGN invariants 1-7 of the market chaincode, each in its own test, on the real native network
 * through @hyperledger/fabric-gateway with each org's own identity; then one full round in which
 * every party reads what it may and the settlement sums balance.
 *
 * The network is brought up (or reused) here; scripts/test.sh takes it down afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { canonicalJson, clearRound } from '../../engine/src/mechanism';
import type { WireBid, WireClearingResult } from '../../engine/src/mechanism/types';
import { parseMoney } from '../../engine/src/mechanism/units';
import { assembleRoundInput } from '../../chaincode/src/assemble';
import type { RoundRecord } from '../../chaincode/src/model';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { failure } from './client-failure';
import { connectGateway } from '../../fabric-client/src/connect';
import { up } from '../../network/src/network';
import { U1_BIDS, U2_BIDS } from '../fixtures/vector-a-split';
import { untilVisible, whileUnavailable } from './round-helpers';

const MINUTE = 60_000;
const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const U2 = 'Utility2MSP';
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const run = `inv-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;

/** What CommitClearing takes: SHA-256 of the canonical JSON of the full result (computed here). */
const digestOf = (result: WireClearingResult): string =>
  createHash('sha256').update(canonicalJson(result)).digest('hex');

describe('market invariants on the Fabric network', () => {
  const gateways: Gateway[] = [];
  let op: MarketClient;
  let u1: MarketClient;
  let u2: MarketClient;

  /** Opens a round as the operator; retries while the orderers elect a leader right after `up`. */
  async function openRound(id: string, closesInMs: number, params = {}): Promise<RoundRecord> {
    const round = await whileUnavailable(() => {
      const closesAt = instant(Math.ceil((Date.now() + closesInMs) / 1000) * 1000);
      return op.openRound({ id, slot: instant(Date.now() + 60 * MINUTE), closesAt, params });
    });
    await untilVisible(id, [u1, u2]);
    return round;
  }

  async function waitUntil(isoInstant: string): Promise<void> {
    const wait = Date.parse(isoInstant) - Date.now() + 1100;
    if (wait > 0) await sleep(wait);
  }

  /** What the mechanism makes of the round's committed batches, read on the operator's peer. */
  async function expectedClearing(round: RoundRecord): Promise<WireClearingResult> {
    const commitments = await op.getCommitments(round.id);
    const batches = new Map<string, WireBid[]>();
    for (const utility of [...new Set(commitments.map((c) => c.utility))]) {
      for (const b of await op.getBatches(round.id, utility)) batches.set(b.batchId, b.bids);
    }
    const { input } = assembleRoundInput(
      round.params,
      commitments.map((c) => ({ utility: c.utility, batchId: c.batchId, bids: batches.get(c.batchId)! })),
    );
    return clearRound(input);
  }

  /** A round with vector A submitted by both utilities, closed. */
  async function closedVectorARound(id: string, params = {}): Promise<RoundRecord> {
    const round = await openRound(id, 8000, params);
    await Promise.all([u1.submitBids(id, U1_BIDS), u2.submitBids(id, U2_BIDS)]);
    await waitUntil(round.closesAt);
    return op.closeRound(id);
  }

  beforeAll(async () => {
    await up({ log });
    const client = async (msp: string) => {
      const g = await connectGateway(msp);
      gateways.push(g);
      return new MarketClient(g.getNetwork('energy').getContract('market'), msp);
    };
    [op, u1, u2] = [await client(OP), await client(U1), await client(U2)];
  }, 15 * MINUTE);

  afterAll(() => {
    for (const g of gateways) g.close();
  });

  test(
    '1. a utility cannot read another utility’s bids or settlement',
    async () => {
      const id = `${run}-1`;
      const round = await closedVectorARound(id);
      await op.commitClearing(id, digestOf(await expectedClearing(round)));

      expect((await failure(u2.getBatches(id, U1))).code).toBe('FORBIDDEN');
      expect((await failure(u2.getSettlement(id, U1))).code).toBe('FORBIDDEN');
      expect((await failure(u1.getSettlement(id, U2))).code).toBe('FORBIDDEN');
      // each reads its own
      expect((await u1.getBatches(id))[0]!.bids).toEqual(U1_BIDS);
      expect((await u2.getSettlement(id)).lines.map((l) => l.id).sort()).toEqual(['b3', 'b4', 's2', 's4']);
    },
    2 * MINUTE,
  );

  test(
    '2. a utility cannot write bids into another utility’s collection or in its name',
    async () => {
      const id = `${run}-2`;
      await openRound(id, 10 * MINUTE);
      // Utility2 has its batch endorsed by Utility1's peer (and the operator's): the chaincode writes
      // only into the caller's own collection, so whether the peers accept this or not, nothing lands
      // in Utility1's collection and nothing is recorded in Utility1's name.
      const contract = gateways[2]!.getNetwork('energy').getContract('market');
      const batch = JSON.stringify({ salt: randomBytes(16).toString('hex'), bids: U1_BIDS });
      const viaOtherPeer = await contract
        .submit('SubmitBids', { arguments: [id], transientData: { batch }, endorsingOrganizations: [U1, OP] })
        .then(
          () => 'accepted',
          (e: unknown) => `refused: ${(e as Error).message}`,
        );
      log(`[invariant 2] Utility2 batch endorsed via Utility1's peer: ${viaOtherPeer}`);
      await u2.submitBids(id, [{ id: 'own1', side: 'buy', price: '15', quantity: '1' }]);
      const commitments = await op.getCommitments(id);
      expect(commitments.length).toBeGreaterThan(0);
      expect(commitments.every((c) => c.utility === U2)).toBe(true);
      expect(await op.getBatches(id, U1)).toEqual([]);
      expect(await u1.getBatches(id)).toEqual([]);
    },
    2 * MINUTE,
  );

  test(
    '3. only Operator identities open, close and commit',
    async () => {
      const id = `${run}-3`;
      const closesAt = instant(Math.ceil((Date.now() + 5000) / 1000) * 1000);
      const req = { id, slot: instant(Date.now() + 60 * MINUTE), closesAt };
      expect((await failure(u1.openRound(req))).code).toBe('FORBIDDEN');
      const round = await openRound(id, 5000);
      await u1.submitBids(id, U1_BIDS);
      await waitUntil(round.closesAt);
      expect((await failure(u1.closeRound(id))).code).toBe('FORBIDDEN');
      expect((await failure(u2.closeRound(id))).code).toBe('FORBIDDEN');
      const closed = await op.closeRound(id);
      const result = digestOf(await expectedClearing(closed));
      const refused = await failure(u1.commitClearing(id, result));
      expect(refused.code).toBe('FORBIDDEN');
      expect((await op.getRound(id)).status).toBe('CLOSED');
    },
    2 * MINUTE,
  );

  test(
    '4. no bid after the close time or into a round that is not OPEN',
    async () => {
      const id = `${run}-4`;
      const round = await openRound(id, 5000);
      await u1.submitBids(id, U1_BIDS.slice(0, 1));
      await waitUntil(round.closesAt);
      const late = await failure(u1.submitBids(id, U1_BIDS.slice(1, 2)));
      expect(late.code).toBe('BIDDING_CLOSED');
      await op.closeRound(id);
      expect((await failure(u2.submitBids(id, U2_BIDS))).code).toBe('ROUND_NOT_OPEN');
      expect((await failure(u2.submitBids(`${run}-no-such-round`, U2_BIDS))).code).toBe('NOT_FOUND');
      expect((await op.getCommitments(id)).map((c) => c.bidCount)).toEqual([1]);
    },
    2 * MINUTE,
  );

  test(
    '5. a clearing that differs from the mechanism’s result (by its digest) is rejected',
    async () => {
      const id = `${run}-5`;
      const round = await closedVectorARound(id);
      const good = await expectedClearing(round);
      expect(good.price).toBe('14.1');

      const whMoved = structuredClone(good);
      const [a, b] = whMoved.buyers.filter((x) => x.quantity !== '0');
      a!.quantity = String((Number(a!.quantity) * 1000 + 1) / 1000);
      b!.quantity = String((Number(b!.quantity) * 1000 - 1) / 1000);
      const tickOff = structuredClone(good);
      tickOff.price = '14.1001';
      const [u1Batch] = await op.getBatches(id, U1);
      const batchLeftOut = clearRound(
        assembleRoundInput(round.params, [{ utility: U1, batchId: u1Batch!.batchId, bids: u1Batch!.bids }])
          .input,
      );
      for (const [name, tampered] of [
        ['one Wh moved', whMoved],
        ['price off by one tick', tickOff],
        ['a batch left out', batchLeftOut],
      ] as const) {
        const e = await failure(op.commitClearing(id, digestOf(tampered)));
        expect([name, e.code]).toEqual([name, 'CLEARING_MISMATCH']);
        // the rejection names the mechanism's public facts, no bid's line
        expect([name, e.details]).toEqual([
          name,
          {
            roundId: id,
            submittedDigest: digestOf(tampered),
            status: good.status,
            price: good.price,
            totals: good.totals,
          },
        ]);
      }
      // the whole result is not accepted as the argument (it would be stored in the block)
      expect((await failure(op.commitClearing(id, canonicalJson(good)))).code).toBe('INVALID_ARGUMENT');
      expect((await op.getRound(id)).status).toBe('CLOSED');
      await op.commitClearing(id, digestOf(good));
      expect((await op.getRound(id)).status).toBe('CLEARED');
    },
    2 * MINUTE,
  );

  test(
    '6. a round settles exactly once, whatever the retries',
    async () => {
      const id = `${run}-6`;
      const round = await closedVectorARound(id);
      const expected = await expectedClearing(round);
      const result = digestOf(expected);
      const [first, second] = await Promise.all(
        [op.commitClearing(id, result), op.commitClearing(id, result)].map((p) =>
          p.then(
            (r) => r,
            (e: unknown) => e,
          ),
        ),
      );
      // concurrent duplicates: one commits, the other is an MVCC conflict or a no-op; never two results
      const stored = await op.getResult(id);
      for (const r of [first, second]) {
        if (r instanceof MarketClientError) expect(r.code).toBe('COMMIT_FAILED');
        else expect(r).toEqual(stored);
      }
      const again = await op.commitClearing(id, result);
      expect(again).toEqual(stored);
      expect((await op.getResult(id)).clearedTx).toBe(stored.clearedTx);
      const other = structuredClone(expected);
      other.price = '14';
      expect((await failure(op.commitClearing(id, digestOf(other)))).code).toBe('CONFLICT');
    },
    2 * MINUTE,
  );

  test(
    '6b. a retried bid submission (same salt) is recorded once; the same salt with other bids is refused',
    async () => {
      const id = `${run}-6b`;
      await openRound(id, 10 * MINUTE);
      const salt = randomBytes(16).toString('hex');
      const first = await u1.submitBids(id, U1_BIDS, salt);
      // submit returns once Utility1's peer committed; both endorsers must see the batch before a
      // retry, or they disagree (ENDORSEMENT_MISMATCH, retryable: the API's batcher retries it)
      while ((await op.getCommitments(id)).length === 0) await sleep(100);
      const retried = await u1.submitBids(id, U1_BIDS, salt);
      expect(retried).toEqual(first);
      const changed = await failure(u1.submitBids(id, U1_BIDS.slice(1), salt));
      expect(changed.code).toBe('CONFLICT');
      expect(await op.getCommitments(id)).toEqual([first]);
      expect((await u1.getBatches(id)).map((b) => b.bids)).toEqual([U1_BIDS]);
    },
    2 * MINUTE,
  );

  test(
    '7. commitment hashes are salted: identical bids give different hashes',
    async () => {
      const id = `${run}-7`;
      await openRound(id, 10 * MINUTE);
      const same: WireBid[] = [{ id: 'p1', side: 'buy', price: '15', quantity: '1' }];
      const [a, b] = [await u1.submitBids(id, same), await u1.submitBids(id, [{ ...same[0]!, id: 'p2' }])];
      const c = await u2.submitBids(id, same);
      expect(new Set([a.hash, b.hash, c.hash]).size).toBe(3);
      // the hash is not that of the batch without its salt, so guessing prices cannot confirm them
      const stored = (await u1.getBatches(id)).find((x) => x.batchId === a.batchId)!;
      expect(stored.salt).toMatch(/^[0-9a-f]{32,}$/);
      const unsalted = createHash('sha256')
        .update(canonicalJson({ ...stored, salt: '' }))
        .digest('hex');
      const salted = createHash('sha256').update(canonicalJson(stored)).digest('hex');
      expect(salted).toBe(a.hash);
      expect(unsalted).not.toBe(a.hash);
    },
    2 * MINUTE,
  );

  test(
    'a full round: both utilities bid, the operator clears, everyone reads what it may, sums balance',
    async () => {
      const id = `${run}-full`;
      const round = await closedVectorARound(id, { serviceFee: '0.5' });
      expect(round).toMatchObject({ status: 'CLOSED', batchCount: 2, bidCount: 8 });
      const expected = await expectedClearing(round);
      const stored = await op.commitClearing(id, digestOf(expected));
      expect(stored).toMatchObject({ status: 'cleared', price: '14.1', bidCount: 8 });
      // every org reads the public result and positions
      for (const c of [u1, u2]) expect(await c.getResult(id)).toEqual(stored);
      const positions = await u1.getPositions(id);
      expect(positions.map((p) => p.utility)).toEqual([U1, U2]);
      const s1 = await u1.getSettlement(id);
      const s2 = await u2.getSettlement(id);
      expect(await op.getSettlement(id, U1)).toEqual(s1);
      const lines = [...s1.lines, ...s2.lines];
      const sum = (side: string) =>
        lines.filter((l) => l.side === side).reduce((n, l) => n + parseMoney(l.payment), 0n);
      const fees = parseMoney(stored.totals.fees);
      expect(fees).toBeGreaterThan(0n);
      expect(sum('buy')).toBe(sum('sell') + fees);
      const kwh = (side: string) =>
        lines.filter((l) => l.side === side).reduce((n, l) => n + Math.round(Number(l.quantity) * 1000), 0);
      expect(kwh('buy')).toBe(kwh('sell'));
      expect(positions.reduce((n, p) => n + parseMoney(p.feesPaid), 0n)).toBe(fees);
    },
    2 * MINUTE,
  );
});

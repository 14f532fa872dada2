/**
 * A utility org joins the live channel (network/src/grow.ts), on a network of its own (a temporary
 * run directory, 2 utilities; the shared network must be down: the ports are the same):
 *  1. a round clears and settles with Utility1 and Utility2;
 *  2. Utility1's admin alone cannot add an org (the channel's MAJORITY Admins refuses the update);
 *  3. `addUtility` adds Utility3: its MSP is in the channel config, the chaincode's definition is
 *     the next sequence with Utility3's collection, the first round and its settlement are still
 *     there (the same ledger, read on the new peer too), and `up` again changes nothing;
 *  4. a round with Utility1 and Utility3 clears to the mechanism's result; Utility3 reads its own
 *     settlement, and neither Utility1 nor Utility3 reads the other's bids or settlement.
 * Run by scripts/test.sh as the `grow` phase (`npx jest --selectProjects grow --runInBand`).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { canonicalJson, clearRound } from '../../engine/src/mechanism';
import type { WireBid } from '../../engine/src/mechanism/types';
import { assembleRoundInput } from '../../chaincode/src/assemble';
import { sha256Hex } from '../../chaincode/src/codec';
import type { RoundRecord } from '../../chaincode/src/model';
import { connectGateway } from '../../fabric-client/src/connect';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { addApplicationOrg, channelOrgs } from '../../network/src/channel-config';
import { CommandError, FabricBin, fabricBinDir } from '../../network/src/exec';
import { addUtility, orgGroupOf, prepareNextUtility } from '../../network/src/grow';
import { committedDefinition } from '../../network/src/lifecycle';
import { down, loadTopology, up } from '../../network/src/network';
import { RunPaths } from '../../network/src/paths';
import { operatorOrg } from '../../network/config/topology';
import { eventually, whileUnavailable } from '../integration/round-helpers';
import { U1_BIDS, U2_BIDS } from '../fixtures/vector-a-split';

const MINUTE = 60_000;
const CHANNEL = 'energy';
const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const U2 = 'Utility2MSP';
const U3 = 'Utility3MSP';
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'energy-grow-'));
const p = new RunPaths(runDir);
const bin = new FabricBin(fabricBinDir());

describe('a utility org joins the live channel', () => {
  const gateways: Gateway[] = [];
  const clients = new Map<string, MarketClient>();
  const client = (msp: string): MarketClient => {
    const c = clients.get(msp);
    if (!c) throw new Error(`no client of ${msp}`);
    return c;
  };
  async function connect(msp: string): Promise<void> {
    const g = await connectGateway(msp, { runDir });
    gateways.push(g);
    clients.set(msp, new MarketClient(g.getNetwork(CHANNEL).getContract('market'), msp));
  }

  /** A round with one batch from each of `bidders`, closed and committed as the operator. */
  async function clearedRound(bidders: [string, WireBid[]][]): Promise<RoundRecord> {
    const id = `grow-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
    const closesAt = Math.ceil((Date.now() + 6000) / 1000) * 1000;
    const op = client(OP);
    const round = await whileUnavailable(() =>
      op.openRound({ id, slot: instant(Date.now() + 60 * MINUTE), closesAt: instant(closesAt) }),
    );
    // each bidder's own peer may commit the round's block a moment after the operator's
    await Promise.all(
      bidders.map(([msp, bids]) =>
        eventually(`${msp} bids in ${id}`, 30_000, () => client(msp).submitBids(id, bids)),
      ),
    );
    await sleep(Math.max(0, closesAt - Date.now() + 200));
    await op.closeRound(id);
    const commitments = await op.getCommitments(id);
    const batches = await Promise.all(
      commitments.map(async (c) => {
        const [stored] = await op.getBatchesById(id, c.utility, [c.batchId]);
        if (!stored) throw new Error(`batch ${c.batchId} of ${c.utility} not readable by the operator`);
        return { utility: c.utility, batchId: c.batchId, bids: stored.bids };
      }),
    );
    const expected = clearRound(assembleRoundInput(round.params, batches).input);
    const stored = await op.commitClearing(id, sha256Hex(canonicalJson(expected)));
    expect(stored.price).toBe(expected.price);
    return round;
  }

  /** The call is refused with FORBIDDEN by the chaincode. */
  async function forbidden(what: Promise<unknown>): Promise<void> {
    await expect(what).rejects.toBeInstanceOf(MarketClientError);
    await what.catch((e: unknown) => expect((e as MarketClientError).code).toBe('FORBIDDEN'));
  }

  let first: RoundRecord;

  beforeAll(async () => {
    await up({ runDir, utilities: 2, log });
    for (const msp of [OP, U1, U2]) await connect(msp);
  }, 10 * MINUTE);

  afterAll(async () => {
    for (const g of gateways) g.close();
    await down({ runDir, purge: true, log });
  }, 5 * MINUTE);

  test(
    'a round clears with the two founding utilities',
    async () => {
      first = await clearedRound([
        [U1, U1_BIDS],
        [U2, U2_BIDS],
      ]);
      const settlement = await client(U1).getSettlement(first.id);
      expect(settlement.lines.length).toBeGreaterThan(0);
    },
    5 * MINUTE,
  );

  test(
    "one member's admin alone cannot add an org: the channel wants a majority of the admins",
    () => {
      const next = prepareNextUtility({ runDir, log });
      const u1 = next.before.orgs.find((o) => o.mspId === U1)!;
      let refused: unknown;
      try {
        addApplicationOrg(next.before, p, bin, next.org.mspId, orgGroupOf(next), [u1]);
      } catch (e) {
        refused = e;
      }
      expect(refused).toBeInstanceOf(CommandError);
      expect((refused as CommandError).output).toMatch(/policy/i);
      expect(channelOrgs(next.before, p, bin, operatorOrg(next.before))).toEqual([OP, U1, U2]);
    },
    5 * MINUTE,
  );

  test(
    'addUtility adds Utility3 to the live channel: same ledger, next chaincode definition',
    async () => {
      const before = loadTopology(p);
      const sequenceBefore = committedDefinition(before, p, bin, operatorOrg(before))!;
      const started = Date.now();
      const { topology: t, org } = await addUtility({ runDir, log });
      log(`[grow] addUtility took ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(org.mspId).toBe(U3);
      expect(channelOrgs(t, p, bin, operatorOrg(t))).toEqual([OP, U1, U2, U3]);
      const definition = committedDefinition(t, p, bin, operatorOrg(t))!;
      expect(definition.sequence).toBe(sequenceBefore.sequence + 1);
      expect(definition.collections).toEqual(['bidsUtility1MSP', 'bidsUtility2MSP', 'bidsUtility3MSP']);

      await connect(U3);
      // the channel was not re-created: the first round is on the new org's peer, cleared
      const seen = await eventually('the first round on peer0.utility3', 60_000, () =>
        client(U3).getRound(first.id),
      );
      expect(seen.status).toBe('CLEARED');
      expect((await client(U3).getResult(first.id)).price).toBe((await client(OP).getResult(first.id)).price);
      expect((await client(U1).getSettlement(first.id)).lines.length).toBeGreaterThan(0);

      // up again is a no-op: the committed definition already has every collection
      await up({ runDir, log });
      expect(committedDefinition(t, p, bin, operatorOrg(t))!.sequence).toBe(definition.sequence);
    },
    10 * MINUTE,
  );

  test(
    'Utility3 trades with Utility1 and reads only its own private data',
    async () => {
      const round = await clearedRound([
        [U1, U1_BIDS],
        [U3, U2_BIDS],
      ]);
      // the clearing's commit returned on the operator's peer; Utility3's peer commits that block,
      // with Utility3's private settlement, a moment later (or, had the operator's peer not pushed
      // it, after pulling it: core.yaml pvtData.pullRetryThreshold 60 s)
      const own = await eventually(`Utility3's settlement of ${round.id} on its peer`, 120_000, () =>
        client(U3).getSettlement(round.id),
      );
      // vector A: Utility3 holds the bids Utility2 held in round 1, s2 among the winners
      expect(own.lines.map((l) => l.id)).toContain('s2');
      for (const line of own.lines) expect(U2_BIDS.map((b) => b.id)).toContain(line.id);
      expect((await client(U3).getBatches(round.id)).flatMap((b) => b.bids.map((x) => x.id)).sort()).toEqual([
        'b3',
        'b4',
        's2',
        's4',
      ]);
      await forbidden(client(U1).getSettlement(round.id, U3));
      await forbidden(client(U1).getBatches(round.id, U3));
      await forbidden(client(U3).getSettlement(round.id, U1));
      await forbidden(client(U3).getBatches(round.id, U1));
      await forbidden(client(U3).getSettlement(first.id, U2));
    },
    5 * MINUTE,
  );
});

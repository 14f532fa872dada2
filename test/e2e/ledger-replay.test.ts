/**
 * `energy-auction ledger` on the real Fabric network (network/src): the network is brought up (or
 * reused: `npm test` runs this in the e2e phase, on the network the integration phase started), the
 * operator's auctioneer runs in-process (manual mode) and clears one round that two utilities bid
 * in; then, through the built CLI (bin/energy-auction.js, as a researcher runs it):
 *  - the round is exported, `clear` of the export gives the committed resultDigest, and `ledger
 *    replay` reports the recorded clearing byte-identical (also as one of a --from/--to range, and
 *    with the identity named by a client config file);
 *  - a batch altered at the reading layer (the peer's answer changed before the check) fails its
 *    commitment check, naming the batch (exit 4); an altered export no longer clears to the record;
 *  - a utility asking to export the whole round gets the refusal (exit 5), and --own its own bids.
 * Needs `npm run build` (the CLI runs from dist/). Run serially: `npx jest --selectProjects e2e --runInBand`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { startAuctioneer, type AuctioneerHandle } from '../../auctioneer/src/service/service';
import { resultDigestOf } from '../../chaincode/src/clearing';
import type { StoredBatch } from '../../chaincode/src/model';
import type { WireClearingResult } from '../../engine/src/mechanism/types';
import { connectGateway, readConnectionProfile } from '../../fabric-client/src/connect';
import type { LedgerReadPort } from '../../fabric-client/src/ledger-read';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { CommitmentCheckError, LEDGER_EXIT } from '../../workbench/src/ledger/errors';
import { replayOne } from '../../workbench/src/ledger/run';
import { up } from '../../network/src/network';
import { U1_BIDS, U2_BIDS } from '../fixtures/vector-a-split';
import { requireBuild, runCli, type CliRun } from '../unit/workbench/run-cli';

const MINUTE = 60_000;
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** The operator's reads, with the first bid of `utility`'s batches changed as the peer answered. */
function tampered(market: MarketClient, utility: string): LedgerReadPort {
  return {
    mspId: market.mspId,
    getRound: (id) => market.getRound(id),
    listRounds: (s) => market.listRounds(s),
    getCommitments: (id) => market.getCommitments(id),
    getResult: (id) => market.getResult(id),
    getPositions: (id) => market.getPositions(id),
    getBatchesById: async (id, u, ids) =>
      (await market.getBatchesById(id, u, ids)).map(
        (b): StoredBatch =>
          b.utility === utility
            ? { ...b, bids: b.bids.map((x, i) => (i === 0 ? { ...x, quantity: '9' } : x)) }
            : b,
      ),
  };
}

const ok = (r: CliRun): string => {
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return r.stdout;
};

describe('ledger export and replay on the Fabric network', () => {
  let gateways: Gateway[] = [];
  let operator: MarketClient;
  let auctioneer: AuctioneerHandle | undefined;
  let tmp: string;
  let roundId: string;
  const started = Date.now();

  beforeAll(async () => {
    requireBuild();
    await up({ log });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-e2e-'));
    const msps = ['OperatorMSP', 'Utility1MSP', 'Utility2MSP'];
    gateways = await Promise.all(msps.map((m) => connectGateway(m)));
    const [op, u1, u2] = gateways.map(
      (g, i) => new MarketClient(g.getNetwork('energy').getContract('market'), msps[i]!),
    );
    operator = op!;
    auctioneer = await startAuctioneer({
      mode: 'manual',
      http: { port: 0 },
      checkpointFile: path.join(tmp, 'checkpoint.json'),
      reconcileIntervalMs: 60_000, // the close comes from the timer armed by RoundOpened
      logLevel: 'warn',
    });
    await auctioneer.ready;
    roundId = `e2e-ledger-${Date.now()}-${randomBytes(2).toString('hex')}`;
    // right after `up` the Raft orderers may still be electing a leader: retry UNAVAILABLE
    await waitFor('the orderers to accept transactions', MINUTE, async () => {
      try {
        return await operator.openRound({
          id: roundId,
          slot: instant(Date.now() + 30 * MINUTE),
          closesAt: instant(Date.now() + 10_000),
        });
      } catch (e) {
        if (e instanceof MarketClientError && e.code === 'UNAVAILABLE') return undefined;
        throw e;
      }
    });
    await Promise.all([u1!.submitBids(roundId, U1_BIDS), u2!.submitBids(roundId, U2_BIDS)]);
    await waitFor('the auctioneer to clear the round', 2 * MINUTE, async () =>
      (await operator.getRound(roundId)).status === 'CLEARED' ? true : undefined,
    );
    log(`ledger e2e: round ${roundId} cleared by the auctioneer after ${Date.now() - started} ms`);
  }, 10 * MINUTE);

  afterAll(async () => {
    await auctioneer?.stop();
    for (const g of gateways) g.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    log(`ledger e2e: ${Date.now() - started} ms in all`);
  });

  test(
    'the exported round clears to the committed result, and the replay is byte-identical',
    async () => {
      const recorded = await operator.getResult(roundId);
      const file = path.join(tmp, 'round.json');
      const exported = runCli(['ledger', 'export', roundId, '--out', file]);
      expect(exported.status).toBe(0);
      expect(exported.stderr).toMatch(
        /all 2 batch\(es\), 8 bid\(s\); every batch checked against its salted commitment/,
      );
      const cleared = JSON.parse(ok(runCli(['clear', file, '--json']))) as WireClearingResult;
      expect(resultDigestOf(cleared)).toBe(recorded.resultDigest);
      expect(cleared.price).toBe('14.1');

      const replay = ok(runCli(['ledger', 'replay', roundId]));
      expect(replay).toContain(`round ${roundId} (closed `);
      expect(replay).toContain('recorded clearing: byte-identical');
      expect(replay).toContain(`committed resultDigest ${recorded.resultDigest}`);

      const round = await operator.getRound(roundId);
      const ranged = ok(runCli(['ledger', 'replay', '--from', round.closesAt, '--to', round.closesAt]));
      expect(ranged).toMatch(new RegExp(`^${roundId}\\s.*\\sidentical$`, 'm'));
      expect(ok(runCli(['ledger', 'list', '--status', 'CLEARED']))).toContain(roundId);

      // the same identity named by a client config file instead of network/run/connection
      const profile = readConnectionProfile('OperatorMSP');
      const config = path.join(tmp, 'operator.json');
      fs.writeFileSync(
        config,
        JSON.stringify({
          mspId: profile.mspId,
          peerEndpoint: profile.peer.endpoint,
          peerHostAlias: profile.peer.hostAlias,
          tlsCACert: profile.peer.tlsCACertPath,
          cert: profile.identities.user.certPath,
          key: profile.identities.user.keyPath,
        }),
      );
      expect(ok(runCli(['ledger', 'replay', roundId, '--config', config]))).toContain(
        'recorded clearing: byte-identical',
      );
    },
    2 * MINUTE,
  );

  test(
    'a batch altered at the reading layer fails its commitment check, naming the batch',
    async () => {
      const u2 = (await operator.getCommitments(roundId)).find((c) => c.utility === 'Utility2MSP')!;
      const e = await replayOne(tampered(operator, 'Utility2MSP'), roundId).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(CommitmentCheckError);
      const failure = e as CommitmentCheckError;
      expect(failure.batchId).toBe(u2.batchId);
      expect(failure.exitCode).toBe(LEDGER_EXIT.commitment);
      expect(failure.message).toContain(
        `batch ${u2.batchId} of Utility2MSP does not match its hash (HASH_MISMATCH`,
      );

      // an export altered by hand is a different round: it no longer clears to the record
      const file = path.join(tmp, 'altered.json');
      ok(runCli(['ledger', 'export', roundId, '--out', file]));
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"price":"20"', '"price":"25"'));
      const cleared = JSON.parse(ok(runCli(['clear', file, '--json']))) as WireClearingResult;
      expect(resultDigestOf(cleared)).not.toBe((await operator.getResult(roundId)).resultDigest);
    },
    2 * MINUTE,
  );

  test(
    'a utility may export only its own bids: the whole round is refused with what to do instead',
    () => {
      const whole = runCli(['ledger', 'export', roundId, '--msp', 'Utility1MSP']);
      expect(whole.status).toBe(LEDGER_EXIT.refused);
      expect(whole.stdout).toBe('');
      expect(whole.stderr).not.toMatch(/\n\s+at /);
      expect(whole.stderr.trim()).toBe(
        `energy-auction: Utility1MSP may read only its own sealed bids: to export the whole round ${roundId} ` +
          "(every utility's bids) use the operator's identity (--msp OperatorMSP). As Utility1MSP, " +
          `"energy-auction ledger export ${roundId} --own --msp Utility1MSP" exports your 1 batch(es), 4 bid(s).`,
      );
      expect(runCli(['ledger', 'replay', roundId, '--msp', 'Utility1MSP']).status).toBe(LEDGER_EXIT.refused);
      const own = JSON.parse(ok(runCli(['ledger', 'export', roundId, '--own', '--msp', 'Utility1MSP']))) as {
        bids: { price: string }[];
      };
      expect(own.bids.map((b) => b.price)).toEqual(U1_BIDS.map((b) => b.price));
    },
    2 * MINUTE,
  );
});

/**
 * The auctioneer service on the real Fabric network (network/src): brings the network up (or
 * reuses it), then
 *  1. runs the service in-process (manual mode): a round opened a few seconds ahead, one sealed
 *     batch per utility; the service closes it at its close time (timer armed by RoundOpened) and
 *     clears it; the stored result is the mechanism's result on the same bids;
 *  2. runs the service as a child process, SIGKILLs it after it logged 'clearing' (paused before
 *     the commit by AUCTIONEER_PAUSE_BEFORE_COMMIT_MS), restarts it: the round settles exactly
 *     once (one RoundCleared), and a repeated commit is a no-op.
 * Run serially (`npx jest --selectProjects integration --runInBand`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChaincodeEvent, CloseableAsyncIterable, Gateway } from '@hyperledger/fabric-gateway';
import { canonicalJson, clearRound } from '../../engine/src/mechanism';
import type { WireRoundParams } from '../../engine/src/mechanism/types';
import { roundIdForSlot, slotStartOf } from '../../auctioneer/src/service/schedule';
import { startAuctioneer, type AuctioneerHandle } from '../../auctioneer/src/service/service';
import { assembleRoundInput } from '../../chaincode/src/assemble';
import { batchIdOf } from '../../chaincode/src/bids';
import { sha256Hex } from '../../chaincode/src/codec';
import { MarketClient, MarketClientError } from '../../fabric-client/src/market-client';
import { connectGateway } from '../../fabric-client/src/connect';
import { up } from '../../network/src/network';
import { U1_BIDS, U2_BIDS } from '../fixtures/vector-a-split';
import { computeDelivery } from '../../chaincode/src/delivery-input';
import type { MeterReading, Settlement } from '../../chaincode/src/model';
import { deliveryParamsOfRound } from '../../chaincode/src/rounds';
import { DECIMALS, formatEnergy, parseDecimal } from '../../engine/src/mechanism/units';

const MINUTE = 60_000;
const ROOT = path.resolve(__dirname, '..', '..');
const MAIN_JS = path.join(ROOT, 'dist', 'auctioneer', 'src', 'service', 'main.js');
const log = (line: string) => process.stdout.write(line + '\n');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The salt of each utility's one batch per round: it names the batch (chaincode batchIdOf). */
const SALTS = { Utility1MSP: randomBytes(16).toString('hex'), Utility2MSP: randomBytes(16).toString('hex') };

/** The mechanism's result computed here, independently of the service (vector A, both utilities). */
function expectedResultJson(roundId: string, params: Required<WireRoundParams>): string {
  const batches = [
    { utility: 'Utility1MSP', bids: U1_BIDS },
    { utility: 'Utility2MSP', bids: U2_BIDS },
  ] as const;
  return canonicalJson(
    clearRound(
      assembleRoundInput(
        params,
        batches.map((b) => ({ ...b, batchId: batchIdOf(roundId, b.utility, SALTS[b.utility]) })),
      ).input,
    ),
  );
}

async function waitFor<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Resolves once the child process has exited (at once if it already has). */
const exited = (c: ChildProcess) =>
  new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

/** Stops (SIGTERM) each child still running, and waits for it to exit. */
async function stopChildren(...children: (ChildProcess | undefined)[]): Promise<void> {
  for (const c of children) {
    if (c && c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      await exited(c);
    }
  }
}

/**
 * The auctioneer service as child processes (manual mode, JSON log at info) sharing one log: each
 * `start` spawns dist/auctioneer/src/service/main.js with `env` plus `extra`; `record(roundId, msg)`
 * is the last log record of that round with that message, `logged` whether there is one.
 */
function childAuctioneer(env: Record<string, string>) {
  const lines: string[] = [];
  const start = (extra: Record<string, string>): ChildProcess => {
    const child = spawn(process.execPath, [MAIN_JS], {
      env: {
        ...process.env,
        AUCTIONEER_MODE: 'manual',
        AUCTIONEER_PORT: '0',
        AUCTIONEER_LOG_LEVEL: 'info',
        ...env,
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      lines.push(...parts);
    });
    child.stderr.on('data', (d: Buffer) => log(`auctioneer stderr: ${d.toString().trim()}`));
    return child;
  };
  const record = (roundId: string, msg: string): Record<string, unknown> | undefined => {
    for (const l of [...lines].reverse()) {
      try {
        const o = JSON.parse(l) as { roundId?: string; msg?: string };
        if (o.roundId === roundId && o.msg === msg) return o;
      } catch {
        // not a JSON line
      }
    }
    return undefined;
  };
  const logged = (roundId: string, msg: string) => record(roundId, msg) !== undefined;
  return { start, lines, logged, record };
}

/** Every chaincode event from the next block on, collected until `close()`. */
async function collectEvents(g: Gateway) {
  const events: CloseableAsyncIterable<ChaincodeEvent> = await g
    .getNetwork('energy')
    .getChaincodeEvents('market');
  const seen: { name: string; roundId: string }[] = [];
  const collecting = (async () => {
    try {
      for await (const ev of events) {
        const body = JSON.parse(new TextDecoder().decode(ev.payload)) as { roundId: string };
        seen.push({ name: ev.eventName, roundId: body.roundId });
      }
    } catch {
      // the stream ends with an error when closed
    }
  })();
  return {
    seen,
    close: async () => {
      events.close();
      await collecting;
    },
  };
}

describe('auctioneer service on the Fabric network', () => {
  let gateways: Gateway[] = [];
  let operator: MarketClient;
  let u1: MarketClient;
  let u2: MarketClient;
  let tmp: string;

  beforeAll(async () => {
    await up({ log });
    const [op, g1, g2] = await Promise.all(
      ['OperatorMSP', 'Utility1MSP', 'Utility2MSP'].map((m) => connectGateway(m)),
    );
    gateways = [op!, g1!, g2!];
    const client = (g: Gateway, msp: string) =>
      new MarketClient(g.getNetwork('energy').getContract('market'), msp);
    operator = client(op!, 'OperatorMSP');
    u1 = client(g1!, 'Utility1MSP');
    u2 = client(g2!, 'Utility2MSP');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auctioneer-it-'));
  }, 15 * MINUTE);

  afterAll(() => {
    for (const g of gateways) g.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * Submits a batch once the utility's own peer has the round: OpenRound's answer comes from the
   * operator's peer, and another org's peer may commit that block a moment later (NOT_FOUND).
   */
  async function bidWhenVisible(c: MarketClient, id: string, bids: typeof U1_BIDS, salt?: string) {
    return waitFor(`${c.mspId}'s peer to have round ${id}`, 30_000, async () => {
      try {
        return await c.submitBids(id, bids, salt);
      } catch (e) {
        if (e instanceof MarketClientError && e.code === 'NOT_FOUND') return undefined;
        throw e;
      }
    });
  }

  /** Opens a round closing `closeInMs` from now and submits one batch per utility. */
  async function roundWithBids(closeInMs: number): Promise<string> {
    const id = `it-auct-${Date.now()}-${randomBytes(2).toString('hex')}`;
    // right after `up` the Raft orderers may still be electing a leader: retry UNAVAILABLE
    await waitFor('the orderers to accept transactions', MINUTE, async () => {
      try {
        return await operator.openRound({
          id,
          slot: instant(Date.now() + 30 * MINUTE),
          closesAt: instant(Date.now() + closeInMs),
        });
      } catch (e) {
        if (e instanceof MarketClientError && e.code === 'UNAVAILABLE') return undefined;
        throw e;
      }
    });
    await Promise.all([
      bidWhenVisible(u1, id, U1_BIDS, SALTS.Utility1MSP),
      bidWhenVisible(u2, id, U2_BIDS, SALTS.Utility2MSP),
    ]);
    return id;
  }

  test(
    'closes the round at its close time and commits the mechanism result of its bids',
    async () => {
      let service: AuctioneerHandle | undefined;
      try {
        service = await startAuctioneer({
          mode: 'manual',
          http: { port: 0 },
          checkpointFile: path.join(tmp, 'inprocess-checkpoint.json'),
          reconcileIntervalMs: 60_000, // the close must come from the timer armed by RoundOpened
          logLevel: 'warn',
        });
        await service.ready;
        const ready = await fetch(`http://127.0.0.1:${service.port}/readyz`);
        expect(ready.status).toBe(200);

        const id = await roundWithBids(15_000);
        const round = await operator.getRound(id);
        expect(round.status).toBe('OPEN');

        const cleared = await waitFor('CLEARED', 2 * MINUTE, async () => {
          const r = await operator.getRound(id);
          return r.status === 'CLEARED' ? r : undefined;
        });
        expect(cleared.closedTx).toBeDefined();
        const stored = await operator.getResult(id);
        const expected = expectedResultJson(id, round.params);
        expect(stored.resultDigest).toBe(sha256Hex(expected));
        expect(stored.price).toBe('14.1');
        expect(stored.bidCount).toBe(8);
        expect(stored.batchCount).toBe(2);

        const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
        expect(metrics).toMatch(/^auctioneer_rounds_closed_total [1-9]/m);
        expect(metrics).toMatch(/^auctioneer_rounds_cleared_total\{status="cleared"\} [1-9]/m);
      } finally {
        await service?.stop();
      }
    },
    5 * MINUTE,
  );

  test(
    'schedule mode: opens the next slot, a restarted instance re-opens idempotently, then closes and clears it',
    async () => {
      const cfg = {
        mode: 'schedule' as const,
        slotMinutes: 1,
        gateClosureSeconds: 15,
        openAheadSlots: 1,
        minBiddingMs: 8_000,
        scheduleTickMs: 2_000,
        reconcileIntervalMs: 60_000,
        http: { port: 0 },
        logLevel: 'warn',
      };
      let a: AuctioneerHandle | undefined;
      let b: AuctioneerHandle | undefined;
      try {
        a = await startAuctioneer({ ...cfg, checkpointFile: path.join(tmp, 'schedule-a.json') });
        await a.ready;
        const opened = await waitFor('a scheduled round', MINUTE, async () => {
          const ids = (await operator.listRounds('OPEN')).map((r) => r.id);
          const next = roundIdForSlot(slotStartOf(Date.now(), 1) + 60_000);
          const later = roundIdForSlot(slotStartOf(Date.now(), 1) + 120_000);
          return ids.find((id) => id === next || id === later);
        });
        const round = await operator.getRound(opened);
        expect(round.id).toBe(roundIdForSlot(Date.parse(round.slot)));
        expect(Date.parse(round.slot) - Date.parse(round.closesAt)).toBe(15_000);
        await a.stop();
        a = undefined;

        // a second instance with the same schedule: the same round id, CONFLICT taken as "open"
        b = await startAuctioneer({ ...cfg, checkpointFile: path.join(tmp, 'schedule-b.json') });
        await b.ready;
        const cleared = await waitFor('the scheduled round to clear', 2 * MINUTE, async () => {
          const r = await operator.getRound(opened);
          return r.status === 'CLEARED' ? r : undefined;
        });
        expect(cleared.bidCount).toBe(0);
        const errors = await b.metrics.registry.getSingleMetric('auctioneer_errors_total')?.get();
        expect(errors?.values.filter((v) => v.labels.op === 'openRound')).toEqual([]);
        // b did not open it again: the round is still the one a opened
        expect((await operator.getRound(opened)).openedTx).toBe(round.openedTx);
      } finally {
        await a?.stop();
        await b?.stop();
      }
    },
    5 * MINUTE,
  );

  test(
    'killed between clearing and commit, the restarted service settles the round exactly once',
    async () => {
      expect(fs.existsSync(MAIN_JS)).toBe(true); // `npm run build` first
      const checkpoint = path.join(tmp, 'child-checkpoint.json');
      const {
        start: startChild,
        lines,
        logged,
      } = childAuctioneer({
        AUCTIONEER_CHECKPOINT_FILE: checkpoint,
        AUCTIONEER_RECONCILE_MS: '60000',
      });

      // every chaincode event from the next block on, to count RoundCleared
      const events = await collectEvents(gateways[0]!);
      const seen = events.seen;

      const child = startChild({ AUCTIONEER_PAUSE_BEFORE_COMMIT_MS: String(10 * MINUTE) });
      let restarted: ChildProcess | undefined;
      try {
        await waitFor('the first service to be ready', MINUTE, () =>
          lines.some((l) => l.includes('"auctioneer ready"')) ? true : undefined,
        );
        const id = await roundWithBids(12_000);
        await waitFor("'clearing' in the log", 2 * MINUTE, () => (logged(id, 'clearing') ? true : undefined));
        child.kill('SIGKILL');
        await exited(child);
        expect(child.signalCode).toBe('SIGKILL');
        expect((await operator.getRound(id)).status).toBe('CLOSED');
        expect(logged(id, 'round cleared')).toBe(false);
        expect(fs.existsSync(checkpoint)).toBe(true);

        restarted = startChild({});
        await waitFor('CLEARED after the restart', 2 * MINUTE, async () =>
          (await operator.getRound(id)).status === 'CLEARED' ? true : undefined,
        );
        await waitFor("'round cleared' from the restarted service", MINUTE, () =>
          logged(id, 'round cleared') ? true : undefined,
        );
        const stored = await operator.getResult(id);
        const expected = expectedResultJson(id, (await operator.getRound(id)).params);
        expect(stored.resultDigest).toBe(sha256Hex(expected));

        // a second commit of the same result is a no-op; a different one is refused
        const again = await operator.commitClearing(id, sha256Hex(expected));
        expect(again).toEqual(stored);
        const different = expected.replace('"price":"14.1"', '"price":"14.2"');
        expect(different).not.toBe(expected);
        const err = await operator.commitClearing(id, sha256Hex(different)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MarketClientError);
        expect((err as MarketClientError).code).toBe('CONFLICT');

        await sleep(5_000); // let any stray commit land before counting
        const mine = seen.filter((e) => e.roundId === id).map((e) => e.name);
        expect(mine.filter((n) => n === 'RoundClosed')).toHaveLength(1);
        expect(mine.filter((n) => n === 'RoundCleared')).toHaveLength(1);
      } finally {
        await events.close();
        await stopChildren(child, restarted);
      }
    },
    8 * MINUTE,
  );

  test(
    'killed between computing and committing a delivery settlement, the restarted service settles it exactly once',
    async () => {
      expect(fs.existsSync(MAIN_JS)).toBe(true); // `npm run build` first
      const { start, lines, record, logged } = childAuctioneer({
        AUCTIONEER_CHECKPOINT_FILE: path.join(tmp, 'settle-checkpoint.json'),
        AUCTIONEER_RECONCILE_MS: '2000',
      });
      const events = await collectEvents(gateways[0]!);
      const child = start({ AUCTIONEER_PAUSE_BEFORE_SETTLE_MS: String(10 * MINUTE) });
      let restarted: ChildProcess | undefined;
      try {
        await waitFor('the first service to be ready', MINUTE, () =>
          lines.some((l) => l.includes('"auctioneer ready"')) ? true : undefined,
        );
        // a round with delivery: slot 2 s from its close, readings until 25 s after the slot's end
        const id = `it-settle-${Date.now()}-${randomBytes(2).toString('hex')}`;
        const closesAt = Math.ceil(Date.now() / 1000) * 1000 + 10_000;
        const delivery = {
          shortPremium: '0.25',
          longDiscount: '0.15',
          slotSeconds: 2,
          gateClosureSeconds: 25,
        };
        await operator.openRound({ id, slot: instant(closesAt), closesAt: instant(closesAt), delivery });
        await Promise.all([bidWhenVisible(u1, id, U1_BIDS), bidWhenVisible(u2, id, U2_BIDS)]);
        await waitFor('the service to clear the round', 2 * MINUTE, async () =>
          (await operator.getRound(id)).status === 'CLEARED' ? true : undefined,
        );
        // each utility meters its cleared lines off by a few Wh, both ways (not all exact)
        const readings = (s: Settlement, off: number): MeterReading[] =>
          s.lines.map((l, i) => ({
            batchId: l.batchId,
            id: l.id,
            side: l.side,
            quantity: formatEnergy(
              Math.max(0, parseDecimal(l.quantity, DECIMALS.energy) + (i % 2 ? off : -off)),
            ),
          }));
        let sent = 0;
        for (const [c, off] of [
          [u1, 11],
          [u2, 7],
        ] as const) {
          const own = await waitFor(`${c.mspId}'s settlement lines`, 30_000, () =>
            c.getSettlement(id).catch(() => undefined),
          );
          const mine = readings(own, off);
          await c.submitMeterReadings(id, mine);
          sent += mine.length;
        }
        const gate = closesAt + 2_000 + 25_000;
        expect(Date.now()).toBeLessThan(gate);

        // after the gate the service reads and computes, logs 'settling' and waits: kill it there
        const settling = await waitFor("'settling' in the log", 2 * MINUTE, () => record(id, 'settling'));
        child.kill('SIGKILL');
        await exited(child);
        expect(child.signalCode).toBe('SIGKILL');
        expect((await operator.getRound(id)).status).toBe('CLEARED');
        expect(logged(id, 'round settled')).toBe(false);

        // what the ledger holds, settled here with the chaincode's own function: the same digest
        const round = await operator.getRound(id);
        const result = await operator.getResult(id);
        const utilities = (await operator.getPositions(id)).map((p) => p.utility);
        const expected = computeDelivery(
          result,
          await Promise.all(utilities.map((u) => operator.getSettlement(id, u))),
          (await Promise.all(utilities.map((u) => operator.getReadings(id, u)))).flat(),
          deliveryParamsOfRound(round),
        );
        expect(settling.digest).toBe(expected.digest);
        expect(settling.readings).toBe(sent);

        restarted = start({});
        const settledAfterMs = Date.now();
        await waitFor('SETTLED after the restart', 2 * MINUTE, async () =>
          (await operator.getRound(id)).status === 'SETTLED' ? true : undefined,
        );
        await waitFor("'round settled' from the restarted service", MINUTE, () =>
          logged(id, 'round settled') ? true : undefined,
        );
        log(`[auctioneer] settled ${((Date.now() - settledAfterMs) / 1000).toFixed(1)} s after the restart`);
        const stored = await operator.getDelivery(id);
        expect(stored.settlementDigest).toBe(expected.digest);
        expect(record(id, 'round settled')?.settledTx).toBe(stored.settledTx);

        // a second settlement, with the same digest or another, is refused and changes nothing
        for (const digest of [expected.digest, '0'.repeat(64)]) {
          const err = await operator.settleDelivery(id, digest).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(MarketClientError);
          expect((err as MarketClientError).code).toBe('ALREADY_SETTLED');
        }
        expect((await operator.getDelivery(id)).settledTx).toBe(stored.settledTx);

        await sleep(5_000); // let any stray commit land before counting
        const settledEvents = events.seen.filter((e) => e.roundId === id && e.name === 'DeliverySettled');
        expect(settledEvents).toHaveLength(1);
      } finally {
        await events.close();
        await stopChildren(child, restarted);
      }
    },
    8 * MINUTE,
  );
});

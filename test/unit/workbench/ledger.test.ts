/**
 * `energy-auction ledger` on the real chaincode logic (test/unit/gateway/fake-market.ts: chaincode/src
 * on an in-memory channel, one client per org): rounds opened, bid, closed and cleared through the
 * chaincode are exported, replayed and compared; batches and results altered at the reading layer
 * are caught and named; a utility gets its own bids only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareClearing } from '../../../auctioneer/src/service/prepare';
import { commitClearing, resultDigestOf } from '../../../chaincode/src/clearing';
import { closeRound, openRound } from '../../../chaincode/src/rounds';
import type { StoredBatch } from '../../../chaincode/src/model';
import { clearRound } from '../../../engine/src/mechanism';
import type { LedgerReadPort } from '../../../fabric-client/src/ledger-read';
import { CliError } from '../../../workbench/src/errors';
import { roundCsvChunks, roundJsonChunks } from '../../../workbench/src/format-round';
import { CommitmentCheckError, LEDGER_EXIT } from '../../../workbench/src/ledger/errors';
import { formatReport } from '../../../workbench/src/ledger/format';
import { exitCodeOf, formatSummary } from '../../../workbench/src/ledger/outcome';
import {
  exportLedgerRound,
  listLedgerRounds,
  replayMany,
  replayOne,
  selectedRounds,
} from '../../../workbench/src/ledger/run';
import { writeOutput } from '../../../workbench/src/output';
import type { Progress } from '../../../workbench/src/progress';
import { readRound } from '../../../workbench/src/read-round';
import { U1_BIDS, U2_BIDS } from '../../fixtures/vector-a-split';
import { FakeLedger, OP, U1, U2 } from '../gateway/fake-market';

const SALT1 = '11'.repeat(16);
const SALT2 = '22'.repeat(16);
const SLOT = '2098-06-01T00:00:00Z';

/** Opens `id` closing at `closesAt`, seeds one batch per utility, then closes (and clears) it. */
async function addRound(
  l: FakeLedger,
  id: string,
  closesAt: string,
  until: 'OPEN' | 'CLOSED' | 'CLEARED' = 'CLEARED',
): Promise<void> {
  const now = Date.now() / 1000;
  await l.channel.run({ msp: OP, time: now }, (x) => openRound(x, { id, slot: SLOT, closesAt }));
  await l.seedBatch(U1, id, U1_BIDS, SALT1);
  await l.seedBatch(U2, id, U2_BIDS, SALT2);
  if (until === 'OPEN') return;
  const at = Date.parse(closesAt) / 1000;
  const round = await l.channel.run({ msp: OP, time: at }, (x) => closeRound(x, id));
  if (until === 'CLOSED') return;
  const { resultDigest } = await prepareClearing(l.client(OP), round);
  await l.channel.run({ msp: OP, time: at + 1 }, (x) => commitClearing(x, id, resultDigest));
}

/** The port with one bid of `utility`'s batch altered as the peer returned it. */
function tamperedBatches(port: LedgerReadPort, utility: string): LedgerReadPort {
  return {
    mspId: port.mspId,
    getRound: (id) => port.getRound(id),
    listRounds: (s) => port.listRounds(s),
    getCommitments: (id) => port.getCommitments(id),
    getResult: (id) => port.getResult(id),
    getPositions: (id) => port.getPositions(id),
    getBatchesById: async (id, u, ids) => {
      const batches = await port.getBatchesById(id, u, ids);
      return batches.map(
        (b): StoredBatch =>
          b.utility === utility
            ? { ...b, bids: b.bids.map((x, i) => (i === 0 ? { ...x, price: '99' } : x)) }
            : b,
      );
    },
  };
}

/** The port with the recorded result's price altered. */
function tamperedResult(port: LedgerReadPort): LedgerReadPort {
  return {
    ...tamperedBatches(port, 'nobody'),
    getResult: async (id) => ({ ...(await port.getResult(id)), price: '14.2' }),
  };
}

const noProgress: Progress = {
  start: () => undefined,
  update: () => undefined,
  step: () => undefined,
  done: () => undefined,
  stop: () => undefined,
};

async function rejection(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error('expected a CliError');
}

describe('ledger replay and export on the chaincode', () => {
  let l: FakeLedger;
  let tmp: string;

  beforeAll(async () => {
    l = new FakeLedger();
    await addRound(l, 'r-a', '2098-01-01T10:00:00Z');
    await addRound(l, 'r-b', '2098-01-01T11:00:00Z');
    await addRound(l, 'r-open', '2098-01-01T12:00:00Z', 'OPEN');
    await addRound(l, 'r-closed', '2098-01-01T13:00:00Z', 'CLOSED');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-unit-'));
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a cleared round replays byte-identical to the recorded clearing', async () => {
    const report = await replayOne(l.client(OP), 'r-a');
    expect(report).toMatchObject({
      roundId: 'r-a',
      batches: 2,
      bids: 8,
      status: 'cleared',
      price: '14.1',
      identical: true,
      counterfactual: false,
      differences: [],
    });
    expect(report.replayedDigest).toBe(report.recordedDigest);
    expect(report.recordedDigest).toBe((await l.client(OP).getResult('r-a')).resultDigest);
    expect(formatReport(report)).toMatch(/recorded clearing: byte-identical/);
  });

  test('a batch altered at the reading layer fails its commitment check, naming the batch (exit 4)', async () => {
    const commitments = await l.client(OP).getCommitments('r-a');
    const u2 = commitments.find((c) => c.utility === U2)!;
    const e = await rejection(replayOne(tamperedBatches(l.client(OP), U2), 'r-a'));
    expect(e).toBeInstanceOf(CommitmentCheckError);
    expect((e as CommitmentCheckError).batchId).toBe(u2.batchId);
    expect((e as CommitmentCheckError).failure.code).toBe('HASH_MISMATCH');
    expect(e.exitCode).toBe(LEDGER_EXIT.commitment);
    expect(e.message).toContain(
      `batch ${u2.batchId} of ${U2} does not match its hash (HASH_MISMATCH, committed ${u2.hash}`,
    );
  });

  test('a recorded result that differs from the replay is reported field by field', async () => {
    const report = await replayOne(tamperedResult(l.client(OP)), 'r-a');
    expect(report.identical).toBe(false);
    expect(report.differences).toEqual([{ field: 'price', recorded: '14.2', replayed: '14.1' }]);
    expect(formatReport(report)).toMatch(
      /DIFFERS from the replay in:\n\s+field\s+recorded\s+replayed\n\s+price\s+14\.2\s+14\.1/,
    );
  });

  test('--mechanism doan2021 is a what-if, not a failure', async () => {
    const report = await replayOne(l.client(OP), 'r-a', 'doan2021');
    expect(report.counterfactual).toBe(true);
    expect(report.profile).toBe('doan2021');
    expect(report.recordedProfile).toBe('default');
    expect(report.differences.map((d) => d.field)).toContain('profile');
    expect(formatReport(report)).toMatch(/^what-if: cleared with doan2021/m);
  });

  test('a round not yet cleared cannot be replayed (exit 1)', async () => {
    const e = await rejection(replayOne(l.client(OP), 'r-closed'));
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(
      'round r-closed is CLOSED, not CLEARED: it has no committed result to replay yet ("ledger export" writes its bids once it is closed)',
    );
  });

  test('an unknown round is named (exit 1)', async () => {
    const e = await rejection(replayOne(l.client(OP), 'nope'));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/^round nope: NOT_FOUND: /);
  });

  test('the exported JSON file is accepted by clear and gives the recorded result byte for byte', async () => {
    const exported = await exportLedgerRound(l.client(OP), 'r-a', { own: false });
    expect(exported.batches).toBe(2);
    const file = path.join(tmp, 'r-a.json');
    await writeOutput(file, roundJsonChunks(exported.file));
    const { round } = await readRound(file);
    expect(round.bids).toHaveLength(8);
    const recorded = await l.client(OP).getResult('r-a');
    expect(resultDigestOf(clearRound(round))).toBe(recorded.resultDigest);
  });

  test('the exported CSV file clears to the same result with the params the note names', async () => {
    const exported = await exportLedgerRound(l.client(OP), 'r-a', { own: false });
    const file = path.join(tmp, 'r-a.csv');
    await writeOutput(file, roundCsvChunks(exported.file));
    const { round } = await readRound(file);
    const recorded = await l.client(OP).getResult('r-a');
    expect(resultDigestOf(clearRound({ ...round, params: exported.file.params }))).toBe(
      recorded.resultDigest,
    );
  });

  test('a closed, uncleared round can be exported; an open one cannot', async () => {
    expect((await exportLedgerRound(l.client(OP), 'r-closed', { own: false })).file.bids).toHaveLength(8);
    const e = await rejection(exportLedgerRound(l.client(OP), 'r-open', { own: false }));
    expect(e.message).toMatch(/^round r-open is OPEN: its bids are final only once it closes/);
  });

  test('a utility asking for the whole round gets a clear refusal (exit 5); --own exports its own bids', async () => {
    const e = await rejection(exportLedgerRound(l.client(U1), 'r-a', { own: false }));
    expect(e.exitCode).toBe(LEDGER_EXIT.refused);
    expect(e.message).toBe(
      `${U1} may read only its own sealed bids: to export the whole round r-a (every utility's bids) use the ` +
        `operator's identity (--msp ${OP}). As ${U1}, "energy-auction ledger export r-a --own --msp ${U1}" ` +
        'exports your 1 batch(es), 4 bid(s).',
    );
    const own = await exportLedgerRound(l.client(U1), 'r-a', { own: true });
    expect(own).toMatchObject({ batches: 1, roundBatches: 2, own: true });
    expect(own.file.bids.map((b) => b.price)).toEqual(U1_BIDS.map((b) => b.price));
    const replay = await rejection(replayOne(l.client(U1), 'r-a'));
    expect(replay.exitCode).toBe(LEDGER_EXIT.refused);
    expect(replay.message).toMatch(/to replay the round r-a/);
    const op = await rejection(exportLedgerRound(l.client(OP), 'r-a', { own: true }));
    expect(op.message).toMatch(/submits no bids/);
  });

  test('a utility reading its own batches still checks them against the commitments', async () => {
    const e = await rejection(exportLedgerRound(tamperedBatches(l.client(U1), U1), 'r-a', { own: true }));
    expect(e).toBeInstanceOf(CommitmentCheckError);
  });

  test('list and --from/--to select rounds by close time', async () => {
    const all = await listLedgerRounds(l.client(U1), {});
    expect(all.map((r) => r.id)).toEqual(['r-a', 'r-b', 'r-open', 'r-closed']);
    const cleared = await listLedgerRounds(l.client(OP), { status: 'CLEARED' });
    expect(cleared.map((r) => r.id)).toEqual(['r-a', 'r-b']);
    const from = Date.parse('2098-01-01T11:00:00Z');
    const to = Date.parse('2098-01-01T12:00:00Z');
    const ranged = await selectedRounds(l.client(OP), { ids: [], from, to });
    expect(ranged.map((r) => r.id)).toEqual(['r-b', 'r-open']);
    const e = await rejection(selectedRounds(l.client(OP), { ids: ['r-a', 'x', 'y'] }));
    expect(e.message).toBe('not on the ledger: x, y');
  });

  test('many rounds: one outcome each, a summary table and the worst exit code', async () => {
    const rounds = await selectedRounds(l.client(OP), { ids: [], from: 0 });
    const outcomes = await replayMany(l.client(OP), rounds, { progress: noProgress });
    expect(outcomes.map((o) => o.kind)).toEqual(['replayed', 'replayed', 'skipped', 'skipped']);
    expect(exitCodeOf(outcomes)).toBe(0);
    const table = formatSummary(outcomes);
    expect(table).toMatch(/^r-a\s+2098-01-01T10:00:00Z\s+8\s+cleared\s+14\.1\s+\S+\s+identical$/m);
    expect(table).toMatch(/^r-open\s.*skipped: OPEN, not cleared$/m);
    expect(table).toContain(
      '4 round(s): 2 identical, 0 differ, 0 failed the commitment check, 2 not cleared, 0 unreadable',
    );

    const bad = await replayMany(tamperedBatches(l.client(OP), U1), rounds.slice(0, 1), {
      progress: noProgress,
    });
    expect(bad[0]?.kind).toBe('commitment');
    expect(formatSummary(bad)).toMatch(/COMMITMENT FAILED: batch [0-9a-f]{16} \(HASH_MISMATCH\)/);
    expect(exitCodeOf(bad)).toBe(LEDGER_EXIT.commitment);
    const differs = await replayMany(tamperedResult(l.client(OP)), rounds.slice(0, 2), {
      progress: noProgress,
    });
    expect(exitCodeOf(differs)).toBe(LEDGER_EXIT.differs);
    expect(formatSummary(differs)).toMatch(/DIFFERS: price$/m);
    const refused = await rejection(replayMany(l.client(U2), rounds, { progress: noProgress }));
    expect(refused.exitCode).toBe(LEDGER_EXIT.refused);
  });
});

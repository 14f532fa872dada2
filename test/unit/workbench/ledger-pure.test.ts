/** The pure parts of `energy-auction ledger`: comparison, selection, error texts, config files. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { BatchCheckFailure } from '../../../chaincode/src/batch-check';
import type { RoundRecord } from '../../../chaincode/src/model';
import { readClientConfig } from '../../../fabric-client/src/client-config';
import { MarketClientError } from '../../../fabric-client/src/market-client';
import { diffPositions, diffValues } from '../../../workbench/src/ledger/compare';
import { commitmentFailureText, LEDGER_EXIT, ledgerReadError } from '../../../workbench/src/ledger/errors';
import { formatRoundList } from '../../../workbench/src/ledger/format';
import { csvParamFlags } from '../../../workbench/src/ledger/round-file';
import { parseInstant, selectRounds } from '../../../workbench/src/ledger/select';

const round = (id: string, closesAt: string): RoundRecord => ({
  id,
  slot: '2098-01-01T00:00:00Z',
  closesAt,
  status: 'CLEARED',
  params: { profile: 'default', alpha: '2', gridStep: '0.01', serviceFee: '0' },
  mechanismVersion: 'stackelberg-da/1',
  openedTx: 'tx',
});

describe('comparison', () => {
  test('names every differing leaf by path, in key order', () => {
    const a = { price: '14.1', totals: { energy: '6', fees: '0' }, breakEven: { buyer: 1 }, reason: 'x' };
    const b = { price: '14.1', totals: { energy: '7', fees: '0' }, breakEven: { buyer: 2 } };
    expect(diffValues(a, b)).toEqual([
      { field: 'totals.energy', recorded: '6', replayed: '7' },
      { field: 'breakEven.buyer', recorded: '1', replayed: '2' },
      { field: 'reason', recorded: 'x', replayed: '(none)' },
    ]);
    expect(diffValues(a, a)).toEqual([]);
    expect(diffValues(a, { ...a, price: '15' }, '', new Set(['price']))).toEqual([]);
  });

  test('positions are compared per utility whatever their order', () => {
    const p = (utility: string, energySold: string) => ({
      roundId: 'r',
      utility,
      energyBought: '0',
      energySold,
      moneyPaid: '0',
      moneyReceived: '0',
      feesPaid: '0',
    });
    expect(diffPositions([p('U2', '1'), p('U1', '2')], [p('U1', '2'), p('U2', '1')])).toEqual([]);
    expect(diffPositions([p('U1', '2')], [p('U1', '3'), p('U2', '1')]).map((d) => d.field)).toEqual([
      'positions.U1.energySold',
      'positions.U2.roundId',
      'positions.U2.utility',
      'positions.U2.energyBought',
      'positions.U2.energySold',
      'positions.U2.moneyPaid',
      'positions.U2.moneyReceived',
      'positions.U2.feesPaid',
    ]);
  });
});

describe('selection by id and close time', () => {
  const rounds = [
    round('c', '2098-01-03T00:00:00Z'),
    round('a', '2098-01-01T00:00:00Z'),
    round('b', '2098-01-02T00:00:00Z'),
  ];

  test('ids in the order named, then the range by close time, without repeats', () => {
    const from = parseInstant('2098-01-02');
    expect(selectRounds(rounds, { ids: ['c', 'a', 'zz', 'zz'], from }).selected.map((r) => r.id)).toEqual([
      'c',
      'a',
      'b',
    ]);
    expect(selectRounds(rounds, { ids: ['zz', 'zz'] }).missing).toEqual(['zz']);
    expect(
      selectRounds(rounds, { ids: [], to: parseInstant('2098-01-02T00:00:00Z') }).selected.map((r) => r.id),
    ).toEqual(['a', 'b']);
    expect(selectRounds(rounds, { ids: [] }).selected).toEqual([]);
  });

  test('--from/--to take ISO 8601 with a zone, or a date', () => {
    expect(parseInstant('2026-12-03T10:00:00Z')).toBe(Date.UTC(2026, 11, 3, 10));
    expect(parseInstant('2026-12-03T11:00+01:00')).toBe(Date.UTC(2026, 11, 3, 10));
    expect(parseInstant('2026-12-03')).toBe(Date.UTC(2026, 11, 3));
    for (const bad of ['yesterday', '2026-12-03T10:00:00', '1733220000', '2026-13-03']) {
      expect(() => parseInstant(bad)).toThrow(InvalidArgumentError);
    }
  });

  test('the round list is a table, or says that nothing matches', () => {
    expect(formatRoundList([])).toBe('no rounds on the ledger match\n');
    expect(formatRoundList(rounds.slice(0, 1))).toMatch(
      /^round\s+slot\s+closes\s+status\s+batches\s+bids\s+profile\nc\s/,
    );
  });
});

describe('error texts', () => {
  const where = { roundId: 'r1', utility: 'Utility1MSP', batchId: 'abcd' };

  test('a failed commitment check names the batch, its utility and the code', () => {
    const hash: BatchCheckFailure = {
      code: 'HASH_MISMATCH',
      message: 'batch abcd of Utility1MSP does not match its hash',
      details: { ...where, expected: 'e1', got: 'g1' },
    };
    expect(commitmentFailureText('r1', hash)).toBe(
      'round r1: batch abcd of Utility1MSP does not match its hash (HASH_MISMATCH, committed e1, read g1): ' +
        'the sealed bids read are not the ones committed, so the round cannot be replayed',
    );
    const missing: BatchCheckFailure = {
      code: 'BATCH_MISSING',
      message: 'batch abcd of Utility1MSP is not readable',
      details: where,
    };
    expect(commitmentFailureText('r1', missing)).toMatch(
      /^round r1: batch abcd of Utility1MSP is not readable \(BATCH_MISSING\): /,
    );
    const mismatch: BatchCheckFailure = {
      code: 'BATCH_MISMATCH',
      message: 'batch abcd of Utility1MSP does not match its commitment',
      details: {
        ...where,
        batchRound: 'r1',
        batchUtility: 'Utility1MSP',
        batchBatchId: 'abcd',
        bids: 3,
        committedBids: 4,
      },
    };
    expect(commitmentFailureText('r1', mismatch)).toContain(
      '(BATCH_MISMATCH, read round r1 utility Utility1MSP id abcd with 3 bid(s), committed 4)',
    );
  });

  test('failed reads become one line with the ledger exit codes', () => {
    const forbidden = ledgerReadError(new MarketClientError('FORBIDDEN', 'FORBIDDEN: no'), 'round r1');
    expect([forbidden.exitCode, forbidden.message]).toEqual([
      LEDGER_EXIT.refused,
      'round r1: refused: FORBIDDEN: no',
    ]);
    const down = ledgerReadError(new MarketClientError('UNAVAILABLE', 'connect failed'), 'round r1');
    expect([down.exitCode, down.message]).toEqual([1, 'round r1: the peer is unavailable (connect failed)']);
    expect(ledgerReadError(new Error('boom'), 'x').message).toBe('x: boom');
    expect(ledgerReadError(new MarketClientError('CONFLICT', 'c'), 'x').message).toBe('x: CONFLICT: c');
  });

  test('a CSV export names the clear flags that restore its params', () => {
    expect(csvParamFlags({ profile: 'doan2021', alpha: '4', gridStep: '0.1', serviceFee: '0.5' })).toBe(
      '--profile doan2021 --alpha 4 --fee 0.5 --grid-step 0.1',
    );
  });
});

describe('client config file', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-config-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(dir, f), `${f}\n`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (doc: unknown): string => {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const base = {
    mspId: 'OperatorMSP',
    peerEndpoint: 'peer0.op:7051',
    tlsCACert: 'ca.pem',
    cert: 'cert.pem',
    key: 'key.pem',
  };

  test('names the peer and the identity; relative paths from the file, defaults filled in', () => {
    const p = readClientConfig(write(base));
    expect(p).toMatchObject({
      mspId: 'OperatorMSP',
      channel: 'energy',
      chaincode: 'market',
      peer: { endpoint: 'peer0.op:7051', hostAlias: 'peer0.op', tlsCACertPem: 'ca.pem\n' },
    });
    expect(p.identities.user.certPath).toBe(path.join(dir, 'cert.pem'));
    expect(p.identities.user.keyPath).toBe(path.join(dir, 'key.pem'));
  });

  test('a missing, unknown or unreadable field is named', () => {
    expect(() => readClientConfig(write({ ...base, key: undefined }))).toThrow(
      /missing or empty field\(s\): key$/,
    );
    expect(() => readClientConfig(write({ ...base, peer: 'x' }))).toThrow(/unknown field\(s\): peer$/);
    expect(() => readClientConfig(write({ ...base, channel: 3 }))).toThrow(/not a string: channel$/);
    expect(() => readClientConfig(write({ ...base, cert: 'nope.pem' }))).toThrow(
      /cannot read the certificate .*nope\.pem/,
    );
    expect(() => readClientConfig(write([1]))).toThrow(/the config must be a JSON object$/);
    expect(() => readClientConfig(path.join(dir, 'none.json'))).toThrow(/cannot read the config/);
  });
});

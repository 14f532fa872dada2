import {
  batchFromBytes,
  batchFromValue,
  checkBatch,
  checkBatches,
  type BatchesCheck,
  type ReadBatch,
} from '../../../chaincode/src/batch-check';
import { encode, sha256Hex } from '../../../chaincode/src/codec';
import type { BatchCommitment, StoredBatch } from '../../../chaincode/src/model';
import { U1_BIDS, U2_BIDS } from '../../fixtures/vector-a-split';

const U1 = 'Utility1MSP';
const U2 = 'Utility2MSP';

const stored = (
  utility: string,
  batchId: string,
  bids = utility === U1 ? U1_BIDS : U2_BIDS,
): StoredBatch => ({
  roundId: 'r1',
  utility,
  batchId,
  salt: batchId.repeat(32 / batchId.length),
  bids,
});

/** The commitment submitBatch writes for a batch: its bid count and the hash of its canonical JSON. */
const commitmentOf = (b: StoredBatch): BatchCommitment => ({
  roundId: b.roundId,
  utility: b.utility,
  batchId: b.batchId,
  bidCount: b.bids.length,
  hash: sha256Hex(encode(b)),
});

const A = stored(U1, 'aa');
const B = stored(U2, 'bb');
const C = stored(U1, 'cc', U1_BIDS.slice(0, 2));
const HONEST = [A, B, C];
const COMMITMENTS = HONEST.map(commitmentOf);

/** Serves each commitment the batch of the same id from `batches`, as the auctioneer reads them. */
const byId =
  (batches: readonly StoredBatch[]) =>
  (c: BatchCommitment): ReadBatch | undefined => {
    const b = batches.find((x) => x.batchId === c.batchId);
    return b ? batchFromValue(b) : undefined;
  };

/** Serves each commitment stored bytes, as the chaincode reads them. */
const byBytes =
  (bytes: ReadonlyMap<string, Uint8Array>) =>
  (c: BatchCommitment): ReadBatch | undefined => {
    const b = bytes.get(c.batchId);
    return b ? batchFromBytes(b) : undefined;
  };

const storedBytes = (): Map<string, Uint8Array> => new Map(HONEST.map((b) => [b.batchId, encode(b)]));

function failureOf(check: BatchesCheck): { code: string; details: Record<string, unknown> } {
  if (check.ok) throw new Error('expected the check to fail');
  return check.failure;
}

const replaceBatch = (id: string, by: StoredBatch): StoredBatch[] =>
  HONEST.map((b) => (b.batchId === id ? by : b));

describe('batch check (chaincode and auctioneer)', () => {
  it('accepts honest batches and returns them in commitment order, however they were read', () => {
    const reversed = [...HONEST].reverse();
    expect(checkBatches('r1', COMMITMENTS, byId(reversed))).toEqual({ ok: true, batches: HONEST });
    expect(checkBatches('r1', COMMITMENTS, byBytes(storedBytes()))).toEqual({ ok: true, batches: HONEST });
    expect(checkBatches('r1', [], byId([]))).toEqual({ ok: true, batches: [] });
  });

  it('reports a batch that is not readable', () => {
    const f = failureOf(checkBatches('r1', COMMITMENTS, byId([A, C])));
    expect(f).toMatchObject({
      code: 'BATCH_MISSING',
      details: { roundId: 'r1', utility: U2, batchId: 'bb' },
    });
  });

  it('reports a wrong bid count: a committed count that differs, a dropped or a duplicated bid', () => {
    const wrongCount = COMMITMENTS.map((c) => (c.batchId === 'bb' ? { ...c, bidCount: 5 } : c));
    expect(failureOf(checkBatches('r1', wrongCount, byId(HONEST)))).toMatchObject({
      code: 'BATCH_MISMATCH',
      details: { batchId: 'bb', bids: 4, committedBids: 5 },
    });
    const dropped = { ...B, bids: B.bids.slice(1) };
    expect(failureOf(checkBatches('r1', COMMITMENTS, byId(replaceBatch('bb', dropped))))).toMatchObject({
      code: 'BATCH_MISMATCH',
      details: { bids: 3, committedBids: 4 },
    });
    const duplicated = { ...B, bids: [...B.bids, B.bids[0]!] };
    expect(failureOf(checkBatches('r1', COMMITMENTS, byId(replaceBatch('bb', duplicated))))).toMatchObject({
      code: 'BATCH_MISMATCH',
      details: { bids: 5, committedBids: 4 },
    });
  });

  it('reports a batch of another round or utility, or one copied under another batch id', () => {
    const otherRound = { ...B, roundId: 'r2' };
    expect(failureOf(checkBatches('r1', COMMITMENTS, byId(replaceBatch('bb', otherRound)))).code).toBe(
      'BATCH_MISMATCH',
    );
    const otherUtility = { ...B, utility: U1 };
    expect(failureOf(checkBatches('r1', COMMITMENTS, byId(replaceBatch('bb', otherUtility)))).code).toBe(
      'BATCH_MISMATCH',
    );
    // the bytes of batch aa stored again under the key of batch cc
    const bytes = storedBytes();
    bytes.set('cc', encode({ ...A, bids: A.bids.slice(0, 2) }));
    expect(failureOf(checkBatches('r1', COMMITMENTS, byBytes(bytes)))).toMatchObject({
      code: 'BATCH_MISMATCH',
      details: { batchId: 'cc', batchBatchId: 'aa' },
    });
  });

  it('reports a changed bid, reordered bids and a changed salt as a wrong hash', () => {
    const priced = { ...B, bids: B.bids.map((x, i) => (i === 0 ? { ...x, price: '15.5' } : x)) };
    const f = failureOf(checkBatches('r1', COMMITMENTS, byId(replaceBatch('bb', priced))));
    expect(f).toMatchObject({
      code: 'HASH_MISMATCH',
      details: { roundId: 'r1', utility: U2, batchId: 'bb', expected: COMMITMENTS[1]!.hash },
    });
    expect(f.details.got).toBe(sha256Hex(encode(priced)));
    const reordered = { ...B, bids: [...B.bids].reverse() };
    expect(failureOf(checkBatches('r1', COMMITMENTS, byId(replaceBatch('bb', reordered)))).code).toBe(
      'HASH_MISMATCH',
    );
    const resalted = { ...B, salt: 'f'.repeat(32) };
    expect(failureOf(checkBatches('r1', COMMITMENTS, byId(replaceBatch('bb', resalted)))).code).toBe(
      'HASH_MISMATCH',
    );
  });

  it('hashes stored bytes as they are: other bytes of the same batch do not match', () => {
    const bytes = storedBytes();
    bytes.set('aa', new TextEncoder().encode(JSON.stringify(A, null, 1)));
    expect(failureOf(checkBatches('r1', COMMITMENTS, byBytes(bytes))).code).toBe('HASH_MISMATCH');
  });

  it('reports bytes that are no batch as a wrong hash, or as a mismatch if the hash was forged', () => {
    for (const text of ['{"roundId": "r1"', '5', 'null', '{"roundId":"r1"}']) {
      const bad = new TextEncoder().encode(text);
      expect(checkBatch('r1', COMMITMENTS[0]!, batchFromBytes(bad))).toMatchObject({
        ok: false,
        failure: { code: 'HASH_MISMATCH' },
      });
      const forged = { ...COMMITMENTS[0]!, hash: sha256Hex(bad) };
      expect(checkBatch('r1', forged, batchFromBytes(bad))).toMatchObject({
        ok: false,
        failure: { code: 'BATCH_MISMATCH', details: { reason: 'not a batch' } },
      });
    }
  });

  it('stops at the first failing batch in commitment order', () => {
    const f = failureOf(checkBatches('r1', COMMITMENTS, byId([C])));
    expect(f.details.batchId).toBe('aa');
  });
});

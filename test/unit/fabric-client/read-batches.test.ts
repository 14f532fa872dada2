import type { BatchCommitment, StoredBatch } from '../../../chaincode/src/model';
import { MAX_BIDS_PER_READ, readCommittedBatches } from '../../../fabric-client/src/read-batches';

const commitment = (batchId: string, bidCount: number): BatchCommitment => ({
  roundId: 'r1',
  utility: 'Utility1MSP',
  batchId,
  bidCount,
  hash: '',
});

/** A market that answers every named batch and records the parts asked for. */
function recordingMarket() {
  const calls: string[][] = [];
  return {
    calls,
    getBatchesById: (roundId: string, utility: string, ids: readonly string[]): Promise<StoredBatch[]> => {
      calls.push([...ids]);
      return Promise.resolve(ids.map((batchId) => ({ roundId, utility, batchId, salt: '', bids: [] })));
    },
  };
}

describe('readCommittedBatches', () => {
  it('reads in parts bounded by bids, keeping commitment order', async () => {
    const m = recordingMarket();
    const cs = [
      commitment('a', 15_000),
      commitment('b', 4_000),
      commitment('c', 2_000),
      commitment('d', 20_000),
    ];
    const got = await readCommittedBatches(m, 'r1', 'Utility1MSP', cs);
    expect(m.calls).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(
      m.calls.every(
        (part) =>
          part.reduce((n, id) => n + cs.find((c) => c.batchId === id)!.bidCount, 0) <= MAX_BIDS_PER_READ,
      ),
    ).toBe(true);
    expect(got.map((b) => b.batchId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reads in parts of at most 100 batches, and nothing for no commitments', async () => {
    const m = recordingMarket();
    const cs = Array.from({ length: 250 }, (_, i) => commitment(`b${i}`, 1));
    expect(await readCommittedBatches(m, 'r1', '', cs)).toHaveLength(250);
    expect(m.calls.map((c) => c.length)).toEqual([100, 100, 50]);
    const none = recordingMarket();
    expect(await readCommittedBatches(none, 'r1', '', [])).toEqual([]);
    expect(none.calls).toEqual([]);
  });
});

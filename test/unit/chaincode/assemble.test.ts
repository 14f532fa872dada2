import type { WireBid } from '../../../engine/src/mechanism/types';
import { assembleRoundInput, marketBidId, type AssemblyBatch } from '../../../chaincode/src/assemble';

const PARAMS = { profile: 'default', alpha: '4', gridStep: '0.1', serviceFee: '0' } as const;

const bid = (id: string, side: 'buy' | 'sell' = 'buy'): WireBid => ({ id, side, price: '15', quantity: '1' });

const BATCHES: AssemblyBatch[] = [
  { utility: 'Utility1MSP', batchId: '00aa11bb22cc33dd', bids: [bid('u1-a'), bid('u1-b'), bid('u1-c')] },
  { utility: 'Utility2MSP', batchId: 'ffee00112233aabb', bids: [bid('u2-a', 'sell')] },
];

describe('assembleRoundInput', () => {
  it('names every bid <batchId>.<position> in batch order and finds each origin back', () => {
    const { input, origins } = assembleRoundInput(PARAMS, BATCHES);
    expect(input.bids.map((b) => b.id)).toEqual([
      '00aa11bb22cc33dd.0000',
      '00aa11bb22cc33dd.0001',
      '00aa11bb22cc33dd.0002',
      'ffee00112233aabb.0000',
    ]);
    expect(input.bids[3]).toEqual({ ...bid('u2-a', 'sell'), id: 'ffee00112233aabb.0000' });
    for (const b of BATCHES)
      b.bids.forEach((x, i) =>
        expect(origins.get(marketBidId(b.batchId, i))).toEqual({
          utility: b.utility,
          batchId: b.batchId,
          id: x.id,
        }),
      );
  });

  it('knows no id that is not exactly one of the round’s market ids', () => {
    const { origins } = assembleRoundInput(PARAMS, BATCHES);
    for (const id of [
      '00aa11bb22cc33dd.0003', // past the batch's end
      '00aa11bb22cc33dd.1', // not zero-padded
      '00aa11bb22cc33dd.00001',
      '00aa11bb22cc33dd.1e0',
      '00aa11bb22cc33dd. 001',
      '00aa11bb22cc33dd.-000',
      '00aa11bb22cc33dd.',
      '00aa11bb22cc33dd',
      '1234567812345678.0000', // no such batch
      'u1-a', // the utility's own id
      '',
    ])
      expect(origins.get(id)).toBeUndefined();
  });
});

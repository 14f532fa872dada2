import type { ChaincodeEvent, CloseableAsyncIterable, Network } from '@hyperledger/fabric-gateway';
import { followChaincodeEvents, type MarketEvent } from '../../../fabric-client/src/chaincode-events';

const event = (eventName: string, blockNumber: bigint): ChaincodeEvent =>
  ({
    eventName,
    blockNumber,
    chaincodeName: 'market',
    transactionId: 't',
    payload: new Uint8Array(),
  }) as ChaincodeEvent;

/** A stream that yields `events`, then fails with `end` (or waits until closed when `end` is null). */
function stream(events: ChaincodeEvent[], end: Error | null): CloseableAsyncIterable<ChaincodeEvent> {
  let close: () => void = () => undefined;
  const closed = new Promise<void>((r) => (close = r));
  const iterable = {
    async *[Symbol.asyncIterator]() {
      for (const e of events) yield e;
      if (end) throw end;
      await closed;
    },
    close: () => close(),
  };
  return iterable as unknown as CloseableAsyncIterable<ChaincodeEvent>;
}

const deadline = Object.assign(new Error('deadline'), { code: 4 });
const waitFor = async (ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error('condition not met in 1 s');
};

describe('followChaincodeEvents', () => {
  it('announces each stream, passes the events on, renews a stream at its deadline from the next block, retries a failure', async () => {
    const starts: (bigint | undefined)[] = [];
    const streams = [
      stream([event('RoundOpened', 5n), event('RoundClosed', 7n)], deadline),
      stream([], new Error('UNAVAILABLE')),
      stream([event('RoundCleared', 9n)], null),
    ];
    const network = {
      getChaincodeEvents: (_cc: string, o?: { startBlock?: bigint }) => {
        starts.push(o?.startBlock);
        const s = streams.shift();
        return s ? Promise.resolve(s) : Promise.reject(new Error('no more streams'));
      },
    } as unknown as Pick<Network, 'getChaincodeEvents'>;
    const got: MarketEvent[] = [];
    const errors: unknown[] = [];
    const f = followChaincodeEvents({
      network,
      chaincode: 'market',
      onEvent: (e) => got.push(e),
      onError: (e) => errors.push(e),
      retryMs: 10,
    });
    await waitFor(() => got.some((e) => e.name === 'RoundCleared'));
    expect(f.isConnected()).toBe(true);
    await f.stop();
    expect(f.isConnected()).toBe(false);
    expect(got.map((e) => e.name)).toEqual([
      'connected',
      'RoundOpened',
      'RoundClosed',
      'connected', // renewed after the deadline, not reported as an error
      'connected', // after the failure
      'RoundCleared',
    ]);
    expect(starts).toEqual([undefined, 8n, 8n]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['UNAVAILABLE']);
  });

  it('stops while waiting to retry', async () => {
    const network = {
      getChaincodeEvents: () => Promise.reject(new Error('peer down')),
    } as unknown as Pick<Network, 'getChaincodeEvents'>;
    const errors: unknown[] = [];
    const f = followChaincodeEvents({
      network,
      chaincode: 'market',
      onEvent: () => undefined,
      onError: (e) => errors.push(e),
      retryMs: 60_000,
    });
    await waitFor(() => errors.length === 1);
    const t0 = Date.now();
    await f.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(String(errors[0])).toContain('peer down');
  });
});

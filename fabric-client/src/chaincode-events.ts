/**
 * Following a chaincode's events from now on, for a viewer that only needs to know that something
 * happened (the dashboard's live round updates re-read the rounds on each one): no checkpoint file,
 * nothing replayed from before the start. The auctioneer, which must handle every event exactly
 * once, uses its own checkpointed listener (auctioneer/src/service/events.ts).
 *
 * The gateway ends each event stream at its chaincodeEvents deadline (connect.ts, 60 s by default):
 * the stream is then renewed from the block after the last event seen. Any other failure is
 * reported and retried after `retryMs`. Each new stream (the first and every renewal) is announced
 * by `onEvent({ name: 'connected' })`, since events may have been missed in between: the viewer
 * re-reads then too.
 */
import type { ChaincodeEvent, CloseableAsyncIterable, Network } from '@hyperledger/fabric-gateway';

const GRPC_DEADLINE_EXCEEDED = 4;

export interface MarketEvent {
  /** the chaincode's event name (RoundOpened, RoundClosed, RoundCleared, ...) or `connected` */
  name: string;
  /** the block of the transaction that set the event (absent for `connected`) */
  blockNumber?: bigint;
}

export interface FollowOptions {
  network: Pick<Network, 'getChaincodeEvents'>;
  chaincode: string;
  onEvent: (e: MarketEvent) => void;
  /** a stream that failed other than by its deadline (retried after `retryMs`) */
  onError?: (e: unknown) => void;
  /** wait before reconnecting after a failure (ms, default 3000) */
  retryMs?: number;
}

export interface EventFollower {
  isConnected(): boolean;
  /** ends the stream and the retries; resolves when the loop has ended */
  stop(): Promise<void>;
}

const isDeadline = (e: unknown): boolean => (e as { code?: unknown }).code === GRPC_DEADLINE_EXCEEDED;

/** Follows `chaincode`'s events until stop() (see the module comment). */
export function followChaincodeEvents(opts: FollowOptions): EventFollower {
  let stopped = false;
  let connected = false;
  let stream: CloseableAsyncIterable<ChaincodeEvent> | undefined;
  let wake: (() => void) | undefined;
  let next: bigint | undefined;
  const isStopped = (): boolean => stopped;

  const once = async (): Promise<void> => {
    stream = await opts.network.getChaincodeEvents(
      opts.chaincode,
      next === undefined ? {} : { startBlock: next },
    );
    connected = true;
    opts.onEvent({ name: 'connected' });
    for await (const ev of stream) {
      next = ev.blockNumber + 1n;
      opts.onEvent({ name: ev.eventName, blockNumber: ev.blockNumber });
    }
  };
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const loop = async (): Promise<void> => {
    while (!isStopped()) {
      try {
        await once();
        // ended without an error (not by stop): reconnect, but not in a tight loop
        if (!isStopped()) await pause(opts.retryMs ?? 3000);
      } catch (e) {
        if (isStopped()) break;
        if (!isDeadline(e)) {
          opts.onError?.(e);
          await pause(opts.retryMs ?? 3000);
        }
      } finally {
        connected = false;
        stream?.close();
        stream = undefined;
      }
    }
  };
  const done = loop();

  return {
    isConnected: () => connected,
    async stop() {
      stopped = true;
      stream?.close();
      wake?.();
      await done;
    },
  };
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { checkpointers, type Network } from '@hyperledger/fabric-gateway';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type RetryPolicy } from '../../../fabric-client/src/retry';

const GRPC_DEADLINE_EXCEEDED = 4;

export interface EventListener {
  /** resolves once the first event stream is established */
  readonly connected: Promise<void>;
  isConnected(): boolean;
  stop(): Promise<void>;
}

/**
 * Listens to the chaincode's events with a file checkpointer: an event is checkpointed only after
 * `handle` returned, so after a crash the listener resumes with the first unhandled event.
 * Reconnects with backoff when the stream fails.
 */
export function listenToChaincodeEvents(opts: {
  network: Network;
  chaincode: string;
  checkpointFile: string;
  logger: Logger;
  retry: RetryPolicy;
  handle: (name: string, payload: Uint8Array, blockNumber: bigint, txId: string) => Promise<void>;
  onError: (e: unknown) => void;
}): EventListener {
  let stopped = false;
  // stop() sets `stopped` while the loop awaits: read it through a call, which TS does not narrow
  const isStopped = (): boolean => stopped;
  let connected = false;
  let close: (() => void) | undefined;
  let markConnected: () => void = () => {};
  const connectedP = new Promise<void>((r) => (markConnected = r));

  const loop = async (): Promise<void> => {
    mkdirSync(path.dirname(opts.checkpointFile), { recursive: true });
    const checkpointer = await checkpointers.file(opts.checkpointFile);
    let failures = 0;
    while (!stopped) {
      try {
        const events = await opts.network.getChaincodeEvents(opts.chaincode, { checkpoint: checkpointer });
        close = () => events.close();
        connected = true;
        failures = 0;
        markConnected();
        opts.logger.info(
          { checkpointBlock: checkpointer.getBlockNumber()?.toString() ?? null },
          'listening to chaincode events',
        );
        for await (const ev of events) {
          if (isStopped()) break;
          await opts.handle(ev.eventName, ev.payload, ev.blockNumber, ev.transactionId);
          await checkpointer.checkpointChaincodeEvent(ev);
        }
      } catch (e) {
        connected = false;
        if (isStopped()) break;
        if ((e as { code?: unknown }).code === GRPC_DEADLINE_EXCEEDED) {
          // the stream's deadline: renew it from the checkpoint, nothing failed
          opts.logger.info('event stream deadline reached; reconnecting');
          continue;
        }
        failures++;
        opts.onError(e);
        await sleep(backoffDelay(Math.min(failures, 10), opts.retry));
      } finally {
        connected = false;
        close?.();
        close = undefined;
      }
    }
  };
  const done = loop().catch((e: unknown) => opts.onError(e));

  return {
    connected: connectedP,
    isConnected: () => connected,
    async stop() {
      stopped = true;
      close?.();
      await done;
    },
  };
}

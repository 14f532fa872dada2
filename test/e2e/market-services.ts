/**
 * The services of an end-to-end test on the real network: the network brought up (or reused), the
 * REST API and the operator's auctioneer service (manual mode) in this process, a scratch
 * directory for the auctioneer's checkpoint; `close()` stops them and removes it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startAuctioneer, type AuctioneerHandle } from '../../auctioneer/src/service/service';
import { loadConfig } from '../../gateway/src/api/config';
import { startApi, type ApiHandle } from '../../gateway/src/api/server';
import { up } from '../../network/src/network';

export interface MarketServices {
  url: string;
  api: ApiHandle;
  auctioneer: AuctioneerHandle;
  close(): Promise<void>;
}

export async function startMarketServices(opts: {
  tag: string;
  batchMaxWaitMs: number;
  reconcileIntervalMs: number;
  log: (line: string) => void;
}): Promise<MarketServices> {
  await up({ log: opts.log });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${opts.tag}-`));
  const api = await startApi({
    config: loadConfig({}, { port: 0, logLevel: 'warn', batch: { maxWaitMs: opts.batchMaxWaitMs } }),
  });
  let auctioneer: AuctioneerHandle | undefined;
  try {
    auctioneer = await startAuctioneer({
      mode: 'manual',
      http: { port: 0 },
      checkpointFile: path.join(tmp, 'checkpoint.json'),
      reconcileIntervalMs: opts.reconcileIntervalMs,
      logLevel: 'warn',
    });
    await auctioneer.ready;
  } catch (e) {
    await auctioneer?.stop();
    await api.close();
    throw e;
  }
  const started = auctioneer;
  return {
    url: api.url,
    api,
    auctioneer: started,
    close: async () => {
      await api.close();
      await started.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

#!/usr/bin/env node
/**
 * The operator's auctioneer service: `node dist/auctioneer/src/service/main.js`.
 * Configuration from the environment (docs/auctioneer.md). Stops cleanly on SIGTERM/SIGINT.
 */
import { loadConfig } from './config';
import { startAuctioneer } from './service';

export { startAuctioneer } from './service';
export { loadConfig, resolveConfig, DEFAULT_CONFIG, type AuctioneerConfig } from './config';

async function main(): Promise<void> {
  const handle = await startAuctioneer(loadConfig());
  const shutdown = (signal: string) => {
    process.stderr.write(`auctioneer: ${signal}, stopping\n`);
    handle.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`auctioneer: stop failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`auctioneer: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

#!/usr/bin/env node
/**
 * `npm start`: brings the native Fabric network up (reuses a running one), starts the operator's
 * auctioneer service and the REST API in this process, prints the URLs and the demo tokens.
 * SIGTERM/SIGINT: drains pending bid batches, stops the auctioneer, closes the gateways. The network
 * keeps running (`npm run network:down` stops it).
 */
import { loadConfig as loadAuctioneerConfig } from '../../auctioneer/src/service/config';
import { startAuctioneer, type AuctioneerHandle } from '../../auctioneer/src/service/service';
import { up } from '../../network/src/network';
import { loadConfig } from '../../gateway/src/api/config';
import { closeOnSignals, startApi } from '../../gateway/src/api/server';
import { systemTargets } from './system-targets';

/** The API's /readyz part for the auctioneer service running in this process. */
function auctioneerReadiness(auctioneer: AuctioneerHandle): () => Promise<Record<string, unknown>> {
  return () => Promise.resolve({ auctioneer: auctioneer.isReady() ? 'ready' : 'starting' });
}

const READY_WAIT_MS = 60_000;

/**
 * The banner below tells the user to bid in the open rounds, so it waits for the auctioneer's first
 * reconciliation (which opens the scheduled rounds); after a minute it goes on with a warning
 * rather than hang silently (the event stream may not connect: /readyz says why).
 */
async function waitAuctioneerReady(auctioneer: AuctioneerHandle): Promise<void> {
  process.stdout.write('[start] auctioneer: first reconciliation (opens the scheduled rounds) ...\n');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      resolve('late');
    }, READY_WAIT_MS);
  });
  const outcome = await Promise.race([auctioneer.ready.then(() => 'ready' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    process.stdout.write(
      `[start] auctioneer: not ready after ${READY_WAIT_MS / 1000} s; see http://127.0.0.1:${auctioneer.port}/readyz\n`,
    );
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  process.stdout.write('[start] network: starting or reusing (npm run network:up)\n');
  await up({ log: (l: string) => process.stdout.write(`[network] ${l}\n`) });

  // The operator's auctioneer service (auctioneer/src/service): opens/closes/clears rounds.
  // START_AUCTIONEER=0 leaves it out (e.g. when it runs as its own process).
  let auctioneer: AuctioneerHandle | undefined;
  if (process.env.START_AUCTIONEER !== '0') {
    auctioneer = await startAuctioneer(loadAuctioneerConfig());
    process.stdout.write(
      `[start] auctioneer service: health on http://127.0.0.1:${auctioneer.port}/readyz\n`,
    );
  }

  const api = await startApi({
    config,
    system: systemTargets(auctioneer),
    ...(auctioneer ? { extraReadiness: auctioneerReadiness(auctioneer) } : {}),
  });
  if (auctioneer) await waitAuctioneerReady(auctioneer);
  const tokens = Object.entries(config.tenants)
    .map(([token, t]) => `    ${t.mspId.padEnd(12)} (${t.role})  Authorization: Bearer ${token}`)
    .join('\n');
  process.stdout.write(
    [
      '',
      `API:      ${api.url}/v1/rounds`,
      `Docs:     ${api.url}/docs   (OpenAPI: ${api.url}/docs/json)`,
      `Health:   ${api.url}/healthz  ${api.url}/readyz  ${api.url}/metrics (operator token)`,
      'Tokens:',
      tokens,
      '',
      'Try: npm run demo   (Ctrl-C here stops the API and the auctioneer; the network keeps running)',
      '',
    ].join('\n'),
  );
  closeOnSignals(async () => {
    try {
      await api.close();
    } finally {
      await auctioneer?.stop();
    }
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`[start] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

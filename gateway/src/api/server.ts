#!/usr/bin/env node
/**
 * The REST API server: `node dist/gateway/src/api/server.js`. One Fabric Gateway connection per org
 * and enrolled identity named in the tenant table (each tenant signs with its own org's identity:
 * its `identity`, or the org's application identity), then listens on 127.0.0.1.
 * SIGTERM/SIGINT: stop accepting, drain pending bid batches, close the gateways.
 */
import type { Gateway } from '@hyperledger/fabric-gateway';
import { followChaincodeEvents } from '../../../fabric-client/src/chaincode-events';
import { connectGatewayWith, readConnectionProfile } from '../../../fabric-client/src/connect';
import { profileAs } from '../../../fabric-client/src/enrolled-identity';
import { MarketClient } from '../../../fabric-client/src/market-client';
import type { MarketEvents } from '../dashboard/events';
import type { SystemTargets } from '../dashboard/system';
import { buildApp, type ApiApp } from './app';
import { connectionKey, loadConfig, type ApiConfig, type Tenant } from './config';
import type { ApiMarketPort } from './market-port';
import { apiTimeouts } from './timeouts';

export interface ApiHandle extends ApiApp {
  url: string;
  config: ApiConfig;
  /** graceful: drains pending batches, then closes the gateways */
  close: () => Promise<void>;
}

export interface StartApiOptions {
  config?: ApiConfig;
  /**
   * test hook: the market client of an org acting as `identity` (undefined: the org's application
   * identity); default: a Gateway from network/run/connection
   */
  connect?: (mspId: string, identity?: string) => Promise<OrgConnection>;
  extraReadiness?: () => Promise<Record<string, unknown>>;
  /** the benchmark's empty route (AppOptions.benchRoute) */
  benchRoute?: boolean;
  /** what the dashboard's GET /v1/system probes (AppOptions.system) */
  system?: SystemTargets;
}

/** One org's market client; `events`, when given, follows its chaincode events (the dashboard's live updates). */
export interface OrgConnection {
  client: ApiMarketPort;
  events?: MarketEvents;
  close(): void;
}

/** Where a failed event stream is reported: the app's log once built, stderr before. */
interface EventErrors {
  report: (mspId: string, e: unknown) => void;
}

/**
 * A gateway connection of `mspId` acting as `identity` whose gRPC deadlines fit in the request
 * timeout (timeouts.ts).
 */
async function connectOrg(
  mspId: string,
  identity: string | undefined,
  requestTimeoutMs: number,
  errors: EventErrors,
): Promise<OrgConnection> {
  const orgProfile = readConnectionProfile(mspId);
  const profile = identity === undefined ? orgProfile : profileAs(orgProfile, identity);
  const gateway: Gateway = await connectGatewayWith(profile, {
    deadlines: apiTimeouts(requestTimeoutMs).deadlines,
  });
  const network = gateway.getNetwork(profile.channel);
  const events: MarketEvents = (onEvent) => {
    const follower = followChaincodeEvents({
      network,
      chaincode: profile.chaincode,
      onEvent: (e) => onEvent(e.name),
      onError: (e) => errors.report(mspId, e),
    });
    return () => void follower.stop();
  };
  const client = new MarketClient(network.getContract(profile.chaincode), mspId);
  return { client, events, close: () => gateway.close() };
}

/** The chaincode events of each org: those of its first connection that has them (one stream per org). */
function eventsOf(connections: ReadonlyMap<string, OrgConnection>): Map<string, MarketEvents> {
  const out = new Map<string, MarketEvents>();
  for (const c of connections.values()) {
    if (c.events && !out.has(c.client.mspId)) out.set(c.client.mspId, c.events);
  }
  return out;
}

/**
 * One connection per org and identity of the tenant table (connectionKey), in key order; all
 * closed again if one fails, e.g. a tenant's identity that its org never enrolled (E_IDENTITY).
 */
async function connectAll(
  config: ApiConfig,
  connect: StartApiOptions['connect'],
  errors: EventErrors,
): Promise<Map<string, OrgConnection>> {
  const byKey = new Map<string, Tenant>();
  for (const t of Object.values(config.tenants)) byKey.set(connectionKey(t), t);
  const connections = new Map<string, OrgConnection>();
  try {
    const open =
      connect ?? ((msp: string, id?: string) => connectOrg(msp, id, config.requestTimeoutMs, errors));
    for (const [key, t] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
      connections.set(key, await open(t.mspId, t.identity));
    }
  } catch (e) {
    for (const c of connections.values()) c.close();
    throw e;
  }
  return connections;
}

/** The port the server listens on (the configured one unless it was 0). */
function listeningPort(built: ApiApp, config: ApiConfig): number {
  const addr = built.app.server.address();
  return typeof addr === 'object' && addr ? addr.port : config.port;
}

export async function startApi(opts: StartApiOptions = {}): Promise<ApiHandle> {
  const config = opts.config ?? loadConfig();
  const errors: EventErrors = {
    report: (mspId, e) =>
      void process.stderr.write(`api: ${mspId} chaincode event stream failed: ${String(e)}\n`),
  };
  const connections = await connectAll(config, opts.connect, errors);
  const clients = new Map([...connections].map(([m, c]) => [m, c.client]));
  const built = await buildApp({
    config,
    clients,
    logger: { level: config.logLevel, base: { svc: 'api' } },
    defaultMetrics: true,
    ...(opts.extraReadiness ? { extraReadiness: opts.extraReadiness } : {}),
    ...(opts.benchRoute === true ? { benchRoute: true } : {}),
    marketEvents: eventsOf(connections),
    ...(opts.system ? { system: opts.system } : {}),
  });
  errors.report = (mspId, e) =>
    built.app.log.warn(
      { mspId, err: e instanceof Error ? e.message : String(e) },
      'chaincode event stream failed',
    );
  try {
    await built.app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await built.app.close();
    for (const c of connections.values()) c.close();
    throw e;
  }
  const port = listeningPort(built, config);
  let closing: Promise<void> | undefined;
  return {
    ...built,
    config,
    url: `http://${config.host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        try {
          await built.app.close();
        } finally {
          for (const c of connections.values()) c.close();
        }
      })()),
  };
}

/** Installs SIGTERM/SIGINT handlers that close `handle` and exit. */
export function closeOnSignals(
  close: () => Promise<void>,
  log: (m: string) => void = (m) => process.stderr.write(m),
): void {
  const stop = (signal: string): void => {
    log(`api: ${signal}, draining pending bids and closing gateways\n`);
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`api: shutdown failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  startApi().then(
    (h) => {
      process.stdout.write(`api: listening on ${h.url} (docs ${h.url}/docs)\n`);
      closeOnSignals(h.close);
    },
    (e: unknown) => {
      process.stderr.write(`api: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

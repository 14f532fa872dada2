import pino, { type Logger } from 'pino';
import { MarketClient } from '../../../fabric-client/src/market-client';
import { Auctioneer, type AuctioneerCoreOptions, type ClearedInfo } from './auctioneer';
import { resolveConfig, scheduledDelivery, type AuctioneerConfig, type ConfigInput } from './config';
import type { GatewayConnection } from './connect';
import { listenToChaincodeEvents, type EventListener } from './events';
import { startHealthServer } from './http';
import type { AuctioneerMarketPort } from './market-port';
import { AuctioneerMetrics } from './metrics';

export interface AuctioneerDeps {
  /** connects the gateway for cfg.mspId (default: the native network's connection material) */
  connect?: (cfg: AuctioneerConfig) => Promise<GatewayConnection>;
  logger?: Logger;
  onCleared?: (c: ClearedInfo) => void;
  onClosed?: (roundId: string) => void;
  onClearFailed?: (roundId: string, error: unknown) => void;
  /** replace the market client (tests); events are then not listened to unless a gateway is given */
  market?: AuctioneerMarketPort;
}

export interface AuctioneerHandle {
  readonly config: AuctioneerConfig;
  readonly core: Auctioneer;
  readonly metrics: AuctioneerMetrics;
  /** the bound health/metrics port on 127.0.0.1 */
  readonly port: number;
  /** resolves after the first reconciliation with the ledger (and event stream) */
  readonly ready: Promise<void>;
  isReady(): boolean;
  stop(): Promise<void>;
}

/** The gateway connection: deps.connect, or the native network's (imported only when needed). */
async function connectGateway(config: AuctioneerConfig, deps: AuctioneerDeps): Promise<GatewayConnection> {
  if (deps.connect) return deps.connect(config);
  const { connectNetworkGateway } = await import('./connect');
  return connectNetworkGateway(config);
}

/** The schedule the core opens rounds by: only in schedule mode (manual mode opens none). */
function scheduleOption(config: AuctioneerConfig): Pick<AuctioneerCoreOptions, 'schedule'> {
  if (config.mode !== 'schedule') return {};
  const roundDelivery = scheduledDelivery(config);
  return {
    schedule: {
      slotMinutes: config.slotMinutes,
      gateClosureSeconds: config.gateClosureSeconds,
      openAheadSlots: config.openAheadSlots,
      minBiddingMs: config.minBiddingMs,
      ...(config.roundParams ? { roundParams: config.roundParams } : {}),
      ...(roundDelivery ? { roundDelivery } : {}),
    },
  };
}

/** The deps' callbacks, only those given (the options are exact: no undefined members). */
const callbackOptions = (
  deps: AuctioneerDeps,
): Pick<AuctioneerCoreOptions, 'onCleared' | 'onClosed' | 'onClearFailed'> => ({
  ...(deps.onCleared ? { onCleared: deps.onCleared } : {}),
  ...(deps.onClosed ? { onClosed: deps.onClosed } : {}),
  ...(deps.onClearFailed ? { onClearFailed: deps.onClearFailed } : {}),
});

/**
 * Starts the operator's auctioneer: health/metrics endpoint, gateway connection, chaincode event
 * listener (file checkpoint), a reconciliation with the ledger, then the schedule and periodic
 * reconciliations. `stop()` undoes all of it.
 */
export async function startAuctioneer(
  input: ConfigInput | AuctioneerConfig = {},
  deps: AuctioneerDeps = {},
): Promise<AuctioneerHandle> {
  const config = resolveConfig(input);
  const logger = deps.logger ?? pino({ level: config.logLevel, base: { svc: 'auctioneer' } });
  const metrics = new AuctioneerMetrics(true);
  const intervals: NodeJS.Timeout[] = [];
  let connection: GatewayConnection | undefined;
  let listener: EventListener | undefined;
  let reconciled = false;

  let market = deps.market;
  if (!market) {
    connection = await connectGateway(config, deps);
    const network = connection.gateway.getNetwork(config.channel);
    market = new MarketClient(network.getContract(config.chaincode), config.mspId);
  }

  const core = new Auctioneer({
    market,
    logger,
    metrics,
    retry: config.retry,
    deadlines: config.deadlines,
    ...scheduleOption(config),
    closeGraceMs: config.closeGraceMs,
    prefetch: { leadMs: config.prefetchLeadMs, intervalMs: config.prefetchIntervalMs },
    pauseBeforeCommitMs: config.pauseBeforeCommitMs,
    pauseBeforeSettleMs: config.pauseBeforeSettleMs,
    ...callbackOptions(deps),
  });

  const http = await startHealthServer({
    host: config.http.host,
    port: config.http.port,
    metrics,
    readiness: () => {
      const checks = {
        reconciled,
        events: listener ? listener.isConnected() : !connection,
      };
      return { ready: Object.values(checks).every(Boolean), checks };
    },
  });

  if (connection) {
    listener = listenToChaincodeEvents({
      network: connection.gateway.getNetwork(config.channel),
      chaincode: config.chaincode,
      checkpointFile: config.checkpointFile,
      logger,
      retry: config.retry,
      handle: (name, payload) => core.onChaincodeEvent(name, payload),
      onError: (e) => {
        metrics.recordError('events', 'UNAVAILABLE');
        logger.error(
          { op: 'events', err: e instanceof Error ? e.message : String(e) },
          'event stream failed',
        );
      },
    });
  }

  const reconcile = async (): Promise<void> => {
    try {
      await core.reconcile();
      reconciled = true;
    } catch (e) {
      metrics.recordError('reconcile', (e as { code?: string }).code ?? 'INTERNAL');
      logger.error({ op: 'reconcile', err: e instanceof Error ? e.message : String(e) }, 'reconcile failed');
    }
  };
  const tick = async (): Promise<void> => {
    await core.openScheduled();
  };

  const ready = (async () => {
    if (listener) await listener.connected;
    await reconcile();
    await tick();
    logger.info(
      { mode: config.mode, port: http.port, channel: config.channel, mspId: config.mspId },
      'auctioneer ready',
    );
  })();
  intervals.push(setInterval(() => void reconcile(), config.reconcileIntervalMs));
  if (config.mode === 'schedule') intervals.push(setInterval(() => void tick(), config.scheduleTickMs));

  let stopping: Promise<void> | undefined;
  return {
    config,
    core,
    metrics,
    port: http.port,
    ready,
    isReady: () => reconciled && (listener ? listener.isConnected() : true),
    stop() {
      stopping ??= (async () => {
        for (const i of intervals) clearInterval(i);
        // not waiting for `ready`: it never resolves while the event stream cannot connect
        await core.stop();
        await listener?.stop();
        await http.app.close();
        connection?.close();
        logger.info('auctioneer stopped');
      })();
      return stopping;
    },
  };
}

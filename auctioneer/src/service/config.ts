import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WireRoundParams } from '../../../engine/src/mechanism/types';
import type { RetryPolicy } from '../../../fabric-client/src/retry';
import { ConfigError } from '../../../engine/src/config-error';
import { listenHostProblems } from '../../../fabric-client/src/listen-host';
import { scheduleProblems } from './schedule';
import { deliveryParamsOf, type DeliveryParams } from '../../../chaincode/src/delivery-params';
import { MarketError } from '../../../chaincode/src/errors';
import {
  MAX_CLOCK_SKEW_ENV,
  MAX_CLOCK_SKEW_SECONDS,
  parseMaxClockSkew,
} from '../../../chaincode/src/clock-guard';

/** Everything the auctioneer service can be told. See docs/auctioneer.md. */
export interface AuctioneerConfig {
  /** MSP id of the identity the service signs with */
  mspId: string;
  channel: string;
  chaincode: string;
  /** 'schedule': opens a round per slot; 'manual': only closes and clears rounds that exist */
  mode: 'schedule' | 'manual';
  slotMinutes: number;
  gateClosureSeconds: number;
  openAheadSlots: number;
  /** a slot's round is opened only if bidding stays open at least this long */
  minBiddingMs: number;
  /** round parameters for scheduled rounds (chaincode defaults otherwise) */
  roundParams?: WireRoundParams;
  /**
   * delivery parameters for scheduled rounds (issue #15; slotSeconds defaults to the slot length):
   * only rounds opened with them are settled after their gate closure by this service
   */
  roundDelivery?: Partial<DeliveryParams>;
  /** how often the schedule is re-checked */
  scheduleTickMs: number;
  /** how often the ledger is re-read (close overdue, clear closed) besides events */
  reconcileIntervalMs: number;
  /**
   * extra wait after closesAt before closing; 0 is safe (the endorsers' clock guard refuses every
   * bid endorsed at or after closesAt), at most the guard's skew bound (docs/clock.md)
   */
  closeGraceMs: number;
  /**
   * read the sealed batches of a round from this long before its closesAt (every
   * prefetchIntervalMs), so that after the close only the late ones are read; 0 = never
   */
  prefetchLeadMs: number;
  prefetchIntervalMs: number;
  deadlines: { evaluateMs: number; submitMs: number };
  retry: RetryPolicy;
  /** chaincode event checkpoint file (created if missing) */
  checkpointFile: string;
  /**
   * health/metrics HTTP endpoint (port 0 = any free port); on a loopback host unless `allowRemote`
   * (AUCTIONEER_ALLOW_REMOTE=1: inside a container, whose port compose publishes on 127.0.0.1)
   */
  http: { host: string; port: number; allowRemote: boolean };
  logLevel: string;
  /** test hook: pause between logging 'clearing' and committing */
  pauseBeforeCommitMs: number;
  /** test hook: pause between logging 'settling' and committing the delivery settlement */
  pauseBeforeSettleMs: number;
}

/** Repository root, from the sources (auctioneer/src/service) or the build (dist/auctioneer/…). */
const UP3 = path.resolve(__dirname, '..', '..', '..');
export const REPO_ROOT = path.basename(UP3) === 'dist' ? path.dirname(UP3) : UP3;

export const DEFAULT_CONFIG: AuctioneerConfig = {
  mspId: 'OperatorMSP',
  channel: 'energy',
  chaincode: 'market',
  mode: 'schedule',
  slotMinutes: 15,
  gateClosureSeconds: 300,
  openAheadSlots: 2,
  minBiddingMs: 60_000,
  scheduleTickMs: 30_000,
  reconcileIntervalMs: 30_000,
  closeGraceMs: 0,
  prefetchLeadMs: 10_000,
  prefetchIntervalMs: 1000,
  deadlines: { evaluateMs: 15_000, submitMs: 60_000 },
  retry: { attempts: 6, baseDelayMs: 250, maxDelayMs: 10_000 },
  checkpointFile: path.join(REPO_ROOT, 'network', 'run', 'auctioneer', 'checkpoint.json'),
  http: { host: '127.0.0.1', port: 3100, allowRemote: false },
  logLevel: 'info',
  pauseBeforeCommitMs: 0,
  pauseBeforeSettleMs: 0,
};

export type ConfigInput = Partial<
  Omit<AuctioneerConfig, 'deadlines' | 'retry' | 'http'> & {
    deadlines: Partial<AuctioneerConfig['deadlines']>;
    retry: Partial<RetryPolicy>;
    http: Partial<AuctioneerConfig['http']>;
  }
>;

/** Defaults, overridden by `input` (nested objects merged). */
function mergeConfig(input: ConfigInput): AuctioneerConfig {
  return {
    ...DEFAULT_CONFIG,
    ...input,
    deadlines: { ...DEFAULT_CONFIG.deadlines, ...input.deadlines },
    retry: { ...DEFAULT_CONFIG.retry, ...input.retry },
    http: { ...DEFAULT_CONFIG.http, ...input.http },
  };
}

function modeProblems(c: AuctioneerConfig): string[] {
  // a config file or AUCTIONEER_MODE may name anything: the type says only what is accepted
  const mode: unknown = c.mode;
  if (mode !== 'schedule' && mode !== 'manual')
    return [`mode must be schedule or manual, got ${String(mode)}`];
  return mode === 'schedule' ? scheduleProblems(c) : [];
}

const isPositive = (v: number): boolean => Number.isFinite(v) && v > 0;
const isNonNegative = (v: number): boolean => Number.isFinite(v) && v >= 0;

/**
 * A grace past the endorsers' skew bound is never needed: an auctioneer whose clock is off by more
 * than it cannot close at all (CLOCK_SKEW), and one within it is corrected by TOO_EARLY.
 */
const graceProblems = (c: AuctioneerConfig, maxClockSkewSeconds: number): string[] =>
  c.closeGraceMs > maxClockSkewSeconds * 1000
    ? [
        `closeGraceMs must be at most the endorsers' clock skew bound (${MAX_CLOCK_SKEW_ENV} = ` +
          `${String(maxClockSkewSeconds)} s), got ${String(c.closeGraceMs)}`,
      ]
    : [];

function numberProblems(c: AuctioneerConfig): string[] {
  const positive: [string, number][] = [
    ['scheduleTickMs', c.scheduleTickMs],
    ['reconcileIntervalMs', c.reconcileIntervalMs],
    ['prefetchIntervalMs', c.prefetchIntervalMs],
    ['deadlines.evaluateMs', c.deadlines.evaluateMs],
    ['deadlines.submitMs', c.deadlines.submitMs],
    ['retry.attempts', c.retry.attempts],
    ['retry.baseDelayMs', c.retry.baseDelayMs],
    ['retry.maxDelayMs', c.retry.maxDelayMs],
  ];
  const nonNegative: [string, number][] = [
    ['closeGraceMs', c.closeGraceMs],
    ['prefetchLeadMs', c.prefetchLeadMs],
    ['minBiddingMs', c.minBiddingMs],
    ['pauseBeforeCommitMs', c.pauseBeforeCommitMs],
    ['pauseBeforeSettleMs', c.pauseBeforeSettleMs],
  ];
  return [
    ...positive.filter(([, v]) => !isPositive(v)).map(([k]) => `${k} must be a positive number`),
    ...nonNegative.filter(([, v]) => !isNonNegative(v)).map(([k]) => `${k} must be a non-negative number`),
  ];
}

/** The scheduled rounds' delivery parameters as OpenRound will see them (slot length filled in). */
export const scheduledDelivery = (c: AuctioneerConfig): Partial<DeliveryParams> | undefined =>
  c.roundDelivery ? { slotSeconds: c.slotMinutes * 60, ...c.roundDelivery } : undefined;

/** The chaincode's own check of the delivery parameters, run at start instead of at each OpenRound. */
function deliveryProblems(c: AuctioneerConfig): string[] {
  const delivery = scheduledDelivery(c);
  if (!delivery) return [];
  try {
    deliveryParamsOf(delivery);
    return [];
  } catch (e) {
    if (!(e instanceof MarketError)) throw e;
    const issues = (e.details?.issues ?? []) as { field: string; reason: string }[];
    return issues.length
      ? issues.map((i) => `roundDelivery.${i.field} ${i.reason}`)
      : [`roundDelivery: ${e.message}`];
  }
}

const httpProblems = ({ http: { host, port, allowRemote } }: AuctioneerConfig): string[] => [
  ...(Number.isInteger(port) && port >= 0 && port <= 65535 ? [] : ['http.port must be 0-65535']),
  ...listenHostProblems(host, allowRemote, 'AUCTIONEER_ALLOW_REMOTE').map((p) => `http.${p}`),
];

/**
 * Defaults, overridden by `input` (nested objects merged), then validated (every problem at once).
 * `maxClockSkewSeconds`: the chaincode servers' bound, by default as this process's environment
 * sets it (the chaincode's own variable, parser and default).
 */
export function resolveConfig(
  input: ConfigInput = {},
  maxClockSkewSeconds: number = MAX_CLOCK_SKEW_SECONDS,
): AuctioneerConfig {
  const c = mergeConfig(input);
  const p = [
    ...modeProblems(c),
    ...numberProblems(c),
    ...graceProblems(c, maxClockSkewSeconds),
    ...deliveryProblems(c),
    ...httpProblems(c),
  ];
  if (p.length) throw new ConfigError('auctioneer', p);
  return c;
}

const num = (env: NodeJS.ProcessEnv, name: string): number | undefined => {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError('auctioneer', [`${name} must be a number, got '${v}'`]);
  return n;
};

/** A variable's text; unset and empty both mean "not set". */
const str = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const v = env[name];
  return v === '' ? undefined : v;
};

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The JSON file AUCTIONEER_CONFIG names, or nothing. */
function readConfigFile(env: NodeJS.ProcessEnv): ConfigInput {
  const file = str(env, 'AUCTIONEER_CONFIG');
  if (file === undefined) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ConfigInput;
  } catch (e) {
    throw new ConfigError('auctioneer', [`AUCTIONEER_CONFIG ${file}: ${(e as Error).message}`]);
  }
}

function readRoundDelivery(env: NodeJS.ProcessEnv): Partial<DeliveryParams> | undefined {
  const text = str(env, 'AUCTIONEER_ROUND_DELIVERY');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Partial<DeliveryParams>;
  } catch {
    throw new ConfigError('auctioneer', [
      'AUCTIONEER_ROUND_DELIVERY must be JSON like {"gateClosureSeconds":3600,"shortPremium":"0.2"}',
    ]);
  }
}

function readRoundParams(env: NodeJS.ProcessEnv): WireRoundParams | undefined {
  const text = str(env, 'AUCTIONEER_ROUND_PARAMS');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as WireRoundParams;
  } catch {
    throw new ConfigError('auctioneer', ['AUCTIONEER_ROUND_PARAMS must be JSON like {"serviceFee":"0.5"}']);
  }
}

/** The top-level settings the AUCTIONEER_* and FABRIC_* variables set (unset ones left out). */
function envSettings(env: NodeJS.ProcessEnv): ConfigInput {
  const roundParams = readRoundParams(env); // a bad JSON is reported before any bad number
  const roundDelivery = readRoundDelivery(env);
  return defined({
    mspId: str(env, 'AUCTIONEER_MSP_ID'),
    channel: str(env, 'FABRIC_CHANNEL'),
    chaincode: str(env, 'FABRIC_CHAINCODE'),
    mode: str(env, 'AUCTIONEER_MODE') as AuctioneerConfig['mode'] | undefined,
    slotMinutes: num(env, 'AUCTIONEER_SLOT_MINUTES'),
    gateClosureSeconds: num(env, 'AUCTIONEER_GATE_CLOSURE_SECONDS'),
    openAheadSlots: num(env, 'AUCTIONEER_OPEN_AHEAD_SLOTS'),
    minBiddingMs: num(env, 'AUCTIONEER_MIN_BIDDING_MS'),
    roundParams,
    roundDelivery,
    scheduleTickMs: num(env, 'AUCTIONEER_SCHEDULE_TICK_MS'),
    reconcileIntervalMs: num(env, 'AUCTIONEER_RECONCILE_MS'),
    closeGraceMs: num(env, 'AUCTIONEER_CLOSE_GRACE_MS'),
    prefetchLeadMs: num(env, 'AUCTIONEER_PREFETCH_LEAD_MS'),
    prefetchIntervalMs: num(env, 'AUCTIONEER_PREFETCH_INTERVAL_MS'),
    checkpointFile: str(env, 'AUCTIONEER_CHECKPOINT_FILE'),
    logLevel: str(env, 'AUCTIONEER_LOG_LEVEL'),
    pauseBeforeCommitMs: num(env, 'AUCTIONEER_PAUSE_BEFORE_COMMIT_MS'),
    pauseBeforeSettleMs: num(env, 'AUCTIONEER_PAUSE_BEFORE_SETTLE_MS'),
  });
}

/**
 * Config from the environment: AUCTIONEER_CONFIG names an optional JSON file (ConfigInput);
 * AUCTIONEER_* variables override it (see docs/auctioneer.md).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AuctioneerConfig {
  const file = readConfigFile(env);
  const fromEnv = envSettings(env);
  return resolveConfig(
    {
      ...file,
      ...fromEnv,
      http: {
        ...file.http,
        ...defined({
          host: str(env, 'AUCTIONEER_HOST'),
          port: num(env, 'AUCTIONEER_PORT'),
          allowRemote: env.AUCTIONEER_ALLOW_REMOTE === '1' ? true : undefined,
        }),
      },
      deadlines: {
        ...file.deadlines,
        ...defined({
          evaluateMs: num(env, 'AUCTIONEER_EVALUATE_TIMEOUT_MS'),
          submitMs: num(env, 'AUCTIONEER_SUBMIT_TIMEOUT_MS'),
        }),
      },
      retry: { ...file.retry, ...defined({ attempts: num(env, 'AUCTIONEER_RETRY_ATTEMPTS') }) },
    },
    clockSkewBound(env),
  );
}

/** The endorsers' skew bound as `env` sets it for the chaincode servers (same variable and parser). */
function clockSkewBound(env: NodeJS.ProcessEnv): number {
  try {
    return parseMaxClockSkew(env[MAX_CLOCK_SKEW_ENV]);
  } catch (e) {
    throw new ConfigError('auctioneer', [(e as Error).message]);
  }
}

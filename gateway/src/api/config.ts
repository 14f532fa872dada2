import { readFileSync } from 'node:fs';
import { ConfigError } from '../../../engine/src/config-error';
import { listenHostProblems } from '../../../fabric-client/src/listen-host';

export type Role = 'utility' | 'operator';

export interface Tenant {
  mspId: string;
  role: Role;
  /** a short label for logs and metrics (never the token) */
  name: string;
  /**
   * The enrolled identity of `mspId` (network:generate's or `npm run identity:register`'s name) that
   * signs this tenant's transactions; absent: the org's application identity (its connection file).
   */
  identity?: string;
}

/** Fabric CA enrollment ids as identity:register accepts them. */
const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The Fabric connection a tenant's requests use: one per org and enrolled identity. */
export function connectionKey(t: Pick<Tenant, 'mspId' | 'identity'>): string {
  return t.identity === undefined ? t.mspId : `${t.mspId}/${t.identity}`;
}

export interface ApiConfig {
  host: string;
  port: number;
  /** bearer token -> tenant */
  tenants: Record<string, Tenant>;
  batch: {
    /** most bids in one SubmitBids transaction (chaincode limit 10,000) */
    maxBids: number;
    /** longest a bid request waits for others to join its batch, ms */
    maxWaitMs: number;
    /** concurrent SubmitBids transactions per tenant and round */
    maxInFlight: number;
    /** retries of a batch whose transaction failed validation (e.g. MVCC) or hit an unavailable peer */
    maxRetries: number;
  };
  rateLimit: { max: number; timeWindowMs: number };
  /**
   * ms within which every request is answered. The Fabric deadlines the API uses are derived from
   * it (timeouts.ts: apiTimeouts), so that Fabric's own failure answers first.
   */
  requestTimeoutMs: number;
  /** body size limit, bytes */
  bodyLimit: number;
  logLevel: string;
}

/** Demo tokens for local development only; replace them via config file or API_TENANTS. */
export const DEMO_TOKENS = {
  operator: 'demo-operator-token',
  utility1: 'demo-utility1-token',
  utility2: 'demo-utility2-token',
} as const;

export const DEFAULT_CONFIG: ApiConfig = {
  host: '127.0.0.1',
  port: 3000,
  tenants: {
    [DEMO_TOKENS.operator]: { mspId: 'OperatorMSP', role: 'operator', name: 'operator' },
    [DEMO_TOKENS.utility1]: { mspId: 'Utility1MSP', role: 'utility', name: 'utility1' },
    [DEMO_TOKENS.utility2]: { mspId: 'Utility2MSP', role: 'utility', name: 'utility2' },
  },
  batch: { maxBids: 2000, maxWaitMs: 50, maxInFlight: 4, maxRetries: 3 },
  rateLimit: { max: 6000, timeWindowMs: 60_000 },
  requestTimeoutMs: 20_000,
  bodyLimit: 4 * 1024 * 1024,
  logLevel: 'info',
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
type Layer = DeepPartial<ApiConfig>;

/** The first defined value: environment, then overrides, then the file, then the default. */
const pick = (...vals: unknown[]): unknown => vals.find((v) => v !== undefined);

/** An integer in [min, max]; otherwise a problem is recorded (and the value is unusable). */
function intIn(problems: string[], name: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return NaN;
  }
  return n;
}

/** A tenant's optional `identity`: the name of one of its org's enrolled identities. */
function checkIdentity(problems: string[], mspId: string, identity: unknown): void {
  if (identity === undefined || (typeof identity === 'string' && IDENTITY_NAME.test(identity))) return;
  problems.push(
    `tenant ${mspId}: identity must be the name of an enrolled identity (A-Za-z0-9._-), got ${JSON.stringify(identity)}`,
  );
}

/** One tenant entry, or undefined with its problems recorded. */
function checkTenant(problems: string[], token: string, v: unknown): Tenant | undefined {
  const o = v as Partial<Tenant> | null;
  const before = problems.length;
  if (token.length < 8) problems.push('tenant tokens must have at least 8 characters');
  if (!o || typeof o.mspId !== 'string' || !/^[A-Za-z0-9.-]{1,40}$/.test(o.mspId)) {
    problems.push(`tenants[…].mspId must be an MSP id (A-Za-z0-9.-)`);
    return undefined;
  }
  if (o.role !== 'utility' && o.role !== 'operator') {
    problems.push(`tenant ${o.mspId}: role must be "utility" or "operator"`);
    return undefined;
  }
  checkIdentity(problems, o.mspId, o.identity);
  if (problems.length > before) return undefined;
  return {
    mspId: o.mspId,
    role: o.role,
    name: typeof o.name === 'string' ? o.name : o.mspId,
    ...(o.identity !== undefined ? { identity: o.identity } : {}),
  };
}

/** The token -> tenant table; its problems recorded. */
function checkTenants(problems: string[], t: unknown): Record<string, Tenant> {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) {
    problems.push('tenants must be an object {token: {mspId, role, name?, identity?}}');
    return {};
  }
  const out: Record<string, Tenant> = {};
  for (const [token, v] of Object.entries(t as Record<string, unknown>)) {
    const tenant = checkTenant(problems, token, v);
    if (tenant) out[token] = tenant;
  }
  return out;
}

/** The JSON file named by API_CONFIG, if any. */
function readConfigFile(problems: string[], path: string | undefined): Layer {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Layer;
  } catch (e) {
    problems.push(`cannot read API_CONFIG ${path}: ${(e as Error).message}`);
    return {};
  }
}

/** The tenant table before checking: API_TENANTS (JSON) wins over the other layers. */
function rawTenants(problems: string[], env: NodeJS.ProcessEnv, overrides: Layer, file: Layer): unknown {
  if (!env.API_TENANTS) return pick(overrides.tenants, file.tenants, DEFAULT_CONFIG.tenants);
  try {
    return JSON.parse(env.API_TENANTS);
  } catch {
    problems.push('API_TENANTS must be JSON {token: {mspId, role, name?, identity?}}');
    return {};
  }
}

/** The listening host: loopback unless API_ALLOW_REMOTE=1. */
function checkHost(problems: string[], env: NodeJS.ProcessEnv, overrides: Layer, file: Layer): string {
  const host = pick(env.API_HOST, overrides.host, file.host, DEFAULT_CONFIG.host) as string;
  problems.push(...listenHostProblems(host, env.API_ALLOW_REMOTE === '1', 'API_ALLOW_REMOTE'));
  return host;
}

/** An integer setting: its name, environment variable, where it sits in a layer, and its range. */
interface IntSetting {
  name: string;
  env: string;
  get: (layer: Layer) => unknown;
  min: number;
  max: number;
}

const BATCH: Record<keyof ApiConfig['batch'], IntSetting> = {
  maxBids: {
    name: 'batch.maxBids',
    env: 'API_BATCH_MAX_BIDS',
    get: (l) => l.batch?.maxBids,
    min: 1,
    max: 10_000,
  },
  maxWaitMs: {
    name: 'batch.maxWaitMs',
    env: 'API_BATCH_MAX_WAIT_MS',
    get: (l) => l.batch?.maxWaitMs,
    min: 0,
    max: 10_000,
  },
  maxInFlight: {
    name: 'batch.maxInFlight',
    env: 'API_BATCH_MAX_IN_FLIGHT',
    get: (l) => l.batch?.maxInFlight,
    min: 1,
    max: 64,
  },
  maxRetries: {
    name: 'batch.maxRetries',
    env: 'API_BATCH_MAX_RETRIES',
    get: (l) => l.batch?.maxRetries,
    min: 0,
    max: 20,
  },
};

const RATE_LIMIT: Record<keyof ApiConfig['rateLimit'], IntSetting> = {
  max: { name: 'rateLimit.max', env: 'API_RATE_LIMIT_MAX', get: (l) => l.rateLimit?.max, min: 1, max: 1e9 },
  timeWindowMs: {
    name: 'rateLimit.timeWindowMs',
    env: 'API_RATE_LIMIT_WINDOW_MS',
    get: (l) => l.rateLimit?.timeWindowMs,
    min: 1,
    max: 86_400_000,
  },
};

const PORT: IntSetting = { name: 'port', env: 'API_PORT', get: (l) => l.port, min: 0, max: 65535 };
const REQUEST_TIMEOUT: IntSetting = {
  name: 'requestTimeoutMs',
  env: 'API_REQUEST_TIMEOUT_MS',
  get: (l) => l.requestTimeoutMs,
  min: 100,
  max: 3_600_000,
};
const BODY_LIMIT: IntSetting = {
  name: 'bodyLimit',
  env: 'API_BODY_LIMIT',
  get: (l) => l.bodyLimit,
  min: 1024,
  max: 64 * 1024 * 1024,
};

/**
 * Merges defaults, an optional JSON file (API_CONFIG) and environment variables, and checks them.
 * Throws one ConfigError('API', problems) naming every problem found.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Layer = {}): ApiConfig {
  const problems: string[] = [];
  const file = readConfigFile(problems, env.API_CONFIG);
  const int = (s: IntSetting): number =>
    intIn(
      problems,
      s.name,
      pick(env[s.env], s.get(overrides), s.get(file), s.get(DEFAULT_CONFIG)),
      s.min,
      s.max,
    );
  const host = checkHost(problems, env, overrides, file);
  const cfg: ApiConfig = {
    host,
    port: int(PORT),
    tenants: checkTenants(problems, rawTenants(problems, env, overrides, file)),
    batch: {
      maxBids: int(BATCH.maxBids),
      maxWaitMs: int(BATCH.maxWaitMs),
      maxInFlight: int(BATCH.maxInFlight),
      maxRetries: int(BATCH.maxRetries),
    },
    rateLimit: { max: int(RATE_LIMIT.max), timeWindowMs: int(RATE_LIMIT.timeWindowMs) },
    requestTimeoutMs: int(REQUEST_TIMEOUT),
    bodyLimit: int(BODY_LIMIT),
    logLevel: pick(env.API_LOG_LEVEL, overrides.logLevel, file.logLevel, DEFAULT_CONFIG.logLevel) as string,
  };
  if (problems.length > 0) throw new ConfigError('API', problems);
  return cfg;
}

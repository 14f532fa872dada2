import { readFileSync } from 'node:fs';

export type Role = 'utility' | 'operator';

export interface Tenant {
  mspId: string;
  role: Role;
  /** a short label for logs and metrics (never the token) */
  name: string;
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

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function intIn(name: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return n;
}

function checkTenants(t: unknown): Record<string, Tenant> {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) {
    throw new ConfigError('tenants must be an object {token: {mspId, role}}');
  }
  const out: Record<string, Tenant> = {};
  for (const [token, v] of Object.entries(t as Record<string, unknown>)) {
    const o = v as Partial<Tenant> | null;
    if (token.length < 8) throw new ConfigError('tenant tokens must have at least 8 characters');
    if (!o || typeof o.mspId !== 'string' || !/^[A-Za-z0-9.-]{1,40}$/.test(o.mspId)) {
      throw new ConfigError(`tenants[…].mspId must be an MSP id (A-Za-z0-9.-)`);
    }
    if (o.role !== 'utility' && o.role !== 'operator') {
      throw new ConfigError(`tenant ${o.mspId}: role must be "utility" or "operator"`);
    }
    out[token] = { mspId: o.mspId, role: o.role, name: typeof o.name === 'string' ? o.name : o.mspId };
  }
  return out;
}

/** Merges defaults, an optional JSON file (API_CONFIG) and environment variables, and checks them. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: DeepPartial<ApiConfig> = {},
): ApiConfig {
  let file: DeepPartial<ApiConfig> = {};
  if (env.API_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.API_CONFIG, 'utf8')) as DeepPartial<ApiConfig>;
    } catch (e) {
      throw new ConfigError(`cannot read API_CONFIG ${env.API_CONFIG}: ${(e as Error).message}`);
    }
  }
  const d = DEFAULT_CONFIG;
  const pick = (...vals: unknown[]): unknown => vals.find((v) => v !== undefined);
  let tenantsRaw = pick(overrides.tenants, file.tenants, d.tenants);
  if (env.API_TENANTS) {
    try {
      tenantsRaw = JSON.parse(env.API_TENANTS);
    } catch {
      throw new ConfigError('API_TENANTS must be JSON {token: {mspId, role}}');
    }
  }
  const host = pick(env.API_HOST, overrides.host, file.host, d.host) as string;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1' && env.API_ALLOW_REMOTE !== '1') {
    throw new ConfigError(`host ${host} is not a loopback address (set API_ALLOW_REMOTE=1 to allow)`);
  }
  const cfg: ApiConfig = {
    host,
    port: intIn('port', pick(env.API_PORT, overrides.port, file.port, d.port), 0, 65535),
    tenants: checkTenants(tenantsRaw),
    batch: {
      maxBids: intIn(
        'batch.maxBids',
        pick(env.API_BATCH_MAX_BIDS, overrides.batch?.maxBids, file.batch?.maxBids, d.batch.maxBids),
        1,
        10_000,
      ),
      maxWaitMs: intIn(
        'batch.maxWaitMs',
        pick(env.API_BATCH_MAX_WAIT_MS, overrides.batch?.maxWaitMs, file.batch?.maxWaitMs, d.batch.maxWaitMs),
        0,
        10_000,
      ),
      maxInFlight: intIn(
        'batch.maxInFlight',
        pick(
          env.API_BATCH_MAX_IN_FLIGHT,
          overrides.batch?.maxInFlight,
          file.batch?.maxInFlight,
          d.batch.maxInFlight,
        ),
        1,
        64,
      ),
      maxRetries: intIn(
        'batch.maxRetries',
        pick(
          env.API_BATCH_MAX_RETRIES,
          overrides.batch?.maxRetries,
          file.batch?.maxRetries,
          d.batch.maxRetries,
        ),
        0,
        20,
      ),
    },
    rateLimit: {
      max: intIn(
        'rateLimit.max',
        pick(env.API_RATE_LIMIT_MAX, overrides.rateLimit?.max, file.rateLimit?.max, d.rateLimit.max),
        1,
        1e9,
      ),
      timeWindowMs: intIn(
        'rateLimit.timeWindowMs',
        pick(
          env.API_RATE_LIMIT_WINDOW_MS,
          overrides.rateLimit?.timeWindowMs,
          file.rateLimit?.timeWindowMs,
          d.rateLimit.timeWindowMs,
        ),
        1,
        86_400_000,
      ),
    },
    requestTimeoutMs: intIn(
      'requestTimeoutMs',
      pick(env.API_REQUEST_TIMEOUT_MS, overrides.requestTimeoutMs, file.requestTimeoutMs, d.requestTimeoutMs),
      100,
      3_600_000,
    ),
    bodyLimit: intIn(
      'bodyLimit',
      pick(env.API_BODY_LIMIT, overrides.bodyLimit, file.bodyLimit, d.bodyLimit),
      1024,
      64 * 1024 * 1024,
    ),
    logLevel: pick(env.API_LOG_LEVEL, overrides.logLevel, file.logLevel, d.logLevel) as string,
  };
  return cfg;
}

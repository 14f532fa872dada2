/** The page's client of the REST API: same origin, the tenant's bearer token, problem+json errors. */

const KEY = 'energy-auction.token';

export interface Session {
  mspId: string;
  role: 'operator' | 'utility';
}

export interface ProblemItem {
  path?: string;
  index?: number;
  field?: string;
  reason?: string;
}

/** An error answer of the API (application/problem+json). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors: ProblemItem[] = [],
  ) {
    super(detail);
  }
}

export const token = (): string | null => sessionStorage.getItem(KEY);
export const setToken = (t: string | null): void => {
  if (t === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, t);
};

interface Problem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: ProblemItem[];
}

/** The ApiError of an error answer's body (a problem document, or anything else). */
function problemOf(res: Response, body: unknown): ApiError {
  const p = body as Problem;
  return new ApiError(res.status, p.code ?? 'ERROR', p.detail ?? p.title ?? res.statusText, p.errors ?? []);
}

/** A JSON request to the API with the signed-in token; throws ApiError on an error answer. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token() ?? ''}` };
  const json = init.body === undefined ? {} : { body: JSON.stringify(init.body) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers, ...json });
  const body = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) throw problemOf(res, body);
  return body as T;
}

/** A text answer of the API (e.g. `?format=csv`) with the signed-in token; ApiError on an error. */
export async function apiText(path: string): Promise<string> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token() ?? ''}` } });
  if (!res.ok) throw problemOf(res, await res.json().catch(() => ({})));
  return res.text();
}

export interface RoundRecord {
  id: string;
  slot: string;
  closesAt: string;
  status: 'OPEN' | 'CLOSED' | 'CLEARED' | 'SETTLED';
  bidCount?: number;
  batchCount?: number;
  /** mechanism parameters, every default filled in */
  params?: { profile: string; alpha: string; gridStep: string; serviceFee: string };
  mechanismVersion?: string;
  /** only in rounds opened with delivery parameters: those the operator's service settles */
  delivery?: { shortPremium: string; longDiscount: string; slotSeconds: number; gateClosureSeconds: number };
}

/** Until when a round takes meter readings (the chaincode's gateClosesAt), or null. */
export function gateOf(r: RoundRecord): string | null {
  if (!r.delivery) return null;
  const ms = Date.parse(r.slot) + (r.delivery.slotSeconds + r.delivery.gateClosureSeconds) * 1000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface Clearing {
  status: string;
  price: string;
  priceRange: { min: string; max: string };
  totals: { energy: string; buyerPayments: string; sellerReceipts: string; fees: string };
  metrics: {
    tradedEnergy: string;
    supplyTradedPercent: string;
    socialWelfare: string;
    maxSocialWelfare: string;
    efficiency: string;
  };
}

export interface CurvesAnswer {
  roundId: string;
  status: string;
  utility: string | null;
  prices: string[];
  supply: string[];
  demand: string[];
  exact: boolean;
  bidCount: number;
  clearing: Clearing | null;
}

export interface WireBid {
  id: string;
  side: 'buy' | 'sell';
  price: string;
  quantity: string;
  alpha?: string;
}

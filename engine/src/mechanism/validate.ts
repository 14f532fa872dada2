/**
 * Input validation (docs/mechanism.md §2): a round is accepted whole or rejected whole, with every
 * offending field of every bid (and of the params) named in one RoundValidationError.
 */
import { IdSet } from './id-set';
import {
  RoundValidationError,
  type Bid,
  type Profile,
  type RoundParams,
  type Side,
  type ValidationIssue,
  type WireRoundParams,
} from './types';
import { DECIMALS, DecimalFormatError, parseDecimal } from './units';

/** 1,000,000 currency per kWh in price ticks (1e-4). */
const MAX_PRICE_TICKS = 1_000_000 * 10 ** DECIMALS.price;
/** 1,000,000 kWh in Wh. */
const MAX_QUANTITY_WH = 1_000_000 * 10 ** DECIMALS.energy;
/** 1,000,000 currency per kWh² in alpha units (1e-4). */
const MAX_ALPHA_UNITS = 1_000_000 * 10 ** DECIMALS.alpha;

const ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

const MAX_SIDE_REASON = 'the total quantity of one side exceeds 9007199254740.991 kWh';

const DEFAULT_PARAMS: Required<WireRoundParams> = {
  profile: 'default',
  alpha: '4',
  gridStep: '0.1',
  serviceFee: '0',
};

const PARAM_FIELDS = new Set(['profile', 'alpha', 'gridStep', 'serviceFee']);
const PROFILES: readonly Profile[] = ['default', 'doan2021'];

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A decimal field: its name, its decimals, and its range in internal units (`minExclusive` makes
 * the lower bound strict; `text` states the range in messages).
 */
interface DecimalSpec {
  field: string;
  decimals: number;
  min: number;
  max: number;
  minExclusive: boolean;
  text: string;
}

const PRICE_RANGE = { min: 0, max: MAX_PRICE_TICKS, minExclusive: false, text: 'in [0, 1000000]' };
const POSITIVE_ALPHA = {
  min: 0,
  max: MAX_ALPHA_UNITS,
  minExclusive: true,
  text: 'greater than 0 and at most 1000000',
};

const PRICE: DecimalSpec = { field: 'price', decimals: DECIMALS.price, ...PRICE_RANGE };
const QUANTITY: DecimalSpec = {
  field: 'quantity',
  decimals: DECIMALS.energy,
  min: 0,
  max: MAX_QUANTITY_WH,
  minExclusive: true,
  text: 'greater than 0 and at most 1000000 kWh',
};
const ALPHA: DecimalSpec = { field: 'alpha', decimals: DECIMALS.alpha, ...POSITIVE_ALPHA };
const GRID_STEP: DecimalSpec = {
  field: 'gridStep',
  decimals: DECIMALS.price,
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
  minExclusive: true,
  text: 'greater than 0',
};
const SERVICE_FEE: DecimalSpec = { field: 'serviceFee', decimals: DECIMALS.price, ...PRICE_RANGE };

/**
 * Parses a decimal field and checks its range; on failure pushes an issue and returns undefined.
 */
function decimalField(
  issues: ValidationIssue[],
  index: number,
  id: string,
  raw: unknown,
  spec: DecimalSpec,
): number | undefined {
  let value: number;
  try {
    value = parseDecimal(raw, spec.decimals);
  } catch (e) {
    if (e instanceof DecimalFormatError) {
      issues.push({ index, id, field: spec.field, reason: e.reason });
      return undefined;
    }
    throw e;
  }
  const tooLow = spec.minExclusive ? value <= spec.min : value < spec.min;
  if (tooLow || value > spec.max) {
    issues.push({ index, id, field: spec.field, reason: `must be ${spec.text}, got ${String(raw)}` });
    return undefined;
  }
  return value;
}

const BID_DECIMALS = new Map<string, DecimalSpec>([
  ['price', PRICE],
  ['quantity', QUANTITY],
  ['alpha', ALPHA],
]);

/**
 * Why a bid's price, quantity or alpha value is invalid, worded as validateRound words it (e.g.
 * `must be a non-negative decimal number like "12.5"`); undefined when it is valid or `field` is
 * none of them. The one wording of these faults for every front end (the CLI, the REST API).
 */
export function bidDecimalReason(field: string, raw: unknown): string | undefined {
  const spec = BID_DECIMALS.get(field);
  if (spec === undefined) return undefined;
  const issues: ValidationIssue[] = [];
  decimalField(issues, 0, '', raw, spec);
  return issues[0]?.reason;
}

/** decimalField for a field that must be present ("required" when it is undefined). */
function requiredDecimal(
  issues: ValidationIssue[],
  index: number,
  id: string,
  raw: unknown,
  spec: DecimalSpec,
): number | undefined {
  if (raw !== undefined) return decimalField(issues, index, id, raw, spec);
  issues.push({ index, id, field: spec.field, reason: 'required' });
  return undefined;
}

const PARAMS_WHERE = { index: -1, id: 'params' } as const;

function validateParams(raw: unknown, issues: ValidationIssue[]): RoundParams | undefined {
  const params = raw === undefined ? {} : raw; // no params: all defaults (null is refused below)
  if (!isRecord(params)) {
    issues.push({ ...PARAMS_WHERE, field: 'params', reason: 'must be an object' });
    return undefined;
  }
  unknownParamIssues(params, issues);
  // An explicitly undefined field means "not given" (e.g. { ...params, ...overrides }).
  const pick = (k: keyof WireRoundParams): unknown => params[k] ?? DEFAULT_PARAMS[k];
  const before = issues.length;
  const profile = validProfile(pick('profile'), issues);
  const alpha = decimalField(issues, -1, 'params', pick('alpha'), ALPHA);
  const gridStep = decimalField(issues, -1, 'params', pick('gridStep'), GRID_STEP);
  const serviceFee = decimalField(issues, -1, 'params', pick('serviceFee'), SERVICE_FEE);
  if (issues.length > before || profile === undefined) return undefined;
  if (alpha === undefined || gridStep === undefined || serviceFee === undefined) return undefined;
  return { profile, alpha, gridStep, serviceFee };
}

function unknownParamIssues(params: Record<string, unknown>, issues: ValidationIssue[]): void {
  for (const key in params) {
    if (hasOwn(params, key) && !PARAM_FIELDS.has(key)) {
      issues.push({ ...PARAMS_WHERE, field: key, reason: 'unknown field' });
    }
  }
}

function validProfile(raw: unknown, issues: ValidationIssue[]): Profile | undefined {
  if (PROFILES.includes(raw as Profile)) return raw as Profile;
  issues.push({
    ...PARAMS_WHERE,
    field: 'profile',
    reason: `must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(raw)}`,
  });
  return undefined;
}

/**
 * Validates one bid; pushes its issues (in field order: id, side, price, quantity, alpha, unknown
 * fields). Returns the bid in integer units, or undefined if it has any issue. `defaultAlpha` is
 * undefined when the params themselves are invalid. Called once per bid: plain functions only, no
 * closures.
 */
function validateBid(
  raw: unknown,
  index: number,
  defaultAlpha: number | undefined,
  firstIndexOfId: IdSet,
  issues: ValidationIssue[],
): Bid | undefined {
  if (!isRecord(raw)) {
    issues.push({ index, id: '', field: 'bid', reason: 'must be an object' });
    return undefined;
  }
  const before = issues.length;
  const id = validId(raw.id, index, firstIndexOfId, issues);
  const side = validSide(raw.side, index, id, issues);
  const price = requiredDecimal(issues, index, id, raw.price, PRICE);
  const quantity = requiredDecimal(issues, index, id, raw.quantity, QUANTITY);
  const alpha = bidAlpha(raw.alpha, side, defaultAlpha, index, id, issues);
  unknownBidIssues(raw, index, id, issues);
  if (issues.length > before || side === undefined) return undefined;
  if (price === undefined || quantity === undefined || alpha === undefined) return undefined;
  return { id, side, price, quantity, alpha };
}

/** The id to name the bid by ('' when it is not a string); pushes the id's issues. */
function validId(raw: unknown, index: number, firstIndexOfId: IdSet, issues: ValidationIssue[]): string {
  if (typeof raw !== 'string') {
    const reason = raw === undefined ? 'required' : `must be a string, got ${typeof raw}`;
    issues.push({ index, id: '', field: 'id', reason });
    return '';
  }
  if (!ID_RE.test(raw)) {
    issues.push({ index, id: raw, field: 'id', reason: 'must be 1-64 characters of A-Za-z0-9._:-' });
    return raw;
  }
  const first = firstIndexOfId.addOrGet(raw, index);
  if (first !== undefined) {
    issues.push({ index, id: raw, field: 'id', reason: `duplicate id (first used by bids[${first}])` });
  }
  return raw;
}

function validSide(raw: unknown, index: number, id: string, issues: ValidationIssue[]): Side | undefined {
  if (raw === 'buy' || raw === 'sell') return raw;
  issues.push({
    index,
    id,
    field: 'side',
    reason: raw === undefined ? 'required' : `must be "buy" or "sell", got ${JSON.stringify(raw)}`,
  });
  return undefined;
}

/** A seller's alpha is 0 (and may not be given); a buyer's is its own or the round's. */
function bidAlpha(
  raw: unknown,
  side: Side | undefined,
  defaultAlpha: number | undefined,
  index: number,
  id: string,
  issues: ValidationIssue[],
): number | undefined {
  if (side === 'sell') {
    if (raw !== undefined) issues.push({ index, id, field: 'alpha', reason: 'only buy bids carry an alpha' });
    return 0;
  }
  return raw === undefined ? defaultAlpha : decimalField(issues, index, id, raw, ALPHA);
}

const isBidField = (key: string): boolean =>
  key === 'id' || key === 'side' || key === 'price' || key === 'quantity' || key === 'alpha';

function unknownBidIssues(
  raw: Record<string, unknown>,
  index: number,
  id: string,
  issues: ValidationIssue[],
): void {
  for (const key in raw) {
    if (!isBidField(key) && hasOwn(raw, key)) issues.push({ index, id, field: key, reason: 'unknown field' });
  }
}

/**
 * The engine keeps Wh totals as exact integers in float64, so each side's total quantity must stay
 * below 2^53 Wh (≈ 9·10^12 kWh: only reachable with millions of bids at the 10^6 kWh maximum).
 */
export function sideTotalsIssue(bids: readonly Bid[]): ValidationIssue | undefined {
  let buy = 0;
  let sell = 0;
  for (const b of bids) {
    if (b.side === 'buy') buy += b.quantity;
    else sell += b.quantity;
  }
  if (Math.max(buy, sell) <= Number.MAX_SAFE_INTEGER) return undefined;
  return { index: -1, id: 'round', field: 'bids', reason: MAX_SIDE_REASON };
}

/**
 * Validates a wire round (docs/mechanism.md §2) and converts it to integer units. `overrides` (e.g.
 * command-line flags) replace the round's params field by field; undefined entries are ignored.
 * Unknown top-level keys of the round (metadata) are ignored; unknown keys of a bid or of the
 * params are errors. Beyond docs/mechanism.md §2, the total quantity of each side must stay below 2^53 Wh.
 * Throws RoundValidationError naming every problem.
 */
export function validateRound(
  round: unknown,
  overrides?: Partial<WireRoundParams>,
): { params: RoundParams; bids: Bid[] } {
  if (!isRecord(round)) {
    throw new RoundValidationError([{ index: -1, id: 'round', field: 'round', reason: 'must be an object' }]);
  }
  const issues: ValidationIssue[] = [];
  const params = validateParams(withOverrides(round.params, overrides), issues);
  const bids = validateBids(bidArray(round.bids, issues), params?.alpha, issues);
  if (issues.length === 0) {
    const total = sideTotalsIssue(bids);
    if (total) issues.push(total);
  }
  if (issues.length > 0 || params === undefined) throw new RoundValidationError(issues);
  return { params, bids };
}

/** The round's params with the overrides' defined entries on top (params that are not an object stay). */
function withOverrides(rawParams: unknown, overrides: Partial<WireRoundParams> | undefined): unknown {
  if (overrides === undefined || !(rawParams === undefined || isRecord(rawParams))) return rawParams;
  const merged: Record<string, unknown> = { ...rawParams };
  // entries may be explicitly undefined at run time, whatever the type says
  for (const [k, v] of Object.entries<unknown>(overrides)) if (v !== undefined) merged[k] = v;
  return merged;
}

/** The round's bids array; without one, the round is rejected here with the issues so far. */
function bidArray(rawBids: unknown, issues: ValidationIssue[]): unknown[] {
  if (Array.isArray(rawBids)) return rawBids;
  issues.push({
    index: -1,
    id: 'round',
    field: 'bids',
    reason: rawBids === undefined ? 'required' : 'must be an array',
  });
  throw new RoundValidationError(issues);
}

/** Validates every bid (pushing their issues); the result has holes where a bid was invalid. */
function validateBids(
  rawBids: unknown[],
  defaultAlpha: number | undefined,
  issues: ValidationIssue[],
): Bid[] {
  const bids: Bid[] = new Array<Bid>(rawBids.length);
  const firstIndexOfId = new IdSet(rawBids.length);
  for (let i = 0; i < rawBids.length; i++) {
    const bid = validateBid(rawBids[i], i, defaultAlpha, firstIndexOfId, issues);
    if (bid !== undefined) bids[i] = bid;
  }
  return bids;
}

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
 * Parses a decimal field and checks its range; on failure pushes an issue and returns undefined.
 * `min`/`max` are in internal units; `minExclusive` makes the lower bound strict.
 */
function decimalField(
  issues: ValidationIssue[],
  index: number,
  id: string,
  field: string,
  raw: unknown,
  decimals: number,
  range: { min: number; max: number; minExclusive: boolean; text: string },
): number | undefined {
  let value: number;
  try {
    value = parseDecimal(raw, decimals);
  } catch (e) {
    if (e instanceof DecimalFormatError) {
      issues.push({ index, id, field, reason: e.reason });
      return undefined;
    }
    throw e;
  }
  const tooLow = range.minExclusive ? value <= range.min : value < range.min;
  if (tooLow || value > range.max) {
    issues.push({ index, id, field, reason: `must be ${range.text}, got ${String(raw)}` });
    return undefined;
  }
  return value;
}

const PRICE_RANGE = { min: 0, max: MAX_PRICE_TICKS, minExclusive: false, text: 'in [0, 1000000]' };
const QUANTITY_RANGE = {
  min: 0,
  max: MAX_QUANTITY_WH,
  minExclusive: true,
  text: 'greater than 0 and at most 1000000 kWh',
};
const ALPHA_RANGE = {
  min: 0,
  max: MAX_ALPHA_UNITS,
  minExclusive: true,
  text: 'greater than 0 and at most 1000000',
};
const GRID_RANGE = {
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
  minExclusive: true,
  text: 'greater than 0',
};

function validateParams(raw: unknown, issues: ValidationIssue[]): RoundParams | undefined {
  const where = { index: -1, id: 'params' };
  if (raw === undefined) raw = {};
  if (!isRecord(raw)) {
    issues.push({ ...where, field: 'params', reason: 'must be an object' });
    return undefined;
  }
  for (const key in raw) {
    if (hasOwn(raw, key) && !PARAM_FIELDS.has(key)) {
      issues.push({ ...where, field: key, reason: 'unknown field' });
    }
  }
  // An explicitly undefined field means "not given" (e.g. { ...params, ...overrides }).
  const pick = (k: keyof WireRoundParams): unknown => raw[k] ?? DEFAULT_PARAMS[k];
  const before = issues.length;

  const profileRaw = pick('profile');
  if (!PROFILES.includes(profileRaw as Profile)) {
    issues.push({
      ...where,
      field: 'profile',
      reason: `must be one of ${PROFILES.join(', ')}, got ${JSON.stringify(profileRaw)}`,
    });
  }
  const alpha = decimalField(issues, -1, 'params', 'alpha', pick('alpha'), DECIMALS.alpha, ALPHA_RANGE);
  const gridStep = decimalField(
    issues,
    -1,
    'params',
    'gridStep',
    pick('gridStep'),
    DECIMALS.price,
    GRID_RANGE,
  );
  const serviceFee = decimalField(
    issues,
    -1,
    'params',
    'serviceFee',
    pick('serviceFee'),
    DECIMALS.price,
    PRICE_RANGE,
  );
  if (issues.length > before || alpha === undefined || gridStep === undefined || serviceFee === undefined) {
    return undefined;
  }
  return { profile: profileRaw as Profile, alpha, gridStep, serviceFee };
}

/**
 * Validates one bid; pushes its issues. Returns the bid in integer units, or undefined if it has
 * any issue. `defaultAlpha` is undefined when the params themselves are invalid.
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
  const idRaw = raw.id;
  const id = typeof idRaw === 'string' ? idRaw : '';

  if (typeof idRaw !== 'string') {
    issues.push({
      index,
      id,
      field: 'id',
      reason: idRaw === undefined ? 'required' : `must be a string, got ${typeof idRaw}`,
    });
  } else if (!ID_RE.test(idRaw)) {
    issues.push({ index, id, field: 'id', reason: 'must be 1-64 characters of A-Za-z0-9._:-' });
  } else {
    const first = firstIndexOfId.addOrGet(idRaw, index);
    if (first !== undefined)
      issues.push({ index, id, field: 'id', reason: `duplicate id (first used by bids[${first}])` });
  }

  const side = raw.side;
  if (side !== 'buy' && side !== 'sell') {
    issues.push({
      index,
      id,
      field: 'side',
      reason: side === undefined ? 'required' : `must be "buy" or "sell", got ${JSON.stringify(side)}`,
    });
  }

  let price: number | undefined;
  if (raw.price === undefined) issues.push({ index, id, field: 'price', reason: 'required' });
  else price = decimalField(issues, index, id, 'price', raw.price, DECIMALS.price, PRICE_RANGE);

  let quantity: number | undefined;
  if (raw.quantity === undefined) issues.push({ index, id, field: 'quantity', reason: 'required' });
  else quantity = decimalField(issues, index, id, 'quantity', raw.quantity, DECIMALS.energy, QUANTITY_RANGE);

  let alpha: number | undefined = side === 'sell' ? 0 : defaultAlpha;
  if (raw.alpha !== undefined) {
    if (side === 'sell') {
      issues.push({ index, id, field: 'alpha', reason: 'only buy bids carry an alpha' });
    } else {
      alpha = decimalField(issues, index, id, 'alpha', raw.alpha, DECIMALS.alpha, ALPHA_RANGE);
    }
  }

  for (const key in raw) {
    if (key === 'id' || key === 'side' || key === 'price' || key === 'quantity' || key === 'alpha') continue;
    if (hasOwn(raw, key)) issues.push({ index, id, field: key, reason: 'unknown field' });
  }

  if (issues.length > before || price === undefined || quantity === undefined || alpha === undefined) {
    return undefined;
  }
  return { id, side: side as Side, price, quantity, alpha };
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
  const issues: ValidationIssue[] = [];
  if (!isRecord(round)) {
    throw new RoundValidationError([{ index: -1, id: 'round', field: 'round', reason: 'must be an object' }]);
  }
  let rawParams: unknown = round.params;
  if (overrides !== undefined && (rawParams === undefined || isRecord(rawParams))) {
    const merged: Record<string, unknown> = { ...(rawParams ?? {}) };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
    rawParams = merged;
  }
  const params = validateParams(rawParams, issues);

  const rawBids = round.bids;
  if (!Array.isArray(rawBids)) {
    issues.push({
      index: -1,
      id: 'round',
      field: 'bids',
      reason: rawBids === undefined ? 'required' : 'must be an array',
    });
    throw new RoundValidationError(issues);
  }
  const bids: Bid[] = new Array<Bid>(rawBids.length);
  const firstIndexOfId = new IdSet(rawBids.length);
  for (let i = 0; i < rawBids.length; i++) {
    const bid = validateBid(rawBids[i], i, params?.alpha, firstIndexOfId, issues);
    if (bid !== undefined) bids[i] = bid;
  }
  if (issues.length === 0) {
    const total = sideTotalsIssue(bids);
    if (total) issues.push(total);
  }
  if (issues.length > 0 || params === undefined) throw new RoundValidationError(issues);
  return { params, bids };
}

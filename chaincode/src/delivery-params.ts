/**
 * A round's delivery parameters (issue #15, docs/settlement.md §2): the imbalance factors k₊ and
 * k₋ of the settlement and when meter readings close. Optional in OpenRound (`delivery`); a round
 * without them uses the defaults below, so rounds opened before issue #15 keep their records.
 * Pure: the gate closure is computed from the round's slot, never from a clock.
 */
import { validateParams } from '../../engine/src/settlement/params';
import type { ValidationIssue } from '../../engine/src/mechanism/types';
import { MarketError } from './errors';
import { formatInstant, parseInstant } from './time';

export interface DeliveryParams {
  /** k₊, decimal string, [0, 10] */
  shortPremium: string;
  /** k₋, decimal string, [0, 1] */
  longDiscount: string;
  /** length of the delivery slot that starts at the round's `slot` */
  slotSeconds: number;
  /** readings are accepted until this many seconds after the slot's end (the gate closure) */
  gateClosureSeconds: number;
}

export const DELIVERY_DEFAULTS: DeliveryParams = {
  shortPremium: '0.2',
  longDiscount: '0.2',
  slotSeconds: 900,
  gateClosureSeconds: 3600,
};

/** At most a day for either duration: a larger one is a typo, not a market design. */
const MAX_SECONDS = 86_400;
const FIELDS = new Set(Object.keys(DELIVERY_DEFAULTS));

function secondsIssue(field: string, value: unknown, min: number): ValidationIssue | undefined {
  if (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= MAX_SECONDS) {
    return undefined;
  }
  return {
    index: -1,
    id: 'delivery',
    field,
    reason: `must be a whole number of seconds in [${String(min)}, ${String(MAX_SECONDS)}]`,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The delivery parameters with defaults filled in; INVALID_ARGUMENT naming every bad field. */
export function deliveryParamsOf(raw: unknown): DeliveryParams {
  if (raw !== undefined && !isRecord(raw)) {
    throw new MarketError('INVALID_ARGUMENT', 'delivery must be an object');
  }
  const p = { ...DELIVERY_DEFAULTS, ...(raw ?? {}) } as Record<string, unknown>;
  const issues: ValidationIssue[] = Object.keys(p)
    .filter((k) => !FIELDS.has(k))
    .map((k) => ({ index: -1, id: 'delivery', field: k, reason: 'unknown field' }));
  validateParams({ shortPremium: p.shortPremium, longDiscount: p.longDiscount }, issues);
  for (const [field, min] of [
    ['slotSeconds', 1],
    ['gateClosureSeconds', 0],
  ] as const) {
    const issue = secondsIssue(field, p[field], min);
    if (issue) issues.push(issue);
  }
  if (issues.length > 0) {
    throw new MarketError('INVALID_ARGUMENT', 'invalid delivery parameters', { issues });
  }
  return p as unknown as DeliveryParams;
}

/** The instant after which no meter reading of the round is accepted: slot + slot length + gate offset. */
export function gateClosesAt(slot: string, params: DeliveryParams): string {
  return formatInstant(parseInstant('slot', slot) + params.slotSeconds + params.gateClosureSeconds);
}

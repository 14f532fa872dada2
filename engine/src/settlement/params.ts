/**
 * Settlement parameters (docs/settlement.md §2): k₊ and k₋ as decimal strings with at most 4
 * decimals, held as integers in 1e-4 units. k₊ ∈ [0, 10], k₋ ∈ [0, 1] (so p × (1 − k₋) ≥ 0).
 */
import type { ValidationIssue } from '../mechanism/types';
import { DecimalFormatError, parseDecimal } from '../mechanism/units';
import type { SettlementParams, WireSettlementParams } from './types';

/** 1 in the parameters' 1e-4 units. */
export const ONE = 10_000;
const DECIMALS = 4;

const LIMITS: Record<keyof WireSettlementParams, number> = { shortPremium: 10 * ONE, longDiscount: ONE };
const FIELDS = Object.keys(LIMITS) as (keyof WireSettlementParams)[];

const issue = (field: string, reason: string): ValidationIssue => ({
  index: -1,
  id: 'params',
  field,
  reason,
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseField(
  raw: unknown,
  field: keyof WireSettlementParams,
  issues: ValidationIssue[],
): number | undefined {
  if (raw === undefined) {
    issues.push(issue(field, 'required'));
    return undefined;
  }
  try {
    const value = parseDecimal(raw, DECIMALS);
    if (value <= LIMITS[field]) return value;
    issues.push(issue(field, `must be at most ${String(LIMITS[field] / ONE)}, got ${JSON.stringify(raw)}`));
  } catch (e) {
    if (!(e instanceof DecimalFormatError)) throw e;
    issues.push(issue(field, e.reason));
  }
  return undefined;
}

/** Validates the params, pushing every issue; undefined when any is invalid. */
export function validateParams(raw: unknown, issues: ValidationIssue[]): SettlementParams | undefined {
  if (!isRecord(raw)) {
    issues.push(issue('params', 'must be an object'));
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!(FIELDS as string[]).includes(key)) issues.push(issue(key, 'unknown field'));
  }
  const shortPremium = parseField(raw.shortPremium, 'shortPremium', issues);
  const longDiscount = parseField(raw.longDiscount, 'longDiscount', issues);
  if (shortPremium === undefined || longDiscount === undefined) return undefined;
  return { shortPremium, longDiscount };
}

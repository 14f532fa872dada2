/** docs/settlement.md §4: every bad reading is refused whole and named (index, id, field, reason). */
import {
  settleDelivery,
  SettlementValidationError,
  type WireSettlement,
} from '../../../../engine/src/settlement';
import type { ValidationIssue } from '../../../../engine/src/mechanism/types';
import { EXAMPLE_OWNERS, EXAMPLE_PARAMS, EXAMPLE_READINGS, exampleResult, ownerOf } from './example';

const settle = (readings: unknown): WireSettlement =>
  settleDelivery(exampleResult(), readings, EXAMPLE_PARAMS, ownerOf(EXAMPLE_OWNERS));

function issuesOf(readings: unknown): ValidationIssue[] {
  try {
    settle(readings);
  } catch (e) {
    if (e instanceof SettlementValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a SettlementValidationError');
}

/** The example's readings with one more appended (index 5). */
const withExtra = (reading: unknown): unknown[] => [...EXAMPLE_READINGS, reading];

describe('settleDelivery validation names the offending reading', () => {
  it('an unknown bid', () => {
    expect(issuesOf(withExtra({ id: 'zz', side: 'sell', quantity: '1' }))).toEqual([
      { index: 5, id: 'zz', field: 'id', reason: 'unknown bid: not in the clearing result' },
    ]);
  });

  it('the wrong side', () => {
    expect(issuesOf(withExtra({ id: 's2', side: 'buy', quantity: '1' }))).toEqual([
      { index: 5, id: 's2', field: 'side', reason: 'wrong side: s2 is a sell bid' },
    ]);
  });

  it('a duplicate', () => {
    expect(issuesOf(withExtra({ id: 'b1', side: 'buy', quantity: '1' }))).toEqual([
      { index: 5, id: 'b1', field: 'id', reason: 'duplicate reading (first given by readings[0])' },
    ]);
  });

  it('a negative quantity', () => {
    expect(issuesOf(withExtra({ id: 's2', side: 'sell', quantity: '-1' }))).toEqual([
      { index: 5, id: 's2', field: 'quantity', reason: 'must not be negative, got "-1"' },
    ]);
  });

  it('a fractional Wh', () => {
    expect(issuesOf(withExtra({ id: 's2', side: 'sell', quantity: '1.0005' }))).toEqual([
      {
        index: 5,
        id: 's2',
        field: 'quantity',
        reason: 'must be a whole number of Wh (at most 3 decimals in kWh), got "1.0005"',
      },
    ]);
  });

  it('a quantity too large', () => {
    expect(issuesOf(withExtra({ id: 's2', side: 'sell', quantity: '1000000.001' }))).toEqual([
      { index: 5, id: 's2', field: 'quantity', reason: 'must be at most 1000000 kWh, got "1000000.001"' },
    ]);
  });

  it('an unknown field', () => {
    expect(issuesOf(withExtra({ id: 's2', side: 'sell', quantity: '1', meter: 'x' }))).toEqual([
      { index: 5, id: 's2', field: 'meter', reason: 'unknown field' },
    ]);
  });

  it('the error message names the reading', () => {
    expect(() => settle(withExtra({ id: 'zz', side: 'sell', quantity: '1' }))).toThrow(
      /readings\[5\] \(zz\) id: unknown bid/,
    );
  });

  it('the largest reading is accepted', () => {
    const s = settle(withExtra({ id: 's2', side: 'sell', quantity: '1000000' }));
    expect(s.lines.find((l) => l.id === 's2')?.position).toBe('long');
  });
});

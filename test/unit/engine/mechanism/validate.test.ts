/** docs/mechanism.md §2: every rule, and that every offending field of every bid is reported at once. */
import { validateRound } from '../../../../engine/src/mechanism';
import { sideTotalsIssue } from '../../../../engine/src/mechanism/validate';
import {
  RoundValidationError,
  type ValidationIssue,
  type WireRoundParams,
} from '../../../../engine/src/mechanism/types';
import { buy, sell } from './helpers';

/** The issues validateRound throws for `round` (fails the test if it does not throw). */
function issuesOf(round: unknown, overrides?: Partial<WireRoundParams>): ValidationIssue[] {
  try {
    validateRound(round, overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(RoundValidationError);
    return (e as RoundValidationError).issues;
  }
  throw new Error('expected a RoundValidationError');
}

const ok = [buy('b1', '20', '3'), sell('s1', '8', '2')];

describe('validateRound: accepted input', () => {
  it('converts to integer units with the default params', () => {
    const { params, bids } = validateRound({ bids: [buy('b1', '20.5', '3.25'), sell('s1', '0', '0.001')] });
    expect(params).toEqual({ profile: 'default', alpha: 40000, gridStep: 1000, serviceFee: 0 });
    expect(bids).toEqual([
      { id: 'b1', side: 'buy', price: 205000, quantity: 3250, alpha: 40000 },
      { id: 's1', side: 'sell', price: 0, quantity: 1, alpha: 0 },
    ]);
  });

  it('uses the round alpha as the buyers default and a bid alpha when given', () => {
    const { params, bids } = validateRound({
      params: { profile: 'doan2021', alpha: '0.5', gridStep: '0.0001', serviceFee: '1000000' },
      bids: [buy('a', '1', '1'), buy('b', '1', '1', '2.25')],
    });
    expect(params).toEqual({ profile: 'doan2021', alpha: 5000, gridStep: 1, serviceFee: 10_000_000_000 });
    expect(bids.map((b) => b.alpha)).toEqual([5000, 22500]);
  });

  it('accepts the range limits and every id character', () => {
    const { bids } = validateRound({
      bids: [buy('Az09._:-', '1000000', '1000000', '1000000'), sell('x'.repeat(64), '0', '0.001')],
    });
    expect(bids[0]).toEqual({
      id: 'Az09._:-',
      side: 'buy',
      price: 10_000_000_000,
      quantity: 1_000_000_000,
      alpha: 10_000_000_000,
    });
  });

  it('merges overrides over the round params, ignoring undefined entries', () => {
    const { params } = validateRound(
      { params: { profile: 'doan2021', alpha: '2' }, bids: ok },
      { alpha: '3', profile: undefined },
    );
    expect(params.profile).toBe('doan2021');
    expect(params.alpha).toBe(30000);
  });

  it('ignores unknown top-level keys of the round (metadata)', () => {
    expect(validateRound({ name: 'r1', bids: ok }).bids).toHaveLength(2);
  });

  it('accepts an empty bid list', () => {
    expect(validateRound({ bids: [] }).bids).toEqual([]);
  });
});

describe('validateRound: bid rules', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['price with 5 decimals', { ...buy('a', '1.00001', '1') }, 'price', /at most 4 decimal/],
    ['negative price', { ...buy('a', '-1', '1') }, 'price', /non-negative decimal/],
    ['numeric price', { id: 'a', side: 'buy', price: 1, quantity: '1' }, 'price', /got number/],
    ['price above 1e6', { ...buy('a', '1000000.0001', '1') }, 'price', /in \[0, 1000000\]/],
    ['missing price', { id: 'a', side: 'buy', quantity: '1' }, 'price', /required/],
    ['zero quantity', { ...buy('a', '1', '0') }, 'quantity', /greater than 0/],
    ['quantity above 1e6 kWh', { ...sell('a', '1', '1000000.001') }, 'quantity', /at most 1000000/],
    ['quantity with 4 decimals', { ...sell('a', '1', '0.0001') }, 'quantity', /at most 3 decimal/],
    ['missing quantity', { id: 'a', side: 'sell', price: '1' }, 'quantity', /required/],
    ['zero alpha', { ...buy('a', '1', '1', '0') }, 'alpha', /greater than 0/],
    ['alpha above 1e6', { ...buy('a', '1', '1', '1000000.0001') }, 'alpha', /at most 1000000/],
    ['alpha on a sell bid', { ...sell('a', '1', '1'), alpha: '4' }, 'alpha', /only buy bids/],
    ['side other', { ...buy('a', '1', '1'), side: 'bid' }, 'side', /"buy" or "sell"/],
    ['missing side', { id: 'a', price: '1', quantity: '1' }, 'side', /required/],
    ['empty id', { ...buy('', '1', '1') }, 'id', /1-64 characters/],
    ['id with a space', { ...buy('a b', '1', '1') }, 'id', /1-64 characters/],
    ['id of 65 chars', { ...buy('x'.repeat(65), '1', '1') }, 'id', /1-64 characters/],
    ['numeric id', { ...buy('a', '1', '1'), id: 7 }, 'id', /must be a string/],
    ['missing id', { side: 'buy', price: '1', quantity: '1' }, 'id', /required/],
    ['unknown field', { ...buy('a', '1', '1'), owner: 'x' }, 'owner', /unknown field/],
  ])('rejects %s', (_name, bid, field, reason) => {
    const issues = issuesOf({ bids: [sell('s0', '1', '1'), bid] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ index: 1, field });
    expect(issues[0]?.reason).toMatch(reason);
  });

  it('rejects a bid that is not an object', () => {
    expect(issuesOf({ bids: [null, 'x'] })).toEqual([
      { index: 0, id: '', field: 'bid', reason: 'must be an object' },
      { index: 1, id: '', field: 'bid', reason: 'must be an object' },
    ]);
  });

  it('rejects duplicate ids across both sides, naming the first use', () => {
    const issues = issuesOf({ bids: [buy('x', '1', '1'), sell('y', '1', '1'), sell('x', '1', '1')] });
    expect(issues).toEqual([
      { index: 2, id: 'x', field: 'id', reason: 'duplicate id (first used by bids[0])' },
    ]);
  });

  it('reports EVERY offending field of EVERY bid together, in order', () => {
    const issues = issuesOf({
      params: { alpha: '0', extra: 1 },
      bids: [
        buy('good', '1', '1'),
        { id: 'a b', side: 'buy', price: '1.23456', quantity: '0' },
        sell('fine', '2', '2'),
        { id: 'good', side: 'sell', price: 'x', quantity: '1', alpha: '1', note: 'n' },
      ],
    });
    expect(issues.map((i) => [i.index, i.id, i.field])).toEqual([
      [-1, 'params', 'extra'],
      [-1, 'params', 'alpha'],
      [1, 'a b', 'id'],
      [1, 'a b', 'price'],
      [1, 'a b', 'quantity'],
      [3, 'good', 'id'],
      [3, 'good', 'price'],
      [3, 'good', 'alpha'],
      [3, 'good', 'note'],
    ]);
  });

  it('names the problems in the error message', () => {
    expect(() => validateRound({ bids: [buy('a', '1', '0')] })).toThrow(
      /invalid round: 1 problem\(s\): bids\[0\] \(a\) quantity: must be greater than 0/,
    );
  });
});

describe('validateRound: round and params', () => {
  it.each([null, 3, 'round', [ok]])('rejects a non-object round %j', (r) => {
    expect(issuesOf(r)).toEqual([{ index: -1, id: 'round', field: 'round', reason: 'must be an object' }]);
  });

  it('rejects bids that are not an array, or missing', () => {
    expect(issuesOf({ bids: {} })).toEqual([
      { index: -1, id: 'round', field: 'bids', reason: 'must be an array' },
    ]);
    expect(issuesOf({})).toEqual([{ index: -1, id: 'round', field: 'bids', reason: 'required' }]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['unknown profile', { profile: 'vickrey' }, 'profile', /one of default, doan2021/],
    ['alpha 0', { alpha: '0' }, 'alpha', /greater than 0/],
    ['alpha too large', { alpha: '1000001' }, 'alpha', /at most 1000000/],
    ['gridStep 0', { gridStep: '0' }, 'gridStep', /greater than 0/],
    ['gridStep with 5 decimals', { gridStep: '0.00001' }, 'gridStep', /at most 4 decimal/],
    ['negative serviceFee', { serviceFee: '-1' }, 'serviceFee', /non-negative/],
    ['serviceFee above 1e6', { serviceFee: '1000000.0001' }, 'serviceFee', /in \[0, 1000000\]/],
    ['unknown param', { fee: '1' }, 'fee', /unknown field/],
  ])('rejects params with %s (index -1, id "params")', (_name, params, field, reason) => {
    const issues = issuesOf({ params, bids: ok });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ index: -1, id: 'params', field });
    expect(issues[0]?.reason).toMatch(reason);
  });

  it('rejects params that are not an object', () => {
    expect(issuesOf({ params: null, bids: ok })).toEqual([
      { index: -1, id: 'params', field: 'params', reason: 'must be an object' },
    ]);
  });

  it('validates overrides like params', () => {
    expect(issuesOf({ bids: ok }, { gridStep: '0' })).toMatchObject([
      { index: -1, id: 'params', field: 'gridStep' },
    ]);
  });

  it('still reports bid problems when the params are invalid', () => {
    const issues = issuesOf({ params: { alpha: 'x' }, bids: [buy('a', '1', '0')] });
    expect(issues.map((i) => i.field)).toEqual(['alpha', 'quantity']);
  });
});

describe('validateRound: totals stay exact', () => {
  it('rejects a side whose total quantity exceeds 2^53 Wh (checked by sideTotalsIssue)', () => {
    const bid = (id: string, side: 'buy' | 'sell', quantity: number) => ({
      id,
      side,
      price: 1,
      quantity,
      alpha: 1,
    });
    expect(sideTotalsIssue([bid('a', 'sell', 2 ** 52), bid('b', 'sell', 2 ** 52 - 1)])).toBeUndefined();
    expect(
      sideTotalsIssue([bid('a', 'buy', 2 ** 52), bid('b', 'sell', 2 ** 52), bid('c', 'buy', 2 ** 52)]),
    ).toEqual({
      index: -1,
      id: 'round',
      field: 'bids',
      reason: 'the total quantity of one side exceeds 9007199254740.991 kWh',
    });
  });
});

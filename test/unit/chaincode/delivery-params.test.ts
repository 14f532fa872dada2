import { DELIVERY_DEFAULTS, deliveryParamsOf, gateClosesAt } from '../../../chaincode/src/delivery-params';
import { MarketError } from '../../../chaincode/src/errors';

function issuesOf(raw: unknown): unknown {
  try {
    deliveryParamsOf(raw);
  } catch (e) {
    if (e instanceof MarketError) return e.details?.issues;
    throw e;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('delivery parameters of a round', () => {
  it('fills the defaults', () => {
    expect(deliveryParamsOf(undefined)).toEqual(DELIVERY_DEFAULTS);
    expect(deliveryParamsOf({ shortPremium: '0.5', gateClosureSeconds: 0 })).toEqual({
      ...DELIVERY_DEFAULTS,
      shortPremium: '0.5',
      gateClosureSeconds: 0,
    });
  });

  it('names every bad field', () => {
    expect(issuesOf({ longDiscount: '1.5', slotSeconds: 0, gateClosureSeconds: 1.5, extra: 1 })).toEqual([
      { index: -1, id: 'delivery', field: 'extra', reason: 'unknown field' },
      { index: -1, id: 'params', field: 'longDiscount', reason: 'must be at most 1, got "1.5"' },
      {
        index: -1,
        id: 'delivery',
        field: 'slotSeconds',
        reason: 'must be a whole number of seconds in [1, 86400]',
      },
      {
        index: -1,
        id: 'delivery',
        field: 'gateClosureSeconds',
        reason: 'must be a whole number of seconds in [0, 86400]',
      },
    ]);
    expect(() => deliveryParamsOf([])).toThrow(/INVALID_ARGUMENT: delivery must be an object/);
  });

  it('puts the gate closure after the slot’s end', () => {
    expect(gateClosesAt('2026-12-03T12:00:00Z', DELIVERY_DEFAULTS)).toBe('2026-12-03T13:15:00Z');
    expect(
      gateClosesAt('2026-12-03T12:00:00Z', { ...DELIVERY_DEFAULTS, slotSeconds: 60, gateClosureSeconds: 0 }),
    ).toBe('2026-12-03T12:01:00Z');
  });
});

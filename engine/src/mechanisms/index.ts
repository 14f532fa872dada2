/**
 * Comparison mechanisms beside the Stackelberg profiles (docs/mechanisms.md, issue #14): each one
 * takes validated bids (validateRound) and returns a MechanismResult.
 */
import { validateRound } from '../mechanism/validate';
import type { WireRoundParams } from '../mechanism/types';
import { mcafee } from './mcafee';
import { payAsBid } from './pay-as-bid';
import { stackelberg } from './stackelberg';
import type { Mechanism, MechanismName, MechanismResult } from './types';
import { uniformPrice } from './uniform';
import { vcg } from './vcg';

export const MECHANISMS: Readonly<Record<MechanismName, Mechanism>> = {
  default: stackelberg('default'),
  doan2021: stackelberg('doan2021'),
  uniform: uniformPrice,
  'pay-as-bid': payAsBid,
  mcafee,
  vcg,
};

/** Validates a wire round (docs/mechanism.md §2), then runs one mechanism on it. */
export function runMechanism(
  name: MechanismName,
  round: unknown,
  overrides?: Partial<WireRoundParams>,
): MechanismResult {
  const { params, bids } = validateRound(round, overrides);
  return MECHANISMS[name](params, bids);
}

export { MECHANISM_NAMES } from './types';
export type { Mechanism, MechanismName, MechanismResult, Valuation } from './types';

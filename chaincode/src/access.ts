import { MarketError } from './errors';
import type { Ledger } from './ledger';
import { OPERATOR_MSP } from './model';

/** Open, close and commit are the distribution operator's alone. */
export function requireOperator(l: Ledger, action: string): void {
  if (l.clientMsp !== OPERATOR_MSP) {
    throw new MarketError('FORBIDDEN', `only ${OPERATOR_MSP} may ${action}`, { caller: l.clientMsp });
  }
}

/** Bids come from utilities, always in their own name. */
export function requireUtility(l: Ledger, action: string): string {
  if (l.clientMsp === OPERATOR_MSP) {
    throw new MarketError('FORBIDDEN', `${OPERATOR_MSP} does not ${action}: only utilities do`, {
      caller: l.clientMsp,
    });
  }
  return l.clientMsp;
}

/**
 * A utility reads only its own private data; the operator reads anyone's. Returns the utility
 * whose data is read (the caller itself when no utility is named).
 */
export function requireSelfOrOperator(l: Ledger, utility: string, action: string): string {
  const target = utility === '' ? l.clientMsp : utility;
  if (l.clientMsp !== OPERATOR_MSP && target !== l.clientMsp) {
    throw new MarketError('FORBIDDEN', `${l.clientMsp} may not ${action} of ${target}`, {
      caller: l.clientMsp,
      target,
    });
  }
  return target;
}

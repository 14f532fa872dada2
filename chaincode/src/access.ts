/**
 * Who may do what: the caller's MSP (its organization) and its `market.role`, an attribute its
 * org's Fabric CA writes into the enrollment certificate (network/src/ca.ts). Both are checked:
 * a certificate of the right org without the right role is refused, and so is one without a role.
 *
 * | role       | org      | may                                                          |
 * |------------|----------|--------------------------------------------------------------|
 * | auctioneer | operator | open, close, commit clearings, settle deliveries; read all  |
 * | operator   | operator | read everyone's private data (bids, settlements, statements) |
 * | bidder     | utility  | submit its bids and meter readings; read its own private data |
 * | auditor    | any      | public data only (rounds, commitments, results, positions)   |
 */
import { MarketError } from './errors';
import type { Ledger } from './ledger';
import { OPERATOR_MSP } from './model';

/** The certificate attribute (Fabric CA `--id.attrs market.role=...:ecert`). */
export const ROLE_ATTRIBUTE = 'market.role';

export const ROLES = ['operator', 'auctioneer', 'bidder', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

function forbidden(l: Ledger, message: string, extra: Record<string, string> = {}): MarketError {
  return new MarketError('FORBIDDEN', message, {
    caller: l.clientMsp,
    role: l.clientRole ?? '(none)',
    ...extra,
  });
}

/** Open, close and commit are the distribution operator's auctioneer's alone. */
export function requireOperator(l: Ledger, action: string): void {
  if (l.clientMsp !== OPERATOR_MSP) throw forbidden(l, `only ${OPERATOR_MSP} may ${action}`);
  if (l.clientRole !== 'auctioneer') {
    throw forbidden(l, `only ${OPERATOR_MSP}'s auctioneer (market.role=auctioneer) may ${action}`);
  }
}

/** Bids come from utilities' bidders, always in their own utility's name. */
export function requireUtility(l: Ledger, action: string): string {
  if (l.clientMsp === OPERATOR_MSP) {
    throw forbidden(l, `${OPERATOR_MSP} does not ${action}: only utilities do`);
  }
  if (l.clientRole !== 'bidder') {
    throw forbidden(l, `only a bidder (market.role=bidder) of ${l.clientMsp} may ${action}`);
  }
  return l.clientMsp;
}

const OPERATOR_READERS: (string | undefined)[] = ['auctioneer', 'operator'];

/**
 * A utility's bidder reads only its own private data; the operator's auctioneer and operators
 * read anyone's; auditors none. Returns the utility whose data is read (the caller itself when no
 * utility is named).
 */
export function requireSelfOrOperator(l: Ledger, utility: string, action: string): string {
  const target = utility === '' ? l.clientMsp : utility;
  if (l.clientMsp === OPERATOR_MSP) {
    if (!OPERATOR_READERS.includes(l.clientRole)) {
      throw forbidden(l, `only ${OPERATOR_MSP}'s auctioneer or operator may ${action} of ${target}`, {
        target,
      });
    }
    return target;
  }
  if (target !== l.clientMsp) throw forbidden(l, `${l.clientMsp} may not ${action} of ${target}`, { target });
  if (l.clientRole !== 'bidder') {
    throw forbidden(l, `only a bidder (market.role=bidder) of ${l.clientMsp} may ${action}`, { target });
  }
  return target;
}

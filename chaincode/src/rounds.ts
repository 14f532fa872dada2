import { RoundValidationError, type WireRoundParams } from '../../engine/src/mechanism/types';
import { validateRound } from '../../engine/src/mechanism';
import { requireOperator } from './access';
import { decode, encode } from './codec';
import { guardEndorsementClock } from './clock-guard';
import { DELIVERY_DEFAULTS, deliveryParamsOf, type DeliveryParams } from './delivery-params';
import { MarketError } from './errors';
import { keys } from './keys';
import type { Ledger } from './ledger';
import { MECHANISM_VERSION, type RoundRecord, type RoundStatus } from './model';
import { formatInstant, parseInstant } from './time';

const ROUND_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const STATUSES: readonly RoundStatus[] = ['OPEN', 'CLOSED', 'CLEARED', 'SETTLED'];

/** A round with a committed clearing result: cleared, and still so once its delivery is settled. */
export const hasResult = (status: RoundStatus): boolean => status === 'CLEARED' || status === 'SETTLED';
const PARAM_DEFAULTS: Required<WireRoundParams> = {
  profile: 'default',
  alpha: '4',
  gridStep: '0.1',
  serviceFee: '0',
};

export interface OpenRoundRequest {
  id: string;
  slot: string;
  closesAt: string;
  params?: WireRoundParams;
  /** delivery parameters (delivery-params.ts); defaults for the fields not given */
  delivery?: Partial<DeliveryParams>;
}

/** The round's effective delivery parameters: as opened, or the defaults. */
export const deliveryParamsOfRound = (round: RoundRecord): DeliveryParams =>
  round.delivery ?? DELIVERY_DEFAULTS;

export async function getRound(l: Ledger, roundId: string): Promise<RoundRecord> {
  const bytes = await l.getState(keys.round(l, roundId));
  if (!bytes) {
    throw new MarketError('NOT_FOUND', `round ${roundId} does not exist`, { roundId });
  }
  return decode(bytes) as RoundRecord;
}

/** Writes the round and moves its entry in the status index. */
async function saveRound(l: Ledger, round: RoundRecord, previous?: RoundStatus): Promise<void> {
  await l.putState(keys.round(l, round.id), encode(round));
  if (previous) await l.deleteState(keys.roundStatus(l, previous, round.id));
  await l.putState(keys.roundStatus(l, round.status, round.id), encode({ id: round.id }));
}

export async function openRound(l: Ledger, req: OpenRoundRequest): Promise<RoundRecord> {
  requireOperator(l, 'open a round');
  guardEndorsementClock(l);
  if (typeof req.id !== 'string' || !ROUND_ID.test(req.id)) {
    throw new MarketError('INVALID_ARGUMENT', 'round id must be 1-64 chars of A-Za-z0-9._:-', {
      got: req.id,
    });
  }
  parseInstant('slot', req.slot);
  const closesAt = parseInstant('closesAt', req.closesAt);
  if (closesAt <= l.txTimeSeconds) {
    throw new MarketError('INVALID_ARGUMENT', 'closesAt must be in the future', {
      closesAt: req.closesAt,
      txTime: formatInstant(l.txTimeSeconds),
    });
  }
  const params = { ...PARAM_DEFAULTS, ...(req.params ?? {}) };
  try {
    validateRound({ params, bids: [] });
  } catch (e) {
    if (e instanceof RoundValidationError) {
      throw new MarketError('INVALID_ARGUMENT', 'invalid round parameters', { issues: e.issues });
    }
    throw e;
  }
  // stored only when given, so rounds opened without it keep their records byte for byte
  const delivery = req.delivery === undefined ? undefined : deliveryParamsOf(req.delivery);
  if (await l.getState(keys.round(l, req.id))) {
    throw new MarketError('CONFLICT', `round ${req.id} already exists`, { roundId: req.id });
  }
  const round: RoundRecord = {
    id: req.id,
    slot: req.slot,
    closesAt: req.closesAt,
    status: 'OPEN',
    params,
    mechanismVersion: MECHANISM_VERSION,
    openedTx: l.txId,
    ...(delivery ? { delivery } : {}),
  };
  await saveRound(l, round);
  l.setEvent('RoundOpened', encode({ roundId: round.id, slot: round.slot, closesAt: round.closesAt }));
  return round;
}

/** Every public batch commitment of a round, in key order. */
export async function listCommitmentValues(l: Ledger, roundId: string): Promise<Uint8Array[]> {
  return (await l.getStateByPartialKey('commit', [roundId])).map((kv) => kv.value);
}

export async function closeRound(l: Ledger, roundId: string): Promise<RoundRecord> {
  requireOperator(l, 'close a round');
  const round = await getRound(l, roundId);
  if (round.status !== 'OPEN') {
    throw new MarketError('ROUND_NOT_OPEN', `round ${roundId} is ${round.status}`, {
      roundId,
      status: round.status,
    });
  }
  guardEndorsementClock(l, { roundId, closesAt: round.closesAt, endorserClock: 'at-or-after-close' });
  if (l.txTimeSeconds < parseInstant('closesAt', round.closesAt)) {
    throw new MarketError('TOO_EARLY', `round ${roundId} closes at ${round.closesAt}`, {
      roundId,
      closesAt: round.closesAt,
      txTime: formatInstant(l.txTimeSeconds),
    });
  }
  const commitments = (await listCommitmentValues(l, roundId)).map((v) => decode(v) as { bidCount: number });
  const closed: RoundRecord = {
    ...round,
    status: 'CLOSED',
    closedTx: l.txId,
    batchCount: commitments.length,
    bidCount: commitments.reduce((n, c) => n + c.bidCount, 0),
  };
  await saveRound(l, closed, 'OPEN');
  l.setEvent('RoundClosed', encode({ roundId, batchCount: closed.batchCount, bidCount: closed.bidCount }));
  return closed;
}

/** Marks a round cleared (called by the verified commit). */
export async function markCleared(l: Ledger, round: RoundRecord): Promise<RoundRecord> {
  const cleared: RoundRecord = { ...round, status: 'CLEARED', clearedTx: l.txId };
  await saveRound(l, cleared, round.status);
  return cleared;
}

/** Marks a cleared round settled (called by the verified SettleDelivery). */
export async function markSettled(l: Ledger, round: RoundRecord): Promise<RoundRecord> {
  const settled: RoundRecord = { ...round, status: 'SETTLED', settledTx: l.txId };
  await saveRound(l, settled, round.status);
  return settled;
}

/** Rounds, optionally only those with one status, in id order. */
export async function listRounds(l: Ledger, status: string): Promise<RoundRecord[]> {
  if (status === '') {
    return (await l.getStateByPartialKey('round', [])).map((kv) => decode(kv.value) as RoundRecord);
  }
  if (!STATUSES.includes(status as RoundStatus)) {
    throw new MarketError('INVALID_ARGUMENT', `status must be one of ${STATUSES.join(', ')}`, {
      got: status,
    });
  }
  const out: RoundRecord[] = [];
  for (const kv of await l.getStateByPartialKey('roundStatus', [status])) {
    out.push(await getRound(l, (decode(kv.value) as { id: string }).id));
  }
  return out;
}

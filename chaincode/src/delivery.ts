/**
 * SettleDelivery and the reads of its results (issue #15, docs/settlement.md §7). The operator's
 * service computes the settlement after gate closure (delivery-input.ts) and commits only its
 * digest; the chaincode rebuilds the same input from the ledger, re-computes it, and accepts only
 * the same digest, exactly once.
 */
import { SettlementInputError, SettlementValidationError } from '../../engine/src/settlement/types';
import type { WireSettlement, WireUtilityStatement } from '../../engine/src/settlement/types';
import { requireOperator, requireSelfOrOperator } from './access';
import { addAmounts, addOperator, amountsOf, energyWh, ZERO_AMOUNTS, ZERO_OPERATOR } from './accounts';
import { getPositions, getResult } from './clearing';
import { decode, encode, sha256Hex } from './codec';
import { guardEndorsementClock } from './clock-guard';
import { computeDelivery } from './delivery-input';
import { gateClosesAt, type DeliveryParams } from './delivery-params';
import { MarketError } from './errors';
import { collectionOf, keys } from './keys';
import { readStoredSettlement, type SaltedSettlement } from './settlement-store';
import type { Ledger } from './ledger';
import {
  OPERATOR_MSP,
  type AccountAmounts,
  type AccountEntry,
  type DeliveryPosition,
  type DeliveryStatement,
  type DeliverySummary,
  type OperatorAccount,
  type OperatorEntry,
  type RoundRecord,
  type Settlement,
  type StoredReadingBatch,
  type UtilityAccount,
} from './model';
import { readingBatchOf, readingCommitments, readingsDigestOf } from './readings';
import { deliveryParamsOfRound, getRound, markSettled } from './rounds';
import { formatInstant, parseInstant } from './time';
import { formatEnergy } from '../../engine/src/mechanism/units';

const DIGEST_RE = /^[0-9a-f]{64}$/;

/** A stored statement: the statement plus a salt secret to the utility and the operator. */
interface StoredStatement extends DeliveryStatement {
  salt: string;
}

/** A utility's account totals as stored (the entries are keys of their own). */
interface StoredAccount {
  utility: string;
  rounds: number;
  totals: AccountAmounts;
  salt: string;
}

interface StoredOperatorAccount {
  rounds: number;
  totals: OperatorAccount['totals'];
}

function requireDigest(roundId: string, digest: string): void {
  if (DIGEST_RE.test(digest)) return;
  throw new MarketError(
    'INVALID_ARGUMENT',
    'a delivery is settled by its SHA-256: 64 lowercase hex chars of the canonical settlement JSON',
    // a whole settlement would be private: echo only an argument too short to be one
    { roundId, ...(digest.length <= 100 ? { got: digest } : { length: digest.length }) },
  );
}

export async function getDeliverySummary(l: Ledger, roundId: string): Promise<DeliverySummary> {
  const bytes = await l.getState(keys.delivery(l, roundId));
  if (!bytes) {
    await getRound(l, roundId);
    throw new MarketError('NOT_FOUND', `round ${roundId} is not settled`, { roundId });
  }
  return decode(bytes) as DeliverySummary;
}

/** The round is CLEARED (ALREADY_SETTLED when settled) and its gate closed by both clocks. */
async function requireSettleable(l: Ledger, round: RoundRecord, submittedDigest: string): Promise<void> {
  const roundId = round.id;
  if (round.status === 'SETTLED') {
    const done = await getDeliverySummary(l, roundId);
    throw new MarketError('ALREADY_SETTLED', `round ${roundId} is already settled`, {
      roundId,
      settlementDigest: done.settlementDigest,
      submittedDigest,
      settledTx: done.settledTx,
    });
  }
  if (round.status !== 'CLEARED') {
    throw new MarketError('ROUND_NOT_CLEARED', `round ${roundId} is ${round.status}`, {
      roundId,
      status: round.status,
    });
  }
  const gate = gateClosesAt(round.slot, deliveryParamsOfRound(round));
  guardEndorsementClock(l, { roundId, gateClosesAt: gate, endorserClock: 'at-or-after-gate' });
  if (l.txTimeSeconds < parseInstant('gateClosesAt', gate)) {
    throw new MarketError('TOO_EARLY', `the gate of round ${roundId} closes at ${gate}`, {
      roundId,
      gateClosesAt: gate,
      txTime: formatInstant(l.txTimeSeconds),
    });
  }
}

/** Every cleared utility's stored settlement (from the public positions), by utility. */
async function storedSettlements(l: Ledger, roundId: string): Promise<SaltedSettlement[]> {
  const out: SaltedSettlement[] = [];
  for (const p of await getPositions(l, roundId)) {
    const stored = await readStoredSettlement(l, roundId, p.utility);
    if (!stored) {
      throw new MarketError('BATCH_MISSING', `the settlement of ${p.utility} is not readable`, {
        roundId,
        utility: p.utility,
      });
    }
    out.push(stored);
  }
  return out;
}

/** Every reading batch named by the public commitments, checked against its digest. */
async function checkedReadingBatches(l: Ledger, roundId: string): Promise<StoredReadingBatch[]> {
  const out: StoredReadingBatch[] = [];
  for (const c of await readingCommitments(l, roundId)) {
    const batch = await readingBatchOf(l, c);
    const where = { roundId, utility: c.utility, readingBatchId: c.readingBatchId };
    if (!batch)
      throw new MarketError('BATCH_MISSING', `reading batch ${c.readingBatchId} is not readable`, where);
    const digest = readingsDigestOf(batch.salt, batch.readings);
    if (digest !== c.digest || batch.utility !== c.utility || batch.roundId !== roundId) {
      throw new MarketError(
        'HASH_MISMATCH',
        `reading batch ${c.readingBatchId} does not match its commitment`,
        {
          ...where,
          expected: c.digest,
          got: digest,
        },
      );
    }
    out.push(batch);
  }
  return out;
}

/** The settlement the chaincode computes; engine refusals as market errors (public facts only). */
function recompute(
  roundId: string,
  summary: Awaited<ReturnType<typeof getResult>>,
  settlements: readonly Settlement[],
  batches: readonly StoredReadingBatch[],
  params: DeliveryParams,
): { settlement: WireSettlement; digest: string } {
  try {
    return computeDelivery(summary, settlements, batches, params);
  } catch (e) {
    if (e instanceof SettlementValidationError) {
      throw new MarketError('INVALID_READINGS', 'stored readings do not settle', {
        roundId,
        issueCount: e.issues.length,
      });
    }
    if (e instanceof SettlementInputError) {
      throw new MarketError('SETTLEMENT_MISMATCH', e.message, { roundId });
    }
    throw e;
  }
}

/** What the settling transaction stamps on every record it writes. */
interface Stamp {
  roundId: string;
  slot: string;
  settledAt: string;
  settledTx: string;
}

const positionOf = (roundId: string, s: WireUtilityStatement): DeliveryPosition => ({
  roundId,
  utility: s.utility,
  energyNet: formatEnergy(energyWh(s.delivered) - energyWh(s.consumed)),
  moneyNet: s.net,
});

/** The utility's statement, position and account, written in this transaction. */
async function writeUtility(
  l: Ledger,
  stamp: Stamp,
  settlement: WireSettlement,
  statement: WireUtilityStatement,
  clearingSalt: string,
): Promise<DeliveryPosition> {
  const { utility } = statement;
  const collection = collectionOf(utility);
  const salt = sha256Hex(`statement-salt\n${clearingSalt}`);
  const stored: StoredStatement = {
    ...stamp,
    utility,
    lines: settlement.lines.filter((line) => line.utility === utility),
    statement,
    salt,
  };
  await l.putPrivate(collection, keys.statement(l, stamp.roundId), encode(stored));
  const position = positionOf(stamp.roundId, statement);
  await l.putState(keys.deliveryPosition(l, stamp.roundId, utility), encode(position));
  const accountBytes = await l.getPrivate(collection, keys.account(l, utility));
  const before = accountBytes ? (decode(accountBytes) as StoredAccount) : undefined;
  const amounts = amountsOf(statement);
  const account: StoredAccount = {
    utility,
    rounds: (before?.rounds ?? 0) + 1,
    totals: addAmounts(before?.totals ?? ZERO_AMOUNTS, amounts),
    salt,
  };
  const entry: AccountEntry = { ...stamp, ...amounts };
  await l.putPrivate(collection, keys.accountEntry(l, utility, stamp.slot, stamp.roundId), encode(entry));
  await l.putPrivate(collection, keys.account(l, utility), encode(account));
  return position;
}

async function writeOperator(l: Ledger, stamp: Stamp, settlement: WireSettlement): Promise<void> {
  const bytes = await l.getState(keys.operatorAccount(l));
  const before = bytes ? (decode(bytes) as StoredOperatorAccount) : undefined;
  const account: StoredOperatorAccount = {
    rounds: (before?.rounds ?? 0) + 1,
    totals: addOperator(before?.totals ?? ZERO_OPERATOR, settlement.operator),
  };
  const entry: OperatorEntry = { ...stamp, ...settlement.operator };
  await l.putState(keys.operatorEntry(l, stamp.slot, stamp.roundId), encode(entry));
  await l.putState(keys.operatorAccount(l), encode(account));
}

/**
 * Settles a cleared round's delivery after its gate closure, once. `settlementDigest` is SHA-256
 * of the canonical JSON of the full settlement (settlementDigestOf): the settlement itself names
 * every bid's reading and never travels as an argument (arguments are in every member's blocks).
 * The chaincode rebuilds the input (public result, each utility's stored settlement lines, every
 * reading batch checked against its commitment; a bid without a reading counts as nothing metered),
 * settles with the round's delivery parameters and compares digests (SETTLEMENT_MISMATCH). Writes,
 * in this one transaction: each utility's private statement and account, its public delivery
 * position, the operator's public round entry and account, the public summary, and the round's
 * status SETTLED. A second call is refused ALREADY_SETTLED with the stored digest.
 */
export async function settleDelivery(
  l: Ledger,
  roundId: string,
  settlementDigest: string,
): Promise<DeliverySummary> {
  requireOperator(l, 'settle a delivery');
  requireDigest(roundId, settlementDigest);
  const round = await getRound(l, roundId);
  await requireSettleable(l, round, settlementDigest);
  const summary = await getResult(l, roundId);
  const settlements = await storedSettlements(l, roundId);
  const batches = await checkedReadingBatches(l, roundId);
  const { settlement, digest } = recompute(
    roundId,
    summary,
    settlements,
    batches,
    deliveryParamsOfRound(round),
  );
  if (digest !== settlementDigest) {
    throw new MarketError(
      'SETTLEMENT_MISMATCH',
      'submitted settlement digest differs from the settlement of the ledger',
      {
        roundId,
        submittedDigest: settlementDigest,
        price: settlement.price,
        operatorNet: settlement.operator.net,
      },
    );
  }
  const stamp: Stamp = {
    roundId,
    slot: round.slot,
    settledAt: formatInstant(l.txTimeSeconds),
    settledTx: l.txId,
  };
  const saltOf = new Map(settlements.map((s) => [s.utility, s.salt]));
  const positions: DeliveryPosition[] = [];
  for (const statement of settlement.utilities) {
    const salt = saltOf.get(statement.utility) ?? '';
    positions.push(await writeUtility(l, stamp, settlement, statement, salt));
  }
  await writeOperator(l, stamp, settlement);
  const record: DeliverySummary = {
    ...stamp,
    settlementDigest: digest,
    price: settlement.price,
    imbalancePrices: settlement.imbalancePrices,
    params: settlement.params,
    readingBatchCount: batches.length,
    readingCount: batches.reduce((n, b) => n + b.readings.length, 0),
    positions,
    operator: settlement.operator,
  };
  await l.putState(keys.delivery(l, roundId), encode(record));
  await markSettled(l, round);
  l.setEvent('DeliverySettled', encode({ roundId, settlementDigest: digest, operator: settlement.operator }));
  return record;
}

/** A utility's own statement of a settled round (the operator may name any utility). */
export async function getStatement(l: Ledger, roundId: string, utility: string): Promise<DeliveryStatement> {
  const target = requireSelfOrOperator(l, utility, 'read the statement');
  const bytes = await l.getPrivate(collectionOf(target), keys.statement(l, roundId));
  if (!bytes) {
    await getRound(l, roundId);
    throw new MarketError('NOT_FOUND', `no statement of ${target} for round ${roundId}`, {
      roundId,
      utility: target,
    });
  }
  const { salt: _salt, ...statement } = decode(bytes) as StoredStatement;
  return statement;
}

const isOperatorName = (name: string): boolean => name === 'operator' || name === OPERATOR_MSP;

async function operatorAccountOf(l: Ledger): Promise<OperatorAccount> {
  const bytes = await l.getState(keys.operatorAccount(l));
  const stored = bytes ? (decode(bytes) as StoredOperatorAccount) : { rounds: 0, totals: ZERO_OPERATOR };
  const entries = (await l.getStateByPartialKey('operatorEntry', [])).map(
    (kv) => decode(kv.value) as OperatorEntry,
  );
  return { kind: 'operator', utility: OPERATOR_MSP, rounds: stored.rounds, totals: stored.totals, entries };
}

/**
 * A running account: the caller's own ('' = own), any utility's for the operator, and the
 * operator's own ('operator' or its MSP id, or '' when the operator calls). Read-only (range read
 * of the private entries). An account without settled rounds has zero totals and no entries.
 */
export async function getAccount(l: Ledger, utility: string): Promise<UtilityAccount | OperatorAccount> {
  const named = l.clientMsp === OPERATOR_MSP && isOperatorName(utility) ? OPERATOR_MSP : utility;
  const target = requireSelfOrOperator(l, named, 'read the account');
  if (target === OPERATOR_MSP) return operatorAccountOf(l);
  const collection = collectionOf(target);
  const bytes = await l.getPrivate(collection, keys.account(l, target));
  const stored = bytes ? (decode(bytes) as StoredAccount) : undefined;
  const entries = (await l.getPrivateByPartialKey(collection, 'accountEntry', [target])).map(
    (kv) => decode(kv.value) as AccountEntry,
  );
  return {
    kind: 'utility',
    utility: target,
    rounds: stored?.rounds ?? 0,
    totals: stored?.totals ?? ZERO_AMOUNTS,
    entries,
  };
}

/** The public delivery positions of a settled round (none before), by utility. */
export async function getDeliveryPositions(l: Ledger, roundId: string): Promise<DeliveryPosition[]> {
  await getRound(l, roundId);
  return (await l.getStateByPartialKey('deliveryPosition', [roundId])).map(
    (kv) => decode(kv.value) as DeliveryPosition,
  );
}

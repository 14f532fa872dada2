import { canonicalJson, clearRound } from '../../engine/src/mechanism';
import type { WireClearingResult } from '../../engine/src/mechanism/types';
import {
  DECIMALS,
  formatEnergy,
  formatMoney,
  parseDecimal,
  parseMoney,
} from '../../engine/src/mechanism/units';
import { requireOperator, requireSelfOrOperator } from './access';
import { assembleRoundInput, type AssemblyBatch, type BidOrigin } from './assemble';
import { decode, encode, sha256Hex } from './codec';
import { MarketError } from './errors';
import { collectionOf, keys } from './keys';
import type { Ledger } from './ledger';
import type { BatchCommitment, NetPosition, RoundRecord, Settlement, StoredBatch } from './model';
import { getRound, listCommitmentValues, markCleared } from './rounds';

/** The public record of a cleared round: the result without per-bid lines, plus digests. */
export type PublicResult = Omit<WireClearingResult, 'buyers' | 'sellers'> & {
  roundId: string;
  mechanismVersion: string;
  /** SHA-256 of the canonical JSON of the full result (incl. every bid's line) */
  resultDigest: string;
  /** SHA-256 of the canonical list of (utility, batchId, hash) the result was computed from */
  bidSetDigest: string;
  batchCount: number;
  bidCount: number;
  clearedTx: string;
};

interface SealedRound {
  commitments: BatchCommitment[];
  /** the verified batches, in commitment order */
  batches: AssemblyBatch[];
  /** each utility's batch salts, in commitment order (secret: see settlementSaltOf) */
  salts: Map<string, string[]>;
}

/** A settlement as stored in its utility's collection: the lines plus a secret salt. */
interface StoredSettlement extends Settlement {
  salt: string;
}

/**
 * The salt stored with a utility's settlement. Every channel member reads the blocks, and a block
 * holds SHA-256 of each private write's value: without secret entropy in the value, an outsider
 * who knows the public price and positions could guess a utility's few settlement lines and
 * confirm the guess against that hash. A utility's batch salts are at least 128 random bits known
 * only to the members of its collection (the utility and the operator), and the clearing reads
 * every batch anyway, so a salt derived from them is secret to those members and identical on
 * every endorser (no randomness in chaincode). Domain-separated from batchIdOf, which is public.
 */
export function settlementSaltOf(roundId: string, utility: string, batchSalts: readonly string[]): string {
  return sha256Hex(`settlement-salt\n${roundId}\n${utility}\n${batchSalts.join('\n')}`);
}

/** What CommitClearing takes: SHA-256 (hex) of the canonical JSON of the full result. */
export const resultDigestOf = (result: WireClearingResult): string => sha256Hex(canonicalJson(result));

/** Point-reads every batch named by the public commitments and checks each salted hash. */
async function readSealedBids(l: Ledger, roundId: string): Promise<SealedRound> {
  const commitments = (await listCommitmentValues(l, roundId)).map((v) => decode<BatchCommitment>(v));
  const batches: AssemblyBatch[] = [];
  const salts = new Map<string, string[]>();
  for (const c of commitments) {
    const bytes = await l.getPrivate(collectionOf(c.utility), keys.batch(l, roundId, c.batchId));
    if (!bytes) {
      throw new MarketError('BATCH_MISSING', `batch ${c.batchId} of ${c.utility} is not readable here`, {
        roundId,
        utility: c.utility,
        batchId: c.batchId,
      });
    }
    const hash = sha256Hex(bytes);
    if (hash !== c.hash) {
      throw new MarketError(
        'HASH_MISMATCH',
        `batch ${c.batchId} of ${c.utility} does not match its commitment`,
        {
          roundId,
          batchId: c.batchId,
          expected: c.hash,
          got: hash,
        },
      );
    }
    const batch = decode<StoredBatch>(bytes);
    batches.push({ utility: c.utility, batchId: c.batchId, bids: batch.bids });
    salts.set(c.utility, [...(salts.get(c.utility) ?? []), batch.salt]);
  }
  return { commitments, batches, salts };
}

/** Per-utility settlement lines and net positions derived from the verified result. */
function settle(
  round: RoundRecord,
  result: WireClearingResult,
  origins: ReadonlyMap<string, BidOrigin>,
): { settlements: Settlement[]; positions: NetPosition[] } {
  const feeTicks = BigInt(parseDecimal(round.params.serviceFee, DECIMALS.price));
  const byUtility = new Map<
    string,
    { settlement: Settlement; bought: bigint; sold: bigint; paid: bigint; received: bigint; fees: bigint }
  >();
  const entry = (utility: string) => {
    let e = byUtility.get(utility);
    if (!e) {
      e = {
        settlement: { roundId: round.id, utility, lines: [] },
        bought: 0n,
        sold: 0n,
        paid: 0n,
        received: 0n,
        fees: 0n,
      };
      byUtility.set(utility, e);
    }
    return e;
  };
  const originOf = (marketId: string): BidOrigin => {
    const o = origins.get(marketId);
    if (!o) throw new MarketError('CLEARING_MISMATCH', `result names unknown bid ${marketId}`);
    return o;
  };
  for (const b of result.buyers) {
    const o = originOf(b.id);
    const e = entry(o.utility);
    const wh = BigInt(parseDecimal(b.quantity, DECIMALS.energy));
    const fee = feeTicks * wh;
    e.settlement.lines.push({
      batchId: o.batchId,
      id: o.id,
      side: 'buy',
      quantity: b.quantity,
      payment: b.payment,
    });
    e.bought += wh;
    e.fees += fee;
    e.paid += parseMoney(b.payment) - fee;
  }
  for (const s of result.sellers) {
    const o = originOf(s.id);
    const e = entry(o.utility);
    e.settlement.lines.push({
      batchId: o.batchId,
      id: o.id,
      side: 'sell',
      quantity: s.quantity,
      payment: s.payment,
    });
    e.sold += BigInt(parseDecimal(s.quantity, DECIMALS.energy));
    e.received += parseMoney(s.payment);
  }
  const utilities = [...byUtility.keys()].sort();
  return {
    settlements: utilities.map((u) => byUtility.get(u)!.settlement),
    positions: utilities.map((u) => {
      const e = byUtility.get(u)!;
      return {
        roundId: round.id,
        utility: u,
        energyBought: formatEnergy(e.bought),
        energySold: formatEnergy(e.sold),
        moneyPaid: formatMoney(e.paid),
        moneyReceived: formatMoney(e.received),
        feesPaid: formatMoney(e.fees),
      };
    }),
  };
}

const DIGEST_RE = /^[0-9a-f]{64}$/;

/**
 * Accepts the clearing of a closed round only if it is byte-identical to the mechanism's result on
 * the committed bids. The operator sends only the result's digest (resultDigestOf): a transaction
 * argument is stored in the block on every peer, and the full result names every bid's quantity
 * and payment (DESIGN invariant 10). The chaincode recomputes the result from the sealed bids and
 * compares digests. Repeating the accepted commit is a no-op; any other commit is rejected. Errors
 * name public facts only (price, totals, status), never a bid's values.
 */
export async function commitClearing(
  l: Ledger,
  roundId: string,
  resultDigest: string,
): Promise<PublicResult> {
  requireOperator(l, 'commit a clearing');
  if (!DIGEST_RE.test(resultDigest)) {
    throw new MarketError(
      'INVALID_ARGUMENT',
      'the clearing is committed by its SHA-256: 64 lowercase hex chars of the canonical result JSON',
      // a whole result would be private: echo only an argument too short to be one
      { roundId, ...(resultDigest.length <= 100 ? { got: resultDigest } : { length: resultDigest.length }) },
    );
  }
  const round = await getRound(l, roundId);
  if (round.status === 'CLEARED') {
    const stored = decode<PublicResult>((await l.getState(keys.result(l, roundId)))!);
    if (resultDigest !== stored.resultDigest) {
      throw new MarketError('CONFLICT', `round ${roundId} is already cleared with a different result`, {
        roundId,
        resultDigest: stored.resultDigest,
        submittedDigest: resultDigest,
      });
    }
    return stored;
  }
  if (round.status !== 'CLOSED') {
    throw new MarketError('ROUND_NOT_CLOSED', `round ${roundId} is ${round.status}`, {
      roundId,
      status: round.status,
    });
  }

  const sealed = await readSealedBids(l, roundId);
  const { input, origins } = assembleRoundInput(round.params, sealed.batches);
  const result = clearRound(input);
  const expectedDigest = resultDigestOf(result);
  if (resultDigest !== expectedDigest) {
    throw new MarketError(
      'CLEARING_MISMATCH',
      'submitted result digest differs from the mechanism’s result',
      {
        roundId,
        submittedDigest: resultDigest,
        status: result.status,
        price: result.price,
        totals: result.totals,
      },
    );
  }

  const { buyers: _b, sellers: _s, ...summary } = result;
  const record: PublicResult = {
    ...summary,
    roundId,
    mechanismVersion: round.mechanismVersion,
    resultDigest: expectedDigest,
    bidSetDigest: sha256Hex(
      canonicalJson(
        sealed.commitments.map((c) => ({ utility: c.utility, batchId: c.batchId, hash: c.hash })),
      ),
    ),
    batchCount: sealed.commitments.length,
    bidCount: input.bids.length,
    clearedTx: l.txId,
  };
  const { settlements, positions } = settle(round, result, origins);
  await l.putState(keys.result(l, roundId), encode(record));
  for (const p of positions) await l.putState(keys.position(l, roundId, p.utility), encode(p));
  for (const s of settlements) {
    const stored: StoredSettlement = {
      ...s,
      salt: settlementSaltOf(roundId, s.utility, sealed.salts.get(s.utility)!),
    };
    await l.putPrivate(collectionOf(s.utility), keys.settlement(l, roundId), encode(stored));
  }
  await markCleared(l, round);
  l.setEvent(
    'RoundCleared',
    encode({ roundId, status: result.status, price: result.price, totals: result.totals }),
  );
  return record;
}

export async function getResult(l: Ledger, roundId: string): Promise<PublicResult> {
  const bytes = await l.getState(keys.result(l, roundId));
  if (!bytes) {
    await getRound(l, roundId); // NOT_FOUND for an unknown round
    throw new MarketError('NOT_FOUND', `round ${roundId} has no result yet`, { roundId });
  }
  return decode<PublicResult>(bytes);
}

export async function getPositions(l: Ledger, roundId: string): Promise<NetPosition[]> {
  await getRound(l, roundId);
  return (await l.getStateByPartialKey('position', [roundId])).map((kv) => decode<NetPosition>(kv.value));
}

/** A utility's own settlement lines (the operator may name any utility). */
export async function getSettlement(l: Ledger, roundId: string, utility: string): Promise<Settlement> {
  const target = requireSelfOrOperator(l, utility, 'read the settlement');
  const bytes = await l.getPrivate(collectionOf(target), keys.settlement(l, roundId));
  if (!bytes) {
    await getRound(l, roundId);
    throw new MarketError('NOT_FOUND', `no settlement of ${target} for round ${roundId}`, {
      roundId,
      utility: target,
    });
  }
  const { salt: _salt, ...settlement } = decode<StoredSettlement>(bytes);
  return settlement;
}

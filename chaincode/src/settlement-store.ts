/**
 * How a utility's settlement lines are stored in its collection. A 200,000-bid round has 100,000
 * lines per utility, and every byte of them is encoded by the endorsement, disseminated to the
 * utility's peer and committed there: the lines are stored as arrays, with each batch id once in a
 * table (a line names its batch by index), not as objects that repeat the batch id and five keys.
 * Same lines in the same order on read-back; the secret salt (clearing.ts settlementSaltOf) is
 * part of the stored value. Settlements stored before this format (objects) are still read.
 */
import { decode, encode } from './codec';
import { collectionOf, keys } from './keys';
import type { Ledger } from './ledger';
import type { Settlement, SettlementLine } from './model';

export const SETTLEMENT_FORMAT = 'lines-v2';

/** [batch index, the utility's bid id, side, kWh, money] */
type StoredLine = [number, string, SettlementLine['side'], string, string];

interface StoredSettlementV2 {
  format: typeof SETTLEMENT_FORMAT;
  roundId: string;
  utility: string;
  salt: string;
  batches: string[];
  lines: StoredLine[];
}

/** The first stored form: the Settlement itself plus the salt. */
type StoredSettlementV1 = Settlement & { salt: string };

export type SaltedSettlement = Settlement & { salt: string };

/** The stored bytes (canonical JSON) of `settlement` with its salt. */
export function encodeStoredSettlement(settlement: Settlement, salt: string): Uint8Array {
  const index = new Map<string, number>();
  const batches: string[] = [];
  const lines = settlement.lines.map((l): StoredLine => {
    let i = index.get(l.batchId);
    if (i === undefined) {
      i = batches.length;
      index.set(l.batchId, i);
      batches.push(l.batchId);
    }
    return [i, l.id, l.side, l.quantity, l.payment];
  });
  const stored: StoredSettlementV2 = {
    format: SETTLEMENT_FORMAT,
    roundId: settlement.roundId,
    utility: settlement.utility,
    salt,
    batches,
    lines,
  };
  return encode(stored);
}

/** The settlement and salt of stored bytes, in either stored form. */
export function decodeStoredSettlement(bytes: Uint8Array): SaltedSettlement {
  // the format is what the bytes say, not yet one this code knows
  const stored = decode(bytes) as
    | (Omit<StoredSettlementV2, 'format'> & { format: string })
    | StoredSettlementV1;
  if (!('format' in stored)) return stored;
  if (stored.format !== SETTLEMENT_FORMAT) {
    throw new Error(`stored settlement of ${stored.utility} has unknown format ${stored.format}`);
  }
  const lines = stored.lines.map(([i, id, side, quantity, payment]): SettlementLine => {
    const batchId = stored.batches[i];
    if (batchId === undefined)
      throw new Error(`stored settlement line ${id} names batch #${i} of ${stored.batches.length}`);
    return { batchId, id, side, quantity, payment };
  });
  return { roundId: stored.roundId, utility: stored.utility, lines, salt: stored.salt };
}

/** Writes `utility`'s settlement of `roundId` into its collection. */
export async function putStoredSettlement(l: Ledger, settlement: Settlement, salt: string): Promise<void> {
  await l.putPrivate(
    collectionOf(settlement.utility),
    keys.settlement(l, settlement.roundId),
    encodeStoredSettlement(settlement, salt),
  );
}

/** `utility`'s stored settlement of `roundId`, undefined when it has none. */
export async function readStoredSettlement(
  l: Ledger,
  roundId: string,
  utility: string,
): Promise<SaltedSettlement | undefined> {
  const bytes = await l.getPrivate(collectionOf(utility), keys.settlement(l, roundId));
  return bytes ? decodeStoredSettlement(bytes) : undefined;
}

/**
 * The round file of a ledger round: exactly the clearing input the chaincode verified and the
 * auctioneer cleared (chaincode/src/assemble.ts), in the format `energy-auction clear` reads. A
 * bid's id is its market id `<batchId>.<position>`, so clearing the file gives the recorded
 * result byte for byte (the result names bids by these ids).
 */
import { assembleRoundInput, type AssemblyBatch } from '../../../chaincode/src/assemble';
import type { RoundRecord } from '../../../chaincode/src/model';
import type { Profile, WireRound, WireRoundParams } from '../../../engine/src/mechanism/types';

export type LedgerRoundFile = WireRound & { params: Required<WireRoundParams> };

/** The round's params, with another clearing profile when one is asked for. */
export const paramsOf = (round: RoundRecord, profile?: Profile): Required<WireRoundParams> =>
  profile === undefined ? { ...round.params } : { ...round.params, profile };

/** The round file of verified batches (all of the round's, or one utility's own). */
export function roundFileOf(
  round: RoundRecord,
  batches: readonly AssemblyBatch[],
  profile?: Profile,
): LedgerRoundFile {
  return assembleRoundInput(paramsOf(round, profile), batches).input;
}

/**
 * The `clear` flags that restore params a CSV file cannot carry, e.g.
 * `--profile default --alpha 2 --fee 0 --grid-step 0.01`.
 */
export const csvParamFlags = (p: Required<WireRoundParams>): string =>
  `--profile ${p.profile} --alpha ${p.alpha} --fee ${p.serviceFee} --grid-step ${p.gridStep}`;

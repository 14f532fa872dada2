import { assembleRoundInput } from '../../../../chaincode/src/assemble';
import { commitClearing, resultDigestOf } from '../../../../chaincode/src/clearing';
import { computeDelivery } from '../../../../chaincode/src/delivery-input';
import { closeRound, deliveryParamsOfRound } from '../../../../chaincode/src/rounds';
import { clearRound } from '../../../../engine/src/mechanism';
import { OP, U1, U2, type FakeLedger } from '../fake-market';

/**
 * Closes round `id` at `closesAt` (default: FakeLedger.addRound's) and commits the mechanism's
 * clearing of its bids, as the auctioneer does.
 */
export async function closeAndClear(
  l: FakeLedger,
  id: string,
  closesAt = '2099-01-01T00:00:00Z',
): Promise<void> {
  const time = Date.parse(closesAt) / 1000;
  const round = await l.channel.run({ msp: OP, time }, (x) => closeRound(x, id));
  const order = (await l.client(OP).getCommitments(id)).map((c) => c.batchId);
  const batches = l.batches
    .filter((b) => b.roundId === id)
    .sort((a, b) => order.indexOf(a.batchId) - order.indexOf(b.batchId));
  const digest = resultDigestOf(clearRound(assembleRoundInput(round.params, batches).input));
  await l.channel.run({ msp: OP, time }, (x) => commitClearing(x, id, digest));
}

/**
 * Settles round `id` as the operator's service does: reads every utility's settlement lines and
 * reading batches, computes the delivery with the shared computeDelivery and commits its digest.
 * Runs at the ledger's `now()` (after the round's gate).
 */
export async function settleRound(l: FakeLedger, id: string): Promise<string> {
  const op = l.client(OP);
  const round = await op.getRound(id);
  const utilities = [U1, U2];
  const settlements = [];
  const readings = [];
  for (const u of utilities) {
    // a utility without cleared bids has no settlement in the round
    const s = await op.getSettlement(id, u).catch(() => null);
    if (s) settlements.push(s);
    readings.push(...(await op.getReadings(id, u)));
  }
  const { digest } = computeDelivery(
    await op.getResult(id),
    settlements,
    readings,
    deliveryParamsOfRound(round),
  );
  await op.settleDelivery(id, digest);
  return digest;
}

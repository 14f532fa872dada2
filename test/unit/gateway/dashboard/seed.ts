import { assembleRoundInput } from '../../../../chaincode/src/assemble';
import { commitClearing, resultDigestOf } from '../../../../chaincode/src/clearing';
import { closeRound } from '../../../../chaincode/src/rounds';
import { clearRound } from '../../../../engine/src/mechanism';
import { OP, type FakeLedger } from '../fake-market';

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

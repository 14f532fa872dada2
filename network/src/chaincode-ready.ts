/**
 * Readiness of the deployed chaincode: every org's peer answers an evaluate through the Gateway,
 * and each utility's gateway can collect the operator peer's endorsement.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '@hyperledger/fabric-gateway';
import { CHAINCODE_NAME, operatorOrg, type Topology } from '../config/topology';
import { connectGateway } from '../../fabric-client/src/connect';
import type { RunPaths } from './paths';

/** A round id that never exists: GetRound on it is a cheap point read answered with NOT_FOUND. */
const PROBE_ROUND = '__network_probe__';

/**
 * Runs `call`; true when it succeeded or failed with an answer from the chaincode itself
 * ("chaincode response …") on a peer of each of `mspIds` — the chaincode is reachable there.
 */
async function chaincodeAnswers(call: () => Promise<unknown>, mspIds: string[]): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (
      err instanceof GatewayError &&
      mspIds.every((m) => err.details.some((d) => d.mspId === m && /chaincode response/.test(d.message)))
    ) {
      return;
    }
    if (err instanceof GatewayError) {
      throw new Error([err.message, ...err.details.map((d) => `${d.mspId}: ${d.message}`)].join('; '));
    }
    throw err;
  }
}

/**
 * Waits until every org's peer answers an evaluate of the chaincode through the Gateway and, for
 * each utility, until its gateway can collect the operator peer's endorsement (gossip membership
 * and discovery have converged: needed by every bid submission).
 */
export async function waitChaincode(t: Topology, p: RunPaths, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const operator = operatorOrg(t);
  for (const org of t.orgs) {
    for (;;) {
      try {
        const gateway = await connectGateway(org.mspId, { runDir: p.root, deadlines: { evaluate: 15_000 } });
        try {
          const contract = gateway.getNetwork(t.channel).getContract(CHAINCODE_NAME);
          await chaincodeAnswers(() => contract.evaluateTransaction('GetRound', PROBE_ROUND), [org.mspId]);
          if (org !== operator) {
            // Endorse (never submitted) the same call on both peers: exercises discovery.
            const endorsers = [org.mspId, operator.mspId];
            const proposal = contract.newProposal('GetRound', {
              arguments: [PROBE_ROUND],
              endorsingOrganizations: endorsers,
            });
            await chaincodeAnswers(() => proposal.endorse(), endorsers);
          }
        } finally {
          gateway.close();
        }
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(`the chaincode does not answer on ${org.peer.name}: ${(err as Error).message}`);
        }
        await sleep(500);
      }
    }
  }
}

/**
 * What the dashboard's system panel (GET /v1/system) probes on the native network: every orderer's
 * and peer's operations port and every chaincode server, from the fixed topology, plus the
 * auctioneer's health server and schedule when it runs.
 */
import { topology, type Topology } from '../../network/config/topology';
import type { AuctioneerConfig } from '../../auctioneer/src/service/config';
import type { SystemTargets } from '../../gateway/src/dashboard/system';

/** The auctioneer's schedule settings as the panel shows them. */
const scheduleOf = (c: AuctioneerConfig): Record<string, unknown> => ({
  mode: c.mode,
  slotMinutes: c.slotMinutes,
  gateClosureSeconds: c.gateClosureSeconds,
  openAheadSlots: c.openAheadSlots,
  roundParams: c.roundParams ?? null,
});

export function systemTargets(
  auctioneer?: { port: number; config: AuctioneerConfig },
  t: Topology = topology(),
): SystemTargets {
  return {
    channel: t.channel,
    nodes: [
      ...t.orderers.map((o) => ({
        name: o.name,
        kind: 'orderer' as const,
        mspId: t.ordererOrg.mspId,
        operationsPort: o.operationsPort,
      })),
      ...t.orgs.map((org) => ({
        name: org.peer.name,
        kind: 'peer' as const,
        mspId: org.mspId,
        operationsPort: org.peer.operationsPort,
      })),
    ],
    chaincodeServers: t.orgs.map((org) => ({
      name: org.chaincodeServer.name,
      mspId: org.mspId,
      port: org.chaincodeServer.port,
    })),
    ...(auctioneer
      ? { auctioneerUrl: `http://127.0.0.1:${auctioneer.port}`, schedule: scheduleOf(auctioneer.config) }
      : {}),
  };
}

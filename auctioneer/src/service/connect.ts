import type { Gateway } from '@hyperledger/fabric-gateway';
import { connectGateway } from '../../../fabric-client/src/connect';
import type { AuctioneerConfig } from './config';

/** A connected gateway for the service's identity, and how to let go of it. */
export interface GatewayConnection {
  gateway: Gateway;
  close(): void;
}

const EVENT_STREAM_MS = 60 * 60_000;

/**
 * Connects to the native network as cfg.mspId's user (network/run/connection/<MSPID>.json, or
 * ENERGY_NETWORK_RUN_DIR), with the service's deadlines on every gateway call.
 */
export async function connectNetworkGateway(cfg: AuctioneerConfig): Promise<GatewayConnection> {
  const gateway = await connectGateway(cfg.mspId, {
    deadlines: {
      evaluate: cfg.deadlines.evaluateMs,
      endorse: cfg.deadlines.submitMs,
      submit: cfg.deadlines.submitMs,
      commitStatus: cfg.deadlines.submitMs,
      // the event stream is long-lived: it is renewed (from the checkpoint) when this expires
      chaincodeEvents: EVENT_STREAM_MS,
    },
  });
  return { gateway, close: () => gateway.close() };
}

import type { AuctioneerConfig } from './config';
import type { GatewayConnection } from './service';

/** Connects to the native network with the connection material of cfg.mspId. */
export async function connectNetworkGateway(cfg: AuctioneerConfig): Promise<GatewayConnection> {
  throw new Error(`no gateway connection available for ${cfg.mspId} yet`);
}

/**
 * The identity a `ledger` command reads the ledger as: an org's connection material written by
 * `npm run network:up` (network/run/connection/<MSPID>.json, or under --run-dir), or a client config
 * file (fabric-client/src/client-config.ts) naming the peer, its TLS CA, a certificate and a key.
 */
import { readClientConfig } from '../../../fabric-client/src/client-config';
import {
  connectGatewayWith,
  readConnectionProfile,
  type ConnectionProfile,
} from '../../../fabric-client/src/connect';
import { MarketClient } from '../../../fabric-client/src/market-client';
import { CliError } from '../errors';
import { LEDGER_EXIT } from './errors';

export interface IdentityFlags {
  msp: string;
  identity: 'user' | 'admin';
  runDir?: string;
  config?: string;
}

export interface LedgerConnection {
  market: MarketClient;
  close(): void;
}

function profileOf(flags: IdentityFlags): ConnectionProfile {
  try {
    return flags.config === undefined
      ? readConnectionProfile(flags.msp, flags.runDir)
      : readClientConfig(flags.config);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), LEDGER_EXIT.unreadable);
  }
}

/** A market client signing as the chosen identity; CliError (exit 1) when it cannot connect. */
export async function openLedger(flags: IdentityFlags): Promise<LedgerConnection> {
  const profile = profileOf(flags);
  try {
    const gateway = await connectGatewayWith(profile, { identity: flags.identity });
    const contract = gateway.getNetwork(profile.channel).getContract(profile.chaincode);
    return { market: new MarketClient(contract, profile.mspId), close: () => gateway.close() };
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), LEDGER_EXIT.unreadable);
  }
}

/** Runs `fn` with a connection and always closes it. */
export async function withLedger<T>(
  flags: IdentityFlags,
  fn: (market: MarketClient) => Promise<T>,
): Promise<T> {
  const conn = await openLedger(flags);
  try {
    return await fn(conn.market);
  } finally {
    conn.close();
  }
}

/**
 * What a dishonest client can do with @hyperledger/fabric-gateway: build an ordinary proposal, move
 * the timestamp in its channel header (the chaincode's getTxTimestamp), sign the changed bytes with
 * its own identity and send them. The transaction id (sha256(nonce + creator)) and the nonce stay.
 */
import type { Contract, Gateway, ProposalOptions, Signer } from '@hyperledger/fabric-gateway';
// A dependency of @hyperledger/fabric-gateway (which builds its messages with it).
import { common, gateway as gw, peer } from '@hyperledger/fabric-protos';
import { toMarketClientError, type MarketClientErrorCode } from '../../fabric-client/src/market-client';

/** google.protobuf.Timestamp as fabric-protos hands it out (its types are not installed here). */
interface ProtoTimestamp {
  getSeconds(): number;
  setSeconds(value: number): void;
  getNanos(): number;
  setNanos(value: number): void;
}

const defined = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`proposal has no ${what}`);
  return value;
};

/** Milliseconds since the epoch of a channel header's timestamp. */
function headerTimeMs(channelHeader: common.ChannelHeader): number {
  const ts = defined(channelHeader.getTimestamp() as ProtoTimestamp | undefined, 'timestamp');
  return ts.getSeconds() * 1000 + ts.getNanos() / 1e6;
}

/**
 * A ProposedTransaction (Proposal.getBytes()) with its channel-header timestamp set to `timeMs`,
 * unsigned; everything else (tx id, nonce, creator, arguments, transient data, endorsers) is kept.
 */
export function withTimestamp(proposedBytes: Uint8Array, timeMs: number): Uint8Array {
  const proposed = gw.ProposedTransaction.deserializeBinary(proposedBytes);
  const signed = defined(proposed.getProposal(), 'signed proposal');
  const proposal = peer.Proposal.deserializeBinary(signed.getProposalBytes_asU8());
  const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const ts = defined(channelHeader.getTimestamp() as ProtoTimestamp | undefined, 'timestamp');
  const wholeMs = Math.floor(timeMs);
  ts.setSeconds(Math.floor(wholeMs / 1000));
  ts.setNanos((wholeMs % 1000) * 1e6);
  channelHeader.setTimestamp(ts as never);
  header.setChannelHeader(channelHeader.serializeBinary());
  proposal.setHeader(header.serializeBinary());
  signed.setProposalBytes(proposal.serializeBinary());
  signed.setSignature(new Uint8Array(0));
  proposed.setProposal(signed);
  return proposed.serializeBinary();
}

/** Timestamp (ms) of the channel header inside an endorsed PreparedTransaction (what is ordered). */
export function preparedTimeMs(preparedBytes: Uint8Array): number {
  const envelope = defined(gw.PreparedTransaction.deserializeBinary(preparedBytes).getEnvelope(), 'envelope');
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const header = defined(payload.getHeader(), 'payload header');
  return headerTimeMs(common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()));
}

export type ForgedOutcome =
  | { outcome: 'committed'; txId: string }
  | { outcome: 'invalid'; txId: string; validationCode: number }
  | { outcome: 'refused'; txId: string; code: MarketClientErrorCode; message: string };

export interface ForgeOptions {
  gateway: Gateway;
  contract: Contract;
  /** the signer of the gateway's own identity (the same key: only the bytes differ) */
  signer: Signer;
  /** the timestamp to put in the proposal, ms since the epoch */
  timeMs: number;
}

/**
 * Sends `transactionName` with a forged timestamp, signed by the client's own key, and waits for
 * the commit. Checks that the transaction the peers endorsed carries the forged timestamp.
 */
export async function submitForged(
  name: string,
  options: ProposalOptions,
  f: ForgeOptions,
): Promise<ForgedOutcome> {
  const honest = f.contract.newProposal(name, options);
  const txId = honest.getTransactionId();
  const forgedBytes = withTimestamp(honest.getBytes(), f.timeMs);
  const unsigned = f.gateway.newProposal(forgedBytes);
  if (unsigned.getTransactionId() !== txId) throw new Error('forging changed the transaction id');
  const signature = await f.signer(unsigned.getDigest());
  const proposal = f.gateway.newSignedProposal(forgedBytes, signature);
  let tx;
  try {
    tx = await proposal.endorse({ deadline: Date.now() + 30_000 });
  } catch (e) {
    const err = toMarketClientError(e);
    return { outcome: 'refused', txId, code: err.code, message: err.message };
  }
  const endorsedMs = preparedTimeMs(tx.getBytes());
  if (endorsedMs !== Math.floor(f.timeMs)) {
    throw new Error(`the endorsed transaction carries ${endorsedMs}, not the forged ${Math.floor(f.timeMs)}`);
  }
  const submitted = await tx.submit({ deadline: Date.now() + 15_000 });
  const status = await submitted.getStatus({ deadline: Date.now() + 60_000 });
  return status.successful
    ? { outcome: 'committed', txId }
    : { outcome: 'invalid', txId, validationCode: status.code };
}

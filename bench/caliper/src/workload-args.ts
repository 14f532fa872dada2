/**
 * The arguments every workload module of the Caliper benchmark receives (the benchmark config's
 * `workload.arguments`, written by run.ts), and the fabric connector requests built from them.
 */
import type { FabricRequest, TxStatus } from './caliper-api';

export interface WorkloadArgs {
  roundId: string;
  /** RFC 3339 UTC, as OpenRound takes them */
  slot: string;
  closesAt: string;
  channel: string;
  chaincode: string;
  operatorMsp: string;
  buyerMsp: string;
  sellerMsp: string;
  /** Caliper identity name per MSP id (the org's `user` identity of the connection material) */
  identities: Record<string, string>;
  buyers: number;
  sellers: number;
  seed: number;
  bidsPerTx: number;
}

const STRINGS = [
  'roundId',
  'slot',
  'closesAt',
  'channel',
  'chaincode',
  'operatorMsp',
  'buyerMsp',
  'sellerMsp',
];
const NUMBERS = ['buyers', 'sellers', 'seed', 'bidsPerTx'];

/** The round arguments as WorkloadArgs; names the first field that is missing or of the wrong type. */
export function workloadArgs(x: unknown): WorkloadArgs {
  if (typeof x !== 'object' || x === null) throw new Error('workload arguments: not an object');
  const o = x as Record<string, unknown>;
  const bad =
    STRINGS.find((k) => typeof o[k] !== 'string') ??
    NUMBERS.find((k) => !Number.isInteger(o[k])) ??
    (typeof o.identities === 'object' && o.identities !== null ? undefined : 'identities');
  if (bad !== undefined) throw new Error(`workload arguments: ${bad} is missing or of the wrong type`);
  return o as unknown as WorkloadArgs;
}

/** A request to the market chaincode signed by `mspId`'s identity. */
export function marketRequest(
  a: WorkloadArgs,
  mspId: string,
  contractFunction: string,
  contractArguments: string[],
  extra: Partial<FabricRequest> = {},
): FabricRequest {
  const invokerIdentity = a.identities[mspId];
  if (invokerIdentity === undefined) throw new Error(`no Caliper identity for ${mspId}`);
  return {
    contractId: a.chaincode,
    channel: a.channel,
    contractFunction,
    contractArguments,
    invokerMspId: mspId,
    invokerIdentity,
    ...extra,
  };
}

const decoder = new TextDecoder();

/** The JSON a successful call returned; throws naming `what` when Caliper reports it failed. */
export function resultJson(status: TxStatus, what: string): unknown {
  if (status.GetStatus() !== 'success') throw new Error(`${what} failed (transaction ${status.GetID()})`);
  const r = status.GetResult();
  const text = typeof r === 'string' ? r : decoder.decode(r ?? new Uint8Array());
  return JSON.parse(text) as unknown;
}

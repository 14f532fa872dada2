import type { Context } from 'fabric-contract-api';
import type { Iterators } from 'fabric-shim';
import type { KeyValue, Ledger } from './ledger';
import { readEndorserClockMs } from './clock-guard';
import { ROLE_ATTRIBUTE } from './access';

async function drain(iterator: Iterators.StateQueryIterator): Promise<KeyValue[]> {
  const out: KeyValue[] = [];
  try {
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      out.push({ key: r.value.key, value: r.value.value });
    }
  } finally {
    await iterator.close();
  }
  return out;
}

/**
 * fabric-shim 2.5 resolves getPrivateDataByRange/ByPartialCompositeKey to `{ iterator }` rather
 * than the iterator itself (getStateBy* unwrap it): accept both.
 */
function unwrap(
  r: Iterators.StateQueryIterator | { iterator: Iterators.StateQueryIterator },
): Iterators.StateQueryIterator {
  return 'iterator' in r && typeof r.iterator === 'object' ? r.iterator : (r as Iterators.StateQueryIterator);
}

const present = (v: Uint8Array): Uint8Array | undefined => (v.length > 0 ? v : undefined);

/** The Ledger port on a real peer, backed by the transaction context's stub. */
export function fabricLedger(ctx: Context): Ledger {
  const stub = ctx.stub;
  const ts = stub.getTxTimestamp();
  return {
    txId: stub.getTxID(),
    txTimeSeconds: ts.seconds.toNumber(),
    txTimeMs: ts.seconds.toNumber() * 1000 + Math.floor(ts.nanos / 1e6),
    // The endorser's clock, for clock-guard.ts only (DESIGN invariant 9).
    endorserTimeMs: readEndorserClockMs,
    clientMsp: ctx.clientIdentity.getMSPID(),
    clientRole: ctx.clientIdentity.getAttributeValue(ROLE_ATTRIBUTE) ?? undefined,
    compositeKey: (t, a) => stub.createCompositeKey(t, a),
    getState: async (k) => present(await stub.getState(k)),
    putState: (k, v) => stub.putState(k, v),
    deleteState: (k) => stub.deleteState(k),
    getStateByPartialKey: async (t, a) => drain(await stub.getStateByPartialCompositeKey(t, a)),
    getPrivate: async (c, k) => present(await stub.getPrivateData(c, k)),
    putPrivate: (c, k, v) => stub.putPrivateData(c, k, v),
    getPrivateByPartialKey: async (c, t, a) =>
      drain(unwrap(await stub.getPrivateDataByPartialCompositeKey(c, t, a))),
    transient: (name) => stub.getTransient().get(name),
    setEvent: (name, payload) => stub.setEvent(name, payload),
  };
}

import type { KeyValue, Ledger } from '../../../chaincode/src/ledger';

const SEP = '\u0000';
const compositeKey = (t: string, a: string[]): string => `${SEP}${t}${SEP}${a.map((x) => x + SEP).join('')}`;
const prefixScan = (m: Map<string, Uint8Array>, prefix: string): KeyValue[] =>
  [...m.entries()]
    .filter(([k]) => k.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }));

/** f's value as a promise, a throw as a rejection (like an async function: the peer's API is async). */
const settled = <T>(f: () => T): Promise<T> => new Promise((resolve) => resolve(f()));

export interface TxOptions {
  /** MSP of the signing client */
  msp: string;
  /**
   * The client's `market.role` (default: what the network enrolls as each org's application
   * identity, `auctioneer` for the operator and `bidder` for a utility; null: no role)
   */
  role?: string | null;
  /** the proposal's timestamp, seconds since the epoch (may have a fraction) */
  time: number;
  /** the endorsing peer's clock, seconds since the epoch (default: `time`, an honest client) */
  endorserTime?: number;
  /** MSP of the peer that executes the transaction (default: the client's) */
  peer?: string;
  transient?: Record<string, string>;
}

function roleOf(opts: TxOptions): string | undefined {
  if (opts.role === null) return undefined;
  return opts.role ?? (opts.msp === 'OperatorMSP' ? 'auctioneer' : 'bidder');
}

/**
 * An in-memory channel for unit tests of the contract logic. Like a peer, reads see only committed
 * state (never the transaction's own writes), a failed transaction writes nothing, and private
 * collections are readable only on member peers.
 */
export class MemoryChannel {
  readonly state = new Map<string, Uint8Array>();
  readonly privateData = new Map<string, Map<string, Uint8Array>>();
  readonly events: { name: string; payload: unknown }[] = [];
  private txCounter = 0;

  /** collection name -> member MSPs */
  constructor(private readonly collections: Record<string, string[]>) {
    for (const c of Object.keys(collections)) this.privateData.set(c, new Map());
  }

  private collection(peer: string, name: string): Map<string, Uint8Array> {
    const members = this.collections[name];
    if (!members) throw new Error(`collection ${name} is not defined`);
    if (!members.includes(peer)) throw new Error(`peer of ${peer} is not a member of ${name}`);
    return this.privateData.get(name)!;
  }

  /** Runs one transaction; its writes and event are applied only if it succeeds. */
  async run<T>(opts: TxOptions, body: (l: Ledger) => Promise<T>): Promise<T> {
    const peer = opts.peer ?? opts.msp;
    const writes: (() => void)[] = [];
    let event: { name: string; payload: unknown } | undefined;
    const txId = `tx${String(++this.txCounter).padStart(6, '0')}`;
    const ledger: Ledger = {
      txId,
      txTimeSeconds: Math.floor(opts.time),
      txTimeMs: opts.time * 1000,
      endorserTimeMs: () => (opts.endorserTime ?? opts.time) * 1000,
      clientMsp: opts.msp,
      clientRole: roleOf(opts),
      compositeKey,
      getState: (k) => settled(() => this.state.get(k)),
      putState: (k, v) => settled(() => void writes.push(() => this.state.set(k, v))),
      deleteState: (k) => settled(() => void writes.push(() => this.state.delete(k))),
      getStateByPartialKey: (t, a) => settled(() => prefixScan(this.state, compositeKey(t, a))),
      getPrivate: (c, k) => settled(() => this.collection(peer, c).get(k)),
      putPrivate: (c, k, v) =>
        settled(() => {
          const m = this.collection(peer, c);
          writes.push(() => m.set(k, v));
        }),
      getPrivateByPartialKey: (c, t, a) =>
        settled(() => prefixScan(this.collection(peer, c), compositeKey(t, a))),
      transient: (name) => {
        const value = opts.transient?.[name];
        return value === undefined ? undefined : Buffer.from(value);
      },
      setEvent: (name, payload) => {
        event = { name, payload: JSON.parse(Buffer.from(payload).toString()) };
      },
    };
    const out = await body(ledger);
    for (const w of writes) w();
    if (event) this.events.push(event);
    return out;
  }
}

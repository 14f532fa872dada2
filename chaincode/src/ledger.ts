/**
 * The chaincode's only view of Fabric: a narrow port so the contract logic can be unit-tested with
 * an in-memory ledger and run unchanged on a peer (fabric-ledger.ts).
 */
export interface KeyValue {
  key: string;
  value: Uint8Array;
}

export interface Ledger {
  readonly txId: string;
  /**
   * Seconds since the epoch from the transaction header (whole seconds): identical on every
   * endorser, but chosen by the client; time rules also pass clock-guard.ts.
   */
  readonly txTimeSeconds: number;
  /** The same timestamp in milliseconds (with its fraction of a second). */
  readonly txTimeMs: number;
  /**
   * This endorser's own clock, ms since the epoch. Differs between endorsers: read only by
   * guardEndorsementClock (clock-guard.ts), which only ever rejects (DESIGN invariant 9).
   */
  endorserTimeMs(): number;
  /** MSP id of the client that signed the proposal. */
  readonly clientMsp: string;
  /**
   * The `market.role` attribute of the client's enrollment certificate (Fabric CA), undefined
   * when the certificate has none (access.ts).
   */
  readonly clientRole: string | undefined;
  compositeKey(objectType: string, attributes: string[]): string;
  getState(key: string): Promise<Uint8Array | undefined>;
  putState(key: string, value: Uint8Array): Promise<void>;
  deleteState(key: string): Promise<void>;
  /** All public entries under a partial composite key, in key order. */
  getStateByPartialKey(objectType: string, attributes: string[]): Promise<KeyValue[]>;
  getPrivate(collection: string, key: string): Promise<Uint8Array | undefined>;
  putPrivate(collection: string, key: string, value: Uint8Array): Promise<void>;
  /** Range read of private data: only in read-only transactions (Fabric forbids writes after it). */
  getPrivateByPartialKey(collection: string, objectType: string, attributes: string[]): Promise<KeyValue[]>;
  transient(name: string): Uint8Array | undefined;
  setEvent(name: string, payload: Uint8Array): void;
}

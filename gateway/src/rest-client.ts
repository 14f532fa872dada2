/** A tiny HTTP client of the REST API for the demo, the benchmark and the end-to-end tests. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WireBid } from '../../engine/src/mechanism/types';
import type { PublicResult } from '../../chaincode/src/clearing';
import type { NetPosition, RoundRecord, Settlement } from '../../chaincode/src/model';
import type { BidReceipt } from './api/batcher';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    const detail = (body as { detail?: string } | null)?.detail;
    super(`${what}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'HttpError';
  }
}

export interface RoundView {
  round: RoundRecord;
  result: PublicResult | null;
}

export interface OwnBids {
  roundId: string;
  utility: string;
  bidCount: number;
  batches: { batchId: string; bids: WireBid[] }[];
}

export interface BidLookup {
  roundId: string;
  utility: string;
  committed: true;
  batchId: string;
  position: number;
  bid: WireBid;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** One call: its status and its body (parsed JSON, else the text), whatever the status. */
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  }

  private async ok<T>(method: string, path: string, body?: unknown, expect = [200, 201]): Promise<T> {
    const r = await this.request(method, path, body);
    if (!expect.includes(r.status)) throw new HttpError(r.status, r.body, `${method} ${path}`);
    return r.body as T;
  }

  openRound(req: {
    id: string;
    slot: string;
    closesAt: string;
    params?: Record<string, string>;
  }): Promise<RoundRecord> {
    return this.ok('POST', '/v1/rounds', req);
  }
  closeRound(id: string): Promise<RoundRecord> {
    return this.ok('POST', `/v1/rounds/${encodeURIComponent(id)}/close`);
  }
  round(id: string): Promise<RoundView> {
    return this.ok('GET', `/v1/rounds/${encodeURIComponent(id)}`);
  }
  submitBids(id: string, bids: WireBid[]): Promise<BidReceipt> {
    return this.ok('POST', `/v1/rounds/${encodeURIComponent(id)}/bids`, { bids });
  }
  bids(id: string, utility?: string): Promise<OwnBids> {
    return this.ok('GET', `/v1/rounds/${encodeURIComponent(id)}/bids${utility ? `?utility=${utility}` : ''}`);
  }
  /**
   * One own bid (the operator names `utility`): 200 `{batchId, position, bid}` when it is in the
   * round, 404 `BID_NOT_FOUND` when not (`idTaken`: this API still holds the id, its outcome unknown).
   */
  lookupBid(
    id: string,
    bidId: string,
    utility?: string,
  ): Promise<{ status: number; body: BidLookup | { code?: string; idTaken?: boolean } }> {
    return this.request(
      'GET',
      `/v1/rounds/${encodeURIComponent(id)}/bids/${encodeURIComponent(bidId)}${utility ? `?utility=${utility}` : ''}`,
    ) as Promise<{ status: number; body: BidLookup | { code?: string; idTaken?: boolean } }>;
  }
  settlement(id: string, utility?: string): Promise<Settlement> {
    return this.ok(
      'GET',
      `/v1/rounds/${encodeURIComponent(id)}/settlement${utility ? `?utility=${utility}` : ''}`,
    );
  }
  positions(id: string): Promise<NetPosition[]> {
    return this.ok('GET', `/v1/rounds/${encodeURIComponent(id)}/positions`);
  }
}

/** RFC 3339 UTC without fractional seconds (what the chaincode accepts). */
export const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Waits until the API answers /readyz with 200. */
export async function waitReady(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${baseUrl}/readyz`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${baseUrl}/readyz not ready after ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** Polls the round until it is CLEARED; closes it as the operator once overdue if nobody else did. */
export async function waitCleared(
  operator: ApiClient,
  roundId: string,
  timeoutMs: number,
  closeIfOverdueAfterMs = 15_000,
): Promise<RoundView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await operator.round(roundId);
    if (v.round.status === 'CLEARED' && v.result) return v;
    if (v.round.status === 'OPEN' && Date.now() > Date.parse(v.round.closesAt) + closeIfOverdueAfterMs) {
      const r = await operator.request('POST', `/v1/rounds/${encodeURIComponent(roundId)}/close`);
      if (r.status !== 200 && r.status !== 409) throw new HttpError(r.status, r.body, 'closing the round');
    }
    if (Date.now() > end)
      throw new Error(`round ${roundId} not cleared after ${timeoutMs} ms (status ${v.round.status})`);
    await sleep(1000);
  }
}

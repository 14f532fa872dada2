/**
 * Tools of the fault tests: services as real child processes (so they can be killed with SIGKILL),
 * network nodes killed by their recorded pid and restarted the way an operator would
 * (`network:up` starts what is not running), and a bounded REST bid load that records every
 * acknowledged bid and every error it saw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { up } from '../../network/src/network';
import { RunPaths } from '../../network/src/paths';
import { runningPid } from '../../network/src/processes';

export const REPO = path.resolve(__dirname, '..', '..');
export const LOG_DIR = path.join(REPO, 'test-results', 'faults');
export const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const quiet = () => undefined;

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** One of the project's services run as its own process from dist/ (like an operator runs it). */
export class Service {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    fs.mkdirSync(LOG_DIR, { recursive: true });
    const log = fs.openSync(path.join(LOG_DIR, `${this.name}.log`), 'a');
    fs.writeSync(log, `\n===== ${new Date().toISOString()} start ${this.name}\n`);
    const child = spawn(process.execPath, [path.join(REPO, this.script)], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Sends `signal` and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}

/** Polls `probe` until it returns true (or throws after `timeoutMs`, naming `what`). */
export async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      if (await probe()) return Date.now() - started;
    } catch {
      // not yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** SIGKILLs the network process `name` (e.g. `peer0.utility1`, `orderer2`) by its recorded pid. */
export async function killNode(name: string): Promise<number> {
  const p = new RunPaths();
  const pid = runningPid(p, name);
  if (pid === undefined) throw new Error(`${name} is not running`);
  process.kill(pid, 'SIGKILL');
  while (runningPid(p, name) !== undefined) await sleep(50);
  return pid;
}

/** What an operator does after a crash: `network:up`, which starts whatever is not running. */
export async function restartNetwork(): Promise<void> {
  await up({ log: quiet });
}

export interface LoadReport {
  requests: number;
  /** bid ids acknowledged with 201, per utility MSP */
  acked: Map<string, string[]>;
  /** `<status> <code>` (or a socket error code) → count */
  errors: Map<string, number>;
  /** times (ms since the epoch) of the 201s */
  ackTimes: number[];
  /** the same, with the utility that got each */
  acks: { msp: string; at: number }[];
}

export interface LoadOptions {
  url: string;
  /** bearer token → the utility's MSP id */
  tenants: Record<string, string>;
  roundId: string;
  clients: number;
  bidsPerRequest: number;
  /** a label that keeps ids of different phases apart */
  tag: string;
  /** hard bound of the whole load */
  maxMs: number;
  requestTimeoutMs?: number;
}

/** The `code` of a problem+json answer, or 'non-json'. */
function problemCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : '';
  } catch {
    return 'non-json';
  }
}

/** How a request failed below HTTP: client timeout, socket error code, or error name. */
function transportErrorKey(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string } };
  return err.name === 'TimeoutError' ? 'client-timeout' : (err.cause?.code ?? err.name ?? 'error');
}

/**
 * Bounded bid load: `clients` concurrent loops post new, unique bids (alternating buy/sell) until
 * stop() or maxMs. A request is never retried, so any id appears in at most one request.
 */
export class BidLoad {
  private stopped = false;
  private readonly done: Promise<void>;
  readonly report: LoadReport = { requests: 0, acked: new Map(), errors: new Map(), ackTimes: [], acks: [] };

  constructor(private readonly o: LoadOptions) {
    const deadline = Date.now() + o.maxMs;
    const tokens = Object.keys(o.tenants);
    this.done = Promise.all(
      Array.from({ length: o.clients }, (_, c) => this.client(c, tokens[c % tokens.length]!, deadline)),
    ).then(() => undefined);
  }

  private count(key: string): void {
    this.report.errors.set(key, (this.report.errors.get(key) ?? 0) + 1);
  }

  /** Request n of client c: new ids, alternating buy and sell around a price where they cross. */
  private bidsFor(c: number, n: number): { id: string; side: string; price: string; quantity: string }[] {
    return Array.from({ length: this.o.bidsPerRequest }, (_, k) => {
      const buy = (n + k) % 2 === 0;
      return {
        id: `${this.o.tag}-c${c}-${n}-${k}`,
        side: buy ? 'buy' : 'sell',
        price: buy ? String(15 + ((n * 7 + k) % 6)) : String(9 + ((n * 5 + k) % 6)),
        quantity: `${1 + ((n + k) % 4)}.${(n * 13 + k) % 1000}`,
      };
    });
  }

  private recordAck(msp: string, ids: string[]): void {
    const list = this.report.acked.get(msp) ?? [];
    list.push(...ids);
    this.report.acked.set(msp, list);
    const at = Date.now();
    this.report.ackTimes.push(at);
    this.report.acks.push({ msp, at });
  }

  private async client(c: number, token: string, deadline: number): Promise<void> {
    const msp = this.o.tenants[token]!;
    for (let n = 0; !this.stopped && Date.now() < deadline; n++) {
      const bids = this.bidsFor(c, n);
      this.report.requests += 1;
      try {
        const res = await fetch(`${this.o.url}/v1/rounds/${this.o.roundId}/bids`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ bids }),
          signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 30_000),
        });
        const text = await res.text();
        if (res.status === 201) {
          this.recordAck(
            msp,
            bids.map((b) => b.id),
          );
          continue;
        }
        this.count(`${res.status} ${problemCode(text)}`);
      } catch (e) {
        this.count(transportErrorKey(e));
      }
      await sleep(100); // an error answer comes fast: do not spin
    }
  }

  async stop(): Promise<LoadReport> {
    this.stopped = true;
    await this.done;
    return this.report;
  }

  /** Time from `since` to the first 201 after it (ms), or undefined. */
  firstAckAfter(since: number): number | undefined {
    const t = this.report.ackTimes.find((x) => x >= since);
    return t === undefined ? undefined : t - since;
  }
}

export interface ReadBack {
  present: Set<string>;
  duplicates: string[];
}

/** Every bid id of the utility behind `token` in the round, via GET …/bids. */
export async function readBack(url: string, token: string, roundId: string): Promise<ReadBack> {
  const res = await fetch(`${url}/v1/rounds/${roundId}/bids`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60_000),
  });
  if (res.status !== 200) throw new Error(`GET bids: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { batches: { bids: { id: string }[] }[] };
  const present = new Set<string>();
  const duplicates: string[] = [];
  for (const b of body.batches) {
    for (const bid of b.bids) {
      if (present.has(bid.id)) duplicates.push(bid.id);
      present.add(bid.id);
    }
  }
  return { present, duplicates };
}

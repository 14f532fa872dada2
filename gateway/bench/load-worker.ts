/**
 * Load generator of `npm run bench:e2e`, run in a child process (forked, job and report over IPC)
 * so that it shares neither the API's event loop nor its process: the bench process's
 * `process.cpuUsage()` then counts the API's CPU alone. `clients` concurrent HTTP/1.1 keep-alive
 * clients (node:http, lighter than fetch) post bid requests to `path` until `requests` are sent or
 * the deadline passes; a request counts as acknowledged when answered `okStatus`. The bodies are
 * generated (bidsPerRequest bids each), or read from `bodiesFile` (premadeRequests) to post a
 * given round's bids, each with the token of the utility that owns them.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';

export interface LoadJob {
  url: string;
  /** path posted to, e.g. /v1/rounds/r1/bids */
  path: string;
  /** bearer token per utility; client w uses tokens[w % tokens.length] */
  tokens: string[];
  clients: number;
  requests: number;
  bidsPerRequest: number;
  deadlineMs: number;
  /** the status of an acknowledged request (201 for bids) */
  okStatus: number;
  /** requests to post instead of generated ones, in order (writePremadeRequests); `requests`
   * and `bidsPerRequest` are then ignored */
  bodiesFile?: string;
}

/** One premade request: the index of its token in LoadJob.tokens, its bid count and body. */
interface Premade {
  token: number;
  bids: number;
  body: string;
}

export interface LoadReport {
  seconds: number;
  /** latency of each acknowledged request, ms */
  latencies: number[];
  statuses: Record<string, number>;
  /** acknowledged bids per token index */
  acked: number[];
  /** this load process's CPU time over the run, seconds (user + system) */
  cpuSeconds: number;
  /** this load process's peak RSS, bytes */
  maxRssBytes: number;
}

/** Writes `requests` (each: the owner's token index and its bids) as a bodiesFile, a line each. */
export function writePremadeRequests(
  file: string,
  requests: Iterable<{ token: number; bids: unknown[] }>,
): number {
  const fd = fs.openSync(file, 'w');
  let n = 0;
  try {
    for (const r of requests) {
      fs.writeSync(fd, `${r.token}\t${r.bids.length}\t${JSON.stringify({ bids: r.bids })}\n`);
      n++;
    }
  } finally {
    fs.closeSync(fd);
  }
  return n;
}

function readPremadeRequests(file: string): Premade[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line, i) => {
      const [token, bids, body] = line.split('\t');
      if (token === undefined || bids === undefined || body === undefined)
        throw new Error(`E_BODIES: ${file} line ${i + 1} is not <token>\\t<bids>\\t<body>`);
      return { token: Number(token), bids: Number(bids), body };
    });
}

function post(agent: http.Agent, url: URL, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume(); // the receipt is not needed: 201 means committed
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The body of request i: bidsPerRequest bids with ids r<i>-<k>. */
function requestBody(i: number, bidsPerRequest: number): string {
  const bids = Array.from({ length: bidsPerRequest }, (_, k) => ({
    id: `r${i}-${k}`,
    side: (i + k) % 2 === 0 ? 'buy' : 'sell',
    price: (i + k) % 2 === 0 ? `${14 + (i % 9)}.5` : `${5 + (i % 9)}.25`,
    quantity: `${1 + (i % 5)}.125`,
  }));
  return JSON.stringify({ bids });
}

export async function runLoadJob(job: LoadJob): Promise<LoadReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const url = new URL(job.path, job.url);
  const report: LoadReport = {
    seconds: 0,
    latencies: [],
    statuses: {},
    acked: job.tokens.map(() => 0),
    cpuSeconds: 0,
    maxRssBytes: 0,
  };
  const premade = job.bodiesFile === undefined ? undefined : readPremadeRequests(job.bodiesFile);
  const total = premade?.length ?? job.requests;
  // request i: its token index, bid count and body
  const request = (i: number, w: number): Premade =>
    premade?.[i] ?? {
      token: w % job.tokens.length,
      bids: job.bidsPerRequest,
      body: requestBody(i, job.bidsPerRequest),
    };
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: job.clients }, async (_, w) => {
      while (next < total && Date.now() < job.deadlineMs) {
        const { token: u, bids, body } = request(next++, w);
        const token = job.tokens[u];
        if (token === undefined) throw new Error(`E_BODIES: no token ${u} (${job.tokens.length} tokens)`);
        const s = performance.now();
        let status: number;
        try {
          status = await post(agent, url, token, body);
        } catch {
          status = 0; // connection error
        }
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        if (status === job.okStatus) {
          report.latencies.push(performance.now() - s);
          report.acked[u] = (report.acked[u] ?? 0) + bids;
        }
      }
    }),
  );
  report.seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  report.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  report.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  agent.destroy();
  return report;
}

if (require.main === module && process.send) {
  process.once('message', (job: LoadJob) => {
    runLoadJob(job).then(
      (r) => process.send?.(r, () => process.exit(0)),
      (e: unknown) => {
        process.stderr.write(`load worker: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  });
}

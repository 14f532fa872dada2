/**
 * Load generator of `npm run bench:e2e`, run in a child process (forked, job and report over IPC)
 * so that it shares neither the API's event loop nor its process: the bench process's
 * `process.cpuUsage()` then counts the API's CPU alone. `clients` concurrent HTTP/1.1 keep-alive
 * clients (node:http, lighter than fetch) post bid requests to `path` until `requests` are sent or
 * the deadline passes; a request counts as acknowledged when answered `okStatus`.
 */
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

async function run(job: LoadJob): Promise<LoadReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const url = new URL(job.path, job.url);
  const report: LoadReport = {
    seconds: 0,
    latencies: [],
    statuses: {},
    acked: job.tokens.map(() => 0),
    cpuSeconds: 0,
  };
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: job.clients }, async (_, w) => {
      const u = w % job.tokens.length;
      const token = job.tokens[u];
      if (token === undefined) return; // no tokens, no load
      while (next < job.requests && Date.now() < job.deadlineMs) {
        const body = requestBody(next++, job.bidsPerRequest);
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
          report.acked[u] = (report.acked[u] ?? 0) + job.bidsPerRequest;
        }
      }
    }),
  );
  report.seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  report.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  agent.destroy();
  return report;
}

if (require.main === module && process.send) {
  process.once('message', (job: LoadJob) => {
    run(job).then(
      (r) => process.send?.(r, () => process.exit(0)),
      (e: unknown) => {
        process.stderr.write(`load worker: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  });
}

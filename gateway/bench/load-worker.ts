/**
 * Load generator of `npm run bench:e2e`, run in a worker thread so that the API's event loop does
 * not also serve the clients. `clients` concurrent HTTP/1.1 keep-alive clients (node:http, lighter
 * than fetch) post bid requests to the API until `requests` are sent or the deadline passes.
 */
import * as http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadJob {
  url: string;
  /** bearer token per utility; client w uses tokens[w % tokens.length] */
  tokens: string[];
  roundId: string;
  clients: number;
  requests: number;
  bidsPerRequest: number;
  deadlineMs: number;
}

export interface LoadReport {
  seconds: number;
  /** latency of each acknowledged (201) request, ms */
  latencies: number[];
  statuses: Record<string, number>;
  /** acknowledged bids per token index */
  acked: number[];
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

async function run(job: LoadJob): Promise<LoadReport> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const url = new URL(`/v1/rounds/${encodeURIComponent(job.roundId)}/bids`, job.url);
  const report: LoadReport = { seconds: 0, latencies: [], statuses: {}, acked: job.tokens.map(() => 0) };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: job.clients }, async (_, w) => {
      const u = w % job.tokens.length;
      const token = job.tokens[u];
      if (token === undefined) return; // no tokens, no load
      while (next < job.requests && Date.now() < job.deadlineMs) {
        const i = next++;
        const bids = Array.from({ length: job.bidsPerRequest }, (_, k) => ({
          id: `r${i}-${k}`,
          side: (i + k) % 2 === 0 ? 'buy' : 'sell',
          price: (i + k) % 2 === 0 ? `${14 + (i % 9)}.5` : `${5 + (i % 9)}.25`,
          quantity: `${1 + (i % 5)}.125`,
        }));
        const s = performance.now();
        let status: number;
        try {
          status = await post(agent, url, token, JSON.stringify({ bids }));
        } catch {
          status = 0; // connection error
        }
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        if (status === 201) {
          report.latencies.push(performance.now() - s);
          report.acked[u] = (report.acked[u] ?? 0) + job.bidsPerRequest;
        }
      }
    }),
  );
  report.seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return report;
}

if (parentPort) {
  const port = parentPort;
  run(workerData as LoadJob).then(
    (r) => port.postMessage(r),
    (e: unknown) => {
      throw e;
    },
  );
}

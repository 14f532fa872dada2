/**
 * The bench's load generator posting premade requests (a given round's bids, each with its
 * owner's token) against a local HTTP server that records what it got.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLoadJob, writePremadeRequests, type LoadJob } from '../../../gateway/bench/load-worker';

interface Seen {
  auth: string;
  ids: string[];
}

function recordingServer(
  status: (seen: Seen) => number,
): Promise<{ url: string; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const s = {
        auth: req.headers.authorization ?? '',
        ids: (JSON.parse(body) as { bids: { id: string }[] }).bids.map((b) => b.id),
      };
      seen.push(s);
      res.statusCode = status(s);
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => server.close(),
      }),
    ),
  );
}

/** A job posting the requests of `file` with tokens a and b (requests and bidsPerRequest are
 * ignored: the file says how many). */
const premadeJob = (url: string, file: string, clients: number, tokens = ['a', 'b']): LoadJob => ({
  url,
  path: '/v1/rounds/r/bids',
  tokens,
  clients,
  requests: 999,
  bidsPerRequest: 999,
  deadlineMs: Date.now() + 10_000,
  okStatus: 201,
  bodiesFile: file,
});

describe('load worker with premade requests', () => {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-worker-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const requests = [
    { token: 0, bids: [{ id: 'b1' }, { id: 'b2' }, { id: 'b3' }] },
    { token: 1, bids: [{ id: 's1' }] },
    { token: 0, bids: [{ id: 'b4' }] },
    { token: 1, bids: [{ id: 's2' }, { id: 's3' }] },
  ];

  it('posts every request once with its owner token and counts the acknowledged bids per token', async () => {
    const file = path.join(dir, 'ok.tsv');
    expect(writePremadeRequests(file, requests)).toBe(4);
    const server = await recordingServer(() => 201);
    try {
      const report = await runLoadJob(premadeJob(server.url, file, 3, ['tok-u1', 'tok-u2']));
      expect(report.acked).toEqual([4, 3]);
      expect(report.statuses).toEqual({ 201: 4 });
      const byToken = (auth: string) =>
        server.seen
          .filter((s) => s.auth === auth)
          .flatMap((s) => s.ids)
          .sort();
      expect(byToken('Bearer tok-u1')).toEqual(['b1', 'b2', 'b3', 'b4']);
      expect(byToken('Bearer tok-u2')).toEqual(['s1', 's2', 's3']);
      expect(report.maxRssBytes).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  it('counts only requests answered with the acknowledged status', async () => {
    const file = path.join(dir, 'partial.tsv');
    writePremadeRequests(file, requests);
    const server = await recordingServer((s) => (s.ids.includes('s1') ? 409 : 201));
    try {
      const report = await runLoadJob(premadeJob(server.url, file, 1));
      expect(report.acked).toEqual([4, 2]);
      expect(report.statuses).toEqual({ 201: 3, 409: 1 });
    } finally {
      server.close();
    }
  });

  it('a request naming a token the job does not have is an error naming it', async () => {
    const file = path.join(dir, 'bad.tsv');
    writePremadeRequests(file, [{ token: 2, bids: [{ id: 'x' }] }]);
    const server = await recordingServer(() => 201);
    try {
      await expect(runLoadJob(premadeJob(server.url, file, 1))).rejects.toThrow(
        /E_BODIES: no token 2 \(2 tokens\)/,
      );
      expect(server.seen).toHaveLength(0);
    } finally {
      server.close();
    }
  });
});

/**
 * Every request gets an answer within its timeout, whatever the network does (issue #10,
 * defect 5). A hung node is simulated with SIGSTOP (the process keeps its sockets open but never
 * answers, like a wedged orderer): all three orderers, then the utility's own peer. Concurrent bid
 * requests for a fresh round must each be answered (503 or 504, with a problem document) within
 * the API's request timeout, and once the nodes resume (SIGCONT) bids are accepted again.
 */
import { DEMO_TOKENS } from '../../gateway/src/api/config';
import { up } from '../../network/src/network';
import { RunPaths } from '../../network/src/paths';
import { runningPid } from '../../network/src/processes';
import { freePort, instant, Service, waitFor } from './harness';

const MINUTE = 60_000;
const REQUEST_TIMEOUT_MS = 8_000;
/** what an answer may take beyond the request timeout (event loop, socket close) */
const SLACK_MS = 3_000;
const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);

describe('hung nodes: every request is answered within its timeout', () => {
  let api: Service | undefined;
  let url: string;
  const stopped = new Set<number>();

  const signalNodes = (names: string[], signal: 'SIGSTOP' | 'SIGCONT') => {
    const p = new RunPaths();
    for (const name of names) {
      const pid = runningPid(p, name);
      if (pid === undefined) throw new Error(`${name} is not running`);
      process.kill(pid, signal);
      if (signal === 'SIGSTOP') stopped.add(pid);
      else stopped.delete(pid);
    }
  };

  async function post(route: string, token: string, body: unknown) {
    const started = Date.now();
    const res = await fetch(`${url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + 30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text, ms: Date.now() - started };
  }

  async function openRound(id: string): Promise<void> {
    const r = await post('/v1/rounds', DEMO_TOKENS.operator, {
      id,
      slot: instant(Date.now() + 60 * MINUTE),
      closesAt: instant(Date.now() + 30 * MINUTE),
    });
    expect(r.status).toBe(201);
  }

  const bids = (tag: string, n: number) => ({
    bids: [{ id: `${tag}-${n}`, side: 'buy', price: '20', quantity: '1.5' }],
  });

  async function burst(roundId: string, tag: string) {
    return Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        post(`/v1/rounds/${roundId}/bids`, DEMO_TOKENS.utility1, bids(tag, n)),
      ),
    );
  }

  beforeAll(async () => {
    await up({ log: () => undefined });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    api = new Service('api-hang-test', 'dist/gateway/src/api/server.js', {
      API_PORT: String(port),
      API_LOG_LEVEL: 'warn',
      API_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
    api.start();
    await waitFor('API ready', async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
  }, 3 * MINUTE);

  afterAll(async () => {
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
    await api?.kill('SIGTERM');
  });

  it(
    'all orderers hung: 8 concurrent bid requests answered within the timeout, then accepted again',
    async () => {
      const roundId = `hang-ord-${Date.now().toString(36)}`;
      await openRound(roundId);
      const orderers = ['orderer1', 'orderer2', 'orderer3'];
      signalNodes(orderers, 'SIGSTOP');
      let answers;
      try {
        answers = await burst(roundId, 'o');
      } finally {
        signalNodes(orderers, 'SIGCONT');
      }
      log(`orderers hung: ${answers.map((a) => `${a.status} in ${a.ms} ms`).join(', ')}`);
      for (const a of answers) {
        expect([503, 504]).toContain(a.status);
        expect(a.ms).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + SLACK_MS);
        expect(JSON.parse(a.body)).toHaveProperty('code');
      }
      await waitFor(
        'a bid accepted after the orderers resumed',
        async () =>
          (await post(`/v1/rounds/${roundId}/bids`, DEMO_TOKENS.utility1, bids('o-after', Date.now())))
            .status === 201,
        90_000,
      );
    },
    3 * MINUTE,
  );

  it(
    "the utility's peer hung: requests for a round not yet read are answered within the timeout",
    async () => {
      const roundId = `hang-peer-${Date.now().toString(36)}`;
      await openRound(roundId);
      signalNodes(['peer0.utility1'], 'SIGSTOP');
      let answers;
      try {
        answers = await burst(roundId, 'p');
      } finally {
        signalNodes(['peer0.utility1'], 'SIGCONT');
      }
      log(`utility peer hung: ${answers.map((a) => `${a.status} in ${a.ms} ms`).join(', ')}`);
      for (const a of answers) {
        expect([503, 504]).toContain(a.status);
        expect(a.ms).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + SLACK_MS);
      }
      await waitFor(
        'a bid accepted after the peer resumed',
        async () =>
          (await post(`/v1/rounds/${roundId}/bids`, DEMO_TOKENS.utility1, bids('p-after', Date.now())))
            .status === 201,
        90_000,
      );
    },
    3 * MINUTE,
  );
});

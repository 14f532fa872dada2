import { setTimeout as sleep } from 'node:timers/promises';
/**
 * Crash tolerance of the ordering service (issue #10, defect 3), on the real network under a REST
 * bid load: each orderer in turn (the Raft leader first) is killed with SIGKILL; the other two
 * keep committing; `network:up` restarts it and it rejoins and catches up. Then the whole network
 * is stopped and started twice after enough load to pass a Raft snapshot, and comes back with
 * every block and every acknowledged bid.
 */
import { DEMO_TOKENS } from '../../gateway/src/api/config';
import { consensusStatus, down, up } from '../../network/src/network';
import { bench } from '../../network/src/bench';
import { raftHealth } from '../../network/src/raft-health';
import { loadTopology } from '../../network/src/network';
import { RunPaths } from '../../network/src/paths';
import {
  BidLoad,
  freePort,
  instant,
  killNode,
  readBack,
  restartNetwork,
  Service,
  waitFor,
  type LoadReport,
} from './harness';

const MINUTE = 60_000;
const TENANTS = { [DEMO_TOKENS.utility1]: 'Utility1MSP', [DEMO_TOKENS.utility2]: 'Utility2MSP' };
const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);
const quiet = () => undefined;

describe('ordering service crash tolerance', () => {
  const t = loadTopology(new RunPaths());
  let api: Service | undefined;
  let url: string;
  const reports: LoadReport[] = [];
  let roundId: string;

  async function post(path: string, token: string, body: unknown): Promise<Response> {
    return fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  }

  async function openRound(id: string): Promise<void> {
    await waitFor(
      `opening round ${id}`,
      async () => {
        const res = await post('/v1/rounds', DEMO_TOKENS.operator, {
          id,
          slot: instant(Date.now() + 60 * MINUTE),
          closesAt: instant(Date.now() + 30 * MINUTE),
        });
        return res.status === 201;
      },
      60_000,
    );
  }

  function load(tag: string, maxMs: number): BidLoad {
    return new BidLoad({ url, tenants: TENANTS, roundId, clients: 6, bidsPerRequest: 2, tag, maxMs });
  }

  async function expectEveryAckPresent(): Promise<void> {
    let acked = 0;
    for (const [token, msp] of Object.entries(TENANTS)) {
      const ids = reports.flatMap((r) => r.acked.get(msp) ?? []);
      const back = await readBack(url, token, roundId);
      const lost = ids.filter((id) => !back.present.has(id));
      log(`${msp}: ${ids.length} acknowledged, ${back.present.size} in the round, lost ${lost.length}`);
      expect(lost).toEqual([]);
      expect(back.duplicates).toEqual([]);
      acked += ids.length;
    }
    expect(acked).toBeGreaterThan(0);
  }

  async function waitRaftHealthy(timeoutMs: number): Promise<number> {
    return waitFor('Raft cluster healthy', async () => (await raftHealth(t)).healthy, timeoutMs);
  }

  beforeAll(async () => {
    await up({ log: quiet });
    await waitRaftHealthy(60_000);
    url = `http://127.0.0.1:${await freePort()}`;
    api = new Service('api-orderer-test', 'dist/gateway/src/api/server.js', {
      API_PORT: url.split(':').pop(),
      API_LOG_LEVEL: 'warn',
    });
    api.start();
    await waitFor('API ready', async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
    roundId = `faults-raft-${Date.now().toString(36)}`;
    await openRound(roundId);
  }, 3 * MINUTE);

  afterAll(async () => {
    await api?.kill('SIGTERM');
  });

  it(
    'survives SIGKILL of each orderer in turn, leader first: two keep committing, the third rejoins',
    async () => {
      const leader = (await raftHealth(t)).leaders[0];
      expect(leader).toBeDefined();
      const order = [leader!, ...t.orderers.map((o) => o.name).filter((n) => n !== leader)];
      for (const victim of order) {
        const l = load(`raft-${victim}`, 2 * MINUTE);
        await sleep(2_000);
        const killedAt = Date.now();
        await killNode(victim);
        // The two others elect a leader (within 2 election timeouts if the victim led) and go on
        // committing.
        await waitFor(
          'a leader among the two others',
          async () => {
            const h = await raftHealth(t);
            return h.leaders.length === 1 && h.leaders[0] !== victim;
          },
          30_000,
        );
        const electedAt = Date.now();
        await waitFor(
          'bids committed by the two others',
          () => l.report.ackTimes.some((x) => x > electedAt + 500),
          30_000,
        );
        const committing = l.report.ackTimes.find((x) => x > electedAt + 500)!;
        log(
          `${victim} killed: leader ${(await raftHealth(t)).leaders.join(',')} after ${((electedAt - killedAt) / 1000).toFixed(1)} s, ` +
            `bids committed again ${((committing - killedAt) / 1000).toFixed(1)} s after the kill`,
        );
        await sleep(2_000);
        const before = l.report.ackTimes.filter((x) => x > killedAt).length;
        await sleep(2_000);
        expect(l.report.ackTimes.filter((x) => x > killedAt).length).toBeGreaterThan(before);

        const restartedAt = Date.now();
        await restartNetwork();
        const rejoinMs = await waitRaftHealthy(90_000);
        const after = await raftHealth(t);
        const heights = after.orderers.map((o) => o.height);
        log(
          `${victim} restarted: Raft healthy ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after ` +
            `the restart (${rejoinMs} ms after up returned); heights ${heights.join('/')}`,
        );
        await sleep(2_000);
        const report = await l.stop();
        reports.push(report);
        log(`load: ${report.requests} requests, errors ${JSON.stringify([...report.errors])}`);
      }
      const final = await raftHealth(t);
      expect(final.healthy).toBe(true);
      expect(new Set(final.orderers.map((o) => o.height)).size).toBe(1);
      await expectEveryAckPresent();
    },
    8 * MINUTE,
  );

  it(
    'comes back after a Raft snapshot and two stop/start cycles with every block and every bid',
    async () => {
      // Load until every orderer has taken a (new) snapshot of the channel.
      const snapshotOf = async () => {
        const s = await consensusStatus();
        return Math.min(...(s?.orderers ?? []).map((o) => o.snapshotBlock));
      };
      const before = await snapshotOf();
      // REST bids (to read back later) plus OpenRound transactions straight through the gateway:
      // the API's micro-batches make few, small blocks, and a snapshot needs 4 MB of them.
      const l = load('raft-snap', 4 * MINUTE);
      const started = Date.now();
      for (let chunk = 0; chunk < 12 && (await snapshotOf()) <= before; chunk++) {
        await bench({ tx: 'open', bids: 1, clients: 4, concurrency: 32, duration: 10, max: 5000 });
      }
      await waitFor(
        'a new Raft snapshot on every orderer',
        async () => (await snapshotOf()) > before,
        30_000,
      );
      reports.push(await l.stop());
      log(
        `snapshot at block ${await snapshotOf()} after ${((Date.now() - started) / 1000).toFixed(0)} s of load`,
      );

      for (const cycle of [1, 2]) {
        const height = Math.max(...(await raftHealth(t)).orderers.map((o) => o.height));
        await api!.kill('SIGTERM');
        await down({ log: quiet });
        const started = Date.now();
        await up({ log: quiet });
        await waitRaftHealthy(60_000);
        const back = await raftHealth(t);
        log(
          `cycle ${cycle}: up and Raft healthy in ${((Date.now() - started) / 1000).toFixed(1)} s, height ${height} → ${back.orderers.map((o) => o.height).join('/')}`,
        );
        for (const o of back.orderers) expect(o.height).toBeGreaterThanOrEqual(height);
        api!.start();
        await waitFor('API ready', async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
        // The restarted network still takes bids.
        const after = load(`raft-cycle${cycle}`, MINUTE);
        await waitFor('a bid acknowledged after the restart', () => after.report.ackTimes.length > 0, 60_000);
        reports.push(await after.stop());
      }
      await expectEveryAckPresent();
    },
    12 * MINUTE,
  );
});

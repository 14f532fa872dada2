/**
 * The README's "First trade in five minutes", run verbatim on the real network: the first shell
 * block (`… npm start`) runs in the background as a user's first terminal; the others run in one
 * bash as the second terminal. The test then checks what the user was told they would see: the
 * round cleared, each utility reads only its own settlement line, and the numbers the README states
 * equal the engine's clearing of those two bids with the round's parameters.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearRound } from '../../engine/src/mechanism';
import type { WireBid, WireRoundParams } from '../../engine/src/mechanism/types';

const MINUTE = 60_000;
const ROOT = path.resolve(__dirname, '../..');
const SECTION = '## First trade in five minutes';

/** The sh blocks of the README's first-trade section, in order. */
function firstTradeBlocks(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README.md has no section "${SECTION}"`);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

/** The README's stated outcome: "Both bids trade <kWh> kWh at <price> per kWh". */
function statedOutcome(): { energy: string; price: string } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = /Both bids trade ([0-9.]+) kWh at ([0-9.]+) per kWh/.exec(readme);
  if (!m?.[1] || !m[2]) throw new Error('README.md does not state the first trade outcome');
  return { energy: m[1], price: m[2] };
}

async function waitForLine(file: string, needle: string, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${tail(file)}`);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(needle)) return;
    await sleep(1000);
  }
  throw new Error(`npm start did not print "${needle}" within ${ms} ms:\n${tail(file)}`);
}

const tail = (file: string): string =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no output)';

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/** Stops the background `npm start` like Ctrl-C: SIGINT to its process group, SIGKILL if it hangs. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || !running(child)) return;
  process.kill(-child.pid, 'SIGINT');
  for (let i = 0; i < 30 && running(child); i++) await sleep(1000);
  if (running(child)) process.kill(-child.pid, 'SIGKILL');
}

interface Settlement {
  lines: { id: string }[];
}

describe('README: first trade in five minutes', () => {
  let start: ChildProcess | undefined;
  let tmp = '';

  afterAll(async () => {
    if (start) await stopGroup(start);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(
    'runs verbatim: the round clears, each utility reads its own settlement, the stated numbers hold',
    async () => {
      const blocks = firstTradeBlocks();
      expect(blocks.length).toBeGreaterThanOrEqual(3);
      const [startBlock, ...userBlocks] = blocks;
      expect(startBlock).toMatch(/npm start/);

      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'first-trade-'));
      const log = path.join(tmp, 'start.log');
      const out = fs.openSync(log, 'w');
      start = spawn('bash', ['-c', startBlock ?? ''], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', out, out],
      });
      await waitForLine(log, 'API:', start, 5 * MINUTE);

      const user = spawnSync('bash', ['-euo', 'pipefail', '-c', userBlocks.join('\n')], {
        cwd: tmp,
        encoding: 'utf8',
        timeout: 6 * MINUTE,
      });
      expect({ status: user.status, stderr: user.stderr }).toEqual({ status: 0, stderr: '' });

      const docs = user.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(docs).toHaveLength(5); // two bid receipts, the round, two settlements
      const [receipt1, receipt2, roundView, settlement1, settlement2] = docs as [
        { accepted: number },
        { accepted: number },
        { round: { id: string; status: string; params: WireRoundParams }; result: Record<string, unknown> },
        Settlement,
        Settlement,
      ];
      expect([receipt1.accepted, receipt2.accepted]).toEqual([1, 1]);
      expect(roundView.round.id).toMatch(/^slot-\d{8}T\d{4}Z$/);
      expect(roundView.round.status).toBe('CLEARED');

      // each utility sees exactly its own bid's line
      expect(settlement1.lines.map((l) => l.id)).toEqual(['house-7-buy']);
      expect(settlement2.lines.map((l) => l.id)).toEqual(['roof-3-sell']);

      // the README's numbers are the engine's clearing of the same two bids
      const bids: WireBid[] = [
        { id: 'house-7-buy', side: 'buy', price: '18.5', quantity: '2.5' },
        { id: 'roof-3-sell', side: 'sell', price: '9', quantity: '3' },
      ];
      const offline = clearRound({ params: roundView.round.params, bids });
      const stated = statedOutcome();
      expect({ price: offline.price, energy: offline.totals.energy }).toEqual(stated);
      expect(roundView.result).toMatchObject({ price: stated.price, totals: { energy: stated.energy } });
    },
    15 * MINUTE,
  );
});

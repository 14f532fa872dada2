import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTopology } from '../../../network/src/network';
import { RunPaths } from '../../../network/src/paths';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A run directory whose topology.json records `utilities` and `addressing`. */
function runDir(utilities: number, addressing: 'loopback' | 'names'): RunPaths {
  const p = new RunPaths(fs.mkdtempSync(path.join(os.tmpdir(), 'topology-')));
  made.push(p.root);
  fs.writeFileSync(p.topologyFile, JSON.stringify({ utilities, addressing }));
  return p;
}

describe('loadTopology: a run directory keeps the size it was generated (or grown) to', () => {
  test('the recorded size is used when it is asked for or nothing is asked', () => {
    expect(loadTopology(runDir(3, 'names'), 3).orgs).toHaveLength(4);
    expect(loadTopology(runDir(3, 'loopback')).orgs).toHaveLength(4);
  });

  test('a compose run directory grown to 3 utilities names the compose file it needs, and the purge', () => {
    const p = runDir(3, 'names');
    expect(() => loadTopology(p, 2)).toThrow(
      new RegExp(
        `^E_TOPOLOGY: ${p.root} has 3 utilities, not 2: .*compose:generate -- --utilities 3 --file <file>` +
          '.*ENERGY_COMPOSE_FILE=<file> npm run compose:up.*compose:down -- --purge',
      ),
    );
  });

  test('a native run directory names the native purge', () => {
    expect(() => loadTopology(runDir(2, 'loopback'), 3)).toThrow(
      /^E_TOPOLOGY: .* has 2 utilities, not 3: run `npm run network:down -- --purge` first/,
    );
  });
});

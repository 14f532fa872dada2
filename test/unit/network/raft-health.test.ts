import * as fs from 'node:fs';
import * as path from 'node:path';
import { FABRIC_BUILD } from '../../../network/src/exec';
import FABRIC_VERSIONS from '../../../network/config/fabric-versions.json';
import { judgeRaft, MAX_BLOCK_LAG, type OrdererRaftState } from '../../../network/src/raft-health';

const node = (name: string, over: Partial<OrdererRaftState> = {}): OrdererRaftState => ({
  name,
  reachable: true,
  isLeader: false,
  activeNodes: 3,
  clusterSize: 3,
  height: 100,
  snapshotBlock: 0,
  ...over,
});

describe('judgeRaft', () => {
  it('is healthy with one leader that every node sees and no lag', () => {
    const h = judgeRaft('energy', [node('o1', { isLeader: true }), node('o2'), node('o3')]);
    expect(h).toMatchObject({ healthy: true, leaders: ['o1'], problems: [] });
  });

  it('is unhealthy without a leader, naming the channel (the state of a restart that hung)', () => {
    const h = judgeRaft('energy', [
      node('o1', { activeNodes: 0 }),
      node('o2', { activeNodes: 0 }),
      node('o3', { activeNodes: 0 }),
    ]);
    expect(h.healthy).toBe(false);
    expect(h.problems).toContain('channel energy has no Raft leader');
    expect(h.problems).toContain('o1: sees 0 of 3 Raft nodes active');
  });

  it('flags a node that lags by more than MAX_BLOCK_LAG blocks, and a stopped one', () => {
    const h = judgeRaft('energy', [
      node('o1', { isLeader: true }),
      node('o2', { height: 100 - MAX_BLOCK_LAG }),
      node('o3', { height: 100 - MAX_BLOCK_LAG - 1 }),
    ]);
    expect(h.problems).toEqual([
      `o3: at block ${100 - MAX_BLOCK_LAG - 1}, ${MAX_BLOCK_LAG + 1} behind the highest (100)`,
    ]);
    const down = judgeRaft('energy', [
      node('o1', { isLeader: true }),
      node('o2'),
      node('o3', { reachable: false }),
    ]);
    expect(down.problems).toEqual(['o3: no metrics (not running?)']);
  });
});

describe('the pinned Fabric build', () => {
  it('has one name in install-fabric.sh and exec.ts, and every patch is listed in the script', () => {
    const script = fs.readFileSync(
      path.join(__dirname, '../../../network/scripts/install-fabric.sh'),
      'utf8',
    );
    // both read network/config/fabric-versions.json; the Go pseudo-version is of the pinned commit
    expect(script).toContain('config/fabric-versions.json');
    expect(FABRIC_BUILD).toBe(`fabric-${FABRIC_VERSIONS.fabric}-${FABRIC_VERSIONS.build}`);
    const commit = FABRIC_VERSIONS.build.split('-')[0]!;
    expect(/^MODULE_VERSION=v[\d.]+-rc1\.0\.\d{14}-([0-9a-f]{12})/m.exec(script)?.[1]).toMatch(
      new RegExp(`^${commit}`),
    );
    const patches = fs.readdirSync(path.join(__dirname, '../../../network/fabric-build/patches'));
    expect(patches.length).toBeGreaterThan(0);
    for (const p of patches) expect(script).toContain(p.slice(0, 4));
  });
});

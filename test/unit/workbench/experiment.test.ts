/** energy-auction experiment: config, seeds, statistics, and the built CLI on worker threads. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configFromDocument,
  ExperimentConfigError,
  expandSettings,
  mergeConfig,
  parseVary,
} from '../../../workbench/src/experiment/config';
import { roundsCsv, summaryCsv, summaryRows } from '../../../workbench/src/experiment/report';
import { experimentTasks } from '../../../workbench/src/experiment/run';
import { summarize, tQuantile } from '../../../workbench/src/experiment/stats';
import { roundSeed, runTask } from '../../../workbench/src/experiment/task';
import { requireBuild, runCli } from './run-cli';
import { readSvg } from './svg';

const ROOT = join(__dirname, '..', '..', '..');

describe('experiment statistics', () => {
  it("uses Student's t quantile for the 95 % interval", () => {
    // t(0.975, df) from the tables
    const table: [number, number][] = [
      [1, 12.7062],
      [2, 4.3027],
      [5, 2.5706],
      [10, 2.2281],
      [29, 2.0452],
      [100, 1.984],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it('gives mean, sample sd and the interval', () => {
    const s = summarize([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.sd).toBeCloseTo(1.290994, 6);
    expect(s.ciHigh - s.mean).toBeCloseTo((3.182446 * 1.290994) / 2, 5);
    expect(summarize([7])).toEqual({ n: 1, mean: 7, sd: 0, ciLow: 7, ciHigh: 7 });
    expect(summarize([]).n).toBe(0);
  });
});

describe('experiment config', () => {
  it('reads a file document and lets flags replace what they vary', () => {
    const file = configFromDocument({
      rounds: 5,
      seed: 9,
      mechanisms: ['default', 'vcg'],
      vary: { alpha: [1, 2], fee: [0] },
    });
    const config = mergeConfig(file, { vary: [parseVary('fee=0,0.5')] });
    expect(config).toMatchObject({ rounds: 5, seed: 9, buyers: 100, mechanisms: ['default', 'vcg'] });
    expect(config.vary).toEqual([
      ['alpha', ['1', '2']],
      ['fee', ['0', '0.5']],
    ]);
    const settings = expandSettings(config);
    expect(settings.map((s) => s.label)).toEqual([
      'alpha=1 fee=0',
      'alpha=1 fee=0.5',
      'alpha=2 fee=0',
      'alpha=2 fee=0.5',
    ]);
    expect(expandSettings(mergeConfig()).map((s) => s.label)).toEqual(['all']);
  });

  it('refuses what the engine refuses, naming the key and value', () => {
    expect(() => parseVary('alpha=0')).toThrow(/alpha=0/);
    expect(() => parseVary('fee=-1')).toThrow(ExperimentConfigError);
    expect(() => parseVary('colour=1')).toThrow(/cannot vary "colour"/);
    expect(() => parseVary('alpha')).toThrow(/NAME=V1,V2/);
    expect(() => configFromDocument({ rounds: 0 })).toThrow(/rounds must be an integer >= 1/);
    expect(() => configFromDocument({ mechanisms: ['nope'] })).toThrow(/unknown mechanism "nope"/);
    expect(() => configFromDocument({ round: 3 })).toThrow(/unknown key\(s\) round/);
    expect(() => configFromDocument({ seed: 2 ** 32 })).toThrow(/seed/);
  });
});

describe('experiment rounds', () => {
  it('derives each round seed from the experiment seed and the round index only', () => {
    expect(roundSeed(1, 0)).toBe(roundSeed(1, 0));
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => roundSeed(1, i)));
    expect(seeds.size).toBe(1000);
    expect(roundSeed(2, 0)).not.toBe(roundSeed(1, 0));
    for (const s of seeds) expect(s >= 0 && s <= 0xffffffff && Number.isInteger(s)).toBe(true);
  });

  it('gives every setting the same bids in round r, and the day profile its slots', () => {
    const config = mergeConfig({
      rounds: 3,
      buyers: 10,
      sellers: 10,
      mechanisms: ['uniform'],
      vary: [['fee', ['0', '1']]],
    });
    const settings = expandSettings(config);
    const tasks = experimentTasks(config, settings);
    expect(tasks.map((t) => [t.setting.index, t.round])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(tasks[3]?.seed).toBe(tasks[0]?.seed);
    const rows = tasks.flatMap(runTask);
    // the uniform price ignores the fee: same bids, same traded energy
    expect(rows[3]?.energy).toBe(rows[0]?.energy);
    const summary = summaryRows(config, settings, rows);
    expect(summary).toHaveLength(2);
    expect(summaryCsv(config, summary).split('\n')[0]).toBe(
      'setting,fee,mechanism,metric,n,cleared,mean,sd,ci95_low,ci95_high',
    );
    const day = mergeConfig({ rounds: 96, buyers: 10, sellers: 5, profile: 'day', mechanisms: ['default'] });
    const dayTasks = experimentTasks(day, expandSettings(day));
    expect(new Set(dayTasks.map((t) => t.seed)).size).toBe(1);
    const first = runTask(dayTasks[0] ?? (undefined as never));
    expect(first[0]?.slot).toBe('0000');
    expect(first[0]?.status).toBe('no-trade');
    expect(roundsCsv(day, expandSettings(day), first).split('\n')[0]).toContain('seed,slot,mechanism');
    // at night there is nothing to trade: efficiency is left out, not counted as 0
    const night = summaryRows(day, expandSettings(day), first)[0];
    expect(night?.metrics.traded_kwh.n).toBe(1);
    expect(night?.metrics.efficiency.n).toBe(0);
  });
});

describe('energy-auction experiment (built CLI, worker threads)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'experiment-'));
  beforeAll(requireBuild);
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  const args = (dir: string, workers: number): string[] => [
    'experiment',
    '--rounds',
    '8',
    '--buyers',
    '30',
    '--sellers',
    '30',
    '--seed',
    '7',
    '--mechanisms',
    'default,doan2021,uniform,mcafee',
    '--vary',
    'alpha=1,4',
    '--vary',
    'fee=0,0.5',
    '--workers',
    String(workers),
    '--out',
    join(tmp, dir),
    '--plot',
    join(tmp, dir, 'boxplots.svg'),
  ];
  const read = (dir: string, file: string): string => readFileSync(join(tmp, dir, file), 'utf8');

  it('gives the same bytes with 1 and 3 workers', () => {
    const one = runCli(args('w1', 1));
    const three = runCli([...args('w3', 3), '--progress']);
    expect(one.status).toBe(0);
    expect(three.status).toBe(0);
    for (const f of ['rounds.csv', 'summary.csv', 'boxplots.svg']) expect(read('w3', f)).toBe(read('w1', f));
    expect(three.stdout).toBe(one.stdout);
    // 4 settings x 8 rounds x 4 mechanisms, a header
    expect(read('w1', 'rounds.csv').trimEnd().split('\n')).toHaveLength(1 + 4 * 8 * 4);
    // 4 settings x 4 mechanisms x 4 metrics
    expect(read('w1', 'summary.csv').trimEnd().split('\n')).toHaveLength(1 + 4 * 4 * 4);
    expect(one.stdout).toMatch(
      /^setting\s+mechanism\s+cleared\s+traded kWh\s+social welfare\s+efficiency\s+operator balance$/m,
    );
    expect(one.stdout).toMatch(/^alpha=4 fee=0\.5\s+mcafee\s+8\/8 /m);
    expect(readSvg(read('w1', 'boxplots.svg')).axisTitles).toContain('efficiency');
    // the progress bar on stderr (forced: stderr is not a terminal here)
    expect(three.stderr).toMatch(/rounds/);
  });

  it('reads the example experiment file (YAML), flags overriding it', () => {
    const r = runCli([
      'experiment',
      join(ROOT, 'examples', 'experiment.yaml'),
      '--rounds',
      '3',
      '--buyers',
      '10',
      '--sellers',
      '10',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('alpha='))).toHaveLength(4 * 6);
    const json = join(tmp, 'e.json');
    writeFileSync(
      json,
      JSON.stringify({
        rounds: 2,
        buyers: 5,
        sellers: 5,
        mechanisms: 'vcg',
        vary: { 'grid-step': ['0.1', '1'] },
      }),
    );
    const j = runCli(['experiment', json, '--out', join(tmp, 'j')]);
    expect(j.status).toBe(0);
    expect(read('j', 'rounds.csv').split('\n')[1]).toMatch(/^grid-step=0\.1,0\.1,0,\d+,vcg,/);
  });

  it('refuses bad flags (exit 2) and bad files (exit 1)', () => {
    const bad = (a: string[]): string => {
      const r = runCli(['experiment', ...a]);
      expect(r.status).toBe(2);
      return r.stderr;
    };
    expect(bad(['--vary', 'alpha=0'])).toMatch(/--vary.*alpha=0/);
    expect(bad(['--mechanisms', 'default,x'])).toMatch(/unknown mechanism "x"/);
    expect(bad(['--workers', '0'])).toMatch(/--workers/);
    expect(bad(['--plot', 'a.png'])).toMatch(/node-canvas/);
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'rounds: 2\nvary:\n  colour: [1]\n');
    const r = runCli(['experiment', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml: cannot vary "colour"/);
  });
});

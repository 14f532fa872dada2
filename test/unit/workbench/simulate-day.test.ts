/** simulate --profile day: 96 round files in a directory, reproducible, each clearable. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuild, runCli } from './run-cli';

const digest = (dir: string): string => {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex');
};

describe('energy-auction simulate --profile day', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sim-day-'));
  beforeAll(requireBuild);
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('writes slot-0000.json .. slot-2345.json, the same bytes for the same seed', () => {
    const args = ['simulate', '--buyers', '20', '--sellers', '8', '--seed', '4', '--profile', 'day'];
    expect(runCli([...args, '--out', join(tmp, 'a')]).status).toBe(0);
    expect(runCli([...args, '--out', join(tmp, 'b')]).status).toBe(0);
    const files = readdirSync(join(tmp, 'a')).sort();
    expect(files).toHaveLength(96);
    expect(files[0]).toBe('slot-0000.json');
    expect(files[95]).toBe('slot-2345.json');
    expect(digest(join(tmp, 'a'))).toBe(digest(join(tmp, 'b')));
    const night = JSON.parse(readFileSync(join(tmp, 'a', 'slot-0200.json'), 'utf8')) as {
      bids: { side: string }[];
    };
    expect(night.bids.filter((b) => b.side === 'sell')).toHaveLength(0);
    const noon = runCli(['clear', join(tmp, 'a', 'slot-1300.json'), '--json']);
    expect(noon.status).toBe(0);
    expect((JSON.parse(noon.stdout) as { status: string }).status).toBe('cleared');
  });

  it('writes CSV with --format csv, and needs a directory', () => {
    const r = runCli([
      'simulate',
      '--buyers',
      '5',
      '--sellers',
      '5',
      '--seed',
      '1',
      '--profile',
      'day',
      '--format',
      'csv',
      '--out',
      join(tmp, 'c'),
    ]);
    expect(r.status).toBe(0);
    expect(readdirSync(join(tmp, 'c'))).toContain('slot-1200.csv');
    const bad = runCli(['simulate', '--buyers', '5', '--sellers', '5', '--seed', '1', '--profile', 'day']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--profile day writes 96 files: name a directory with --out/);
  });
});

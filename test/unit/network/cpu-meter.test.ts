import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCpuMeter } from '../../../network/src/cpu-meter';
import { cpuSeconds, machineCpuTicks } from '../../../network/src/processes';

/** Spins until this process has used `ms` more CPU time (so a busy machine only makes it slower). */
function burn(ms: number): void {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
    const used = process.cpuUsage(start);
    if (used.user + used.system >= ms * 1000) break;
  }
  expect(x).toBeGreaterThan(0);
}

describe('CPU time from /proc (processes.ts, cpu-meter.ts)', () => {
  test('a phase that spins 300 ms of CPU counts about that for this process, and the machine at least that', () => {
    const t0 = performance.now();
    const stop = startCpuMeter({ self: ['self'], twice: ['self', 'self'] });
    burn(300);
    const split = stop();
    const wall = (performance.now() - t0) / 1000;
    const self = split.groups.self ?? NaN;
    expect(self).toBeGreaterThanOrEqual(0.25);
    expect(self).toBeLessThan(1);
    expect(split.groups.twice).toBeCloseTo(2 * self, 1);
    // the machine's busy time includes this process's (ticks are 10 ms: allow two)
    expect(split.machineBusy).toBeGreaterThanOrEqual(self - 0.02);
    expect(split.machineTotal).toBeGreaterThanOrEqual(split.machineBusy);
    expect(split.machineTotal).toBeLessThan(split.cores * (wall + 0.05));
    expect(split.cores).toBe(os.cpus().length);
  });

  test('a process whose name holds spaces and a parenthesis is read past its name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-'));
    const odd = path.join(dir, 'a) b c');
    fs.copyFileSync(fs.realpathSync('/bin/sleep'), odd);
    fs.chmodSync(odd, 0o755);
    const child = spawn(odd, ['5'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const pid = child.pid ?? NaN;
      expect(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')).toContain('(a) b c)');
      const used = cpuSeconds(pid);
      expect(used).toBeGreaterThanOrEqual(0);
      expect(used).toBeLessThan(1);
    } finally {
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a process that does not exist is an error naming its /proc file; the machine total grows', () => {
    expect(() => cpuSeconds(2 ** 22 + 7)).toThrow(/\/proc\/4194311\/stat/);
    const a = machineCpuTicks();
    burn(50);
    const b = machineCpuTicks();
    expect(b.busy + b.idle).toBeGreaterThan(a.busy + a.idle);
    expect(b.busy).toBeGreaterThan(a.busy); // 50 ms of this process's spinning: ≥ 5 ticks
    expect(Number.isInteger(b.busy) && Number.isInteger(b.idle)).toBe(true);
  });
});

/**
 * Starting, checking and stopping the network's own processes. Each started process has a pid
 * file (network/run/pids/<name>.pid: pid + command) and a log (network/run/logs/<name>.log); a
 * process counts as ours only while /proc/<pid>/cmdline still matches the recorded command, so a
 * recycled pid is never signalled.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from '../config/topology';
import type { RunPaths } from './paths';

export interface ProcessSpec {
  /** Unique name: log and pid file name. */
  name: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Ports the process will listen on, with what each is for (checked free before start). */
  ports: { port: number; what: string }[];
  health: { kind: 'http'; port: number } | { kind: 'tcp'; port: number };
  /** Where clients dial it (dial.ts; default 127.0.0.1). */
  host?: string;
}

interface PidRecord {
  pid: number;
  cmd: string;
  args: string[];
  startedAt: string;
}

function readPid(p: RunPaths, name: string): PidRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(p.pid(name), 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/** The pid of our running process `name`, or undefined (stale pid files are removed). */
export function runningPid(p: RunPaths, name: string): number | undefined {
  const rec = readPid(p, name);
  if (!rec) return undefined;
  const argv = cmdline(rec.pid);
  if (argv && argv[0] === rec.cmd && argv.slice(1).join(' ') === rec.args.join(' ')) return rec.pid;
  fs.rmSync(p.pid(name), { force: true });
  return undefined;
}

/** Peak resident memory (VmHWM, bytes) of process `pid` since it started or since resetPeakRss. */
export function peakRss(pid: number | 'self'): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status has no VmHWM line`);
  return Number(m[1]) * 1024;
}

/** /proc counts CPU time in USER_HZ ticks, 100 per second on every Linux ABI Node runs on. */
export const USER_HZ = 100;

/** CPU time (user + system, seconds) process `pid` has used since it started (/proc/<pid>/stat). */
export function cpuSeconds(pid: number | 'self'): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields 14 and 15 (utime, stime); the command name before them is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) {
    throw new Error(`/proc/${pid}/stat: no utime/stime in ${JSON.stringify(stat.slice(0, 200))}`);
  }
  return (utime + stime) / USER_HZ;
}

/**
 * The whole machine's CPU time so far, all cores (/proc/stat), in USER_HZ ticks: busy (not idle
 * or waiting) and idle. Integers, so that differences of two readings are exact.
 */
export function machineCpuTicks(): { busy: number; idle: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  if (line.split(/\s+/)[0] !== 'cpu' || ticks.length < 4 || ticks.some((t) => !Number.isInteger(t))) {
    throw new Error(`/proc/stat: unexpected first line ${JSON.stringify(line)}`);
  }
  // user nice system idle iowait irq softirq steal guest guest_nice: guest time is already in user,
  // and steal (the hypervisor's) is neither ours nor available to us
  const sum = (columns: number[]) => columns.reduce((s, c) => s + (ticks[c] ?? 0), 0);
  const busy = sum([0, 1, 2, 5, 6]);
  const idle = sum([3, 4]);
  return { busy, idle };
}

/** Restarts the peak-RSS count of process `pid` (Linux clear_refs 5; root or the process's owner). */
export function resetPeakRss(pid: number | 'self'): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, timeoutMs = 1000, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the port can be bound on 127.0.0.1 right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** GET http://host:port/healthz → true on 200 (Fabric operations endpoint). */
export function healthz(port: number, timeoutMs = 2000, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/healthz', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Prometheus text → `name{labels}` → value; comments and lines of another shape are skipped. */
function parseMetrics(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    const [, name, value] = /^([^#\s]\S*)\s+(\S+)$/.exec(line) ?? [];
    if (name !== undefined && value !== undefined) out.set(name, Number(value));
  }
  return out;
}

/** GET http://host:port/metrics (Prometheus text) → `name{labels}` → value. */
export function metrics(port: number, timeoutMs = 2000, host = HOST): Promise<Map<string, number>> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/metrics', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(parseMetrics(body)));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(new Map()));
  });
}

/** Healthy = its health check passes and every one of its ports accepts connections (an
 * orderer's /healthz answers before its admin endpoint listens). */
export async function healthy(spec: ProcessSpec): Promise<boolean> {
  const host = spec.host ?? HOST;
  const { kind, port: healthPort } = spec.health;
  const ok = kind === 'http' ? await healthz(healthPort, 2000, host) : await portOpen(healthPort, 1000, host);
  if (!ok) return false;
  for (const { port } of spec.ports) if (!(await portOpen(port, 1000, host))) return false;
  return true;
}

export function logTail(p: RunPaths, name: string, lines = 15): string {
  try {
    const text = fs.readFileSync(p.log(name), 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Throws (naming node and port) when a port of a spec that is not running is taken. */
export async function checkPorts(p: RunPaths, specs: ProcessSpec[]): Promise<void> {
  for (const spec of specs) {
    if (runningPid(p, spec.name) !== undefined) continue;
    for (const { port, what } of spec.ports) {
      if (!(await portFree(port))) {
        throw new Error(
          `port ${HOST}:${port} (${spec.name} ${what}) is already in use by a process this network did not ` +
            `start: stop it (e.g. \`ss -ltnp 'sport = :${port}'\` shows which), or change the ports in ` +
            `network/config/topology.ts`,
        );
      }
    }
  }
}

/** Starts `spec` detached unless it is already running; refuses when a port is taken. */
export async function startProcess(p: RunPaths, spec: ProcessSpec): Promise<'started' | 'running'> {
  if (runningPid(p, spec.name) !== undefined) return 'running';
  await checkPorts(p, [spec]);
  if (!fs.existsSync(spec.cmd)) throw new Error(`${spec.name}: executable ${spec.cmd} not found`);
  fs.mkdirSync(path.dirname(p.log(spec.name)), { recursive: true });
  fs.mkdirSync(path.dirname(p.pid(spec.name)), { recursive: true });
  const log = fs.openSync(p.log(spec.name), 'a');
  fs.writeSync(
    log,
    `\n===== ${new Date().toISOString()} start ${spec.name}: ${spec.cmd} ${spec.args.join(' ')}\n`,
  );
  const child = spawn(spec.cmd, spec.args, {
    env: spec.env,
    cwd: spec.cwd,
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.cmd}`);
  child.unref();
  const rec: PidRecord = {
    pid: child.pid,
    cmd: spec.cmd,
    args: spec.args,
    startedAt: new Date().toISOString(),
  };
  fs.writeFileSync(p.pid(spec.name), JSON.stringify(rec) + '\n');
  return 'started';
}

/** Waits until `spec` is healthy; fails early (with its log) when the process exits. */
export async function waitHealthy(p: RunPaths, spec: ProcessSpec, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await healthy(spec)) return;
    if (runningPid(p, spec.name) === undefined) {
      throw new Error(
        `${spec.name} exited during start-up; last log lines (${p.log(spec.name)}):\n${logTail(p, spec.name)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${spec.name} not healthy after ${timeoutMs / 1000} s; see ${p.log(spec.name)}:\n${logTail(p, spec.name)}`,
      );
    }
    await sleep(250);
  }
}

/** Waits until each of `specs` is healthy, in order, within one overall deadline. */
export async function waitAllHealthy(specs: ProcessSpec[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const spec of specs) {
    while (!(await healthy(spec))) {
      if (Date.now() > deadline)
        throw new Error(`${spec.name} is not healthy (ports ${spec.ports.map((x) => x.port).join(', ')})`);
      await sleep(500);
    }
  }
}

/** Stops our process `name` (SIGTERM, then SIGKILL after `graceMs`). Returns whether it ran. */
export async function stopProcess(p: RunPaths, name: string, graceMs = 10_000): Promise<boolean> {
  const pid = runningPid(p, name);
  if (pid === undefined) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && runningPid(p, name) !== undefined) await sleep(100);
  if (runningPid(p, name) !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (runningPid(p, name) !== undefined) await sleep(100);
  }
  fs.rmSync(p.pid(name), { force: true });
  return true;
}

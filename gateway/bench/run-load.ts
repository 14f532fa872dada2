/**
 * Runs a load job (load-worker.ts) in a child process: the load shares neither the caller's event
 * loop nor its CPU accounting, and runs without the caller's --cpu-prof or other flags.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { LoadJob, LoadReport } from './load-worker';

/** The load of `job`, run in a child process (without this process's --cpu-prof or other flags). */
export function runLoad(job: LoadJob): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'load-worker.js'), [], {
      execArgv: [],
      serialization: 'advanced',
    });
    let report: LoadReport | undefined;
    child.once('message', (r) => {
      report = r as LoadReport;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (report) resolve(report);
      else reject(new Error(`load worker exited with code ${code} and no report`));
    });
    child.send(job);
  });
}

/**
 * Runs an experiment's tasks on a pool of worker threads (worker.ts), one task per worker at a
 * time. Results are returned in task order, whatever the number of workers or the order in which
 * they finish: the output does not depend on the pool.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RoundRow, Task } from './task';

interface Done {
  index: number;
  rows: RoundRow[];
}

/** The built worker (dist/.../worker.js); under ts-jest there is none: tests run the built CLI. */
export function workerFile(): string {
  const file = join(__dirname, 'worker.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first`);
  return file;
}

export async function runPool(
  tasks: readonly Task[],
  workers: number,
  onDone: (finished: number) => void,
): Promise<RoundRow[][]> {
  const results = new Array<RoundRow[]>(tasks.length);
  const pool = Array.from(
    { length: Math.max(1, Math.min(workers, tasks.length)) },
    () => new Worker(workerFile()),
  );
  let next = 0;
  let finished = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const feed = (w: Worker): void => {
        const task = tasks[next];
        next += 1;
        if (task !== undefined) w.postMessage(task);
      };
      for (const w of pool) {
        w.on('message', (done: Done) => {
          results[done.index] = done.rows;
          finished += 1;
          onDone(finished);
          if (finished === tasks.length) resolve();
          else feed(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (finished < tasks.length) reject(new Error(`an experiment worker exited with code ${code}`));
        });
        feed(w);
      }
      if (tasks.length === 0) resolve();
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

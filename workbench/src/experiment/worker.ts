/** Worker thread of an experiment's pool (pool.ts): runs the tasks it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { runTask, type Task } from './task';

const port = parentPort;
if (port === null) throw new Error('experiment/worker.js runs as a worker thread only');
port.on('message', (task: Task) => {
  port.postMessage({ index: task.index, rows: runTask(task) });
});

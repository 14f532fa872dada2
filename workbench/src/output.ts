/** Writes command output to stdout or a file, honouring back-pressure. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CliError, osReason } from './errors';

/** Resolves on 'drain', rejects on 'error'; removes both listeners either way. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (e: Error): void => {
      stream.off('drain', onDrain);
      reject(e);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

async function writeAll(stream: Writable, chunks: Iterable<string>): Promise<void> {
  // a stream emits Error objects (possibly from another realm under jest: no instanceof here)
  let failed: Error | undefined;
  const onError = (e: Error): void => {
    failed = e;
  };
  stream.on('error', onError);
  try {
    for (const chunk of chunks) {
      if (failed !== undefined) throw failed;
      if (!stream.write(chunk)) await drained(stream);
    }
    if (failed !== undefined) throw failed;
  } finally {
    stream.off('error', onError);
  }
}

/** Writes to `path`, or to stdout when path is undefined or "-". */
export async function writeOutput(path: string | undefined, chunks: Iterable<string>): Promise<void> {
  if (path === undefined || path === '-') {
    try {
      await writeAll(process.stdout, chunks);
    } catch (e) {
      // the reader went away (e.g. `| head`): nothing left to tell it
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw new CliError(`cannot write to standard output: ${osReason(e)}`);
    }
    return;
  }
  const file = createWriteStream(path);
  try {
    await once(file, 'open');
    await writeAll(file, chunks);
    file.end();
    await once(file, 'finish');
  } catch (e) {
    file.destroy();
    throw new CliError(`cannot write ${path}: ${osReason(e)}`);
  }
}

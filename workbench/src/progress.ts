/**
 * Progress on stderr for long reads/parses/clearings. Only when enabled (stderr is a TTY or
 * --progress); never touches stdout.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** starts (or restarts) a stage with a known total (e.g. bytes) */
  start(stage: string, total: number): void;
  update(value: number): void;
  /** a stage without a measurable total: shown as 0/1, then 1/1 by done() */
  step(stage: string): void;
  done(): void;
  stop(): void;
}

const NONE: Progress = {
  start: () => undefined,
  update: () => undefined,
  step: () => undefined,
  done: () => undefined,
  stop: () => undefined,
};

/** Node types stderr's isTTY as boolean, but it is undefined when stderr is not a terminal. */
const stderrIsTerminal = (): boolean => (process.stderr as { isTTY?: boolean }).isTTY === true;

export function shouldShowProgress(forced: boolean | undefined): boolean {
  return forced === true || stderrIsTerminal();
}

export function createProgress(enabled: boolean): Progress {
  if (!enabled) return NONE;
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{stage} [{bar}] {percentage}% | {duration_formatted}',
    barsize: 30,
    hideCursor: null,
    // leave the terminal clean for the output that follows
    clearOnComplete: true,
    // with --progress on a non-TTY stderr, still print (one line per update, throttled)
    noTTYOutput: !stderrIsTerminal(),
    notTTYSchedule: 1000,
    fps: 10,
  });
  let running = false;
  let total = 1;
  const begin = (stage: string, t: number): void => {
    total = Math.max(1, t);
    if (running) {
      bar.setTotal(total);
      bar.update(0, { stage: stage.padEnd(10) });
    } else {
      bar.start(total, 0, { stage: stage.padEnd(10) });
      running = true;
    }
  };
  return {
    start: begin,
    update: (v) => {
      if (running) bar.update(Math.min(v, total));
    },
    step: (stage) => begin(stage, 1),
    done: () => {
      if (running) bar.update(total);
    },
    stop: () => {
      if (running) {
        bar.update(total);
        bar.stop();
        running = false;
      }
    },
  };
}

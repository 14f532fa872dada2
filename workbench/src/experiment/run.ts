/** Runs an experiment: the tasks of every setting and round, on the worker pool. */
import type { ExperimentConfig, Setting } from './config';
import { expandSettings } from './config';
import { runPool } from './pool';
import { roundSeed, type RoundRow, type Task } from './task';
import { DAY_SLOTS } from '../../../engine/src/sim/day';

export interface ExperimentRun {
  settings: Setting[];
  /** setting-major, then round, then mechanism in the config's order */
  rows: RoundRow[];
}

/**
 * The tasks, setting-major. Round r of every setting uses the same simulated bids (common random
 * numbers: settings differ only in what they vary): its seed is roundSeed(seed, r), or for the
 * day profile roundSeed(seed, day) with day = floor(r / 96), slot r mod 96.
 */
export function experimentTasks(config: ExperimentConfig, settings: readonly Setting[]): Task[] {
  const tasks: Task[] = [];
  for (const setting of settings) {
    for (let round = 0; round < config.rounds; round++) {
      const unit = config.profile === 'day' ? Math.floor(round / DAY_SLOTS) : round;
      tasks.push({
        index: tasks.length,
        setting,
        round,
        seed: roundSeed(config.seed, unit),
        profile: config.profile,
        buyers: config.buyers,
        sellers: config.sellers,
        mechanisms: config.mechanisms,
      });
    }
  }
  return tasks;
}

/** What the caller is told while the rounds run (the CLI's progress bar). */
export interface ExperimentProgress {
  start(total: number): void;
  update(done: number): void;
}

export async function runExperiment(
  config: ExperimentConfig,
  workers: number,
  progress: ExperimentProgress,
): Promise<ExperimentRun> {
  const settings = expandSettings(config);
  const tasks = experimentTasks(config, settings);
  progress.start(tasks.length);
  const results = await runPool(tasks, workers, (done) => {
    progress.update(done);
  });
  return { settings, rows: results.flat() };
}

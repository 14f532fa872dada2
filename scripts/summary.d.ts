// Types of scripts/summary.js (plain JavaScript so that `npm test` can print its summary even when
// the build failed), for its unit test.
export interface PhaseResult {
  /** The phase's exit code; null when it started and never ended (the run was interrupted). */
  exit: number | null;
  seconds: number | null;
}
export interface RecordedRun {
  /** Every phase scripts/test.sh means to run, in order. */
  plan: string[];
  /** The phases that started. */
  phases: Map<string, PhaseResult>;
}
/** The counts of a jest `--json` report that the summary reads. */
export interface JestReport {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  numRuntimeErrorTestSuites?: number;
}
export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  brokenSuites: number;
}
export function parsePhases(text: string): RecordedRun;
export function countTests(reports: readonly (JestReport | null)[]): TestCounts;
export function summaryLine(run: RecordedRun, reports: readonly (JestReport | null)[]): string;

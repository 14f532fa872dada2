// The pure part of scripts/test-summary.js (unit-tested in test/unit/scripts/): turns what `npm test`
// recorded into its closing line. No I/O here; test-summary.js reads the files.
'use strict';

/**
 * Parses test-results/phases.txt as scripts/test.sh writes it: a first line `plan <phase>...`, then
 * `<phase> started` when a phase starts and `<phase> <exit code> <seconds>` when it ends.
 * @param {string} text
 * @returns {{ plan: string[], phases: Map<string, { exit: number | null, seconds: number | null }> }}
 */
function parsePhases(text) {
  let plan = [];
  const phases = new Map();
  for (const line of text.split('\n')) {
    const [name, status, seconds] = line.trim().split(/\s+/);
    if (!name) continue;
    if (name === 'plan') plan = line.trim().split(/\s+/).slice(1);
    else if (status === 'started') phases.set(name, { exit: null, seconds: null });
    else phases.set(name, { exit: Number(status), seconds: Number(seconds) });
  }
  return { plan, phases };
}

/**
 * Sums jest JSON reports (null: the phase wrote none). Suites that could not run (a compile error, a
 * throwing beforeAll) are counted as suites, not as failed tests: they have no test results.
 * @param {Array<object | null>} reports
 */
function countTests(reports) {
  const total = { passed: 0, failed: 0, skipped: 0, brokenSuites: 0 };
  for (const r of reports) {
    if (!r) continue;
    total.passed += r.numPassedTests ?? 0;
    total.failed += r.numFailedTests ?? 0;
    total.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    total.brokenSuites += r.numRuntimeErrorTestSuites ?? 0;
  }
  return total;
}

/** The outcome words after the counts: which phase failed or was interrupted, which never ran. */
function outcome(plan, phases) {
  const words = [];
  const failed = plan.find((name) => phases.has(name) && phases.get(name).exit !== 0);
  if (failed !== undefined) {
    const { exit } = phases.get(failed);
    words.push(exit === null ? `interrupted in phase ${failed}` : `failed at phase ${failed} (exit ${exit})`);
  }
  const notRun = plan.filter((name) => !phases.has(name));
  if (notRun.length > 0) words.push(`not run: ${notRun.join(', ')}`);
  return words.join('; ');
}

/**
 * The closing line, e.g. `tests: 764 passed, 0 failed` or
 * `tests: 0 passed, 0 failed — failed at phase lint (exit 1); not run: unit, integration`.
 * It starts with `tests: N passed, N failed` whatever happened (CI reads that part).
 * @param {{ plan: string[], phases: Map<string, { exit: number | null }> }} run
 * @param {Array<object | null>} reports the jest reports of the test phases that wrote one
 * @returns {string}
 */
function summaryLine(run, reports) {
  const t = countTests(reports);
  let line = `tests: ${t.passed} passed, ${t.failed} failed`;
  if (t.skipped > 0) line += `, ${t.skipped} skipped`;
  if (t.brokenSuites > 0) line += `, ${t.brokenSuites} suite${t.brokenSuites === 1 ? '' : 's'} could not run`;
  const words = outcome(run.plan, run.phases);
  return words ? `${line} — ${words}` : line;
}

module.exports = { parsePhases, countTests, summaryLine };

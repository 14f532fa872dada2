import { countTests, parsePhases, summaryLine, type JestReport } from '../../../scripts/summary';

const plan = 'plan deps build lint unit unit-node24 integration e2e faults';
const passing = (n: number): JestReport => ({ numPassedTests: n, numFailedTests: 0, numPendingTests: 0 });

describe('parsePhases', () => {
  it('reads the plan, the ended phases with their exit codes and the one still running', () => {
    const run = parsePhases(`${plan}\ndeps started\ndeps 0 3\nbuild started\nbuild 2 7\nlint started\n`);
    expect(run.plan).toEqual([
      'deps',
      'build',
      'lint',
      'unit',
      'unit-node24',
      'integration',
      'e2e',
      'faults',
    ]);
    expect(run.phases.get('deps')).toEqual({ exit: 0, seconds: 3 });
    expect(run.phases.get('build')).toEqual({ exit: 2, seconds: 7 });
    expect(run.phases.get('lint')).toEqual({ exit: null, seconds: null });
    expect(run.phases.has('unit')).toBe(false);
  });

  it('gives an empty plan for an empty file (test.sh never started)', () => {
    expect(parsePhases('').plan).toEqual([]);
  });
});

describe('summaryLine', () => {
  it('names the failed phase and the phases that never ran, and counts no test as failed', () => {
    const run = parsePhases(`${plan}\ndeps 0 2\nbuild 0 9\nlint 1 10\n`);
    expect(summaryLine(run, [null, null, null, null, null, null, null, null])).toBe(
      'tests: 0 passed, 0 failed — failed at phase lint (exit 1); not run: unit, unit-node24, integration, e2e, faults',
    );
  });

  it('sums the reports of the phases that ran, with the failing test phase named', () => {
    const run = parsePhases(`${plan}\ndeps 0 2\nbuild 0 9\nlint 0 10\nunit 0 60\nunit-node24 1 50\n`);
    const failing: JestReport = { numPassedTests: 380, numFailedTests: 2, numPendingTests: 1 };
    expect(summaryLine(run, [null, null, null, passing(382), failing, null, null, null])).toBe(
      'tests: 762 passed, 2 failed, 1 skipped — failed at phase unit-node24 (exit 1); not run: integration, e2e, faults',
    );
  });

  it('says a phase was interrupted when it started and never ended', () => {
    const run = parsePhases('plan unit e2e\nunit 0 60\ne2e started\n');
    expect(summaryLine(run, [passing(5), null])).toBe('tests: 5 passed, 0 failed — interrupted in phase e2e');
  });

  it('prints only the counts when every planned phase passed', () => {
    const run = parsePhases('plan build unit\nbuild 0 9\nunit 0 60\n');
    expect(summaryLine(run, [null, passing(382)])).toBe('tests: 382 passed, 0 failed');
  });
});

describe('countTests', () => {
  it('counts suites that could not run apart from failed tests', () => {
    const broken: JestReport = { numPassedTests: 0, numFailedTests: 0, numRuntimeErrorTestSuites: 1 };
    expect(countTests([broken, null, passing(3)])).toEqual({
      passed: 3,
      failed: 0,
      skipped: 0,
      brokenSuites: 1,
    });
  });
});

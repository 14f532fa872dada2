#!/usr/bin/env node
// Prints `npm test`'s closing line from what scripts/test.sh recorded in the given folder
// (test-results/): phases.txt (each phase's exit code) and the jest JSON report of each test phase
// (<phase>.json). A phase that never started wrote no report: it is listed as "not run", never
// counted as failed tests. Usage: node scripts/test-summary.js test-results
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parsePhases, summaryLine } = require('./summary');

const dir = process.argv[2] ?? 'test-results';
const phasesFile = path.join(dir, 'phases.txt');
const run = parsePhases(fs.existsSync(phasesFile) ? fs.readFileSync(phasesFile, 'utf8') : '');

/** The phase's jest report, or null when it wrote none (never started, or stopped before jest ended). */
function report(phase) {
  const file = path.join(dir, `${phase}.json`);
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`[summary] ${file} is not a jest report (${err.message})`);
    return null;
  }
}

console.log(summaryLine(run, run.plan.map(report)));

#!/usr/bin/env node
'use strict';
// The `energy-auction` CLI. The code lives in TypeScript (workbench/src); this needs a build.
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'workbench', 'src', 'main.js');
let cli;
try {
  cli = require(main);
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(main)) {
    process.stderr.write(`energy-auction: ${main} not found: run "npm run build" first\n`);
    process.exit(1);
  }
  throw e;
}
cli.run();

#!/usr/bin/env node
// Runs every example against real sandboxes, one after another.
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const examples = ['simple.js', 'calculator.js', 'unload.js', 'interrupt.js', 'cpu-timeout.js', 'host-functions.js', 'user-modules.js', 'abort.js', 'pool.js'];
let failed = 0;
for (const name of examples) {
  console.log(`\n=== examples/${name} ===`);
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'examples', name)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`examples/${name} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);

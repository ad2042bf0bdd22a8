#!/usr/bin/env node
// Runs every example against real sandboxes, one after another.
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const examples = ['simple.js', 'calculator.js', 'unload.js', 'interrupt.js', 'cpu-timeout.js', 'host-functions.js', 'user-modules.js', 'abort.js', 'pool.js', 'console.js', 'fetch.js'];
// Each example is bounded, so one that hangs fails by name (scripts/test.js
// sets a longer bound inside the test VM).
const limitMs = Number(process.env.HYPERLIGHT_JS_EXAMPLE_LIMIT_MS) || 120_000;
let failed = 0;
for (const name of examples) {
  console.log(`\n=== examples/${name} ===`);
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'examples', name)], {
    stdio: 'inherit',
    timeout: limitMs,
    killSignal: 'SIGKILL',
  });
  if (r.status !== 0) {
    failed++;
    const why = r.error && r.error.code === 'ETIMEDOUT' ? `did not finish within ${limitMs / 1000} s` : `exit ${r.status ?? r.signal}`;
    console.error(`examples/${name} failed (${why})`);
  }
}
process.exit(failed ? 1 : 0);

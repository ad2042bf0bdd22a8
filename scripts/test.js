#!/usr/bin/env node
// The whole suite: the engine's Rust tests, then the JS API tests under
// __test__/ with Node's built-in runner. Exits non-zero on any failure.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function run(cmd, args, opts = {}) {
  console.log(`[test] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`[test] failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

// The engine's process-backend tests exec the guest from target/debug.
run('cargo', ['build', '--locked', '-p', 'hyperlight-js-guest', '--features', 'jail-selftest']);
run('cargo', ['test', '--locked', '--workspace', '--features', 'hyperlight-js-guest/jail-selftest']);

const testDir = path.join(root, '__test__');
const files = fs
  .readdirSync(testDir)
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => path.join('__test__', f));
run(process.execPath, ['--test', '--test-reporter=spec', ...files]);

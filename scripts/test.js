#!/usr/bin/env node
// The whole suite: the engine's Rust tests, then the JS API tests under
// __test__/ with Node's built-in runner. Exits non-zero on any failure.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// hyperlight-js builds its micro-VM guest for a custom target, which stable
// Rust only allows with RUSTC_BOOTSTRAP=1. Every cargo run uses the same
// environment as scripts/build.js, so they share build artifacts.
process.env.RUSTC_BOOTSTRAP = '1';

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

// The same suite once per backend that can run here.
function suite(backend) {
  console.log(`[test] the __test__ suite on the ${backend} backend`);
  run(process.execPath, ['--test', '--test-reporter=spec', ...files], {
    env: { ...process.env, HYPERLIGHT_JS_BACKEND: backend },
  });
}

suite('process');
const probe = spawnSync(
  process.execPath,
  ['-e', "require('./lib').hypervisorProbe().then((r) => console.log(JSON.stringify(r)))"],
  { cwd: root, encoding: 'utf8' },
);
const status = probe.status === 0 ? JSON.parse(probe.stdout) : { available: false, reason: `the probe itself failed: ${probe.stderr}` };
if (status.available) {
  suite('hypervisor');
} else {
  console.log(`\n[test] *** SKIPPED: the __test__ suite on the hypervisor backend: ${status.reason} ***\n`);
}

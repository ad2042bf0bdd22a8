#!/usr/bin/env node
// The whole suite: the engine's Rust tests, then the JS API tests under
// __test__/ and every example, on the process backend and on the micro-VM
// backend, and the packed packages installed as a user would. Exits non-zero
// on any failure.
//
// The micro-VM backend runs natively where a probe micro-VM really starts.
// Elsewhere (these machines' nested KVM cannot run Hyperlight guests) it runs
// inside a QEMU VM with nested SVM (scripts/hypervisor-vm.sh). Only where
// neither works is it skipped, loudly, with both reasons.
//
// HYPERLIGHT_JS_SKIP_VM=1 leaves the VM run out for a quick local loop; CI
// (CI=true) refuses it.
//
// Inside the VM this script runs again as `test.js --hypervisor-only`.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const hypervisorOnly = process.argv.includes('--hypervisor-only');

// hyperlight builds its micro-VM guest for a custom target, which stable
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

function loud(line) {
  console.log(`\n[test] *** ${line} ***\n`);
}

const testDir = path.join(root, '__test__');
const files = fs
  .readdirSync(testDir)
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => path.join('__test__', f));

// The __test__ suite and the examples on one backend. In the VM everything is
// 10-50x slower: tests get a generous per-test limit there instead of none, so
// a hang fails the run rather than stalling CI.
function suite(backend) {
  const env = { ...process.env, HYPERLIGHT_JS_BACKEND: backend };
  console.log(`[test] the __test__ suite on the ${backend} backend`);
  const timeout = process.env.HYPERLIGHT_JS_IN_VM ? ['--test-timeout=600000'] : [];
  run(process.execPath, ['--test', '--test-reporter=spec', ...timeout, ...files], { env });
  console.log(`[test] the examples on the ${backend} backend`);
  run(process.execPath, [path.join('scripts', 'demo.js')], { env });
}

function probe() {
  const r = spawnSync(
    process.execPath,
    ['-e', "require('./lib').hypervisorProbe().then((r) => console.log(JSON.stringify(r)))"],
    { cwd: root, encoding: 'utf8' },
  );
  return r.status === 0 ? JSON.parse(r.stdout) : { available: false, reason: `the probe itself failed: ${r.stderr}` };
}

if (hypervisorOnly) {
  // Inside the VM: the micro-VM backend must work here, or the rig is broken.
  const status = probe();
  if (!status.available) {
    console.error(`[test] micro-VMs do not start inside the test VM: ${status.reason}`);
    process.exit(1);
  }
  suite('hypervisor');
  process.exit(0);
}

// The engine's process-backend tests exec the guest from target/debug.
run('cargo', ['build', '--locked', '-p', 'hyperlight-js-guest', '--features', 'jail-selftest']);
run('cargo', ['test', '--locked', '--workspace', '--features', 'hyperlight-js-guest/jail-selftest']);

suite('process');
// The packages as users install them; once, not per backend.
console.log('[test] the packed packages installed into an empty project');
run(process.execPath, ['--test', '--test-reporter=spec', path.join('__test__', 'package', 'install.test.js')]);

const native = probe();
if (native.available) {
  suite('hypervisor');
} else if (process.env.HYPERLIGHT_JS_SKIP_VM === '1') {
  if (process.env.CI === 'true') {
    console.error('[test] HYPERLIGHT_JS_SKIP_VM=1 is for local runs; CI always tests the micro-VM backend');
    process.exit(1);
  }
  loud(`SKIPPED (HYPERLIGHT_JS_SKIP_VM=1): the __test__ suite and the examples on the hypervisor backend. Native micro-VMs: ${native.reason}`);
} else {
  const rig = path.join('scripts', 'hypervisor-vm.sh');
  const check = spawnSync('bash', [rig, '--check'], { cwd: root, encoding: 'utf8' });
  if (check.status === 0) {
    console.log(`[test] micro-VMs do not start natively (${native.reason}); running the hypervisor suite in a nested-virtualisation VM`);
    run('bash', [rig, root, `node scripts/test.js --hypervisor-only`]);
  } else {
    loud(
      'SKIPPED: the __test__ suite and the examples on the hypervisor backend. ' +
        `Native micro-VMs: ${native.reason}. The test VM: ${(check.stderr || check.stdout).trim()}`,
    );
  }
}

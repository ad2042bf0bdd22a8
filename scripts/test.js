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

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { NODE_LINES, nodeBinary } = require('./node-lines.js');

const root = path.resolve(__dirname, '..');
const hypervisorOnly = process.argv.includes('--hypervisor-only');
const inVm = Boolean(process.env.HYPERLIGHT_JS_IN_VM);

// hyperlight builds its micro-VM guest for a custom target, which stable
// Rust only allows with RUSTC_BOOTSTRAP=1. Every cargo run uses the same
// environment as scripts/build.js, so they share build artifacts.
process.env.RUSTC_BOOTSTRAP = '1';

// Every step that runs guests is bounded, so a hang fails the run at once,
// naming what hung, instead of stalling CI (90 minutes in all). In the test
// VM everything runs 10-50x slower.
const SECOND = 1000;
const LIMITS = {
  // One __test__ file, all its tests together.
  file: (inVm ? 900 : 300) * SECOND,
  // One test, inside its file (node's --test-timeout).
  test: (inVm ? 600 : 120) * SECOND,
  // One example.
  example: (inVm ? 300 : 60) * SECOND,
  // `hypervisorProbe()` in a fresh node, beyond the probe's own bound.
  probe: (inVm ? 120 : 60) * SECOND,
  // The whole micro-VM step in the test VM: every boot, the suite, the
  // examples, and the restarts after stalls (see vmSuite).
  vm: 50 * 60 * SECOND,
};

// The test VM's emulation is slow enough that the native bounds on a probe
// and on a kill landing could fire on a healthy micro-VM there.
if (inVm) {
  process.env.HYPERLIGHT_JS_PROBE_TIMEOUT_MS ??= '60000';
  process.env.HYPERLIGHT_JS_KILL_GRACE_MS ??= '30000';
}

// Each test writes its start and end here (scripts/test-watch.js), so a
// file killed for running too long can name the tests that were running.
// The test VM shares this machine's file system, so it writes here too.
const trace = process.env.HYPERLIGHT_JS_TEST_TRACE || path.join(os.tmpdir(), `hyperlight-js-test-trace.${process.pid}`);
process.env.HYPERLIGHT_JS_TEST_TRACE = trace;
if (!hypervisorOnly) fs.writeFileSync(trace, '');
const watch = `--require=${path.join(__dirname, 'test-watch.js')}`;

function fail(message, code = 1) {
  console.error(`[test] ${message}`);
  process.exit(code);
}

function loud(line) {
  console.log(`\n[test] *** ${line} ***\n`);
}

/** Tests that started and have not ended, per the trace. */
function stillRunning() {
  let text = '';
  try {
    text = fs.readFileSync(trace, 'utf8');
  } catch {
    return [];
  }
  const open = new Map();
  for (const line of text.split('\n')) {
    const [what, pid, file, name] = line.split('\t');
    if (!name) continue;
    const key = `${pid}\t${file}\t${name}`;
    if (what === 'start') open.set(key, `${path.relative(root, file)} > ${name}`);
    else open.delete(key);
  }
  return [...open.values()];
}

/**
 * Runs a command with its output on ours, killed (SIGKILL, whole process
 * group) after `limitMs`. Never waits on a process that cannot be killed (one
 * stuck in the kernel): a few seconds after the kill it is left behind.
 * Resolves to `{ status, signal, timedOut }`.
 */
function runBounded(cmd, args, { limitMs, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: root, env, detached: true });
    let timedOut = false;
    let settled = false;
    const settle = (r) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      setTimeout(() => settle({ status: null, signal: 'SIGKILL', timedOut }), 5 * SECOND).unref();
    }, limitMs);
    child.on('error', (e) => settle({ status: null, signal: null, timedOut, error: e }));
    child.on('exit', (status, signal) => settle({ status, signal, timedOut }));
  });
}

async function run(cmd, args, opts = {}) {
  const what = `${cmd} ${args.join(' ')}`;
  console.log(`[test] ${what}`);
  const limitMs = opts.limitMs ?? 60 * 60 * SECOND;
  const r = await runBounded(cmd, args, { ...opts, limitMs });
  // `allow`: exit statuses the caller handles itself.
  if (r.status === 0 || (opts.allow || []).includes(r.status)) return r;
  const running = stillRunning();
  const inFlight = running.length ? `. Tests still running: ${running.join('; ')}` : '';
  if (r.timedOut) fail(`HUNG: ${opts.label || what} did not finish within ${limitMs / SECOND} s and was killed${inFlight}`);
  fail(`failed: ${what} (exit ${r.status ?? r.signal ?? r.error})${inFlight}`, r.status || 1);
}

const testDir = path.join(root, '__test__');
const files = fs
  .readdirSync(testDir)
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => path.join('__test__', f));

// The __test__ suite and the examples on one backend, each file in its own
// bounded run (files ran one at a time anyway on 2 cores).
// In the test VM, steps that passed in an earlier VM of the same run (one
// that stalled later) are listed in HYPERLIGHT_JS_VM_DONE and not run again.
const doneList = process.env.HYPERLIGHT_JS_VM_DONE;
/** The steps listed in `file`, one a line; none when it does not exist. */
const stepsIn = (file) => (file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const done = new Set(stepsIn(doneList));
async function step(name, fn) {
  if (done.has(name)) {
    console.log(`[test] ${name}: passed in an earlier test VM of this run`);
    return;
  }
  await fn();
  if (doneList) fs.appendFileSync(doneList, `${name}\n`);
}

async function suite(backend, node = process.execPath) {
  const env = { ...process.env, HYPERLIGHT_JS_BACKEND: backend, NODE_OPTIONS: `${process.env.NODE_OPTIONS || ''} ${watch}`.trim() };
  const on = node === process.execPath ? '' : ` with Node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}`;
  console.log(`[test] the __test__ suite on the ${backend} backend${on}`);
  for (const file of files) {
    await step(file, () =>
      run(node, ['--test', '--test-reporter=spec', `--test-timeout=${LIMITS.test}`, file], {
        env,
        limitMs: LIMITS.file,
        label: `${file} on the ${backend} backend${on}`,
      }),
    );
  }
  // The other Node lines run the __test__ suite only.
  if (on) return;
  console.log(`[test] the examples on the ${backend} backend`);
  await step('examples', () =>
    run(process.execPath, [path.join('scripts', 'demo.js')], {
      env: { ...env, HYPERLIGHT_JS_EXAMPLE_LIMIT_MS: String(LIMITS.example) },
      limitMs: LIMITS.example * 12,
      label: `the examples on the ${backend} backend`,
    }),
  );
}

// The micro-VM suite in the test VM. A VM that stalls (the rig's exit 125: no
// output and no test starting or ending for a while, the VM's kernel most
// often reporting soft lockups; see the rig) is ended, the stalled test is
// named, loudly, and a fresh VM carries on from the file that stalled: files
// that passed are not run again, the stalled one runs again from its start
// and must pass. A file that stalls three times, more than MAX_STALLS stalls
// in all, any other failure, or the step's overall bound fails the run.
const MAX_STALLS = 4;
async function vmSuite(rig) {
  const doneFile = `${trace}.vm-done`;
  fs.writeFileSync(doneFile, '');
  const deadline = Date.now() + LIMITS.vm;
  const stallsOf = new Map();
  for (let stalls = 0; ; stalls++) {
    const left = deadline - Date.now();
    if (left < 2 * 60 * SECOND) fail(`HUNG: the micro-VM suite in the test VM did not finish within ${LIMITS.vm / SECOND} s (${stalls} stalled VMs)`);
    // The rig's own bound ends the VM (and prints its console's last lines);
    // ours is a backstop a little later.
    const env = { ...process.env, HYPERLIGHT_VM_TIMEOUT: String(Math.floor(left / SECOND)), HYPERLIGHT_JS_VM_DONE: doneFile };
    const args = [rig, root, 'node scripts/test.js --hypervisor-only'];
    const r = await run('bash', args, { env, limitMs: left + 60 * SECOND, label: 'the micro-VM suite in the test VM', allow: [125] });
    if (r.status === 0) return;
    const running = stillRunning();
    const passed = stepsIn(doneFile);
    const at = [...files, 'examples'].find((f) => !passed.includes(f)) || 'the probe';
    stallsOf.set(at, (stallsOf.get(at) || 0) + 1);
    const what = `the test VM stalled in ${at}${running.length ? ` (tests still running: ${running.join('; ')})` : ''}`;
    if (stallsOf.get(at) >= 3) fail(`${what}, for the third time in this run`, 125);
    if (stalls + 1 > MAX_STALLS) fail(`${what}: ${stalls + 1} stalled VMs in this run, more than ${MAX_STALLS}`, 125);
    loud(`${what}; its console is above. A fresh VM goes on from ${at}, which runs again from its start (${passed.length} steps passed)`);
    fs.writeFileSync(trace, ''); // the stalled VM's tests are reported above
  }
}

function probe() {
  const r = spawnSync(
    process.execPath,
    ['-e', "require('./lib').hypervisorProbe().then((r) => console.log(JSON.stringify(r)))"],
    { cwd: root, encoding: 'utf8', timeout: LIMITS.probe, killSignal: 'SIGKILL' },
  );
  if (r.error && r.error.code === 'ETIMEDOUT') {
    return { available: false, reason: `hypervisorProbe() did not answer within ${LIMITS.probe / SECOND} s` };
  }
  return r.status === 0 ? JSON.parse(r.stdout) : { available: false, reason: `the probe itself failed: ${r.stderr}` };
}

async function main() {
  if (hypervisorOnly) {
    // Inside the VM: the micro-VM backend must work here, or the rig is broken.
    const status = probe();
    if (!status.available) fail(`micro-VMs do not start inside the test VM: ${status.reason}`);
    await suite('hypervisor');
    return;
  }

  // The engine's process-backend tests exec the guest from target/debug.
  await run('cargo', ['build', '--locked', '-p', 'hyperlight-js-guest', '--features', 'jail-selftest']);
  await run('cargo', ['test', '--locked', '--workspace', '--features', 'hyperlight-js-guest/jail-selftest']);
  // The guest's globals (crates/guest-env) against Node, as plain JavaScript.
  await run(process.execPath, ['--test', '--test-reporter=spec', path.join('crates', 'guest-env', 'tests', 'prelude.node.test.mjs')], {
    limitMs: LIMITS.file,
  });

  await suite('process');
  // The packages as users install them; once, not per backend.
  console.log('[test] the packed packages installed into an empty project');
  await run(process.execPath, ['--test', '--test-reporter=spec', path.join('__test__', 'package', 'install.test.js')], {
    limitMs: LIMITS.file,
  });

  // The same suite on each current LTS line of Node (scripts/node-lines.js).
  if (process.env.HYPERLIGHT_JS_SKIP_NODE_LINES === '1') {
    if (process.env.CI === 'true') fail('HYPERLIGHT_JS_SKIP_NODE_LINES=1 is for local runs; CI tests every Node line');
    loud(`SKIPPED (HYPERLIGHT_JS_SKIP_NODE_LINES=1): the __test__ suite on Node ${NODE_LINES.join(', ')}`);
  } else {
    for (const version of NODE_LINES) {
      let node;
      try {
        node = nodeBinary(version);
      } catch (e) {
        fail(`could not get Node ${version} for the suite: ${e.message}`);
      }
      await suite('process', node);
    }
  }

  const native = probe();
  if (native.available) {
    await suite('hypervisor');
  } else if (process.env.HYPERLIGHT_JS_SKIP_VM === '1') {
    if (process.env.CI === 'true') fail('HYPERLIGHT_JS_SKIP_VM=1 is for local runs; CI always tests the micro-VM backend');
    loud(`SKIPPED (HYPERLIGHT_JS_SKIP_VM=1): the __test__ suite and the examples on the hypervisor backend. Native micro-VMs: ${native.reason}`);
  } else {
    const rig = path.join('scripts', 'hypervisor-vm.sh');
    const check = spawnSync('bash', [rig, '--check'], { cwd: root, encoding: 'utf8' });
    if (check.status === 0) {
      console.log(`[test] micro-VMs do not start natively (${native.reason}); running the hypervisor suite in a nested-virtualisation VM`);
      await vmSuite(rig);
    } else {
      loud(
        'SKIPPED: the __test__ suite and the examples on the hypervisor backend. ' +
          `Native micro-VMs: ${native.reason}. The test VM: ${(check.stderr || check.stdout).trim()}`,
      );
    }
  }
}

main().catch((e) => fail(`the test runner itself failed: ${e.stack || e}`));

// metrics() and HYPERLIGHT_JS_LOG: what an operator sees of the package.
// Each test file runs in its own process, and these tests run one after
// another, so the counters move only by what each test does.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { metrics } = require('../lib');
const { BACKEND, processOnly, loaded, loadedWithGuestPid, apiError, sleep, SPIN, runNode, LIB, HELPERS } = require('./helpers');

const OTHER = BACKEND === 'process' ? 'hypervisor' : 'process';
const THROWS = 'function handler() { throw new Error("nope"); }';
const ECHO = 'function handler(e) { return e; }';

/** How much each number grew from `a` to `b` (a counter missing from `a` was 0). */
function growth(a, b) {
  const d = (x = 0, y = 0) => y - x;
  const each = (key) => Object.fromEntries(Object.keys(b[key]).map((k) => [k, d(a[key][k], b[key][k])]).filter(([, v]) => v !== 0));
  return {
    sandboxesCreated: each('sandboxesCreated'),
    sandboxesAlive: each('sandboxesAlive'),
    calls: d(a.calls, b.calls),
    callFailures: each('callFailures'),
    monitorTerminations: each('monitorTerminations'),
    guestCrashes: d(a.guestCrashes, b.guestCrashes),
  };
}

test('metrics() has every series from the start, as plain numbers', () => {
  const m = metrics();
  assert.deepEqual(Object.keys(m).sort(), [
    'callFailures', 'calls', 'callsWaited', 'consoleDroppedBytes', 'guestCrashes', 'monitorTerminations', 'sandboxesAlive', 'sandboxesCreated', 'templates',
  ]);
  assert.deepEqual(Object.keys(m.templates).sort(), ['booted', 'loadedFromCache', 'rejectedFromCache']);
  assert.deepEqual(Object.keys(m.callsWaited).sort(), ['caller', 'eventLoop', 'sandboxThread']);
  assert.equal(m.consoleDroppedBytes, 0);
  assert.deepEqual(Object.keys(m.sandboxesCreated).sort(), ['hypervisor', 'process']);
  assert.deepEqual(Object.keys(m.sandboxesAlive).sort(), ['hypervisor', 'process']);
  for (const n of [m.calls, m.guestCrashes, m.consoleDroppedBytes, ...Object.values(m.sandboxesCreated), ...Object.values(m.callFailures), ...Object.values(m.templates), ...Object.values(m.callsWaited)]) {
    assert.equal(typeof n, 'number');
  }
  // A fresh copy each time: changing it changes nothing.
  m.calls = -1;
  assert.notEqual(metrics().calls, -1);
});

test('metrics() counts sandboxes, calls, failures by code and monitor terminations', async () => {
  const before = metrics();
  const sandbox = await loaded({ echo: ECHO, throws: THROWS, spin: SPIN });
  assert.deepEqual(growth(before, metrics()), {
    sandboxesCreated: { [BACKEND]: 1 },
    sandboxesAlive: { [BACKEND]: 1 },
    calls: 0, // loading is not a call
    callFailures: {},
    monitorTerminations: {},
    guestCrashes: 0,
  });

  const afterLoad = metrics();
  assert.deepEqual(await sandbox.callHandler('echo', { a: 1 }), { a: 1 });
  await assert.rejects(sandbox.callHandler('throws', {}), apiError('ERR_GUEST_ABORT', 'nope'));
  await assert.rejects(sandbox.callHandler('spin', {}, { wallClockTimeoutMs: 100 }), apiError('ERR_CANCELLED'));
  await assert.rejects(sandbox.callHandler('echo', {}), apiError('ERR_POISONED'));
  const cpu = await loaded({ spin: SPIN });
  await assert.rejects(cpu.callHandler('spin', {}, { cpuTimeoutMs: 50 }), apiError('ERR_CANCELLED'));
  await assert.rejects(cpu.callHandler('spin', {}), apiError('ERR_POISONED'));

  assert.deepEqual(growth(afterLoad, metrics()), {
    sandboxesCreated: { [BACKEND]: 1 },
    sandboxesAlive: { [BACKEND]: 1 },
    calls: 6,
    callFailures: { ERR_GUEST_ABORT: 1, ERR_CANCELLED: 2, ERR_POISONED: 2 },
    monitorTerminations: { 'wall-clock': 1, 'cpu-time': 1 },
    // Throwing and being stopped are not crashes.
    guestCrashes: 0,
  });
  assert.equal(metrics().sandboxesCreated[OTHER], before.sandboxesCreated[OTHER]);
});

test('a dropped sandbox stops counting as alive once it is collected', () => {
  // In a child with --expose-gc, so collection (which ends the sandbox) can be forced.
  const script = `
    const { SandboxBuilder, metrics } = require(${LIB});
    const backend = process.env.HYPERLIGHT_JS_BACKEND;
    (async () => {
      const before = metrics().sandboxesAlive[backend];
      await (async () => {
        const js = await (await new SandboxBuilder().build()).loadRuntime();
        js.addHandler('h', 'function handler(e) { return e; }');
        await (await js.getLoadedSandbox()).callHandler('h', 1);
      })();
      const during = metrics().sandboxesAlive[backend];
      let after = during;
      for (let i = 0; i < 100 && after > before; i++) {
        global.gc();
        await new Promise((r) => setTimeout(r, 50));
        after = metrics().sandboxesAlive[backend];
      }
      console.log(JSON.stringify({ before, during, after, created: metrics().sandboxesCreated[backend] }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = runNode(script, { flags: ['--expose-gc'], timeout: 300_000 });
  assert.deepEqual(JSON.parse(r.stdout), { before: 0, during: 1, after: 0, created: 1 });
});

test('a guest that dies during a call counts as a guest crash', processOnly, async () => {
  const { sandbox, pid } = await loadedWithGuestPid({ spin: SPIN });
  const before = metrics();
  // The time limit only keeps a broken test from hanging: the crash comes first.
  const call = sandbox.callHandler('spin', {}, { wallClockTimeoutMs: 60_000 });
  await sleep(100);
  // As if the runtime hit abort(). (Not SIGSEGV: Rust's stack-overflow
  // handler swallows a SIGSEGV sent from outside.)
  process.kill(pid, 'SIGABRT');
  await assert.rejects(call, (err) => ['ERR_GUEST_ABORT', 'ERR_POISONED'].includes(err.code) && /SIGABRT/.test(err.message));
  const grew = growth(before, metrics());
  assert.equal(grew.guestCrashes, 1);
  assert.equal(grew.calls, 1);
  // Calls on the poisoned sandbox afterwards are failures, not more crashes.
  await assert.rejects(sandbox.callHandler('spin', {}), apiError('ERR_POISONED'));
  assert.equal(growth(before, metrics()).guestCrashes, 1);
});

/** Runs a call stopped by its wall-clock monitor in a child with `env`; its stderr and status. */
function runWithLog(env) {
  const script = `
    const { loaded } = require(${HELPERS});
    (async () => {
      const l = await loaded({ spin: ${JSON.stringify(SPIN)} });
      await l.callHandler('spin', {}, { wallClockTimeoutMs: 50 }).then(
        () => { throw new Error('the call should have been stopped'); },
        (e) => { if (e.code !== 'ERR_CANCELLED') throw e; });
    })().catch((e) => { console.error('FAILED', e); process.exit(1); });`;
  // A HYPERLIGHT_JS_LOG of undefined leaves it unset in the child.
  return runNode(script, { env, timeout: 300_000 }).stderr;
}

test('HYPERLIGHT_JS_LOG prints the engine\'s events to stderr', () => {
  const stderr = runWithLog({ HYPERLIGHT_JS_LOG: 'hyperlight_js_engine=debug' });
  assert.match(stderr, /DEBUG.*sandbox started.*backend="?(process|hypervisor)/);
  assert.match(stderr, /WARN.*execution monitor fired.*triggered_by="?wall-clock/);
  // At `warn`, the debug lines go.
  const warnOnly = runWithLog({ HYPERLIGHT_JS_LOG: 'warn' });
  assert.match(warnOnly, /execution monitor fired/);
  assert.doesNotMatch(warnOnly, /sandbox started/);
});

test('without HYPERLIGHT_JS_LOG nothing is logged', () => {
  assert.equal(runWithLog({ HYPERLIGHT_JS_LOG: undefined }), '');
});

test('a HYPERLIGHT_JS_LOG that does not parse is named on stderr, and sandboxes still work', () => {
  const stderr = runWithLog({ HYPERLIGHT_JS_LOG: 'hyperlight_js_engine=loudest' });
  assert.match(stderr, /HYPERLIGHT_JS_LOG="hyperlight_js_engine=loudest" is not a valid log filter/);
  assert.doesNotMatch(stderr, /execution monitor fired/);
});

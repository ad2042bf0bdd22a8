'use strict';
// A guest's console output belongs to the caller: SandboxBuilder.setConsole(),
// callHandler's onConsole, the per-call byte budget. Formatting itself is
// compared with Node's in globals.test.js.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { loaded, apiError, BACKEND, SLOW, runNode, HELPERS } = require('./helpers');
const { SandboxBuilder, SandboxPool, metrics } = require('../lib');

const LEVELS = 'function handler(e) { console.log("l", 1); console.info("i"); console.warn("w"); console.error("e"); console.debug("d"); console.trace("t"); print("p"); return e; }';

/** A sandbox whose console entries land in the returned array. */
async function capturing(handlers, builderFn) {
  const entries = [];
  const sandbox = await loaded(handlers, (b) => {
    b.setConsole((entry) => entries.push(entry));
    if (builderFn) builderFn(b);
  });
  return { sandbox, entries };
}

test(`a function sink gets one entry per console call, every level, in order (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing({ h: LEVELS });
  assert.equal(await sandbox.callHandler('h', 7), 7);
  assert.deepEqual(
    entries.map((e) => [e.level, e.message.split('\n')[0]]),
    [['log', 'l 1'], ['info', 'i'], ['warn', 'w'], ['error', 'e'], ['debug', 'd'], ['trace', 'Trace: t'], ['log', 'p']],
  );
  assert.deepEqual(Object.keys(entries[0]).sort(), ['level', 'message']);
});

test(`every entry of a call is delivered before its promise settles (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing({ h: 'function handler(e) { for (let i = 0; i < e.n; i++) console.log(i); return e.n; }' });
  for (const n of [1, 50, 3]) {
    entries.length = 0;
    const result = await sandbox.callHandler('h', { n });
    assert.equal(result, n);
    assert.deepEqual(entries.map((e) => e.message), Array.from({ length: n }, (_, i) => String(i)));
  }
});

test(`a call that throws still delivers what it wrote before the rejection (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing({ h: 'function handler() { console.log("before"); throw new Error("boom"); }' });
  await assert.rejects(sandbox.callHandler('h', {}), (err) => {
    assert.equal(err.code, 'ERR_GUEST_ABORT');
    assert.deepEqual(entries.map((e) => e.message), ['before']);
    return true;
  });
});

test(`a call stopped by its monitor delivers what it wrote before the kill (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing({
    h: 'function handler() { console.log("started"); console.warn("still going"); let x = 0; for (;;) { x++; } }',
  });
  await assert.rejects(sandbox.callHandler('h', {}, { wallClockTimeoutMs: 300 * SLOW }), (err) => {
    assert.equal(err.code, 'ERR_CANCELLED');
    assert.deepEqual(entries.map((e) => [e.level, e.message]), [['log', 'started'], ['warn', 'still going']]);
    return true;
  });
});

test(`onConsole takes one call's output instead of the sandbox's sink (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing({ h: 'function handler(e) { console.log("req", e.id); return e.id; }' });
  const mine = [];
  assert.equal(await sandbox.callHandler('h', { id: 1 }, { onConsole: (e) => mine.push(e) }), 1);
  assert.equal(await sandbox.callHandler('h', { id: 2 }), 2);
  assert.deepEqual(mine, [{ level: 'log', message: 'req 1' }]);
  assert.deepEqual(entries, [{ level: 'log', message: 'req 2' }]);
});

test(`onConsole works on an 'ignore' or 'inherit' sandbox, and calls queued together keep their own logs (${BACKEND})`, async () => {
  for (const sink of ['ignore', 'inherit']) {
    const sandbox = await loaded({ h: 'function handler(e) { console.log("id", e.id); console.error("done", e.id); return e.id; }' }, (b) => b.setConsole(sink));
    // Several rounds: a call queued behind one that waits for its guest
    // begins the moment that one ends, so a mix-up between the two is a race.
    for (let round = 0; round < 20; round++) {
      const logs = [[], [], []];
      const results = await Promise.all(logs.map((log, id) => sandbox.callHandler('h', { id }, { onConsole: (e) => log.push(`${e.level} ${e.message}`) })));
      assert.deepEqual(results, [0, 1, 2]);
      assert.deepEqual(logs, [0, 1, 2].map((id) => [`log id ${id}`, `error done ${id}`]), `${sink}, round ${round}`);
    }
  }
});

test(`'ignore' drops the output and the call goes on (${BACKEND})`, () => {
  const r = runChild(`
    const l = await loaded({ h: ${JSON.stringify(LEVELS)} }, (b) => b.setConsole('ignore'));
    await l.callHandler('h', 1);
    process.stdout.write('end');`);
  assert.equal(r.stdout, 'end');
  assert.equal(r.stderr, '');
});

test(`'inherit' (the default) writes log, info, debug and print to stdout, warn, error and trace to stderr (${BACKEND})`, () => {
  const r = runChild(`
    const l = await loaded({ h: ${JSON.stringify(LEVELS)} });
    await l.callHandler('h', 1);
    process.stdout.write('end');`);
  assert.equal(r.stdout, 'l 1\ni\nd\np\nend');
  const err = r.stderr.split('\n');
  assert.deepEqual(err.slice(0, 3), ['w', 'e', 'Trace: t']);
  assert.match(err[3], /^ {4}at handler /);
});

/** Runs `body` in a child Node (an async function with helpers.js's `loaded`); its stdout and stderr. */
function runChild(body) {
  const script = `
    const { loaded } = require(${HELPERS});
    (async () => { ${body} })().catch((e) => { console.error('FAILED', e); process.exit(1); });`;
  return runNode(script, { timeout: 120_000 * SLOW });
}

test(`what top-level code writes while loading goes to the sandbox's sink before the load settles (${BACKEND})`, async () => {
  const entries = [];
  const b = new SandboxBuilder().setConsole((e) => entries.push(e));
  const js = await (await b.build()).loadRuntime();
  js.addModule('m', 'console.info("module top level"); export const x = 1;');
  js.addHandler('h', 'import { x } from "user:m"; console.log("handler top level"); function handler() { console.log("call"); return x; }');
  const sandbox = await js.getLoadedSandbox();
  const atLoad = entries.map((e) => `${e.level} ${e.message}`).sort();
  assert.deepEqual(atLoad, ['info module top level', 'log handler top level']);
  assert.equal(await sandbox.callHandler('h', {}), 1);
  assert.equal(entries.at(-1).message, 'call');

  // A load that fails delivers what it wrote before failing, and the sink stays with the sandbox.
  const failing = [];
  const js2 = await (await new SandboxBuilder().setConsole((e) => failing.push(e)).build()).loadRuntime();
  js2.addHandler('bad', 'console.error("about to fail"); throw new Error("nope"); function handler() {}');
  await assert.rejects(js2.getLoadedSandbox(), (err) => {
    assert.equal(err.code, 'ERR_INVALID_ARG');
    assert.deepEqual(failing, [{ level: 'error', message: 'about to fail' }]);
    return true;
  });
  js2.clearHandlers();
  js2.addHandler('good', 'function handler() { console.log("fixed"); return 2; }');
  const fixed = await js2.getLoadedSandbox();
  assert.equal(await fixed.callHandler('good', {}), 2);
  assert.deepEqual(failing.at(-1), { level: 'log', message: 'fixed' });
  // And after unload() and a new load.
  const again = await fixed.unload();
  again.addHandler('h3', 'function handler() { console.log("after unload"); return 3; }');
  assert.equal(await (await again.getLoadedSandbox()).callHandler('h3', {}), 3);
  assert.deepEqual(failing.at(-1), { level: 'log', message: 'after unload' });
});

test(`past setMaxConsoleBytesPerCall a call's output is dropped, said in one last warn entry, and counted (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing(
    { h: 'function handler(e) { for (let i = 0; i < e.n; i++) console.log("x".repeat(10)); return e.n; }' },
    (b) => b.setMaxConsoleBytesPerCall(35),
  );
  const before = metrics().consoleDroppedBytes;
  assert.equal(await sandbox.callHandler('h', { n: 5 }), 5);
  assert.deepEqual(entries.slice(0, 3).map((e) => e.message), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(10)]);
  assert.equal(entries.length, 4);
  assert.equal(entries[3].level, 'warn');
  assert.match(entries[3].message, /20 bytes of console output were dropped/);
  assert.match(entries[3].message, /limit of 35 bytes per call \(setMaxConsoleBytesPerCall\)/);
  assert.equal(metrics().consoleDroppedBytes - before, 20);
  // The next call has its whole budget again.
  entries.length = 0;
  assert.equal(await sandbox.callHandler('h', { n: 3 }), 3);
  assert.equal(entries.length, 3);
});

test(`an output bomb is bounded: the call ends by its monitor, the sink sees at most the budget (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing(
    { bomb: 'function handler() { for (;;) console.log("y".repeat(1000)); }' },
    (b) => b.setMaxConsoleBytesPerCall(64 * 1024),
  );
  await assert.rejects(sandbox.callHandler('bomb', {}, { wallClockTimeoutMs: 500 * SLOW }), apiError('ERR_CANCELLED'));
  const kept = entries.filter((e) => e.level === 'log');
  assert.ok(kept.length <= 65, `${kept.length} entries kept`);
  assert.equal(entries.at(-1).level, 'warn');
  assert.match(entries.at(-1).message, /bytes of console output were dropped/);
});

test(`a budget of 0 drops everything but the warning; 'inherit' prints the warning to stderr (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing({ h: 'function handler() { console.log("hi"); return 1; }' }, (b) => b.setMaxConsoleBytesPerCall(0));
  assert.equal(await sandbox.callHandler('h', {}), 1);
  assert.equal(entries.length, 1);
  assert.match(entries[0].message, /^\[sandbox\] 2 bytes of console output were dropped/);

  const r = runChild(`
    const l = await loaded({ h: 'function handler() { console.log("ab"); console.log("cd"); return 1; }' }, (b) => b.setMaxConsoleBytesPerCall(3));
    await l.callHandler('h', 1);`);
  assert.equal(r.stdout, 'ab\n');
  assert.match(r.stderr, /^\[sandbox\] 2 bytes of console output were dropped/);
});

test(`one console message larger than the output buffer is cut, saying so, and the sandbox lives on (${BACKEND})`, async () => {
  const { sandbox, entries } = await capturing(
    { h: 'function handler(e) { console.log("z".repeat(e.n)); return e.n; }' },
    (b) => b.setOutputBufferSize(16 * 1024).setMaxConsoleBytesPerCall(1024 * 1024),
  );
  assert.equal(await sandbox.callHandler('h', { n: 100_000 }), 100_000);
  assert.equal(entries.length, 1);
  assert.ok(entries[0].message.startsWith('z'.repeat(16 * 1024)));
  assert.match(entries[0].message, /…\[83616 bytes cut: one console message may be at most 16384 bytes\]$/);
  assert.equal(await sandbox.callHandler('h', { n: 3 }), 3);
  assert.equal(entries[1].message, 'zzz');
});

test(`a sink that throws loses that entry, is reported once per sandbox, and fails nothing (${BACKEND})`, async () => {
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const seen = [];
    const sandbox = await loaded({ h: 'function handler(e) { console.log("a"); console.log("b"); return e; }' }, (b) =>
      b.setConsole((entry) => {
        seen.push(entry.message);
        if (entry.message === 'a') throw new Error('sink broke');
      }),
    );
    assert.equal(await sandbox.callHandler('h', 1), 1);
    assert.equal(await sandbox.callHandler('h', 2, { onConsole: () => { throw new Error('per-call sink broke'); } }), 2);
    assert.deepEqual(seen, ['a', 'b']);
    await new Promise((resolve) => setImmediate(resolve));
    const ours = warnings.filter((w) => w.code === 'HYPERLIGHT_JS_CONSOLE_SINK');
    assert.equal(ours.length, 1, ours.map((w) => w.message).join('\n'));
    assert.match(ours[0].message, /sink broke/);
  } finally {
    process.off('warning', onWarning);
  }
});

test(`SandboxPool: onConsole keeps each request's logs with that request (${BACKEND})`, async () => {
  // One sandbox, so the calls queue on it.
  const pool = new SandboxPool({
    min: 1,
    max: 1,
    handlers: { h: 'function handler(e) { console.log("start", e.id); console.warn("end", e.id); return e.id; }' },
    builder: (b) => b.setConsole('ignore'),
  });
  try {
    const logs = Array.from({ length: 6 }, () => []);
    const results = await Promise.all(logs.map((log, id) => pool.callHandler('h', { id }, { onConsole: (e) => log.push([e.level, e.message]) })));
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5]);
    logs.forEach((log, id) => assert.deepEqual(log, [['log', `start ${id}`], ['warn', `end ${id}`]]));
    await assert.rejects(pool.callHandler('h', { id: 9 }, { onConsole: 'nope' }), apiError('ERR_INVALID_ARG', 'SandboxPool.callHandler()', 'onConsole', '"nope"'));
  } finally {
    await pool.close();
  }
});

test('bad sinks, budgets and onConsole values are ERR_INVALID_ARG naming the value', async () => {
  const b = new SandboxBuilder();
  for (const bad of [42, 'loud', '', null, {}, 'capture']) {
    assert.throws(() => b.setConsole(bad), apiError('ERR_INVALID_ARG', 'setConsole()'), String(bad));
  }
  assert.throws(() => b.setConsole('loud'), apiError('ERR_INVALID_ARG', '"loud"'));
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 31]) {
    assert.throws(() => b.setMaxConsoleBytesPerCall(bad), apiError('ERR_INVALID_ARG', 'setMaxConsoleBytesPerCall'), String(bad));
  }
  assert.throws(() => b.setMaxConsoleBytesPerCall('1'), apiError('ERR_INVALID_ARG'));
  const sandbox = await loaded({ h: 'function handler(e) { return e; }' });
  for (const bad of ['log', 1, {}, null]) {
    await assert.rejects(sandbox.callHandler('h', 1, { onConsole: bad }), apiError('ERR_INVALID_ARG', 'onConsole'), String(bad));
  }
  // The sandbox is unharmed.
  assert.equal(await sandbox.callHandler('h', 5), 5);
});

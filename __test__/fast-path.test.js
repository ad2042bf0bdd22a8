// The fast path: a call to an idle process-backend sandbox is started on the
// calling thread, which polls briefly for the answer and hands the call to
// the sandbox's thread if it does not come. Whichever way a call goes, the
// user sees the same results, errors, order and statistics; these tests mix
// calls that finish within the poll and calls that cannot.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { loaded, loadedWithHost, apiError, BUSY, COUNTER, BACKEND, runNode, HELPERS } = require('./helpers');

test('quick, slow and host-calling handlers mixed on one sandbox keep their order and results', async () => {
  const sandbox = await loadedWithHost(
    (proto) => proto.hostModule('h').register('twice', (n) => n * 2).register('later', async (n) => n + 1),
    {
      counter: COUNTER,
      busy: BUSY,
      host: 'import { twice, later } from "host:h"; function handler(e) { return later(twice(e.n)); }',
    },
  );
  const expected = [];
  const calls = [];
  let count = 0;
  for (let i = 0; i < 60; i++) {
    if (i % 10 === 3) {
      calls.push(sandbox.callHandler('busy', { ms: 5 }));
      expected.push(5);
    } else if (i % 10 === 7) {
      calls.push(sandbox.callHandler('host', { n: i }));
      expected.push(i * 2 + 1);
    } else {
      calls.push(sandbox.callHandler('counter', {}));
      expected.push(++count);
    }
    // Half the calls go one at a time (each finds the sandbox idle), half in bursts.
    if (i < 30) await calls[i];
  }
  assert.deepEqual(await Promise.all(calls), expected);
});

// Frames pass through a 64 KiB shared-memory ring each way: larger events,
// results and host-function answers stream through it in pieces, and the
// Node thread leaves what does not fit to the sandbox's thread.
test('events, results and host answers larger than the shared ring arrive whole, between small calls', async () => {
  const sandbox = await loadedWithHost(
    (proto) => proto.hostModule('h').register('blob', (n) => 'h'.repeat(n)),
    {
      counter: COUNTER,
      echo: 'function handler(e) { return { s: e.s, n: e.s.length }; }',
      host: 'import { blob } from "host:h"; function handler(e) { let t = 0; for (let i = 0; i < 3; i++) t += blob(e.n).length; return t; }',
    },
  );
  let count = 0;
  for (const size of [10, 70_000, 300_000]) {
    const s = String.fromCharCode(97 + (size % 26)).repeat(size);
    assert.deepEqual(await sandbox.callHandler('echo', { s }, { gc: false }), { s, n: size });
    assert.equal(await sandbox.callHandler('counter', {}), ++count);
    assert.equal(await sandbox.callHandler('host', { n: size }), 3 * size);
    assert.equal(await sandbox.callHandler('counter', {}), ++count);
  }
});

test('lastCallStats is set by the time a quick call resolves', async () => {
  const sandbox = await loaded({ counter: COUNTER, busy: BUSY });
  for (let i = 1; i <= 20; i++) {
    assert.equal(await sandbox.callHandler('counter', {}, { cpuTimeoutMs: 1000 }), i);
    const stats = sandbox.lastCallStats;
    assert.equal(stats.terminatedBy, null);
    assert.ok(stats.wallClockMs > 0, JSON.stringify(stats));
    assert.equal(typeof stats.cpuTimeMs, 'number');
  }
  await sandbox.callHandler('busy', { ms: 20 });
  // Date.now() in the guest ticks in whole milliseconds: 20 of them take at least 19.
  assert.ok(sandbox.lastCallStats.wallClockMs >= 19, JSON.stringify(sandbox.lastCallStats));
});

test('a quick call that throws rejects like any other and leaves the sandbox usable', async () => {
  const sandbox = await loaded({ boom: 'function handler(e) { throw new RangeError("quick " + e.n); }', counter: COUNTER });
  for (let i = 0; i < 5; i++) {
    await assert.rejects(sandbox.callHandler('boom', { n: i }), apiError('ERR_GUEST_ABORT', `quick ${i}`));
    assert.equal(await sandbox.callHandler('counter', {}), i + 1);
  }
  assert.equal(sandbox.poisoned, false);
});

/** Runs a few calls in a child with `HYPERLIGHT_JS_FAST_SPIN_US=value`; its stdout and stderr. */
function withSpin(value) {
  const script = `
    const { loaded } = require(${HELPERS});
    (async () => {
      const l = await loaded({ counter: ${JSON.stringify(COUNTER)} });
      const out = [];
      for (let i = 0; i < 5; i++) out.push(await l.callHandler('counter', {}));
      console.log(JSON.stringify(out));
    })().catch((e) => { console.error('FAILED', e); process.exit(1); });`;
  const r = runNode(script, { env: { HYPERLIGHT_JS_FAST_SPIN_US: value }, timeout: 300_000 });
  return { stdout: r.stdout.trim(), stderr: r.stderr };
}

test('HYPERLIGHT_JS_FAST_SPIN_US=0 turns the fast path off and changes no result', () => {
  assert.deepEqual(withSpin('0'), { stdout: '[1,2,3,4,5]', stderr: '' });
  assert.deepEqual(withSpin('1000'), { stdout: '[1,2,3,4,5]', stderr: '' });
});

test('a HYPERLIGHT_JS_FAST_SPIN_US out of range is named on stderr and the default used', () => {
  for (const bad of ['1001', '-1', 'fast', '1.5']) {
    const { stdout, stderr } = withSpin(bad);
    assert.equal(stdout, '[1,2,3,4,5]');
    assert.match(stderr, new RegExp(`HYPERLIGHT_JS_FAST_SPIN_US="${bad.replace('.', '\\.')}" is not a whole number of microseconds from 0 to 1000; using 50`));
  }
});

test('a host function that calls the same sandbox again queues that call behind its own', async () => {
  const log = [];
  let sandbox;
  const inner = [];
  sandbox = await loadedWithHost(
    (proto) => proto.register('h', 'again', () => {
      log.push('host');
      // Not awaited: it cannot run until the call that made this host call ends.
      inner.push(sandbox.callHandler('counter', {}).then((n) => log.push(`inner ${n}`)));
      return 1;
    }),
    {
      counter: COUNTER,
      outer: 'import { again } from "host:h"; function handler() { return again() + again(); }',
    },
  );
  assert.equal(await sandbox.callHandler('outer', {}), 2);
  log.push('outer');
  await Promise.all(inner);
  assert.deepEqual(log, ['host', 'host', 'outer', 'inner 1', 'inner 2']);
  assert.equal(await sandbox.callHandler('counter', {}), 3);
  assert.equal(sandbox.poisoned, false);
});

test('a host function that kills its own call stops it like kill() from anywhere', async () => {
  let sandbox;
  sandbox = await loadedWithHost(
    (proto) => proto.register('h', 'stop', () => {
      sandbox.interruptHandle.kill();
      return 1;
    }),
    { stopper: 'import { stop } from "host:h"; function handler() { stop(); for (;;) {} }', counter: COUNTER },
  );
  await assert.rejects(sandbox.callHandler('stopper', {}), apiError('ERR_CANCELLED', 'interruptHandle.kill()'));
  assert.equal(sandbox.lastCallStats.terminatedBy, 'kill');
  assert.equal(sandbox.poisoned, true);
});

test('a host function may unload its own sandbox: the call it serves finishes first', async () => {
  let sandbox;
  let unloaded;
  sandbox = await loadedWithHost(
    (proto) => proto.register('h', 'leave', () => {
      unloaded = sandbox.unload();
      return 7;
    }),
    { leaver: 'import { leave } from "host:h"; function handler() { return leave() * 6; }' },
  );
  assert.equal(await sandbox.callHandler('leaver', {}), 42);
  const js = await unloaded;
  assert.equal(js.poisoned, false);
  await assert.rejects(sandbox.callHandler('leaver', {}), apiError('ERR_CONSUMED'));
});

'use strict';
// callHandler() options and execution monitors: wall-clock and CPU timeouts,
// their validation, lastCallStats, and interruptHandle.kill().

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { loaded, loadedWithHost, apiError, ECHO, COUNTER, BUSY, SPIN, SLOW } = require('./helpers');

// A host function that only waits: time spent in it is not guest CPU time.
const hostSleep = (proto) => proto.register('t', 'sleep', (ms) => new Promise((r) => setTimeout(() => r(ms), ms)));
const WAITER = `import * as t from 'host:t';
  function handler(event) { return { slept: t.sleep(event.ms) }; }`;

test('no options: no monitor; a 200 ms busy handler completes', async () => {
  const sandbox = await loaded({ busy: BUSY });
  assert.equal(await sandbox.callHandler('busy', { ms: 200 }), 200);
  assert.equal(sandbox.lastCallStats.terminatedBy, null);
  assert.equal(await sandbox.callHandler('busy', { ms: 200 }, {}), 200);
  assert.equal(sandbox.lastCallStats.terminatedBy, null);
  await sandbox.unload();
});

test('wallClockTimeoutMs alone stops a busy loop and poisons the sandbox', async () => {
  const sandbox = await loaded({ spin: SPIN, echo: ECHO });
  await assert.rejects(sandbox.callHandler('spin', {}, { wallClockTimeoutMs: 100 }), apiError('ERR_CANCELLED'));
  assert.equal(sandbox.lastCallStats.terminatedBy, 'wall-clock');
  assert.equal(sandbox.poisoned, true);
  await assert.rejects(sandbox.callHandler('echo', 1), apiError('ERR_POISONED'));
  await sandbox.unload();
});

test('cpuTimeoutMs alone stops a busy loop', async () => {
  const sandbox = await loaded({ spin: SPIN, echo: ECHO });
  await assert.rejects(sandbox.callHandler('spin', {}, { cpuTimeoutMs: 100 }), apiError('ERR_CANCELLED'));
  assert.equal(sandbox.lastCallStats.terminatedBy, 'cpu-time');
  assert.equal(sandbox.poisoned, true);
  await assert.rejects(sandbox.callHandler('echo', 1), apiError('ERR_POISONED'));
  await sandbox.unload();
});

test('both set: the CPU monitor fires first for compute-bound work', async () => {
  const sandbox = await loaded({ spin: SPIN });
  await assert.rejects(sandbox.callHandler('spin', {}, { cpuTimeoutMs: 100, wallClockTimeoutMs: 60_000 }), apiError('ERR_CANCELLED'));
  assert.equal(sandbox.lastCallStats.terminatedBy, 'cpu-time');
  await sandbox.unload();
});

test('both set: the wall clock fires for a guest blocked in a slow host function', async () => {
  const sandbox = await loadedWithHost(hostSleep, { waiter: WAITER });
  await assert.rejects(
    // In the test VM the guest may spend 50 ms of CPU before it reaches the host call.
    sandbox.callHandler('waiter', { ms: 2000 * SLOW }, { cpuTimeoutMs: 50 * SLOW, wallClockTimeoutMs: 200 * SLOW }),
    apiError('ERR_CANCELLED'),
  );
  assert.equal(sandbox.lastCallStats.terminatedBy, 'wall-clock');
  assert.equal(sandbox.poisoned, true);
  await sandbox.unload();
});

test('the CPU monitor ignores time the guest spends waiting in a host function', async () => {
  const sandbox = await loadedWithHost(hostSleep, { waiter: WAITER });
  // The host function waits six times the CPU budget: counted, it would blow it.
  const [cpu, wait] = [50 * SLOW, 300 * SLOW];
  const result = await sandbox.callHandler('waiter', { ms: wait }, { cpuTimeoutMs: cpu, wallClockTimeoutMs: 20 * wait });
  assert.deepEqual(result, { slept: wait });
  const stats = sandbox.lastCallStats;
  assert.equal(stats.terminatedBy, null);
  assert.equal(typeof stats.cpuTimeMs, 'number');
  assert.ok(stats.cpuTimeMs < cpu, `guest CPU ${stats.cpuTimeMs} ms should not include the ${wait} ms wait`);
  await sandbox.unload();
});

test('timeouts out of range or not whole are refused, naming the option', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  for (const key of ['wallClockTimeoutMs', 'cpuTimeoutMs']) {
    for (const value of [0, -1, 1.5, NaN, Infinity, -Infinity, 3600001]) {
      await assert.rejects(sandbox.callHandler('counter', {}, { [key]: value }), apiError('ERR_INVALID_ARG', key), `${key}: ${value}`);
    }
    for (const value of ['100', true, null, {}, [], new Number(5)]) {
      await assert.rejects(sandbox.callHandler('counter', {}, { [key]: value }), apiError('ERR_INVALID_ARG', key), `${key}: ${String(value)}`);
    }
  }
  // A bad value for one option is refused even when the other is fine.
  await assert.rejects(
    sandbox.callHandler('counter', {}, { wallClockTimeoutMs: 1000, cpuTimeoutMs: 0 }),
    apiError('ERR_INVALID_ARG', 'cpuTimeoutMs'),
  );
  // None of them ran the handler.
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  assert.equal(sandbox.poisoned, false);
  await sandbox.unload();
});

test('options that are not an object, and gc that is not a boolean, are refused', async () => {
  const sandbox = await loaded({ echo: ECHO });
  for (const options of ['fast', 5, true, [], [{ cpuTimeoutMs: 5 }], () => {}]) {
    await assert.rejects(sandbox.callHandler('echo', 1, options), apiError('ERR_INVALID_ARG', 'options'), String(options));
  }
  for (const gc of ['true', 0, 1, null, {}]) {
    await assert.rejects(sandbox.callHandler('echo', 1, { gc }), apiError('ERR_INVALID_ARG', 'gc'), String(gc));
  }
  assert.equal(await sandbox.callHandler('echo', 2, null), 2);
  await sandbox.unload();
});

test('the extremes 1 and 3600000 are accepted', async () => {
  const sandbox = await loaded({ echo: ECHO });
  const snapshot = await sandbox.snapshot();
  for (const key of ['wallClockTimeoutMs', 'cpuTimeoutMs']) {
    assert.equal(await sandbox.callHandler('echo', 'max', { [key]: 3600000 }), 'max');
    // 1 ms is a legal limit; the call may finish in time or be cancelled, but is never refused.
    try {
      assert.equal(await sandbox.callHandler('echo', 'min', { [key]: 1 }), 'min');
    } catch (err) {
      assert.equal(err.code, 'ERR_CANCELLED', `${key}: 1 gave ${err.code}: ${err.message}`);
      await sandbox.restore(snapshot);
    }
  }
  assert.equal(await sandbox.callHandler('echo', 'both', { wallClockTimeoutMs: 3600000, cpuTimeoutMs: 3600000 }), 'both');
  await sandbox.unload();
});

test('lastCallStats: null before the first call, numbers after a normal call', async () => {
  const sandbox = await loaded({ echo: ECHO });
  assert.equal(sandbox.lastCallStats, null);
  await sandbox.callHandler('echo', 1);
  const stats = sandbox.lastCallStats;
  assert.equal(typeof stats.wallClockMs, 'number');
  assert.equal(typeof stats.cpuTimeMs, 'number');
  assert.ok(Number.isFinite(stats.wallClockMs) && stats.wallClockMs >= 0);
  assert.ok(Number.isFinite(stats.cpuTimeMs) && stats.cpuTimeMs >= 0);
  assert.equal(stats.terminatedBy, null);
  await sandbox.unload();
});

test('lastCallStats is replaced on each call, not accumulated', async () => {
  const sandbox = await loaded({ busy: BUSY, echo: ECHO, spin: SPIN });
  const snapshot = await sandbox.snapshot();
  await sandbox.callHandler('busy', { ms: 1500 });
  const long = sandbox.lastCallStats;
  await sandbox.callHandler('echo', 1);
  const short = sandbox.lastCallStats;
  // Accumulated stats would be at least the previous call's.
  assert.ok(short.wallClockMs < long.wallClockMs, `${short.wallClockMs} ms after ${long.wallClockMs} ms`);
  assert.ok(short.cpuTimeMs < long.cpuTimeMs, `${short.cpuTimeMs} ms CPU after ${long.cpuTimeMs} ms`);

  await assert.rejects(sandbox.callHandler('spin', {}, { cpuTimeoutMs: 50 }), apiError('ERR_CANCELLED'));
  assert.equal(sandbox.lastCallStats.terminatedBy, 'cpu-time');
  await sandbox.restore(snapshot);
  await sandbox.callHandler('echo', 1);
  assert.equal(sandbox.lastCallStats.terminatedBy, null);
  await sandbox.unload();
});

test('lastCallStats is set when the handler throws', async () => {
  const sandbox = await loaded({ thrower: 'function handler() { throw new Error("nope"); }' });
  await assert.rejects(sandbox.callHandler('thrower', {}), apiError('ERR_GUEST_ABORT', 'nope'));
  const stats = sandbox.lastCallStats;
  assert.notEqual(stats, null);
  assert.equal(typeof stats.wallClockMs, 'number');
  assert.equal(stats.terminatedBy, null);
  await sandbox.unload();
});

test('interruptHandle.kill() when idle returns false and does no harm', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  const handle = sandbox.interruptHandle;
  assert.equal(handle.kill(), false);
  assert.equal(sandbox.poisoned, false);
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  assert.equal(handle.kill(), false); // after a call, too
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  assert.equal(sandbox.poisoned, false);
  await sandbox.unload();
});

test('interruptHandle.kill() from a timer stops a busy handler', { timeout: 60_000 }, async () => {
  const killed = [];
  let handle;
  // The guest calls t.started() once it runs; the timer set there fires while it spins.
  const register = (proto) => proto.register('t', 'started', () => {
    setTimeout(() => killed.push(handle.kill()), 50);
  });
  const sandbox = await loadedWithHost(register, {
    spin: `import * as t from 'host:t';
      function handler() { t.started(); let x = 0; for (;;) { x = (x * 31 + 7) % 1000003; } }`,
    echo: ECHO,
  });
  handle = sandbox.interruptHandle; // obtained before the call
  const snapshot = await sandbox.snapshot();
  await assert.rejects(sandbox.callHandler('spin', {}), apiError('ERR_CANCELLED'));
  assert.deepEqual(killed, [true]);
  assert.equal(sandbox.lastCallStats.terminatedBy, 'kill');
  assert.equal(sandbox.poisoned, true);
  await assert.rejects(sandbox.callHandler('echo', 1), apiError('ERR_POISONED'));

  // The same handle keeps working after a restore.
  await sandbox.restore(snapshot);
  assert.equal(await sandbox.callHandler('echo', 1), 1);
  await assert.rejects(sandbox.callHandler('spin', {}), apiError('ERR_CANCELLED'));
  assert.deepEqual(killed, [true, true]);
  assert.equal(handle.kill(), false);
  await sandbox.unload();
});

test('interruptHandle.kill() from a plain setTimeout stops an unmonitored busy handler', { timeout: 60_000 }, async () => {
  const sandbox = await loaded({ busy: BUSY });
  const handle = sandbox.interruptHandle;
  let result;
  const timer = setTimeout(() => { result = handle.kill(); }, 300);
  await assert.rejects(sandbox.callHandler('busy', { ms: 30_000 }), apiError('ERR_CANCELLED'));
  clearTimeout(timer);
  assert.equal(result, true);
  assert.equal(sandbox.lastCallStats.terminatedBy, 'kill');
  await sandbox.unload();
});

test('a timeout or an abort that fires as the call is starting still stops it', async () => {
  // A 1 ms limit fires while the call is still being set up, before the guest
  // runs user code. Hyperlight forgets a kill that lands before its guest call
  // starts; the micro-VM backend repeats it until the call is over. A kill
  // that was lost would show as ERR_INTERNAL after the kill grace.
  const sandbox = await loaded({ spin: SPIN, echo: ECHO });
  const snap = await sandbox.snapshot();
  for (let i = 0; i < 20; i++) {
    await assert.rejects(sandbox.callHandler('spin', {}, { wallClockTimeoutMs: 1 }), apiError('ERR_CANCELLED'), `round ${i}`);
    await sandbox.restore(snap);
    await assert.rejects(sandbox.callHandler('spin', {}, { signal: AbortSignal.timeout(1) }), apiError('ERR_CANCELLED'), `round ${i}, abort`);
    await sandbox.restore(snap);
  }
  assert.equal(await sandbox.callHandler('echo', 7), 7);
});

'use strict';
// snapshot() and restore(): what a snapshot captures, recovering from a
// poisoned sandbox, isolation between snapshots, and argument checks.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Snapshot } = require('../lib');
const { runtime, loaded, loadedWithHost, apiError, COUNTER, SPIN } = require('./helpers');

test('a snapshot captures handler state; restore() rolls it back', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  const snapshot = await sandbox.snapshot();
  assert.ok(snapshot instanceof Snapshot);
  assert.equal(await sandbox.callHandler('counter', {}), 3);
  assert.equal(await sandbox.callHandler('counter', {}), 4);
  await sandbox.restore(snapshot);
  assert.equal(await sandbox.callHandler('counter', {}), 3);
  await sandbox.unload();
});

test('a snapshot captures module state too', async () => {
  const js = await runtime();
  js.addModule('store', 'const items = []; export function push(x) { items.push(x); return items.slice(); }');
  js.addHandler('push', `import { push } from 'user:store';
    function handler(event) { return push(event); }`);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('push', 'a'), ['a']);
  const snapshot = await sandbox.snapshot();
  assert.deepEqual(await sandbox.callHandler('push', 'b'), ['a', 'b']);
  await sandbox.restore(snapshot);
  assert.deepEqual(await sandbox.callHandler('push', 'c'), ['a', 'c']);
  await sandbox.unload();
});

test('restore() clears poisoning after a kill', async () => {
  const sandbox = await loaded({ counter: COUNTER, spin: SPIN });
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  const snapshot = await sandbox.snapshot();
  await assert.rejects(sandbox.callHandler('spin', {}, { wallClockTimeoutMs: 50 }), apiError('ERR_CANCELLED'));
  assert.equal(sandbox.poisoned, true);
  await assert.rejects(sandbox.callHandler('counter', {}), apiError('ERR_POISONED'));
  await sandbox.restore(snapshot);
  assert.equal(sandbox.poisoned, false);
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  await sandbox.unload();
});

test('restore() after a kill, ten times in a row from the same snapshot', async () => {
  const sandbox = await loaded({ counter: COUNTER, spin: SPIN });
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  const snapshot = await sandbox.snapshot();
  for (let i = 0; i < 10; i++) {
    assert.equal(await sandbox.callHandler('counter', {}), 2, `round ${i}`);
    const limits = i % 2 ? { cpuTimeoutMs: 30 } : { wallClockTimeoutMs: 30 };
    await assert.rejects(sandbox.callHandler('spin', {}, limits), apiError('ERR_CANCELLED'), `round ${i}`);
    assert.equal(sandbox.poisoned, true, `round ${i}`);
    await sandbox.restore(snapshot);
    assert.equal(sandbox.poisoned, false, `round ${i}`);
  }
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  await sandbox.unload();
});

test('restore() without a kill can also be repeated', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  const snapshot = await sandbox.snapshot();
  for (let i = 0; i < 5; i++) {
    await sandbox.restore(snapshot);
    await sandbox.restore(snapshot); // twice in a row, nothing in between
    assert.equal(await sandbox.callHandler('counter', {}), 1, `round ${i}`);
    assert.equal(await sandbox.callHandler('counter', {}), 2, `round ${i}`);
  }
  await sandbox.unload();
});

test('two snapshots at different states each restore their own state', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  const atOne = await sandbox.snapshot();
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  assert.equal(await sandbox.callHandler('counter', {}), 3);
  const atThree = await sandbox.snapshot();
  assert.equal(await sandbox.callHandler('counter', {}), 4);

  await sandbox.restore(atOne);
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  await sandbox.restore(atThree);
  assert.equal(await sandbox.callHandler('counter', {}), 4);
  await sandbox.restore(atOne);
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  await sandbox.restore(atThree);
  assert.equal(await sandbox.callHandler('counter', {}), 4);
  await sandbox.unload();
});

test('a snapshot taken after a restore captures the restored state', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  const zero = await sandbox.snapshot();
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  await sandbox.restore(zero);
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  const two = await sandbox.snapshot();
  assert.equal(await sandbox.callHandler('counter', {}), 3);
  await sandbox.restore(two);
  assert.equal(await sandbox.callHandler('counter', {}), 3);
  await sandbox.unload();
});

test('a snapshot from another sandbox is refused with ERR_INVALID_ARG', async () => {
  const a = await loaded({ counter: COUNTER });
  const b = await loaded({ counter: COUNTER });
  assert.equal(await b.callHandler('counter', {}), 1);
  const fromB = await b.snapshot();
  assert.equal(await a.callHandler('counter', {}), 1);
  await assert.rejects(async () => a.restore(fromB), apiError('ERR_INVALID_ARG', 'different sandbox'));
  // Neither sandbox was changed.
  assert.equal(a.poisoned, false);
  assert.equal(await a.callHandler('counter', {}), 2);
  assert.equal(await b.callHandler('counter', {}), 2);
  await a.unload();
  await b.unload();
});

test('restore() with something that is not a snapshot is refused with ERR_INVALID_ARG', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  const notSnapshots = [undefined, null, 5, 'snapshot', {}, [], sandbox.interruptHandle, sandbox];
  for (const value of notSnapshots) {
    await assert.rejects(async () => sandbox.restore(value), apiError('ERR_INVALID_ARG', 'Snapshot'), String(value));
  }
  await assert.rejects(async () => sandbox.restore(), apiError('ERR_INVALID_ARG', 'Snapshot'), 'no argument');
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  await sandbox.unload();
});

test('snapshot() and restore() after unload() reject with ERR_CONSUMED', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  const snapshot = await sandbox.snapshot();
  await sandbox.unload();
  await assert.rejects(async () => sandbox.snapshot(), apiError('ERR_CONSUMED', 'unload'));
  await assert.rejects(async () => sandbox.restore(snapshot), apiError('ERR_CONSUMED', 'unload'));
});

test('host-side state is not rolled back by restore()', async () => {
  let callCount = 0;
  const sandbox = await loadedWithHost(
    (proto) => proto.register('stats', 'hit', () => ++callCount),
    {
      handler: `import * as stats from "host:stats";
        function handler() { return { count: stats.hit() }; }`,
    },
  );
  const snapshot = await sandbox.snapshot();
  assert.deepEqual(await sandbox.callHandler('handler', {}), { count: 1 });
  assert.deepEqual(await sandbox.callHandler('handler', {}), { count: 2 });
  await sandbox.restore(snapshot);
  assert.equal(callCount, 2);
  assert.deepEqual(await sandbox.callHandler('handler', {}), { count: 3 });
  await sandbox.unload();
});

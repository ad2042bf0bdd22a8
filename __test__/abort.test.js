'use strict';
// callHandler(name, event, { signal }): an AbortSignal stops its own call.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { getEventListeners } = require('node:events');

const { loaded, loadedWithHost, apiError, sleep, ECHO, COUNTER, SPIN, BUSY, SLOW } = require('./helpers');

test('aborting a running call cancels it with the reason as cause, poisons the sandbox, and restore() recovers', async () => {
  const sb = await loaded({ spin: SPIN, echo: ECHO });
  const snap = await sb.snapshot();
  const controller = new AbortController();
  const reason = new Error('the client went away');
  const call = sb.callHandler('spin', {}, { signal: controller.signal });
  await sleep(50);
  controller.abort(reason);
  await assert.rejects(call, (err) => {
    apiError('ERR_CANCELLED', 'AbortSignal')(err);
    assert.equal(err.cause, reason);
    return true;
  });
  assert.equal(sb.poisoned, true);
  assert.equal(sb.lastCallStats.terminatedBy, 'abort');
  await assert.rejects(sb.callHandler('echo', 1), apiError('ERR_POISONED'));
  await sb.restore(snap);
  assert.equal(await sb.callHandler('echo', 2), 2);
});

test('an already-aborted signal rejects before the guest runs and poisons nothing', async () => {
  const sb = await loaded({ counter: COUNTER });
  const controller = new AbortController();
  controller.abort('stop');
  await assert.rejects(sb.callHandler('counter', {}, { signal: controller.signal }), (err) => {
    apiError('ERR_CANCELLED', 'already aborted')(err);
    assert.equal(err.cause, 'stop');
    return true;
  });
  assert.equal(sb.poisoned, false);
  assert.equal(sb.lastCallStats, null, 'no call ran');
  // The guest never saw the aborted call: the counter starts at 1.
  assert.equal(await sb.callHandler('counter', {}), 1);
});

test('aborting a call queued behind another stops only the queued one, which never runs', async () => {
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const sb = await loadedWithHost((proto) => proto.hostModule('gate').register('wait', () => gate), {
    first: "import { wait } from 'host:gate'; function handler() { return wait(); }",
    counter: COUNTER,
  });
  const first = sb.callHandler('first', {});
  const controller = new AbortController();
  const queued = sb.callHandler('counter', {}, { signal: controller.signal });
  await sleep(20);
  controller.abort();
  await assert.rejects(queued, apiError('ERR_CANCELLED', 'not run'));
  release('done');
  assert.equal(await first, 'done', 'the running call was not touched');
  assert.equal(sb.poisoned, false);
  assert.equal(await sb.callHandler('counter', {}), 1, 'the aborted call never ran');
});

test('AbortSignal.timeout() stops a runaway handler; its TimeoutError is the cause', async () => {
  const sb = await loaded({ spin: SPIN });
  await assert.rejects(sb.callHandler('spin', {}, { signal: AbortSignal.timeout(50 * SLOW) }), (err) => {
    assert.equal(err.code, 'ERR_CANCELLED');
    assert.equal(err.cause?.name, 'TimeoutError');
    return true;
  });
  assert.equal(sb.lastCallStats.terminatedBy, 'abort');
});

test('AbortSignal.any() combines a request signal with a deadline', async () => {
  const sb = await loaded({ spin: SPIN });
  const request = new AbortController();
  const call = sb.callHandler('spin', {}, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(3_600_000)]) });
  await sleep(20);
  request.abort('cancelled by the user');
  await assert.rejects(call, (err) => err.code === 'ERR_CANCELLED' && err.cause === 'cancelled by the user');
});

test('a signal aborted after its call finished changes nothing', async () => {
  const sb = await loaded({ counter: COUNTER });
  const controller = new AbortController();
  assert.equal(await sb.callHandler('counter', {}, { signal: controller.signal }), 1);
  controller.abort();
  assert.equal(sb.poisoned, false);
  assert.equal(sb.lastCallStats.terminatedBy, null);
  assert.equal(await sb.callHandler('counter', {}), 2);
});

test('no listener is left on a long-lived signal, over many calls', async () => {
  const sb = await loaded({ echo: ECHO, busy: BUSY });
  const signal = new AbortController().signal;
  const calls = Math.ceil(10_000 / SLOW);
  for (let i = 0; i < calls; i++) {
    assert.equal(await sb.callHandler('echo', i, { signal }), i);
  }
  // And while calls are in flight, one listener each, gone once they settle.
  // (Busy ones: a quick call may be answered before callHandler returns.)
  const inFlight = [1, 2, 3].map((i) => sb.callHandler('busy', { ms: 20 + i }, { signal }));
  assert.equal(getEventListeners(signal, 'abort').length, 3);
  await Promise.all(inFlight);
  assert.equal(getEventListeners(signal, 'abort').length, 0);
});

test('options.signal must be an AbortSignal', async () => {
  const sb = await loaded({ echo: ECHO });
  for (const bad of ['abort', 1, null, {}, { aborted: false }]) {
    await assert.rejects(sb.callHandler('echo', 1, { signal: bad }), apiError('ERR_INVALID_ARG', 'options.signal', 'AbortSignal'));
  }
  assert.equal(sb.poisoned, false);
});

'use strict';
// Bad input: each is refused with its exact code and a message saying what was wrong.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SandboxBuilder, hypervisorProbe } = require('../lib');
const { runtime, loaded, apiError, ECHO, COUNTER, BACKEND, runNode, LIB } = require('./helpers');

const SETTERS = ['setHeapSize', 'setScratchSize', 'setInputBufferSize', 'setOutputBufferSize'];

test('size setters accept whole positive numbers and chain', () => {
  const builder = new SandboxBuilder();
  for (const setter of SETTERS) assert.equal(builder[setter](1 << 20), builder, setter);
  assert.equal(builder.setHeapSize(1).setScratchSize(4096).setInputBufferSize(1e6).setOutputBufferSize(2 ** 20), builder);
});

test('size setters refuse zero, negative, fractional and non-finite sizes', () => {
  // [value, text the message must contain besides the setter name]
  const cases = [
    [0, 'got 0'],
    [-1, 'got -1'],
    [-4096, 'got -4096'],
    [1.5, 'got 1.5'],
    [NaN, 'whole number'],
    [Infinity, 'whole number'],
    [-Infinity, 'whole number'],
  ];
  for (const setter of SETTERS) {
    const builder = new SandboxBuilder();
    for (const [value, text] of cases) {
      assert.throws(() => builder[setter](value), apiError('ERR_INVALID_ARG', setter, text), `${setter}(${value})`);
    }
  }
});

test('size setters refuse absurdly large sizes', () => {
  for (const setter of SETTERS) {
    assert.throws(() => new SandboxBuilder()[setter](1e30), apiError('ERR_INVALID_ARG', setter, 'maximum'));
  }
});

test('size setters refuse values that are not numbers', () => {
  for (const setter of SETTERS) {
    for (const value of ['1024', undefined, null, {}, [1]]) {
      assert.throws(() => new SandboxBuilder()[setter](value), apiError('ERR_INVALID_ARG', setter), `${setter}(${value})`);
    }
  }
});

test('a refused size leaves the builder usable', async () => {
  const builder = new SandboxBuilder();
  assert.throws(() => builder.setHeapSize(0));
  const proto = await builder.setHeapSize(16 << 20).build();
  assert.equal(proto.backend, BACKEND);
});

test("setBackend() is chainable; 'process' gives the process backend, 'auto' the micro-VM only where one really runs", async () => {
  const builder = new SandboxBuilder();
  assert.equal(builder.setBackend('process'), builder);
  const probe = await hypervisorProbe();
  // In children without HYPERLIGHT_JS_BACKEND, so setBackend() decides.
  assert.deepEqual(buildWithEnv('', 'process'), { backend: 'process' });
  assert.deepEqual(buildWithEnv('', 'auto'), { backend: probe.available ? 'hypervisor' : 'process' });
});

test('setBackend() refuses unknown names, naming the value', () => {
  for (const name of ['kvm', '', 'Process', 'AUTO', ' process']) {
    assert.throws(() => new SandboxBuilder().setBackend(name), apiError('ERR_INVALID_ARG', 'setBackend', `'${name}'`), name);
  }
  for (const value of [1, undefined, null]) {
    assert.throws(() => new SandboxBuilder().setBackend(value), apiError('ERR_INVALID_ARG', 'setBackend'));
  }
});

test("setBackend('hypervisor') where micro-VMs cannot run: build() rejects with ERR_INTERNAL naming the problem, never a fallback", async () => {
  const probe = await hypervisorProbe();
  const outcome = buildWithEnv('', 'hypervisor');
  if (probe.available) {
    assert.deepEqual(outcome, { backend: 'hypervisor' });
  } else {
    assert.equal(outcome.code, 'ERR_INTERNAL');
    assert.ok(outcome.message.includes(probe.reason), `${outcome.message} should carry the probe's reason: ${probe.reason}`);
  }
});

/** Runs a small script with HYPERLIGHT_JS_BACKEND set; it prints the build outcome as JSON. */
function buildWithEnv(envValue, setBackend) {
  const script = `
    const { SandboxBuilder } = require(${LIB});
    const b = new SandboxBuilder();
    ${setBackend ? `b.setBackend(${JSON.stringify(setBackend)});` : ''}
    b.build().then(
      (p) => console.log(JSON.stringify({ backend: p.backend })),
      (e) => console.log(JSON.stringify({ code: e.code, message: e.message })),
    );`;
  // '' counts as unset, so setBackend() decides.
  const r = runNode(script, { env: { HYPERLIGHT_JS_BACKEND: envValue }, timeout: 30_000 });
  return JSON.parse(r.stdout);
}

test('HYPERLIGHT_JS_BACKEND overrides setBackend()', async () => {
  const probe = await hypervisorProbe();
  const forced = buildWithEnv('hypervisor', 'process');
  if (probe.available) {
    assert.deepEqual(forced, { backend: 'hypervisor' });
  } else {
    assert.equal(forced.code, 'ERR_INTERNAL');
    assert.match(forced.message, /hypervisor/);
  }
  assert.deepEqual(buildWithEnv('process', 'hypervisor'), { backend: 'process' });
  assert.deepEqual(buildWithEnv('auto', 'hypervisor'), { backend: probe.available ? 'hypervisor' : 'process' });
});

test('a bad HYPERLIGHT_JS_BACKEND is refused, naming the variable; an empty one is ignored', () => {
  const bad = buildWithEnv('kvm', 'process');
  assert.equal(bad.code, 'ERR_INVALID_ARG');
  assert.ok(bad.message.includes('HYPERLIGHT_JS_BACKEND') && bad.message.includes('kvm'), bad.message);
  assert.deepEqual(buildWithEnv('', 'process'), { backend: 'process' });
});

test('handler names must be non-empty strings', async () => {
  const js = await runtime();
  for (const name of ['', '   ']) {
    assert.throws(() => js.addHandler(name, ECHO), apiError('ERR_INVALID_ARG', 'handler name'), `add ${JSON.stringify(name)}`);
    assert.throws(() => js.removeHandler(name), apiError('ERR_INVALID_ARG', 'handler name'), `remove ${JSON.stringify(name)}`);
  }
  assert.throws(() => js.addHandler(42, ECHO), apiError('ERR_INVALID_ARG', 'addHandler'));
  assert.throws(() => js.addHandler('ok', undefined), apiError('ERR_INVALID_ARG', 'addHandler'));
  assert.throws(() => js.removeHandler(null), apiError('ERR_INVALID_ARG', 'removeHandler'));
});

test('callHandler() refuses unknown and malformed handler names', async () => {
  const sandbox = await loaded({ echo: ECHO, other: ECHO });
  await assert.rejects(sandbox.callHandler('missing', {}), apiError('ERR_INVALID_ARG', 'missing', 'echo'));
  await assert.rejects(sandbox.callHandler('', {}), apiError('ERR_INVALID_ARG', 'handler name'));
  await assert.rejects(sandbox.callHandler(undefined, {}), apiError('ERR_INVALID_ARG', 'handler name'));
  await assert.rejects(sandbox.callHandler(7, {}), apiError('ERR_INVALID_ARG', 'handler name'));
  assert.equal(await sandbox.callHandler('echo', 'still fine'), 'still fine');
  await sandbox.unload();
});

test('callHandler() called on something other than a LoadedJSSandbox rejects, naming what it got', async () => {
  const sandbox = await loaded({ echo: ECHO });
  const { callHandler } = Object.getPrototypeOf(sandbox);
  for (const [receiver, shown] of [[{}, 'an object'], [undefined, 'undefined'], [await runtime(), 'an object']]) {
    await assert.rejects(callHandler.call(receiver, 'echo', {}), apiError('ERR_INVALID_ARG', 'LoadedJSSandbox', shown));
  }
  assert.equal(await callHandler.call(sandbox, 'echo', 1), 1);
  sandbox.dispose();
});

test('events JSON cannot carry are refused before they reach the guest', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  const cyclic = { name: 'loop' };
  cyclic.self = cyclic;
  const cases = [
    [10n, 'BigInt'],
    [{ nested: { deep: [1, 2n] } }, 'BigInt'],
    [cyclic, 'circular'],
    [[cyclic], 'circular'],
    [() => 1, 'function'],
    [Symbol('s'), 'symbol'],
    [undefined, 'undefined'],
  ];
  for (const [event, text] of cases) {
    await assert.rejects(sandbox.callHandler('counter', event), apiError('ERR_INVALID_ARG', 'event', text), text);
  }
  // None of them ran the handler: the counter is untouched.
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  assert.equal(sandbox.poisoned, false);
  await sandbox.unload();
});

test('callHandler() options: gc must be a boolean, options an object', async () => {
  const sandbox = await loaded({ echo: ECHO });
  assert.equal(await sandbox.callHandler('echo', 1, { gc: true }), 1);
  assert.equal(await sandbox.callHandler('echo', 2, { gc: false }), 2);
  assert.equal(await sandbox.callHandler('echo', 3, {}), 3);
  assert.equal(await sandbox.callHandler('echo', 4, undefined), 4);
  for (const gc of ['yes', 1, null]) {
    await assert.rejects(sandbox.callHandler('echo', 1, { gc }), apiError('ERR_INVALID_ARG', 'options.gc'), String(gc));
  }
  for (const options of ['fast', 5, [true]]) {
    await assert.rejects(sandbox.callHandler('echo', 1, options), apiError('ERR_INVALID_ARG', 'options'), String(options));
  }
  await sandbox.unload();
});

test('an event larger than the input buffer is refused, naming both sizes', async () => {
  const sandbox = await loaded({ length: 'function handler(e) { return e.length; }' }, (b) => b.setInputBufferSize(1024));
  // A JSON string is its characters plus two quotes: 1022 + 2 = 1024 bytes fits exactly.
  assert.equal(await sandbox.callHandler('length', 'x'.repeat(1022)), 1022);
  await assert.rejects(
    sandbox.callHandler('length', 'x'.repeat(1023)),
    apiError('ERR_INVALID_ARG', '1025', '1024', 'setInputBufferSize'),
  );
  // Sizes are UTF-8 bytes, not characters: 600 'é' are 1200 bytes.
  await assert.rejects(sandbox.callHandler('length', 'é'.repeat(600)), apiError('ERR_INVALID_ARG', '1202', '1024'));
  assert.equal(sandbox.poisoned, false);
  assert.equal(await sandbox.callHandler('length', 'ok'), 2);
  await sandbox.unload();
});

test('a result larger than the output buffer is refused, naming both sizes', async () => {
  const sandbox = await loaded({ make: 'function handler(n) { return "y".repeat(n); }' }, (b) => b.setOutputBufferSize(1024));
  assert.equal((await sandbox.callHandler('make', 1022)).length, 1022);
  await assert.rejects(sandbox.callHandler('make', 5000), apiError('ERR_INVALID_ARG', '5002', '1024', 'setOutputBufferSize'));
  assert.equal(sandbox.poisoned, false);
  assert.equal(await sandbox.callHandler('make', 3), 'yyy');
  await sandbox.unload();
});

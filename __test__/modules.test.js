'use strict';
// User modules: addModule() and importing from handlers and other modules,
// namespaces, built-ins, shared state, lifecycle and validation.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SandboxBuilder } = require('../lib');
const { runtime, apiError } = require('./helpers');

const MATH = `export function add(a, b) { return a + b; }
  export function multiply(a, b) { return a * b; }`;
const COUNTER_MODULE = `let count = 0;
  export function increment() { return ++count; }
  export function getCount() { return count; }`;
const IMPORT_MATH = `import { add, multiply } from 'user:math';
  function handler(event) { return { sum: add(event.a, event.b), product: multiply(event.a, event.b) }; }`;

test('a handler imports a module added with addModule()', async () => {
  const js = await runtime();
  js.addModule('math', MATH);
  js.addHandler('handler', IMPORT_MATH);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('handler', { a: 6, b: 7 }), { sum: 13, product: 42 });
  await sandbox.unload();
});

test('modules may import each other, registered in any order', async () => {
  const js = await runtime();
  js.addModule('geometry', `import { PI } from 'user:constants';
    import { multiply } from 'user:math';
    export function circleArea(r) { return multiply(PI, r * r); }`);
  js.addModule('constants', 'export const PI = 3.14159;');
  js.addModule('math', MATH);
  js.addHandler('area', `import { circleArea } from 'user:geometry';
    function handler(event) { return circleArea(event.r); }`);
  const sandbox = await js.getLoadedSandbox();
  assert.equal(await sandbox.callHandler('area', { r: 2 }), 3.14159 * 4);
  await sandbox.unload();
});

test('a custom namespace is imported as <namespace>:<name>', async () => {
  const js = await runtime();
  js.addModule('utils', 'export function greet(n) { return "hi " + n; }', 'mylib');
  js.addModule('utils', 'export function greet(n) { return "hello " + n; }'); // same name, 'user' namespace
  js.addHandler('h', `import { greet } from 'mylib:utils';
    import { greet as userGreet } from 'user:utils';
    function handler(event) { return [greet(event), userGreet(event)]; }`);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('h', 'Ada'), ['hi Ada', 'hello Ada']);
  await sandbox.unload();
});

test('handlers and user modules can import built-in modules (crypto)', async () => {
  const js = await runtime();
  js.addModule('hmac', `import { createHmac } from 'crypto';
    export const kind = typeof createHmac;`);
  js.addHandler('h', `import { createHmac } from 'crypto';
    import { kind } from 'user:hmac';
    function handler() { return [typeof createHmac, kind]; }`);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('h', {}), ['function', 'function']);
  await sandbox.unload();
});

test('a user module can import host modules; handlers use it', async () => {
  const proto = await new SandboxBuilder().build();
  const rows = { users: [{ id: 1, name: 'Ada' }] };
  proto.register('db', 'query', async (table) => rows[table] ?? []);
  const js = await proto.loadRuntime();
  js.addModule('repo', `import * as db from 'host:db';
    export function names(table) { return db.query(table).map((r) => r.name); }`);
  js.addHandler('h', `import { names } from 'user:repo';
    function handler(event) { return names(event.table); }`);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('h', { table: 'users' }), ['Ada']);
  assert.deepEqual(await sandbox.callHandler('h', { table: 'none' }), []);
  await sandbox.unload();
});

test('module state is shared between handlers (writer/reader: 1, 1, 2, 2)', async () => {
  const js = await runtime();
  js.addModule('counter', COUNTER_MODULE);
  js.addHandler('writer', `import { increment } from 'user:counter';
    function handler(event) { event.count = increment(); return event; }`);
  js.addHandler('reader', `import { getCount } from 'user:counter';
    function handler(event) { event.count = getCount(); return event; }`);
  const sandbox = await js.getLoadedSandbox();
  const seen = [];
  for (const name of ['writer', 'reader', 'writer', 'reader']) seen.push((await sandbox.callHandler(name, {})).count);
  assert.deepEqual(seen, [1, 1, 2, 2]);
  await sandbox.unload();
});

test('module state persists across calls and resets on restore()', async () => {
  const js = await runtime();
  js.addModule('counter', COUNTER_MODULE);
  js.addHandler('inc', `import { increment } from 'user:counter';
    function handler() { return increment(); }`);
  const sandbox = await js.getLoadedSandbox();
  const snapshot = await sandbox.snapshot();
  assert.equal(await sandbox.callHandler('inc', {}), 1);
  assert.equal(await sandbox.callHandler('inc', {}), 2);
  assert.equal(await sandbox.callHandler('inc', {}, { gc: false }), 3);
  await sandbox.restore(snapshot);
  assert.equal(await sandbox.callHandler('inc', {}), 1);
  await sandbox.unload();
});

test('unload() clears handlers and modules', async () => {
  const js = await runtime();
  js.addModule('math', MATH);
  js.addModule('counter', COUNTER_MODULE);
  js.addHandler('handler', IMPORT_MATH);
  js.addHandler('inc', "import { increment } from 'user:counter'; function handler() { return increment(); }");
  const sandbox = await js.getLoadedSandbox();
  assert.equal(await sandbox.callHandler('inc', {}), 1);

  const again = await sandbox.unload();
  await assert.rejects(async () => again.getLoadedSandbox(), apiError('ERR_INVALID_ARG', 'no handlers'));
  again.addHandler('handler', IMPORT_MATH);
  await assert.rejects(async () => again.getLoadedSandbox(), apiError('ERR_INVALID_ARG', "'handler'", 'user:math'));
  // New versions can be registered; module state starts over.
  again.addModule('math', 'export const add = (a, b) => a - b; export const multiply = () => 0;');
  again.addModule('counter', COUNTER_MODULE);
  again.addHandler('inc', "import { increment } from 'user:counter'; function handler() { return increment(); }");
  const reloaded = await again.getLoadedSandbox();
  assert.deepEqual(await reloaded.callHandler('handler', { a: 6, b: 7 }), { sum: -1, product: 0 });
  assert.equal(await reloaded.callHandler('inc', {}), 1);
  await reloaded.unload();
});

test('a missing module is named; the JSSandbox stays usable for a fix and retry', async () => {
  const js = await runtime();
  js.addHandler('handler', IMPORT_MATH);
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', "'handler'", 'user:math'));
  js.addModule('math', MATH, 'lib'); // the wrong namespace is still missing
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', 'user:math'));
  assert.equal(js.poisoned, false);
  js.addModule('math', MATH);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('handler', { a: 2, b: 3 }), { sum: 5, product: 6 });
  await sandbox.unload();
});

test('a module with a syntax error fails getLoadedSandbox(); replacing it and retrying works', async () => {
  const js = await runtime();
  js.addModule('math', 'export function add(a, b) { return a +; }');
  js.addHandler('handler', IMPORT_MATH);
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', "'handler'"));
  js.removeModule('math');
  js.addModule('math', MATH);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('handler', { a: 1, b: 1 }), { sum: 2, product: 1 });
  await sandbox.unload();
});

test('addModule() validation: each rule is refused with ERR_INVALID_ARG, saying which', async () => {
  const js = await runtime();
  js.addModule('a', 'export const x = 1;');
  js.addModule('a', 'export const x = 2;', 'other');
  const cases = [
    [() => js.addModule('', 'export {}'), 'name must not be empty'],
    [() => js.addModule('b', 'export {}', ''), 'namespace must not be empty'],
    [() => js.addModule('a:b', 'export {}'), "'a:b'", "must not contain ':'"],
    [() => js.addModule('b', 'export {}', 'n:s'), "'n:s'", "must not contain ':'"],
    [() => js.addModule('b', 'export {}', 'host'), "'host'", 'reserved'],
    [() => js.addModule('a', 'export {}'), "'user:a'", 'already registered'],
    [() => js.addModule('a', 'export {}', 'user'), "'user:a'", 'already registered'],
    [() => js.addModule('a', 'export {}', 'other'), "'other:a'", 'already registered'],
  ];
  for (const [call, ...parts] of cases) assert.throws(call, apiError('ERR_INVALID_ARG', ...parts), parts.join(' '));
  // None of the refusals changed what is registered.
  js.addHandler('h', `import { x } from 'user:a'; import { x as y } from 'other:a';
    function handler() { return [x, y]; }`);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('h', {}), [1, 2]);
  await sandbox.unload();
});

test('removeModule() then adding it again replaces the module', async () => {
  const js = await runtime();
  js.addModule('v', 'export const version = 1;');
  js.addModule('v', 'export const version = "lib-1";', 'lib');
  js.removeModule('v');
  js.addModule('v', 'export const version = 2;');
  js.removeModule('v', 'lib');
  js.addModule('v', 'export const version = "lib-2";', 'lib');
  js.addHandler('h', `import { version } from 'user:v'; import { version as lib } from 'lib:v';
    function handler() { return [version, lib]; }`);
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('h', {}), [2, 'lib-2']);
  await sandbox.unload();
});

test('removeModule() makes an import fail; other modules stay', async () => {
  const js = await runtime();
  js.addModule('math', MATH);
  js.addModule('keep', 'export const k = "kept";');
  js.removeModule('math');
  js.addHandler('handler', IMPORT_MATH);
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', 'user:math'));
  js.addHandler('handler', "import { k } from 'user:keep'; function handler() { return k; }");
  const sandbox = await js.getLoadedSandbox();
  assert.equal(await sandbox.callHandler('handler', {}), 'kept');
  await sandbox.unload();
});

test('clearModules() removes every module, in every namespace', async () => {
  const js = await runtime();
  js.addModule('math', MATH);
  js.addModule('utils', 'export const u = 1;', 'mylib');
  js.clearModules();
  js.addHandler('handler', IMPORT_MATH);
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', 'user:math'));
  js.addHandler('handler', "import { u } from 'mylib:utils'; function handler() { return u; }");
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', 'mylib:utils'));
  // Names are free again after clearModules().
  js.addModule('utils', 'export const u = 2;', 'mylib');
  js.addModule('math', MATH);
  const sandbox = await js.getLoadedSandbox();
  assert.equal(await sandbox.callHandler('handler', {}), 2);
  await sandbox.unload();
});

test('module methods on a consumed JSSandbox throw ERR_CONSUMED', async () => {
  const js = await runtime();
  js.addHandler('h', 'function handler() { return 1; }');
  const sandbox = await js.getLoadedSandbox();
  const consumed = apiError('ERR_CONSUMED');
  assert.throws(() => js.addModule('m', 'export {}'), consumed);
  assert.throws(() => js.removeModule('m'), consumed);
  assert.throws(() => js.clearModules(), consumed);
  await sandbox.unload();
});

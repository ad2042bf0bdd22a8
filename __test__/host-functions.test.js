'use strict';
// Host functions: guest code calling back into Node, sync and async, errors,
// registration rules, and how they behave with monitors and restore().

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SandboxBuilder, HostModule } = require('../lib');
const { loadedWithHost, apiError, sleep } = require('./helpers');

/** A handler that calls `<module>.<fn>(...event.args)` and returns the value or the caught error. */
const CALLER = (module) => `import * as m from 'host:${module}';
  function handler(event) {
    try { return { value: m[event.fn](...(event.args || [])) }; }
    catch (e) { return { error: String(e.message) }; }
  }`;

test('a sync host function gets its arguments spread (math.add)', async () => {
  const seen = [];
  const sandbox = await loadedWithHost(
    (proto) => {
      proto.hostModule('math').register('add', (a, b) => a + b);
      proto.hostModule('t').register('args', (...args) => { seen.push(args); return args.length; });
    },
    {
      add: `import * as math from "host:math";
        function handler(event) { return { result: math.add(event.a, event.b) }; }`,
      args: `import * as t from "host:t";
        function handler() { return [t.args(), t.args(1, 'two', [3], { four: 4 }, null, true)]; }`,
    },
  );
  assert.deepEqual(await sandbox.callHandler('add', { a: 10, b: 32 }), { result: 42 });
  assert.deepEqual(await sandbox.callHandler('add', { a: 'x', b: 'y' }), { result: 'xy' });
  assert.deepEqual(await sandbox.callHandler('args', {}), [0, 6]);
  assert.deepEqual(seen, [[], [1, 'two', [3], { four: 4 }, null, true]]);
  await sandbox.unload();
});

test('HostModule.register() is chainable; proto.register() is the shorthand', async () => {
  const sandbox = await loadedWithHost(
    (proto) => {
      const math = proto.hostModule('math');
      assert.ok(math instanceof HostModule);
      assert.equal(math.name, 'math');
      assert.equal(math.register('add', (a, b) => a + b).register('multiply', (a, b) => a * b), math);
      assert.equal(proto.register('strings', 'upper', (s) => s.toUpperCase()), undefined);
      proto.hostModule('math').register('negate', (a) => -a); // a second builder adds to the same module
    },
    {
      h: `import * as math from 'host:math';
        import * as strings from 'host:strings';
        function handler(e) { return [math.add(2, 3), math.multiply(4, 5), math.negate(6), strings.upper(e)]; }`,
    },
  );
  assert.deepEqual(await sandbox.callHandler('h', 'hi'), [5, 20, -6, 'HI']);
  await sandbox.unload();
});

test('an async host function (fetchUser) is awaited; the guest sees a plain value', async () => {
  const users = new Map([[1, { id: 1, name: 'Ada' }]]);
  const sandbox = await loadedWithHost(
    (proto) => proto.hostModule('api').register('fetchUser', async (id) => {
      await sleep(20); // a stand-in for I/O
      if (!users.has(id)) throw new Error(`no user ${id}`);
      return users.get(id);
    }),
    {
      profile: `import * as api from 'host:api';
        function handler(event) {
          try { const user = api.fetchUser(event.id); return { name: user.name, upper: user.name.toUpperCase() }; }
          catch (e) { return { error: e.message }; }
        }`,
    },
  );
  assert.deepEqual(await sandbox.callHandler('profile', { id: 1 }), { name: 'Ada', upper: 'ADA' });
  const missing = await sandbox.callHandler('profile', { id: 7 });
  assert.ok(missing.error.includes('no user 7'), missing.error);
  await sandbox.unload();
});

test('the event loop keeps running while an async host function awaits', async () => {
  let ticks = 0;
  const interval = setInterval(() => { ticks += 1; }, 5);
  try {
    const sandbox = await loadedWithHost(
      (proto) => proto.register('t', 'wait', async (ms) => {
        const start = ticks;
        await sleep(ms);
        return ticks - start;
      }),
      { h: CALLER('t') },
    );
    const before = ticks;
    const { value } = await sandbox.callHandler('h', { fn: 'wait', args: [200] });
    assert.ok(value > 0, `the interval ticked ${value} times while the host function awaited`);
    assert.ok(ticks > before);
    await sandbox.unload();
  } finally {
    clearInterval(interval);
  }
});

test('a sync throw and an async rejection are errors the guest can catch', async () => {
  const sandbox = await loadedWithHost(
    (proto) => proto.hostModule('auth')
      .register('validate', (token) => { if (!token) throw new Error('Token is required'); return { valid: true }; })
      .register('check', async (token) => { await sleep(5); if (!token) throw new Error('async token missing'); return 'ok'; })
      .register('rejects', () => Promise.reject(new TypeError('plain rejection')))
      .register('throwsString', () => { throw 'a bare string'; }), // eslint-disable-line no-throw-literal
    { h: CALLER('auth') },
  );
  const cases = [
    ['validate', [], 'Token is required'],
    ['check', [''], 'async token missing'],
    ['rejects', [], 'plain rejection'],
    ['throwsString', [], 'a bare string'],
  ];
  for (const [fn, args, message] of cases) {
    const out = await sandbox.callHandler('h', { fn, args });
    assert.equal(typeof out.error, 'string', `${fn}: ${JSON.stringify(out)}`);
    assert.ok(out.error.includes(message), `${fn}: ${out.error}`);
  }
  assert.deepEqual(await sandbox.callHandler('h', { fn: 'validate', args: ['t'] }), { value: { valid: true } });
  assert.deepEqual(await sandbox.callHandler('h', { fn: 'check', args: ['t'] }), { value: 'ok' });
  await sandbox.unload();
});

test('an uncaught host function error fails the call with ERR_GUEST_ABORT, not the sandbox', async () => {
  const sandbox = await loadedWithHost(
    (proto) => proto.register('t', 'boom', () => { throw new Error('kaboom'); }),
    { h: `import * as t from 'host:t'; function handler() { return t.boom(); }` },
  );
  await assert.rejects(sandbox.callHandler('h', {}), apiError('ERR_GUEST_ABORT', 'kaboom'));
  assert.equal(sandbox.poisoned, false);
  await sandbox.unload();
});

test('a result JSON cannot carry is a catchable guest error; undefined becomes null', async () => {
  const sandbox = await loadedWithHost(
    (proto) => proto.hostModule('t')
      .register('big', () => 1n)
      .register('asyncBig', async () => 2n)
      .register('fn', () => () => 1)
      .register('circular', () => { const o = {}; o.self = o; return o; })
      .register('undef', () => undefined)
      .register('nothing', () => {})
      .register('asyncUndef', async () => undefined),
    { h: CALLER('t') },
  );
  for (const fn of ['big', 'asyncBig', 'fn', 'circular']) {
    const out = await sandbox.callHandler('h', { fn });
    assert.equal(typeof out.error, 'string', `${fn}: ${JSON.stringify(out)}`);
    assert.ok(out.error.includes(`t.${fn}`), `${fn}: ${out.error}`);
  }
  for (const fn of ['undef', 'nothing', 'asyncUndef']) {
    assert.deepEqual(await sandbox.callHandler('h', { fn }), { value: null }, fn);
  }
  assert.equal(sandbox.poisoned, false);
  await sandbox.unload();
});

test('registering the same function twice replaces the first', async () => {
  const sandbox = await loadedWithHost(
    (proto) => {
      proto.register('t', 'f', () => 'first');
      proto.hostModule('t').register('f', () => 'second');
    },
    { h: CALLER('t') },
  );
  assert.deepEqual(await sandbox.callHandler('h', { fn: 'f' }), { value: 'second' });
  await sandbox.unload();
});

test('bad module names, function names and callbacks are refused with ERR_INVALID_ARG', async () => {
  const proto = await new SandboxBuilder().build();
  const ok = () => 1;
  assert.throws(() => proto.hostModule(''), apiError('ERR_INVALID_ARG', 'module name'));
  assert.throws(() => proto.hostModule('a:b'), apiError('ERR_INVALID_ARG', "'a:b'", ':'));
  assert.throws(() => proto.register('', 'f', ok), apiError('ERR_INVALID_ARG', 'module name'));
  assert.throws(() => proto.register('a:b', 'f', ok), apiError('ERR_INVALID_ARG', "'a:b'", ':'));
  const m = proto.hostModule('m');
  assert.throws(() => m.register('', ok), apiError('ERR_INVALID_ARG', 'function name'));
  assert.throws(() => proto.register('m', '', ok), apiError('ERR_INVALID_ARG', 'function name'));
  for (const callback of [undefined, null, 5, 'f', {}]) {
    assert.throws(() => m.register('f', callback), apiError('ERR_INVALID_ARG', 'callback'), String(callback));
    assert.throws(() => proto.register('m', 'f', callback), apiError('ERR_INVALID_ARG', 'callback'), String(callback));
  }
  // The proto sandbox is still usable after the refusals.
  m.register('f', () => 'fine');
  const js = await proto.loadRuntime();
  js.addHandler('h', CALLER('m'));
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('h', { fn: 'f' }), { value: 'fine' });
  await sandbox.unload();
});

test('registering after loadRuntime() throws ERR_CONSUMED', async () => {
  const proto = await new SandboxBuilder().build();
  const m = proto.hostModule('m');
  const js = await proto.loadRuntime();
  const consumed = apiError('ERR_CONSUMED', 'loadRuntime');
  assert.throws(() => proto.hostModule('late'), consumed);
  assert.throws(() => m.register('late', () => 1), consumed);
  assert.throws(() => proto.register('m', 'late', () => 1), consumed);
  js.addHandler('h', 'function handler() { return 1; }');
  await (await js.getLoadedSandbox()).unload();
});

test('an unregistered host function or module fails with a clear message', async () => {
  const proto = await new SandboxBuilder().build();
  proto.register('m', 'known', () => 1);
  const js = await proto.loadRuntime();
  js.addHandler('named', "import { unknown } from 'host:m'; function handler() { return unknown(); }");
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', "'named'", 'unknown', 'host:m'));
  js.removeHandler('named');
  js.addHandler('module', "import * as z from 'host:nomodule'; function handler() { return 1; }");
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', "'module'", 'host:nomodule'));
  js.removeHandler('module');
  js.addHandler('ns', "import * as m from 'host:m'; function handler() { return [m.known(), typeof m.unknown]; }");
  js.addHandler('call', "import * as m from 'host:m'; function handler() { return m.unknown(); }");
  const sandbox = await js.getLoadedSandbox();
  assert.deepEqual(await sandbox.callHandler('ns', {}), [1, 'undefined']);
  await assert.rejects(sandbox.callHandler('call', {}), apiError('ERR_GUEST_ABORT', 'not a function'));
  assert.equal(sandbox.poisoned, false);
  await sandbox.unload();
});

test('200 host calls in one handler call', async () => {
  let calls = 0;
  const sandbox = await loadedWithHost(
    (proto) => proto.register('math', 'add', (a, b) => { calls += 1; return a + b; }),
    {
      sum: `import * as math from 'host:math';
        function handler(event) { let acc = 0; for (let i = 0; i < event.n; i++) acc = math.add(acc, i); return acc; }`,
    },
  );
  assert.equal(await sandbox.callHandler('sum', { n: 200 }), 19900);
  assert.equal(calls, 200);
  assert.equal(await sandbox.callHandler('sum', { n: 200 }), 19900);
  assert.equal(calls, 400);
  await sandbox.unload();
});

test('a wall-clock timeout stops a guest waiting in a slow host function; the late result does not leak', async () => {
  // The test, not a timer, decides when each host call settles, so the order below holds however slow
  // the machine is: 'late' is released only while the next call ('fresh') is already waiting.
  const entered = [];
  const settled = [];
  const pending = new Map();
  const release = (tag) => {
    pending.get(tag)(tag);
    settled.push(tag);
  };
  const sandbox = await loadedWithHost(
    (proto) => proto.register('t', 'slow', (tag) => new Promise((resolve) => {
      entered.push(tag);
      pending.set(tag, resolve);
      if (tag === 'fresh') setImmediate(() => { release('late'); setTimeout(() => release('fresh'), 50); });
      if (tag === 'after') release('after');
    })),
    { h: CALLER('t') },
  );
  const snapshot = await sandbox.snapshot();
  // Long enough for a guest in the slow test VM to reach its host call; the call never settles on its own.
  await assert.rejects(
    sandbox.callHandler('h', { fn: 'slow', args: ['late'] }, { wallClockTimeoutMs: 2000 }),
    apiError('ERR_CANCELLED'),
  );
  assert.deepEqual(entered, ['late'], 'the guest reached its host call before the time limit');
  assert.equal(sandbox.lastCallStats.terminatedBy, 'wall-clock');
  assert.equal(sandbox.poisoned, true);
  await assert.rejects(sandbox.callHandler('h', { fn: 'slow', args: ['x'] }), apiError('ERR_POISONED'));

  await sandbox.restore(snapshot);
  // The killed call's 'late' result arrives while this call is waiting; it must not be taken for this one's.
  assert.deepEqual(await sandbox.callHandler('h', { fn: 'slow', args: ['fresh'] }), { value: 'fresh' });
  assert.deepEqual(settled, ['late', 'fresh']);
  assert.deepEqual(await sandbox.callHandler('h', { fn: 'slow', args: ['after'] }), { value: 'after' });
  assert.deepEqual(entered, ['late', 'fresh', 'after']);
  await sandbox.unload();
});

test('host functions survive restore()', async () => {
  let hits = 0;
  const sandbox = await loadedWithHost(
    (proto) => proto.hostModule('t').register('hit', () => ++hits).register('echo', async (x) => x),
    {
      h: `import * as t from 'host:t';
        let local = 0;
        function handler(e) { local += 1; return { hits: t.hit(), local, echo: t.echo(e) }; }`,
    },
  );
  const snapshot = await sandbox.snapshot();
  for (let i = 1; i <= 3; i++) {
    assert.deepEqual(await sandbox.callHandler('h', i), { hits: i, local: 1, echo: i });
    await sandbox.restore(snapshot);
  }
  await sandbox.unload();
});

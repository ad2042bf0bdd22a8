'use strict';
// SandboxPool: same results and errors as a single sandbox, queueing and its
// bound, resets after poisoning or after every call, growth to max, idle
// reclaim, close(), option checks, and nothing left behind. Calls are held
// busy by a host function the test releases (a gate), never by timing: the
// suite also runs in the slow test VM, so nothing here asserts a duration.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SandboxPool } = require('../lib');
const {
  BACKEND, SLOW, apiError, loaded, loadedWithHost, sleep, ECHO, COUNTER, SPIN, spawnNode, runNode, LIB, HELPERS, assertNoLeak, childPids,
} = require('./helpers');

/**
 * A host function every call of a `gated` handler waits on until open().
 * Each close() makes a new gate for later calls.
 */
function gate() {
  let open;
  let promise;
  const close = () => {
    promise = new Promise((resolve) => {
      open = resolve;
    });
  };
  close();
  return {
    hostFunctions: { gate: { wait: () => promise } },
    open: () => open(),
    close,
  };
}

const GATED = `import * as gate from 'host:gate';
  function handler(event) { gate.wait(); return event; }`;

/** Polls `cond` until it holds; fails after a deadline that is generous even in the test VM. */
async function until(cond, what, pool) {
  const deadline = Date.now() + 30_000 * SLOW;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; stats: ${JSON.stringify(pool?.stats)}`);
    await sleep(5);
  }
}

function outcome(promise) {
  return promise.then(
    (value) => ({ value }),
    (err) => ({ code: err.code, message: err.message }),
  );
}

test('results equal those of a single sandbox made from the same recipe', async () => {
  const modules = { greeting: "export const hello = (n) => 'Hello, ' + n + '!';" };
  const hostFunctions = { math: { add: (a, b) => a + b } };
  const handlers = {
    echo: ECHO,
    greet: `import { hello } from 'user:greeting';
      import * as math from 'host:math';
      function handler(event) { return { message: hello(event.name), answer: math.add(40, 2) }; }`,
  };
  const single = await loadedWithHost((proto) => proto.register('math', 'add', hostFunctions.math.add), handlers, modules);
  const pool = new SandboxPool({ min: 1, max: 2, modules, hostFunctions, handlers });
  await pool.ready();
  const events = [null, true, 0, -1.5, 'text "quoted"\n', [], [1, [2, { three: 3 }]], { name: 'World', nested: { a: [null] } }];
  for (const event of events) {
    assert.deepEqual(await pool.callHandler('echo', event), await single.callHandler('echo', event), JSON.stringify(event));
  }
  assert.deepEqual(await pool.callHandler('greet', { name: 'World' }), { message: 'Hello, World!', answer: 42 });
  // In parallel, across sandboxes, each result goes back to its own caller.
  const many = Array.from({ length: 10 }, (_, i) => ({ i }));
  assert.deepEqual(await Promise.all(many.map((e) => pool.callHandler('echo', e))), many);
  await pool.close();
  await single.unload();
});

test('errors have the same code (and message) as on a single sandbox', async () => {
  const handlers = { echo: ECHO, boom: 'function handler() { throw new Error("boom"); }' };
  const single = await loaded(handlers);
  const pool = new SandboxPool({ min: 1, max: 1, handlers });
  const cyclic = {};
  cyclic.self = cyclic;
  const cases = [
    ['boom', {}, undefined],
    ['missing', {}, undefined],
    ['', {}, undefined],
    [7, {}, undefined],
    ['echo', 10n, undefined],
    ['echo', cyclic, undefined],
    ['echo', undefined, undefined],
    ['echo', {}, { gc: 'yes' }],
    ['echo', {}, { wallClockTimeoutMs: 0 }],
    ['echo', {}, 'options'],
  ];
  for (const [name, event, options] of cases) {
    const expected = await outcome(single.callHandler(name, event, options));
    const got = await outcome(pool.callHandler(name, event, options));
    assert.ok(expected.code, `the single sandbox should refuse ${String(name)}`);
    assert.equal(got.code, expected.code, `${String(name)}: ${got.message}`);
    assert.equal(got.message, expected.message, String(name));
  }
  // A handler that throws leaves its sandbox usable: no reset was needed.
  assert.equal(await pool.callHandler('echo', 'still fine'), 'still fine');
  assert.equal(pool.stats.resets, 0);
  await pool.close();
  await single.unload();
});

test('a recipe that does not load: ready() and calls reject with the load error', async () => {
  const pool = new SandboxPool({ min: 1, max: 2, handlers: { broken: 'function handler( {' } });
  await assert.rejects(pool.ready(), apiError('ERR_INVALID_ARG', 'broken'));
  await assert.rejects(pool.callHandler('broken', {}), apiError('ERR_INVALID_ARG', 'broken'));
  assert.deepEqual({ size: pool.stats.size, creating: pool.stats.creating, queued: pool.stats.queued }, { size: 0, creating: 0, queued: 0 });
  await pool.close();
});

test('the builder recipe applies to every sandbox', async () => {
  const pool = new SandboxPool({
    min: 2,
    max: 2,
    builder: (b) => b.setInputBufferSize(64 * 1024),
    handlers: { big: 'function handler(e) { return e.s.length; }', small: 'function handler() { return "ok"; }' },
  });
  await pool.ready();
  // Both sandboxes are idle, so the two calls go one to each.
  const big = { s: 'x'.repeat(100_000) };
  const results = await Promise.all([1, 2].map(() => outcome(pool.callHandler('big', big))));
  for (const r of results) assert.equal(r.code, 'ERR_INVALID_ARG', r.message);
  for (const r of results) assert.ok(r.message.includes('65536'), r.message);
  assert.equal(await pool.callHandler('small', {}), 'ok');
  await pool.close();
});

test('calls queue when every sandbox is busy, run in order, and a full queue refuses with ERR_CANCELLED', async () => {
  const g = gate();
  const order = [];
  const pool = new SandboxPool({
    min: 1,
    max: 1,
    maxQueue: 2,
    hostFunctions: { ...g.hostFunctions, log: { push: (x) => order.push(x) } },
    handlers: { gated: GATED, logged: "import * as log from 'host:log'; function handler(e) { log.push(e); return e; }" },
  });
  await pool.ready();
  const first = pool.callHandler('gated', 'first');
  await until(() => pool.stats.busy === 1, 'the first call to start', pool);
  const queued = [pool.callHandler('logged', 'a'), pool.callHandler('logged', 'b')];
  assert.equal(pool.stats.queued, 2);
  await assert.rejects(pool.callHandler('logged', 'c'), apiError('ERR_CANCELLED', 'queue is full', 'maxQueue 2'));
  assert.equal(pool.stats.queued, 2, 'the refused call was not queued');
  g.open();
  assert.equal(await first, 'first');
  assert.deepEqual(await Promise.all(queued), ['a', 'b']);
  assert.deepEqual(order, ['a', 'b']);
  // Once the queue drains, calls are accepted again.
  assert.equal(await pool.callHandler('logged', 'd'), 'd');
  assert.equal(pool.stats.calls, 4);
  await pool.close();
});

test('maxQueue: 0 refuses a call at once when every sandbox is busy', async () => {
  const g = gate();
  const pool = new SandboxPool({ min: 1, max: 1, maxQueue: 0, hostFunctions: g.hostFunctions, handlers: { gated: GATED } });
  await pool.ready();
  const busy = pool.callHandler('gated', 1);
  await assert.rejects(pool.callHandler('gated', 2), apiError('ERR_CANCELLED', 'queue is full'));
  g.open();
  assert.equal(await busy, 1);
  assert.equal(await pool.callHandler('gated', 3), 3);
  await pool.close();
});

test('a queued call keeps its event as it was when called', async () => {
  const g = gate();
  const pool = new SandboxPool({ min: 1, max: 1, hostFunctions: g.hostFunctions, handlers: { gated: GATED } });
  await pool.ready();
  const busy = pool.callHandler('gated', 'busy');
  const event = { n: 1, list: [1] };
  const queued = pool.callHandler('gated', event);
  event.n = 2;
  event.list.push(2);
  g.open();
  await busy;
  assert.deepEqual(await queued, { n: 1, list: [1] });
  await pool.close();
});

test('a call whose AbortSignal aborts while it waits leaves the queue without running', async () => {
  const g = gate();
  const ran = [];
  const pool = new SandboxPool({
    min: 1,
    max: 1,
    hostFunctions: { ...g.hostFunctions, log: { push: (x) => ran.push(x) } },
    handlers: { gated: GATED, logged: "import * as log from 'host:log'; function handler(e) { log.push(e); return e; }" },
  });
  await pool.ready();
  const busy = pool.callHandler('gated', 'busy');
  await until(() => pool.stats.busy === 1, 'the first call to start', pool);
  const controller = new AbortController();
  const aborted = pool.callHandler('logged', 'aborted', { signal: controller.signal });
  const kept = pool.callHandler('logged', 'kept');
  assert.equal(pool.stats.queued, 2);
  controller.abort(new Error('client went away'));
  await assert.rejects(aborted, (err) => {
    apiError('ERR_CANCELLED', 'did not run')(err);
    assert.equal(err.cause?.message, 'client went away');
    return true;
  });
  assert.equal(pool.stats.queued, 1);
  // Already aborted: refused at once.
  await assert.rejects(pool.callHandler('logged', 'late', { signal: AbortSignal.abort() }), apiError('ERR_CANCELLED'));
  g.open();
  assert.equal(await busy, 'busy');
  assert.equal(await kept, 'kept');
  assert.deepEqual(ran, ['kept']);
  await pool.close();
});

test('a call that poisons its sandbox is followed by a reset: the next call works, from the post-load state', async () => {
  const pool = new SandboxPool({ min: 1, max: 1, handlers: { counter: COUNTER, spin: SPIN } });
  assert.equal(await pool.callHandler('counter', {}), 1);
  assert.equal(await pool.callHandler('counter', {}), 2);
  await assert.rejects(pool.callHandler('spin', {}, { wallClockTimeoutMs: 50 * SLOW }), apiError('ERR_CANCELLED'));
  // Not ERR_POISONED: the sandbox was reset before it took this call.
  assert.equal(await pool.callHandler('counter', {}), 1);
  assert.equal(pool.stats.resets, 1);
  for (let i = 0; i < 3; i++) {
    await assert.rejects(pool.callHandler('spin', {}, { cpuTimeoutMs: 30 * SLOW }), apiError('ERR_CANCELLED'));
  }
  assert.equal(await pool.callHandler('counter', {}), 1);
  assert.deepEqual({ size: pool.stats.size, resets: pool.stats.resets, calls: pool.stats.calls }, { size: 1, resets: 4, calls: 8 });
  await pool.close();
});

test('resetAfterEachCall: no state passes between calls; without it, state is kept', async () => {
  const modules = { store: 'const items = []; export function push(x) { items.push(x); return items.slice(); }' };
  const handlers = { counter: COUNTER, push: "import { push } from 'user:store'; function handler(e) { return push(e); }" };
  const fresh = new SandboxPool({ min: 1, max: 1, resetAfterEachCall: true, modules, handlers });
  for (let i = 0; i < 3; i++) {
    assert.equal(await fresh.callHandler('counter', {}), 1, `call ${i}`);
    assert.deepEqual(await fresh.callHandler('push', i), [i], `call ${i}`);
  }
  // The reset runs after the caller has its result; the next call waits for it.
  await until(() => fresh.stats.busy === 0, 'the last reset', fresh);
  assert.equal(fresh.stats.resets, 6);
  assert.equal(fresh.stats.calls, 6);
  await fresh.close();

  const kept = new SandboxPool({ min: 1, max: 1, modules, handlers });
  assert.deepEqual([await kept.callHandler('counter', {}), await kept.callHandler('counter', {}), await kept.callHandler('counter', {})], [1, 2, 3]);
  assert.deepEqual(await kept.callHandler('push', 'a'), ['a']);
  assert.deepEqual(await kept.callHandler('push', 'b'), ['a', 'b']);
  assert.equal(kept.stats.resets, 0);
  await kept.close();
});

test('resetAfterEachCall under concurrent load: every call sees the post-load state', async () => {
  const pool = new SandboxPool({ min: 1, max: 3, resetAfterEachCall: true, handlers: { counter: COUNTER } });
  const results = await Promise.all(Array.from({ length: 12 }, () => pool.callHandler('counter', {})));
  assert.deepEqual(results, Array(12).fill(1));
  await pool.close();
});

test("the pool's sandboxes share one post-load snapshot: each resets to it, with randomness of its own every call", async () => {
  const handler = 'let n = 0; function handler() { n += 1; const r = new Uint32Array(4); crypto.getRandomValues(r); return { n, r: Array.from(r).join() }; }';
  const pool = new SandboxPool({ min: 3, max: 3, resetAfterEachCall: true, handlers: { h: handler } });
  await pool.ready();
  const results = [];
  for (let round = 0; round < 4; round++) results.push(...(await Promise.all(Array.from({ length: 9 }, () => pool.callHandler('h', {})))));
  assert.deepEqual(results.map((r) => r.n), Array(36).fill(1), 'every call starts from the post-load state');
  assert.equal(new Set(results.map((r) => r.r)).size, 36, 'no two calls, on any sandbox, draw the same numbers');
  assert.equal(pool.stats.size, 3);
  await pool.close();
});

test("on the process backend the pool keeps one snapshot process, not one per sandbox", { skip: BACKEND === 'process' ? false : `counts guest processes (this run: ${BACKEND})` }, async () => {
  // A sandbox first, so the backend's template process exists before counting.
  const warm = await loaded({ echo: ECHO });
  // Only new processes count: earlier tests' guests may be reaped meanwhile.
  const before = childPids();
  const pool = new SandboxPool({ min: 3, max: 3, handlers: { echo: ECHO } });
  await pool.ready();
  const started = [...childPids()].filter((pid) => !before.has(pid));
  assert.equal(started.length, 3 + 1, 'three guests and the one snapshot they reset to');
  await pool.close();
  await warm.unload();
});

test('sequential calls with resetAfterEachCall do not grow the pool', async () => {
  // The next call waits for the reset rather than starting a sandbox.
  const pool = new SandboxPool({ min: 1, max: 3, resetAfterEachCall: true, handlers: { counter: COUNTER } });
  for (let i = 0; i < 10; i++) assert.equal(await pool.callHandler('counter', {}), 1);
  assert.equal(pool.stats.size + pool.stats.creating, 1);
  await pool.close();
});

test('the pool grows from min to max under load, never above', async () => {
  const g = gate();
  const pool = new SandboxPool({ min: 1, max: 3, hostFunctions: g.hostFunctions, handlers: { gated: GATED } });
  await pool.ready();
  assert.equal(pool.stats.size, 1);
  let peak = 0;
  const watch = setInterval(() => {
    peak = Math.max(peak, pool.stats.size + pool.stats.creating);
  }, 1);
  const calls = Array.from({ length: 7 }, (_, i) => pool.callHandler('gated', i));
  peak = Math.max(peak, pool.stats.size + pool.stats.creating);
  assert.equal(pool.stats.creating, 2, 'one sandbox started per waiting call, up to max');
  await until(() => pool.stats.busy === 3, 'three busy sandboxes', pool);
  assert.deepEqual(
    { size: pool.stats.size, busy: pool.stats.busy, idle: pool.stats.idle, creating: pool.stats.creating, queued: pool.stats.queued },
    { size: 3, busy: 3, idle: 0, creating: 0, queued: 4 },
  );
  g.open();
  assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3, 4, 5, 6]);
  clearInterval(watch);
  assert.equal(peak, 3);
  assert.deepEqual({ size: pool.stats.size, idle: pool.stats.idle, calls: pool.stats.calls }, { size: 3, idle: 3, calls: 7 });
  await pool.close();
});

test('sandboxes idle past idleTimeoutMs are reclaimed down to min; calls then still work', async () => {
  const g = gate();
  const pool = new SandboxPool({ min: 1, max: 3, idleTimeoutMs: 50 * SLOW, hostFunctions: g.hostFunctions, handlers: { gated: GATED } });
  const calls = Array.from({ length: 3 }, (_, i) => pool.callHandler('gated', i));
  await until(() => pool.stats.busy === 3, 'three busy sandboxes', pool);
  g.open();
  await Promise.all(calls);
  await until(() => pool.stats.size === 1, 'reclaim down to min', pool);
  assert.equal(pool.stats.idle, 1);
  // It stays at min: the last sandbox is never reclaimed.
  await sleep(150 * SLOW);
  assert.equal(pool.stats.size, 1);
  assert.equal(await pool.callHandler('gated', 'again'), 'again');
  await pool.close();
});

test('min: 0 starts empty, starts a sandbox on demand and reclaims it when idle', async () => {
  const pool = new SandboxPool({ min: 0, max: 2, idleTimeoutMs: 50 * SLOW, handlers: { echo: ECHO } });
  await pool.ready();
  assert.equal(pool.stats.size + pool.stats.creating, 0);
  assert.equal(await pool.callHandler('echo', 1), 1);
  assert.equal(pool.stats.size, 1);
  await until(() => pool.stats.size === 0, 'reclaim down to zero', pool);
  assert.equal(await pool.callHandler('echo', 2), 2);
  await pool.close();
});

test('close(): queued calls reject with ERR_CANCELLED, running calls finish, later calls reject with ERR_CONSUMED', async () => {
  const g = gate();
  const pool = new SandboxPool({ min: 1, max: 1, hostFunctions: g.hostFunctions, handlers: { gated: GATED } });
  await pool.ready();
  const running = pool.callHandler('gated', 'running');
  await until(() => pool.stats.busy === 1, 'the call to start', pool);
  const queued = pool.callHandler('gated', 'queued');
  const closing = pool.close();
  assert.equal(pool.close(), closing, 'close() again returns the same promise');
  assert.equal(pool.closed, true);
  await assert.rejects(queued, apiError('ERR_CANCELLED', 'closed'));
  await assert.rejects(pool.callHandler('gated', 'late'), apiError('ERR_CONSUMED', 'close()'));
  await assert.rejects(pool.ready(), apiError('ERR_CONSUMED'));
  g.open();
  assert.equal(await running, 'running');
  await closing;
  assert.deepEqual(pool.stats, { size: 0, busy: 0, idle: 0, creating: 0, queued: 0, calls: 1, resets: 0 });
});

test('close({ kill: true }) stops running calls with ERR_CANCELLED', async () => {
  const pool = new SandboxPool({ min: 2, max: 2, handlers: { spin: SPIN, echo: ECHO } });
  await pool.ready();
  const spinning = pool.callHandler('spin', {});
  await until(() => pool.stats.busy === 1, 'the call to start', pool);
  const stopped = assert.rejects(spinning, apiError('ERR_CANCELLED', 'kill()'));
  await pool.close({ kill: true });
  await stopped;
  await assert.rejects(pool.close({ kill: 'yes' }), apiError('ERR_INVALID_ARG', 'kill'));
});

test('close() while sandboxes are still starting waits for them and unloads them', async () => {
  const pool = new SandboxPool({ min: 3, max: 4, handlers: { echo: ECHO } });
  await pool.close();
  assert.deepEqual(pool.stats, { size: 0, busy: 0, idle: 0, creating: 0, queued: 0, calls: 0, resets: 0 });
});

test('bad options throw ERR_INVALID_ARG naming the option and the value', () => {
  const handlers = { echo: ECHO };
  const cases = [
    [undefined, 'options must be an object'],
    [null, 'options must be an object, got null'],
    ['recipe', 'options must be an object'],
    [{}, 'options.handlers'],
    [{ handlers: {} }, 'options.handlers must name at least one handler'],
    [{ handlers: [] }, 'options.handlers'],
    [{ handlers: { echo: 5 } }, 'options.handlers.echo must be a source string, got 5'],
    [{ handlers: { '': ECHO } }, 'empty name'],
    [{ handlers, modules: 'm' }, 'options.modules'],
    [{ handlers, modules: { m: null } }, 'options.modules.m'],
    [{ handlers, min: -1 }, 'options.min must be a whole number from 0 to 1024, got -1'],
    [{ handlers, min: 1.5 }, 'options.min', '1.5'],
    [{ handlers, min: '1' }, 'options.min must be a number, got "1"'],
    [{ handlers, min: null }, 'options.min must be a number, got null'],
    [{ handlers, max: 0 }, 'options.max', 'got 0'],
    [{ handlers, max: -3 }, 'options.max', 'got -3'],
    [{ handlers, max: 1e9 }, 'options.max', '1000000000'],
    [{ handlers, max: Infinity }, 'options.max', 'Infinity'],
    [{ handlers, max: NaN }, 'options.max', 'NaN'],
    [{ handlers, max: 2n }, 'options.max must be a number, got 2n'],
    [{ handlers, min: 3, max: 2 }, 'options.min (3) must not be greater than options.max (2)'],
    [{ handlers, min: 5 }, 'options.min (5)', 'options.max (4)'],
    [{ handlers, maxQueue: -1 }, 'options.maxQueue', '-1'],
    [{ handlers, maxQueue: 1e7 }, 'options.maxQueue', '10000000'],
    [{ handlers, idleTimeoutMs: 0 }, 'options.idleTimeoutMs', 'got 0'],
    [{ handlers, idleTimeoutMs: 2 ** 31 }, 'options.idleTimeoutMs', '2147483648'],
    [{ handlers, idleTimeoutMs: '1000' }, 'options.idleTimeoutMs must be a number'],
    [{ handlers, resetAfterEachCall: 'yes' }, 'options.resetAfterEachCall must be a boolean, got "yes"'],
    [{ handlers, resetAfterEachCall: 1 }, 'options.resetAfterEachCall', 'got 1'],
    [{ handlers, builder: {} }, 'options.builder must be a function, got an object'],
    [{ handlers, builder: null }, 'options.builder must be a function, got null'],
    [{ handlers, builder: (b) => b.setHeapSize(0) }, 'setHeapSize'],
    [{ handlers, builder: (b) => b.setBackend('elsewhere') }, 'elsewhere'],
    [{ handlers, hostFunctions: [] }, 'options.hostFunctions'],
    [{ handlers, hostFunctions: { math: 'add' } }, 'options.hostFunctions.math must be an object'],
    [{ handlers, hostFunctions: { math: { add: 42 } } }, 'options.hostFunctions.math.add must be a function, got 42'],
    [{ handlers, maxQueued: 10 }, 'unknown option "maxQueued"'],
  ];
  for (const [options, ...parts] of cases) {
    assert.throws(() => new SandboxPool(options), apiError('ERR_INVALID_ARG', ...parts), JSON.stringify(options, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
});

test('the idle sweep timer does not keep Node alive', () => {
  // A child that uses a pool and never closes it must still exit by itself.
  const script = `
    const { SandboxPool } = require(${LIB});
    const pool = new SandboxPool({ min: 1, max: 3, idleTimeoutMs: 60000, handlers: { echo: 'function handler(e) { return e; }' } });
    pool.callHandler('echo', 'done').then((r) => console.log(r));`;
  const r = spawnNode(['-e', script], { timeout: 60_000 * SLOW });
  assert.equal(r.signal, null, 'the child had to be killed: something kept it alive');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'done\n');
});

test('pools created and closed (or dropped) leave no processes, descriptors or threads behind', () => {
  // As in hostile.test.js: a child with --expose-gc counts its guest
  // processes, descriptors and threads before and after (helpers.js,
  // leakCounts); garbage collection frees what close() unloaded. Fewer
  // rounds in the slow test VM.
  const rounds = Math.ceil(20 / SLOW);
  const script = `
    const { SandboxPool } = require(${LIB});
    const { settle } = require(${HELPERS});
    const recipe = {
      min: 1, max: 3, idleTimeoutMs: 20,
      hostFunctions: { m: { twice: (x) => 2 * x } },
      handlers: {
        h: 'import * as m from "host:m"; function handler(e) { return m.twice(e); }',
        spin: 'function handler() { for (;;) {} }',
      },
    };
    const round = async (close, i) => {
      const pool = new SandboxPool({ ...recipe, resetAfterEachCall: i % 2 === 0 });
      const results = await Promise.all([1, 2, 3, 4, 5].map((e) => pool.callHandler('h', e)));
      if (results.join() !== '2,4,6,8,10') throw new Error('bad results ' + results);
      await pool.callHandler('spin', {}, { wallClockTimeoutMs: 20 }).catch((e) => { if (e.code !== 'ERR_CANCELLED') throw e; });
      if ((await pool.callHandler('h', 21)) !== 42) throw new Error('no reset after the poisoning call');
      if (close) await pool.close();
    };
    (async () => {
      await round(true, 0); // start the template and the shared threads
      const before = await settle(null);
      for (let i = 0; i < ${rounds}; i++) await round(true, i);
      const closed = await settle(before);
      for (let i = 0; i < ${rounds}; i++) await round(false, i);
      const dropped = await settle(before);
      console.log(JSON.stringify({ before, closed, dropped }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = runNode(script, { flags: ['--expose-gc'], timeout: 300_000 });
  const { before, closed, dropped } = JSON.parse(r.stdout);
  for (const [what, after] of [['closed', closed], ['dropped without close()', dropped]]) assertNoLeak(before, after, what);
});

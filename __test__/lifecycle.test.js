'use strict';
// The sandbox lifecycle: build -> loadRuntime -> addHandler -> getLoadedSandbox
// -> callHandler -> unload, consumption of each stage, and guest failures.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { SandboxBuilder, ProtoJSSandbox, JSSandbox, LoadedJSSandbox, metrics } = require('../lib');
const {
  runtime, loaded, apiError, counterWithGuestPid, exited, ECHO, COUNTER, BACKEND, processOnly, SLOW, spawnNode, runNode, LIB, HELPERS, sleep, childPids,
} = require('./helpers');

test('quick start: every stage reports its backend and the handler runs', async () => {
  const proto = await new SandboxBuilder().build();
  assert.ok(proto instanceof ProtoJSSandbox);
  assert.equal(proto.backend, BACKEND);
  const js = await proto.loadRuntime();
  assert.ok(js instanceof JSSandbox);
  assert.equal(js.backend, BACKEND);
  assert.equal(js.poisoned, false);
  js.addHandler('greet', `
    function handler(event) {
      event.message = 'Hello, ' + event.name + '!';
      return event;
    }
  `);
  const sandbox = await js.getLoadedSandbox();
  assert.ok(sandbox instanceof LoadedJSSandbox);
  assert.equal(sandbox.backend, BACKEND);
  assert.equal(sandbox.poisoned, false);
  assert.deepEqual(await sandbox.callHandler('greet', { name: 'World' }), { name: 'World', message: 'Hello, World!' });
  const again = await sandbox.unload();
  assert.equal(again.backend, BACKEND);
});

test('loadRuntime() a second time rejects with ERR_CONSUMED', async () => {
  const proto = await new SandboxBuilder().build();
  await proto.loadRuntime();
  await assert.rejects(async () => proto.loadRuntime(), apiError('ERR_CONSUMED', 'loadRuntime'));
});

test('getLoadedSandbox() with no handlers rejects and leaves the JSSandbox usable', async () => {
  const js = await runtime();
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', 'no handlers'));
  js.addHandler('echo', ECHO);
  const sandbox = await js.getLoadedSandbox();
  assert.equal(await sandbox.callHandler('echo', 7), 7);
  await sandbox.unload();
});

// The tests above wrap calls in `async () =>` so they check code and message
// either way; this one checks that misuse is a rejection, never a sync throw.
test('promise-returning methods reject rather than throw synchronously', async () => {
  const proto = await new SandboxBuilder().build();
  const js = await proto.loadRuntime();
  const calls = {
    'loadRuntime() twice': () => proto.loadRuntime(),
    'getLoadedSandbox() without handlers': () => js.getLoadedSandbox(),
  };
  for (const [what, call] of Object.entries(calls)) {
    let result;
    assert.doesNotThrow(() => { result = call(); }, what);
    await assert.rejects(result, what);
  }
  js.addHandler('echo', ECHO);
  const sandbox = await js.getLoadedSandbox();
  await sandbox.unload();
  let result;
  assert.doesNotThrow(() => { result = sandbox.unload(); }, 'unload() twice');
  await assert.rejects(result);
});

test('a handler with a syntax error is named; fixing it and retrying works', async () => {
  const js = await runtime();
  js.addHandler('fine', ECHO);
  js.addHandler('broken', 'function handler(event) { return event +; }');
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', "'broken'"));
  assert.equal(js.poisoned, false);
  js.addHandler('broken', 'function handler(event) { return event + 1; }'); // same name replaces
  const sandbox = await js.getLoadedSandbox();
  assert.equal(await sandbox.callHandler('broken', 1), 2);
  assert.equal(await sandbox.callHandler('fine', 'x'), 'x');
  await sandbox.unload();
});

test('a handler source without a handler function is refused by name', async () => {
  const js = await runtime();
  js.addHandler('nameless', 'function notHandler(event) { return event; }');
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', "'nameless'"));
});

test('removeHandler() and clearHandlers() change what gets loaded', async () => {
  const js = await runtime();
  js.addHandler('keep', ECHO);
  js.addHandler('drop', ECHO);
  js.removeHandler('drop');
  const sandbox = await js.getLoadedSandbox();
  assert.equal(await sandbox.callHandler('keep', 1), 1);
  await assert.rejects(sandbox.callHandler('drop', 1), apiError('ERR_INVALID_ARG', 'drop'));

  const js2 = await sandbox.unload();
  js2.addHandler('a', ECHO);
  js2.addHandler('b', ECHO);
  js2.clearHandlers();
  await assert.rejects(async () => js2.getLoadedSandbox(), apiError('ERR_INVALID_ARG', 'no handlers'));
});

test('a JSSandbox is consumed by a successful getLoadedSandbox()', async () => {
  const js = await runtime();
  js.addHandler('echo', ECHO);
  const sandbox = await js.getLoadedSandbox();
  const consumed = apiError('ERR_CONSUMED', 'getLoadedSandbox');
  assert.throws(() => js.addHandler('other', ECHO), consumed);
  assert.throws(() => js.removeHandler('echo'), consumed);
  assert.throws(() => js.clearHandlers(), consumed);
  await assert.rejects(async () => js.getLoadedSandbox(), consumed);
  await sandbox.unload();
});

test('module state persists between calls and unload() resets it', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  assert.equal(await sandbox.callHandler('counter', {}), 2);
  assert.equal(await sandbox.callHandler('counter', {}, { gc: false }), 3);

  const js = await sandbox.unload();
  assert.ok(js instanceof JSSandbox);
  // No handlers survive the unload...
  await assert.rejects(async () => js.getLoadedSandbox(), apiError('ERR_INVALID_ARG', 'no handlers'));
  // ...and a reloaded counter starts from scratch, alongside a new handler.
  js.addHandler('counter', COUNTER);
  js.addHandler('double', 'function handler(event) { return event * 2; }');
  const reloaded = await js.getLoadedSandbox();
  assert.equal(await reloaded.callHandler('counter', {}), 1);
  assert.equal(await reloaded.callHandler('double', 21), 42);
  await reloaded.unload();
});

test('a LoadedJSSandbox is consumed by unload()', async () => {
  const sandbox = await loaded({ echo: ECHO });
  await sandbox.unload();
  const consumed = apiError('ERR_CONSUMED', 'unload');
  await assert.rejects(sandbox.callHandler('echo', 1), consumed);
  await assert.rejects(async () => sandbox.unload(), consumed);
});

test('a handler that throws rejects with ERR_GUEST_ABORT; the sandbox stays usable', async () => {
  const sandbox = await loaded({
    thrower: 'function handler(event) { throw new Error("bad input: " + event.why); }',
    counter: COUNTER,
  });
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  await assert.rejects(sandbox.callHandler('thrower', { why: 'negative' }), apiError('ERR_GUEST_ABORT', 'bad input: negative'));
  assert.equal(sandbox.poisoned, false);
  assert.equal(await sandbox.callHandler('counter', {}), 2); // state kept too
  await sandbox.unload();
});

test('the heap size bounds the guest heap', async () => {
  const alloc = 'function handler(event) { return "x".repeat(event.bytes).length; }';
  const roomy = await loaded({ alloc });
  assert.equal(await roomy.callHandler('alloc', { bytes: 16 << 20 }), 16 << 20);
  await roomy.unload();

  const small = await loaded({ alloc }, (b) => b.setHeapSize(8 << 20));
  await assert.rejects(small.callHandler('alloc', { bytes: 16 << 20 }), (err) => /out of memory/i.test(err.message));
  assert.equal(await small.callHandler('alloc', { bytes: 1000 }), 1000); // still usable
  await small.unload();
});

test('an allocation bomb in a small heap fails with out of memory', async () => {
  const bomb = 'function handler() { const a = []; for (;;) a.push("x".repeat(1024) + a.length); }';
  const sandbox = await loaded({ bomb, echo: ECHO }, (b) => b.setHeapSize(8 << 20));
  await assert.rejects(sandbox.callHandler('bomb', {}), (err) => /out of memory/i.test(err.message));
  assert.equal(await sandbox.callHandler('echo', 'alive'), 'alive');
  await sandbox.unload();
});

test('cyclic garbage left by every call stays collected: the heap stays bounded, with gc: true (default) and gc: false', async () => {
  // Each call leaves about 64 KiB in reference cycles, which only a
  // collection frees; 120 calls leave 7.5 MiB in all, far more than the heap.
  const leaky = `function handler(e) {
    const a = { pad: 'x'.repeat(64 * 1024 - 64) + e.i }, b = { a };
    a.b = b;
    return e.i;
  }`;
  const calls = process.env.HYPERLIGHT_JS_IN_VM ? 60 : 120;
  for (const options of [undefined, { gc: true }, { gc: false }]) {
    const sandbox = await loaded({ leaky }, (b) => b.setHeapSize(2 << 20));
    for (let i = 0; i < calls; i++) {
      assert.equal(await sandbox.callHandler('leaky', { i }, options), i, JSON.stringify(options));
    }
    await sandbox.unload();
  }
});

// A cycle that only a collection frees ('make'), watched through a WeakRef
// ('alive'); and calls whose garbage is freed at once (no cycles, so the heap
// does not grow and QuickJS's own trigger never fires) but which allocate
// e.k strings of 16 KiB ('churn').
const CYCLE_WATCH = `let ref;
  function handler(e) {
    if (e.op === 'make') { const a = {}; a.self = a; ref = new WeakRef(a); return true; }
    if (e.op === 'churn') { let n = 0; for (let i = 0; i < e.k; i++) n += ('y'.repeat(16 * 1024) + i).length; return n > 0; }
    return ref.deref() !== undefined;
  }`;

test('gc: true collects cyclic garbage once the guest has allocated enough; gc: false leaves it to QuickJS', async () => {
  // The cycle, then calls that allocate 256 KiB each.
  for (const [gc, collected] of [[true, true], [false, false]]) {
    const sandbox = await loaded({ h: CYCLE_WATCH });
    assert.equal(await sandbox.callHandler('h', { op: 'make' }, { gc }), true);
    for (let i = 0; i < 3; i++) assert.equal(await sandbox.callHandler('h', { op: 'churn', k: 16 }, { gc }), true);
    assert.equal(await sandbox.callHandler('h', { op: 'alive' }, { gc }), !collected, `gc: ${gc}`);
    await sandbox.unload();
  }
});

test('gc: true collects while the guest is idle: a collection that is due but not overdue has run once the caller pauses', async () => {
  // The first call's churn (several MiB) makes a collection overdue, so it
  // runs at once and the count starts afresh. The cycle is made after it.
  // Then one call churns about 400 KiB (allocated and freed): a collection
  // is due (256 KiB) but not overdue (1 MiB). The process backend's guest
  // runs it when no call comes within its spin, the micro-VM's before the
  // call returns: either way it has run by the time the caller looks again.
  const sandbox = await loaded({ h: CYCLE_WATCH });
  assert.equal(await sandbox.callHandler('h', { op: 'churn', k: 64 }), true);
  assert.equal(await sandbox.callHandler('h', { op: 'make' }), true);
  assert.equal(await sandbox.callHandler('h', { op: 'churn', k: 12 }), true);
  await sleep(50);
  assert.equal(await sandbox.callHandler('h', { op: 'alive' }), false, 'the cycle was collected while the guest was idle');
  await sandbox.unload();
});

test('the scratch size bounds the guest stack', async () => {
  const rec = 'function handler(e) { function f(n) { return n === 0 ? 0 : 1 + f(n - 1); } return f(e.depth); }';
  const deep = await loaded({ rec }, (b) => b.setScratchSize(4 << 20));
  assert.equal(await deep.callHandler('rec', { depth: 2000 }), 2000);
  await deep.unload();

  const shallow = await loaded({ rec }, (b) => b.setScratchSize(64 << 10));
  await assert.rejects(shallow.callHandler('rec', { depth: 2000 }), (err) => /stack/i.test(err.message));
  const infinite = await loaded({ rec: 'function handler() { function f() { return f() + 1; } return f(); }' });
  await assert.rejects(infinite.callHandler('rec', {}), (err) => /stack/i.test(err.message));
  await shallow.unload();
  await infinite.unload();
});

test('a guest process that dies poisons the sandbox; unload() recovers', processOnly, async () => {
  const { sandbox, pid } = await counterWithGuestPid();
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  process.kill(pid, 'SIGKILL');
  await exited(pid);
  await assert.rejects(sandbox.callHandler('counter', {}), apiError('ERR_POISONED', 'SIGKILL'));
  await assert.rejects(sandbox.callHandler('counter', {}), apiError('ERR_POISONED'));
  assert.equal(sandbox.poisoned, true);

  const js = await sandbox.unload();
  js.addHandler('counter', COUNTER);
  const fresh = await js.getLoadedSandbox();
  assert.equal(fresh.poisoned, false);
  assert.equal(await fresh.callHandler('counter', {}), 1);
  await fresh.unload();
});

test('poisoned is up to date when a promise settles (after the kill, and after unload)', processOnly, () => {
  // The race rarely shows under the test runner, so it runs in a plain child
  // process; it prints how many times `poisoned` was stale when read.
  const script = `
    const { SandboxBuilder } = require(${LIB});
    const { childPids } = require(${HELPERS});
    (async () => {
      const make = async () => (await new SandboxBuilder().build()).loadRuntime();
      await make(); // the shared template guest
      let stale = 0;
      for (let i = 0; i < 20; i++) {
        const before = childPids();
        const js = await make();
        const [pid] = [...childPids()].filter((p) => !before.has(p));
        js.addHandler('h', 'function handler(e) { return e; }');
        const sandbox = await js.getLoadedSandbox();
        process.kill(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 100));
        await sandbox.callHandler('h', 1).catch(() => { if (!sandbox.poisoned) stale++; });
        if ((await sandbox.unload()).poisoned) stale++;
      }
      console.log(stale);
    })();`;
  const r = runNode(script, { timeout: 60_000 });
  assert.equal(r.stdout.trim(), '0', 'times poisoned was stale');
});

test('a call made right after the guest is killed rejects with ERR_POISONED', processOnly, async () => {
  for (let i = 0; i < 5; i++) {
    const { sandbox, pid } = await counterWithGuestPid();
    process.kill(pid, 'SIGKILL');
    await assert.rejects(sandbox.callHandler('counter', {}), apiError('ERR_POISONED'), `attempt ${i}`);
    await sandbox.unload();
  }
});

test('the examples run to completion', async (t) => {
  for (const name of ['simple', 'calculator', 'unload']) {
    await t.test(name, () => {
      const file = path.join(__dirname, '..', 'examples', `${name}.js`);
      const r = spawnNode([file], { timeout: 60_000 });
      assert.equal(r.status, 0, `${name}.js exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
    });
  }
});

test("the guest's console.log and print reach the host's stdout, in order", () => {
  // In a child, so its stdout can be read back whole.
  const script = `
    const { SandboxBuilder } = require(${LIB});
    (async () => {
      const js = await (await new SandboxBuilder().build()).loadRuntime();
      js.addModule('m', 'console.log("from a module top level"); export const x = 1;');
      js.addHandler('h', 'import { x } from "user:m"; function handler(e) { console.log("hello", e.n, [1, 2]); print("raw\\\\n"); return x; }');
      const l = await js.getLoadedSandbox();
      console.log('result', await l.callHandler('h', { n: 5 }));
    })();`;
  const r = runNode(script, { timeout: 60_000 });
  assert.equal(r.stdout, 'from a module top level\nhello 5 [ 1, 2 ]\nraw\nresult 1\n');
});

test('build() consumes the SandboxBuilder: a second build() rejects with ERR_CONSUMED', async () => {
  const builder = new SandboxBuilder().setHeapSize(16 << 20);
  const proto = await builder.build();
  let second;
  assert.doesNotThrow(() => { second = builder.build(); }, 'a second build() must reject, not throw');
  await assert.rejects(second, apiError('ERR_CONSUMED', 'SandboxBuilder', 'build()'));
  // The proto sandbox from the first build() is unaffected.
  const js = await proto.loadRuntime();
  js.addHandler('echo', ECHO);
  const sandbox = await js.getLoadedSandbox();
  assert.equal(await sandbox.callHandler('echo', 'still mine'), 'still mine');
  await sandbox.unload();
});

test('setters after build() throw ERR_CONSUMED, already while the build runs', async () => {
  const builder = new SandboxBuilder();
  const building = builder.build();
  const calls = {
    setHeapSize: 1 << 20,
    setScratchSize: 1 << 20,
    setInputBufferSize: 4096,
    setOutputBufferSize: 4096,
    setLoadTimeoutMs: 1000,
    setBackend: 'process',
  };
  for (const [setter, value] of Object.entries(calls)) {
    assert.throws(() => builder[setter](value), apiError('ERR_CONSUMED', 'SandboxBuilder', 'build()'), setter);
  }
  await building;
  assert.throws(() => builder.setHeapSize(1 << 20), apiError('ERR_CONSUMED', 'build()'), 'after the build finished');
});

test('a build() that fails still consumes the SandboxBuilder', () => {
  // A bad HYPERLIGHT_JS_BACKEND fails every build() on any host; in a child so it stays out of this process.
  const script = `
    const { SandboxBuilder } = require(${LIB});
    (async () => {
      const builder = new SandboxBuilder();
      const outcome = async (f) => { try { await f(); return 'ok'; } catch (e) { return e.code; } };
      console.log(JSON.stringify([
        await outcome(() => builder.build()),
        await outcome(() => builder.build()),
        await outcome(() => builder.setHeapSize(1 << 20)),
      ]));
    })();`;
  const r = runNode(script, { env: { HYPERLIGHT_JS_BACKEND: 'kvm' }, timeout: 60_000 });
  assert.deepEqual(JSON.parse(r.stdout), ['ERR_INVALID_ARG', 'ERR_CONSUMED', 'ERR_CONSUMED']);
});

test('dispose() frees a LoadedJSSandbox now: a running call and later use reject with ERR_CONSUMED', async () => {
  const sandbox = await loaded({ spin: 'function handler() { for (;;) {} }', echo: ECHO });
  const running = sandbox.callHandler('spin', {});
  const queued = sandbox.callHandler('echo', 'queued');
  await new Promise((r) => setTimeout(r, 50 * SLOW));
  sandbox.dispose();
  sandbox.dispose(); // idempotent
  const all = [running, queued, sandbox.callHandler('echo', 'later'), sandbox.snapshot(), sandbox.unload()];
  await Promise.all(all.map((p) => assert.rejects(p, apiError('ERR_CONSUMED', 'dispose()'))));
});

test('dispose() on a JSSandbox and a ProtoJSSandbox consumes them', async () => {
  const js = await runtime();
  js.dispose();
  js.dispose();
  await assert.rejects(js.getLoadedSandbox(), apiError('ERR_CONSUMED', 'JSSandbox', 'dispose()'));
  assert.throws(() => js.addHandler('h', ECHO), apiError('ERR_CONSUMED', 'dispose()'));
  const proto = await new SandboxBuilder().build();
  proto.dispose();
  await assert.rejects(proto.loadRuntime(), apiError('ERR_CONSUMED', 'ProtoJSSandbox', 'dispose()'));
});

test('Symbol.asyncDispose and Symbol.dispose dispose (await using)', async () => {
  const sandbox = await loaded({ echo: ECHO });
  await sandbox[Symbol.asyncDispose]();
  await assert.rejects(sandbox.callHandler('echo', 1), apiError('ERR_CONSUMED', 'dispose()'));
  const other = await loaded({ echo: ECHO });
  other[Symbol.dispose]();
  await assert.rejects(other.callHandler('echo', 1), apiError('ERR_CONSUMED', 'dispose()'));
});

test('dispose() ends the guest process at once', processOnly, async () => {
  const { sandbox, pid } = await counterWithGuestPid();
  assert.equal(await sandbox.callHandler('counter', {}), 1);
  sandbox.dispose();
  // Within 5 s (exited's bound), with the object still referenced here.
  await exited(pid);
  assert.equal(sandbox.poisoned, false);
});

test('sandboxes created and disposed in a loop stay within a fixed memory bound', async () => {
  const rounds = SLOW > 1 ? 15 : 200;
  const rss = () => process.memoryUsage().rss;
  let first;
  for (let i = 0; i < rounds; i++) {
    const sandbox = await loaded({ echo: ECHO });
    assert.equal(await sandbox.callHandler('echo', i), i);
    sandbox.dispose();
    if (i === 4) first = rss();
  }
  const grown = (rss() - first) / (1 << 20);
  // Without dispose() each micro-VM would hold hundreds of MiB until collected.
  assert.ok(grown < 128, `resident memory grew by ${grown.toFixed(1)} MiB over ${rounds - 5} sandboxes`);
});


test('sandboxes dropped without dispose() are collected in time: V8 knows what their guests hold', async () => {
  // Without the external-memory count V8 sees only small wrappers and
  // collects none of them in a loop this short: every guest stays alive.
  const rounds = SLOW > 1 ? 16 : 80;
  const alive = () => metrics().sandboxesAlive[BACKEND] || 0;
  const before = alive();
  let most = 0;
  for (let i = 0; i < rounds; i++) {
    const sandbox = await loaded({ echo: ECHO });
    assert.equal(await sandbox.callHandler('echo', i), i);
    // Dropped here; finalizers run after a collection, a little later.
    await new Promise((r) => setImmediate(r));
    most = Math.max(most, alive() - before);
  }
  assert.ok(most <= rounds / 2, `up to ${most} of ${rounds} dropped sandboxes were alive at once`);
});

test('snapshots dropped without a reference are collected in time: V8 knows what each holds', async () => {
  // A process-backend snapshot is a paused process; a micro-VM snapshot
  // holds a copy of the VM's memory (over 100 MiB at default sizes). Without
  // the external-memory count V8 sees only small wrappers, and every one
  // taken in a loop this short stays alive.
  const rounds = SLOW > 1 ? 20 : 100;
  const sandbox = await loaded({ counter: COUNTER });
  const held = BACKEND === 'process' ? () => childPids().size : () => process.memoryUsage().rss / (113 << 20);
  const before = held();
  let most = 0;
  for (let i = 0; i < rounds; i++) {
    await sandbox.snapshot();
    // Dropped here; finalizers run after a collection, a little later.
    await new Promise((r) => setImmediate(r));
    most = Math.max(most, held() - before);
  }
  assert.ok(most <= rounds / 2, `up to ${most.toFixed(1)} of ${rounds} dropped snapshots were alive at once`);
  sandbox.dispose();
});

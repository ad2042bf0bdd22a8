'use strict';
// Where a call waits for its guest once the fast path's spin is over: in
// Node's own event loop on the guest's doorbell (the process backend), or on
// the sandbox's thread (micro-VMs, host function calls, a call that wakes the
// loop too often). `metrics().callsWaited` says which; whichever it is, the
// call's result, its console output, its limits and the event loop behave
// the same.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { metrics } = require('../lib');
const { loaded, loadedWithHost, apiError, runNode, LIB, SLOW, BACKEND } = require('./helpers');

// Busy for `event.ms` milliseconds: far past the fast path's 50 µs spin.
const BUSY = `function handler(event) {
  const until = Date.now() + event.ms;
  while (Date.now() < until) {}
  return { id: event.id };
}`;

function waitsSince(before) {
  const now = metrics().callsWaited;
  return Object.fromEntries(Object.keys(now).map((k) => [k, now[k] - before[k]]));
}

// Where a call past the spin waits on this run's backend.
const PAST_THE_SPIN = BACKEND === 'process' ? 'eventLoop' : 'sandboxThread';

test('a call past the fast path\'s spin keeps the event loop running and settles with its own result', async () => {
  const sandbox = await loaded({ busy: BUSY });
  const before = metrics().callsWaited;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const result = await sandbox.callHandler('busy', { ms: 50 * SLOW, id: 'one' });
  clearInterval(timer);
  assert.deepEqual(result, { id: 'one' });
  assert.ok(ticks >= 5, `the event loop ran ${ticks} timer ticks during a ${50 * SLOW} ms call`);
  assert.deepEqual(waitsSince(before), { caller: 0, eventLoop: 0, sandboxThread: 0, [PAST_THE_SPIN]: 1 });
  // A quick call right after it still takes the fast path.
  assert.deepEqual(await sandbox.callHandler('busy', { ms: 0, id: 'two' }), { id: 'two' });
  await sandbox.unload();
});

test('eight sandboxes\' calls wait at once, each settling with its own result, in submission order per sandbox', async () => {
  const sandboxes = await Promise.all(Array.from({ length: 8 }, () => loaded({ busy: BUSY })));
  const before = metrics().callsWaited;
  const results = await Promise.all(
    sandboxes.flatMap((s, i) => [0, 1, 2].map((k) => s.callHandler('busy', { ms: (5 + i) * SLOW, id: `${i}.${k}` }))),
  );
  assert.deepEqual(results, sandboxes.flatMap((_, i) => [0, 1, 2].map((k) => ({ id: `${i}.${k}` }))));
  const waits = waitsSince(before);
  assert.equal(waits.caller + waits.eventLoop + waits.sandboxThread, 24);
  // The first call of each sandbox starts at once and outlasts the spin; the
  // two queued behind it wait on the sandbox's thread.
  assert.ok(waits[PAST_THE_SPIN] >= 8, JSON.stringify(waits));
  for (const s of sandboxes) s.dispose();
});

test('calls past the spin on sandboxes made and dropped one after another, and after restore() and a poisoning kill, wait in the loop each time', async () => {
  // Each guest's descriptor gets a poll handle kept for the next call; a
  // dropped sandbox's number is soon another guest's, and restore() and a
  // killed call's replacement give a guest a new descriptor.
  const before = metrics().callsWaited;
  let calls = 0;
  // A micro-VM's snapshot() costs seconds in the test VM.
  const sandboxes = SLOW > 1 ? 2 : 4;
  for (let i = 0; i < sandboxes; i++) {
    const sandbox = await loaded({ busy: BUSY });
    const snap = await sandbox.snapshot();
    for (let k = 0; k < 2; k++) {
      assert.deepEqual(await sandbox.callHandler('busy', { ms: 5 * SLOW, id: `${i}.${k}` }), { id: `${i}.${k}` });
      calls++;
      await sandbox.restore(snap);
    }
    const stopped = sandbox.callHandler('busy', { ms: 60_000, id: 'x' }, { wallClockTimeoutMs: 20 * SLOW });
    await assert.rejects(stopped, { code: 'ERR_CANCELLED' });
    calls++;
    assert.equal(sandbox.poisoned, true);
    await sandbox.restore(snap);
    assert.deepEqual(await sandbox.callHandler('busy', { ms: 5 * SLOW, id: `${i}.after` }), { id: `${i}.after` });
    calls++;
    sandbox.dispose();
  }
  const waits = waitsSince(before);
  assert.equal(waits.caller + waits.eventLoop + waits.sandboxThread, calls, JSON.stringify(waits));
  // The stopped calls' ends come from their monitors, on the sandbox's thread or in the loop.
  assert.ok(waits[PAST_THE_SPIN] >= calls - sandboxes, JSON.stringify(waits));
});

test('a waiting call is stopped by its wall-clock limit, kill(), an AbortSignal and dispose(), with the usual codes', async () => {
  const sandbox = await loaded({ busy: BUSY });
  const snapshot = await sandbox.snapshot();
  const forever = { ms: 600_000, id: 'x' };
  await assert.rejects(sandbox.callHandler('busy', forever, { wallClockTimeoutMs: 100 * SLOW }), apiError('ERR_CANCELLED'));
  assert.equal(sandbox.lastCallStats.terminatedBy, 'wall-clock');

  await sandbox.restore(snapshot);
  const killed = sandbox.callHandler('busy', forever);
  setTimeout(() => sandbox.interruptHandle.kill(), 50 * SLOW);
  await assert.rejects(killed, apiError('ERR_CANCELLED'));

  await sandbox.restore(snapshot);
  const controller = new AbortController();
  const aborted = sandbox.callHandler('busy', forever, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error('enough')), 50 * SLOW);
  await assert.rejects(aborted, (err) => err.code === 'ERR_CANCELLED' && err.cause?.message === 'enough');

  await sandbox.restore(snapshot);
  const running = sandbox.callHandler('busy', forever);
  const queued = sandbox.callHandler('busy', { ms: 0, id: 'queued' });
  setTimeout(() => sandbox.dispose(), 50 * SLOW);
  await Promise.all([assert.rejects(running, apiError('ERR_CONSUMED')), assert.rejects(queued, apiError('ERR_CONSUMED'))]);
});

test('console output of a waiting call arrives whole and in order, however often it wakes the loop', async () => {
  // A line about every 0.3 ms: most lines ring the doorbell on their own,
  // past the 64 wakes after which the call goes on on the sandbox's thread.
  const sandbox = await loaded({
    chatty: `function handler(event) {
      for (let i = 0; i < event.lines; i++) {
        const until = Date.now() + 0.3;
        while (Date.now() < until) {}
        console.log('line', i);
      }
      return 'done';
    }`,
  });
  const lines = [];
  const result = await sandbox.callHandler('chatty', { lines: 200 }, { onConsole: (entry) => lines.push(entry.message) });
  assert.equal(result, 'done');
  assert.deepEqual(lines, Array.from({ length: 200 }, (_, i) => `line ${i}`));
  await sandbox.unload();
});

test('a waiting call that calls a host function gets its answer, sync or async', async () => {
  const seen = [];
  const sandbox = await loadedWithHost(
    (proto) => {
      proto.register('h', 'sync', (x) => { seen.push(x); return x * 2; });
      proto.register('h', 'later', async (x) => { seen.push(x); return x * 3; });
    },
    {
      calls: `import * as h from 'host:h';
        async function handler(event) {
          const until = Date.now() + event.ms;
          while (Date.now() < until) {}
          return [h.sync(event.x), await h.later(event.x)];
        }`,
    },
  );
  assert.deepEqual(await sandbox.callHandler('calls', { ms: 20 * SLOW, x: 7 }), [14, 21]);
  assert.deepEqual(seen, [7, 7]);
  await sandbox.unload();
});

test('a Worker ended while its call waits leaves the process sound', { timeout: 60_000 * SLOW }, () => {
  // In a child: a teardown that went wrong would crash the whole process.
  const r = runNode(`
    const { Worker } = require('node:worker_threads');
    const { SandboxBuilder } = require(${LIB});
    const source = \`
      const { parentPort } = require('node:worker_threads');
      const { SandboxBuilder } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
      (async () => {
        const js = await (await new SandboxBuilder().build()).loadRuntime();
        js.addHandler('busy', 'function handler() { const t = Date.now() + 600000; while (Date.now() < t) {} }');
        const l = await js.getLoadedSandbox();
        l.callHandler('busy', {}, { wallClockTimeoutMs: 5000 }).catch(() => {});
        parentPort.postMessage('waiting');
      })();\`;
    (async () => {
      const w = new Worker(source, { eval: true });
      await new Promise((resolve) => w.once('message', resolve));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await w.terminate();
      // A Worker whose calls waited in its loop and that then ends by itself.
      const done = new Worker(\`
        const { SandboxBuilder } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
        (async () => {
          const js = await (await new SandboxBuilder().build()).loadRuntime();
          js.addHandler('busy', 'function handler() { const t = Date.now() + 20; while (Date.now() < t) {} return 1; }');
          const l = await js.getLoadedSandbox();
          for (let i = 0; i < 3; i++) await l.callHandler('busy', {});
        })();\`, { eval: true });
      const code = await new Promise((resolve) => done.once('exit', resolve));
      console.log('worker exit', code);
      const js = await (await new SandboxBuilder().build()).loadRuntime();
      js.addHandler('h', 'function handler(e) { return e + 1; }');
      const l = await js.getLoadedSandbox();
      console.log('after', await l.callHandler('h', 41));
    })().catch((e) => { console.error(e); process.exit(1); });`);
  assert.match(r.stdout, /worker exit 0/);
  assert.match(r.stdout, /after 42/);
});

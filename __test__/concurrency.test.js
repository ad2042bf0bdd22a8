'use strict';
// Guests run off the event loop; sandboxes run independently; calls on one
// sandbox run one at a time, in the order they were made. Nothing here
// asserts durations: only what happened and in which order.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { runtime, loaded, apiError, COUNTER, SLOW } = require('./helpers');

// Spins for event.ms milliseconds of wall-clock time inside the guest.
const BUSY = `function handler(event) {
  const end = Date.now() + event.ms;
  let spins = 0;
  while (Date.now() < end) spins++;
  return { id: event.id, spins: spins > 0 };
}`;

test('the event loop keeps running while a handler busy-loops', async () => {
  const sandbox = await loaded({ busy: BUSY });
  let immediates = 0;
  let intervals = 0;
  let running = true;
  const spin = () => {
    immediates++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  const timer = setInterval(() => intervals++, 5);
  try {
    assert.deepEqual(await sandbox.callHandler('busy', { id: 'a', ms: 300 }), { id: 'a', spins: true });
  } finally {
    running = false;
    clearInterval(timer);
  }
  assert.ok(immediates > 0, `setImmediate callbacks ran during the call: ${immediates}`);
  assert.ok(intervals > 0, `setInterval callbacks ran during the call: ${intervals}`);
  await sandbox.unload();
});

test('other JS work completes while a handler runs', async () => {
  const sandbox = await loaded({ busy: BUSY });
  const order = [];
  const call = sandbox.callHandler('busy', { id: 'slow', ms: 300 }).then(() => order.push('handler'));
  await new Promise((resolve) => setImmediate(resolve)).then(() => order.push('immediate'));
  await call;
  assert.deepEqual(order, ['immediate', 'handler']);
  await sandbox.unload();
});

test('several sandboxes run in parallel, each with its own result and state', async () => {
  const ids = ['alpha', 'beta', 'gamma', 'delta'];
  // Each sandbox gets a handler that knows its own id, plus a counter.
  const sandboxes = await Promise.all(
    ids.map((id) =>
      loaded({
        busy: BUSY,
        whoami: `function handler() { return ${JSON.stringify(id)}; }`,
        counter: COUNTER,
      }),
    ),
  );
  const busy = await Promise.all(sandboxes.map((s, i) => s.callHandler('busy', { id: ids[i], ms: 100 })));
  assert.deepEqual(busy.map((r) => r.id), ids);
  assert.deepEqual(await Promise.all(sandboxes.map((s) => s.callHandler('whoami', {}))), ids);

  // Counters are per sandbox: bump the first one three times, the others once.
  for (let i = 0; i < 2; i++) await sandboxes[0].callHandler('counter', {});
  assert.deepEqual(await Promise.all(sandboxes.map((s) => s.callHandler('counter', {}))), [3, 1, 1, 1]);
  await Promise.all(sandboxes.map((s) => s.unload()));
});

test('sandboxes can be created concurrently', async () => {
  const runtimes = await Promise.all(Array.from({ length: 6 }, () => runtime()));
  const sandboxes = await Promise.all(
    runtimes.map((js, i) => {
      js.addHandler('id', `function handler(e) { return [${i}, e]; }`);
      return js.getLoadedSandbox();
    }),
  );
  const results = await Promise.all(sandboxes.map((s, i) => s.callHandler('id', `event-${i}`)));
  assert.deepEqual(results, sandboxes.map((_, i) => [i, `event-${i}`]));
  await Promise.all(sandboxes.map((s) => s.unload()));
});

test('50 concurrent calls on one sandbox run in submission order', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  const calls = Array.from({ length: 50 }, () => sandbox.callHandler('counter', {}));
  assert.deepEqual(await Promise.all(calls), Array.from({ length: 50 }, (_, i) => i + 1));
  await sandbox.unload();
});

test('concurrent calls to different handlers on one sandbox never interleave', async () => {
  // A shared log: each call records its start and end. Interleaving would show
  // a start between another call's start and end.
  const sandbox = await loaded({
    log: `
      globalThis.log = globalThis.log || [];
      function handler(e) {
        log.push('start ' + e.i);
        const end = Date.now() + 2; while (Date.now() < end) {}
        log.push('end ' + e.i);
        return log.length;
      }`,
    read: 'function handler() { return globalThis.log; }',
  });
  const n = 20;
  const lengths = await Promise.all(Array.from({ length: n }, (_, i) => sandbox.callHandler('log', { i })));
  assert.deepEqual(lengths, Array.from({ length: n }, (_, i) => 2 * (i + 1)));
  const expected = Array.from({ length: n }, (_, i) => [`start ${i}`, `end ${i}`]).flat();
  assert.deepEqual(await sandbox.callHandler('read', {}), expected);
  await sandbox.unload();
});

test('a failing call in a burst affects only itself', async () => {
  const sandbox = await loaded({
    counter: COUNTER,
    fail: 'function handler(e) { throw new Error("call " + e.i + " failed"); }',
  });
  const outcomes = await Promise.allSettled([
    sandbox.callHandler('counter', {}),
    sandbox.callHandler('counter', {}),
    sandbox.callHandler('fail', { i: 3 }),
    sandbox.callHandler('counter', {}),
    sandbox.callHandler('missing', {}),
    sandbox.callHandler('counter', {}),
  ]);
  assert.deepEqual(outcomes.map((o) => o.value), [1, 2, undefined, 3, undefined, 4]);
  apiError('ERR_GUEST_ABORT', 'call 3 failed')(outcomes[2].reason);
  apiError('ERR_INVALID_ARG', 'missing')(outcomes[4].reason);
  assert.equal(sandbox.poisoned, false);
  await sandbox.unload();
});

test('calls queued before unload() finish; calls after it are refused', async () => {
  const sandbox = await loaded({ counter: COUNTER });
  const queued = [1, 2, 3].map(() => sandbox.callHandler('counter', {}));
  const unloading = sandbox.unload();
  const late = assert.rejects(sandbox.callHandler('counter', {}), apiError('ERR_CONSUMED', 'unload'));
  assert.deepEqual(await Promise.all(queued), [1, 2, 3]);
  await late;
  const js = await unloading;
  js.addHandler('counter', COUNTER);
  const again = await js.getLoadedSandbox();
  assert.equal(await again.callHandler('counter', {}), 1);
  await again.unload();
});

test('8 sandboxes started at once, called and dropped, round after round: no failures', async () => {
  // Half of each round's sandboxes have sizes no earlier sandbox had, so on
  // micro-VMs every round also boots a new template while the others start
  // from the current one. Fewer rounds in the slow test VM.
  const rounds = Math.max(3, Math.ceil(25 / SLOW));
  for (let round = 0; round < rounds; round++) {
    const sizes = (i) => (b) => { if (i % 2) b.setInputBufferSize(1024 * 1024 + 4096 * (round + 1)); };
    const sandboxes = await Promise.all(Array.from({ length: 8 }, (_, i) => loaded({ counter: COUNTER }, sizes(i))));
    const counts = await Promise.all(sandboxes.map(async (s) => [await s.callHandler('counter', {}), await s.callHandler('counter', {})]));
    assert.deepEqual(counts, Array(8).fill([1, 2]), `round ${round}`);
    sandboxes.forEach((s, i) => (i % 4 ? s.dispose() : undefined)); // the rest are left to the garbage collector
  }
});

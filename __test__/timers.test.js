'use strict';
// Timers in the guest (crates/guest-env): setTimeout, setInterval,
// setImmediate, their clear* functions and AbortSignal.timeout(). Node is the
// oracle for what runs in which order; the rest is what a sandbox adds: a
// timer waits real time without burning CPU, the call's monitors and kill()
// still stop a call that waits, and a call's (or a load's) pending timers are
// dropped when it ends, never firing in a later call.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { loaded, apiError, BACKEND, SLOW } = require('./helpers');

// Each scenario is the body of an async function given `log(...values)` and
// `sleep(ms)` (a promise on setTimeout); the logs must match Node's.
const SCENARIOS = [
  // By due time, equal ones in the order they were made; a delay that is not
  // a number from 1 to 2^31-1 is 1 ms. Node reads the clock at each
  // setTimeout, so 'b' is far enough off that a slow machine (the test VM
  // once took 2 ms between two of these calls) cannot make it due first.
  "setTimeout(() => log('b'), 50); setTimeout(() => log('a'), 1); setTimeout(() => log('c'), 0); setTimeout(() => log('d'), 'x'); setTimeout(() => log('e'), -5); setTimeout(() => log('f'), 2 ** 31); await sleep(100);",
  // Promise reactions run between two timers that are due together.
  "setTimeout(() => { log('t1'); Promise.resolve().then(() => log('m1')).then(() => log('m2')); }, 1); setTimeout(() => log('t2'), 1); await sleep(30);",
  // Arguments; clearTimeout with the object and with its number; an interval that clears itself.
  "clearTimeout(setTimeout(() => log('never'), 1)); const u = setTimeout(() => log('never 2'), 1); clearTimeout(+u); setTimeout((a, b) => log('args', a, b), 1, 'x', 2); let n = 0; const i = setInterval(() => { log('tick', ++n); if (n === 3) clearInterval(i); }, 2); await sleep(60);",
  // Timers made by a timer, and a microtask queued by it.
  "setTimeout(() => { log('outer'); setTimeout(() => log('inner'), 0); Promise.resolve().then(() => log('micro')); }, 1); await sleep(30);",
  // setImmediate after the microtasks, with its arguments; clearImmediate.
  "setImmediate((x) => log('immediate', x), 7); clearImmediate(setImmediate(() => log('never'))); Promise.resolve().then(() => log('micro')); await sleep(10);",
  // The Timeout object's shape.
  "const t = setTimeout(() => {}, 1); log(typeof t, t.hasRef(), t.unref() === t, t.hasRef(), t.ref().hasRef(), typeof t[Symbol.toPrimitive](), t.refresh() === t, typeof setImmediate(() => {}).hasRef); clearTimeout(t);",
  // A callback that is not a function is refused as Node refuses it.
  "for (const bad of [undefined, 'log(1)', 5, {}]) { try { setTimeout(bad, 1); log('no throw'); } catch (e) { log(e.name, e.code, e.message); } }",
  "try { setInterval(null); } catch (e) { log(e.name, e.code, e.message); } try { setImmediate(); } catch (e) { log(e.name, e.code, e.message); }",
  // Clearing something that is not a pending timer does nothing.
  "clearTimeout(undefined); clearTimeout(null); clearTimeout(12345); clearTimeout({}); clearInterval('x'); log('ok');",
  // AbortSignal.timeout() aborts with a TimeoutError.
  "const s = AbortSignal.timeout(5); s.onabort = () => log('abort event'); await sleep(40); log(s.aborted, s.reason.name, s.reason.message);",
  // A promise-based delay, as libraries write it.
  "const delay = (ms, v) => new Promise((r) => setTimeout(r, ms, v)); log(await Promise.race([delay(20, 'slow'), delay(1, 'fast')]));",
];

const PRELUDE = 'const log = (...a) => out.push(a); const sleep = (ms) => new Promise((r) => setTimeout(r, ms));';

async function inNode(body) {
  const out = [];
  const AsyncFunction = (async () => {}).constructor;
  await new AsyncFunction('out', `${PRELUDE}\n${body}`)(out);
  return JSON.parse(JSON.stringify(out));
}

test(`timers run in Node's order, with Node's objects and errors (${BACKEND})`, async () => {
  const handlers = {};
  SCENARIOS.forEach((body, i) => {
    handlers[`s${i}`] = `async function handler() { const out = []; ${PRELUDE}\n${body}\n return out; }`;
  });
  const sandbox = await loaded(handlers);
  for (const [i, body] of SCENARIOS.entries()) {
    assert.deepEqual(await sandbox.callHandler(`s${i}`, {}), await inNode(body), body);
  }
});

test(`a timer waits real time, without using CPU time (${BACKEND})`, async () => {
  const ms = 150 * SLOW;
  const sandbox = await loaded({
    wait: 'async function handler(e) { const t0 = Date.now(); await new Promise((r) => setTimeout(r, e.ms)); return Date.now() - t0; }',
  });
  const t0 = Date.now();
  // A CPU budget of a third of the wait: sleeping must not count against it.
  const guestMs = await sandbox.callHandler('wait', { ms }, { cpuTimeoutMs: ms / 3, wallClockTimeoutMs: ms * 20 });
  const hostMs = Date.now() - t0;
  assert.ok(guestMs >= ms - 1, `the guest saw ${guestMs} ms pass, waiting for a ${ms} ms timer`);
  assert.ok(hostMs >= ms - 1, `the call took ${hostMs} ms, waiting for a ${ms} ms timer`);
  const stats = sandbox.lastCallStats;
  if (stats.cpuTimeMs !== null) assert.ok(stats.cpuTimeMs < ms / 3, `the call used ${stats.cpuTimeMs} ms of CPU time`);
});

test(`the call's monitors, an abort and kill() stop a call waiting on a timer (${BACKEND})`, async () => {
  const sandbox = await loaded({
    forever: 'async function handler() { await new Promise((r) => setTimeout(r, 3600e3)); return "woke"; }',
    tick: 'async function handler() { await new Promise((r) => setInterval(() => {}, 1)); }',
    ok: 'function handler() { return 1; }',
  });
  const snap = await sandbox.snapshot();
  const stopped = async (promise) => {
    await assert.rejects(promise, apiError('ERR_CANCELLED'));
    await sandbox.restore(snap);
    assert.equal(await sandbox.callHandler('ok', {}), 1);
  };
  await stopped(sandbox.callHandler('forever', {}, { wallClockTimeoutMs: 100 * SLOW }));
  // An interval that fires every millisecond, forever: the CPU monitor does not see it, the wall clock does.
  await stopped(sandbox.callHandler('tick', {}, { wallClockTimeoutMs: 100 * SLOW }));
  await stopped(sandbox.callHandler('forever', {}, { signal: AbortSignal.timeout(100 * SLOW) }));
  const call = sandbox.callHandler('forever', {});
  setTimeout(() => sandbox.interruptHandle.kill(), 100 * SLOW);
  await stopped(call);
});

test(`timers a call or a load leaves pending never fire later (${BACKEND})`, async () => {
  const sandbox = await loaded({
    // Top-level code may wait on a timer while the sandbox loads, and leave one pending.
    loadTime: `await new Promise((r) => setTimeout(r, 5));
      globalThis.fired = [];
      setTimeout(() => globalThis.fired.push('load'), 1);
      function handler() { return 'loaded after a timer'; }`,
    sync: "function handler() { setTimeout(() => globalThis.fired.push('sync'), 1); setInterval(() => globalThis.fired.push('interval'), 1); return 'armed'; }",
    async: "async function handler() { setTimeout(() => globalThis.fired.push('async'), 5); await new Promise((r) => setTimeout(r, 1)); return 'armed'; }",
    later: 'async function handler() { await new Promise((r) => setTimeout(r, 40)); return globalThis.fired; }',
  });
  assert.equal(await sandbox.callHandler('loadTime', {}), 'loaded after a timer');
  assert.equal(await sandbox.callHandler('sync', {}), 'armed');
  assert.equal(await sandbox.callHandler('async', {}), 'armed');
  assert.deepEqual(await sandbox.callHandler('later', {}), []);
  // A new call's own timers still run.
  assert.deepEqual(await sandbox.callHandler('async', {}), 'armed');
});

test(`an error thrown by a timer's callback is reported on the console, and the call goes on (${BACKEND})`, async () => {
  const sandbox = await loaded({
    h: "async function handler() { setTimeout(() => { throw new Error('tick failed'); }, 1); await new Promise((r) => setTimeout(r, 20)); return 'done'; }",
  });
  const entries = [];
  assert.equal(await sandbox.callHandler('h', {}, { onConsole: (e) => entries.push(e) }), 'done');
  assert.equal(entries.length, 1, JSON.stringify(entries));
  assert.equal(entries[0].level, 'error');
  assert.match(entries[0].message, /^Uncaught Error: tick failed/);
});

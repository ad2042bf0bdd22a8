// Hostile guests: memory and stack bombs, loops while loading, and what is
// left behind when sandboxes are dropped in bulk or the host process exits.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { SandboxBuilder } = require('../lib');
const { apiError, processOnly, SLOW, runNode, LIB, HELPERS, assertNoLeak } = require('./helpers');

async function jsSandbox(configure = (b) => b) {
  return (await configure(new SandboxBuilder()).build()).loadRuntime();
}

test('a memory bomb stops at the heap limit with an error that says so, and the sandbox survives', async () => {
  const js = await jsSandbox((b) => b.setHeapSize(8 * 1024 * 1024));
  js.addHandler('bomb', 'function handler() { const a = []; for (;;) a.push(new Array(100000).fill(1)); }');
  js.addHandler('ok', 'function handler() { return "ok"; }');
  const loaded = await js.getLoadedSandbox();
  await assert.rejects(loaded.callHandler('bomb', {}), apiError('ERR_GUEST_ABORT', 'heap limit of 8388608 bytes'));
  assert.equal(loaded.poisoned, false);
  assert.equal(await loaded.callHandler('ok', {}), 'ok');
});

test('deep recursion is an error, not a crash', async () => {
  const js = await jsSandbox();
  js.addHandler('deep', 'function f(n) { return f(n + 1) + 1; } function handler() { return f(0); }');
  const loaded = await js.getLoadedSandbox();
  await assert.rejects(loaded.callHandler('deep', {}), apiError('ERR_GUEST_ABORT', 'stack'));
  assert.equal(loaded.poisoned, false);
});

test('an output bomb is refused at the output buffer size', async () => {
  const js = await jsSandbox((b) => b.setOutputBufferSize(64 * 1024));
  js.addHandler('big', 'function handler() { return "x".repeat(1 << 20); }');
  const loaded = await js.getLoadedSandbox();
  await assert.rejects(loaded.callHandler('big', {}), apiError('ERR_INVALID_ARG', '65536'));
});

for (const [what, handlers, modules] of [
  ['handler top level', [['loop', 'while (true) {} function handler() { return 1; }']], []],
  ['module top level', [['h', "import { x } from 'user:spin'; function handler() { return x; }"]], [['spin', 'for (;;) {} export const x = 1;']]],
]) {
  test(`an infinite loop at ${what} cancels getLoadedSandbox() at the load timeout; the JSSandbox stays usable`, async () => {
    // The timeout also bounds the good load that follows: in the test VM a
    // micro-VM's first loads after a restore take a few hundred ms.
    const js = await jsSandbox((b) => b.setLoadTimeoutMs(200 * SLOW));
    for (const [name, src] of modules) js.addModule(name, src);
    for (const [name, src] of handlers) js.addHandler(name, src);
    await assert.rejects(js.getLoadedSandbox(), apiError('ERR_CANCELLED', 'setLoadTimeoutMs'));
    js.clearHandlers();
    js.clearModules();
    js.addHandler('ok', 'function handler() { return "fine"; }');
    const loaded = await js.getLoadedSandbox();
    assert.equal(await loaded.callHandler('ok', {}), 'fine');
  });
}

test('setLoadTimeoutMs validates like the call timeouts', () => {
  for (const bad of [0, -1, 1.5, 3_600_001, NaN]) {
    assert.throws(() => new SandboxBuilder().setLoadTimeoutMs(bad), apiError('ERR_INVALID_ARG', 'setLoadTimeoutMs'));
  }
});

test('sandboxes created and dropped by the hundred leave no processes, descriptors or threads behind', () => {
  // In a child with --expose-gc, so garbage collection (which drops the
  // sandboxes) can be forced; it prints its counts (helpers.js, leakCounts)
  // before and after. A
  // micro-VM holds descriptors (the VM's and its vCPU's) and a leaked one
  // shows there. In the test VM fewer: each micro-VM snapshot there takes
  // 3-5 s (Hyperlight hashes its 113 MiB with SHA-256 as it writes it, which
  // emulation makes slow), and the VM's stall bound is 180 s without output.
  const count = SLOW > 1 ? 8 : 300;
  const script = `
    const { SandboxBuilder } = require(${LIB});
    const { settle } = require(${HELPERS});
    (async () => {
      const one = async () => {
        const js = await (await new SandboxBuilder().build()).loadRuntime();
        js.addHandler('h', 'function handler(e) { return e + 1; }');
        const l = await js.getLoadedSandbox();
        if ((await l.callHandler('h', 1)) !== 2) throw new Error('bad result');
        await l.snapshot();
      };
      await one(); // start the template and the shared threads
      const before = await settle(null, 5);
      for (let i = 0; i < ${count}; i++) await one();
      const after = await settle(before);
      console.log(JSON.stringify({ before, after }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = runNode(script, { flags: ['--expose-gc'], timeout: 300_000 });
  const { before, after } = JSON.parse(r.stdout);
  assertNoLeak(before, after);
});

test('guests do not outlive the host process', processOnly, () => {
  // The child starts sandboxes (one busy in an endless handler, one with a
  // snapshot), prints its guest pids and exits without cleaning up.
  const script = `
    const { SandboxBuilder } = require(${LIB});
    const { childPids } = require(${HELPERS});
    (async () => {
      const loaded = [];
      for (let i = 0; i < 3; i++) {
        const js = await (await new SandboxBuilder().build()).loadRuntime();
        js.addHandler('spin', 'function handler() { for (;;) {} }');
        loaded.push(await js.getLoadedSandbox());
      }
      await loaded[1].snapshot();
      loaded[0].callHandler('spin', {}).catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
      console.log(JSON.stringify([...childPids()]));
      process.exit(0);
    })();`;
  const r = runNode(script, { timeout: 60_000 });
  const pids = JSON.parse(r.stdout);
  assert.ok(pids.length >= 5, `expected the template, 3 sandboxes and a snapshot, got ${pids}`);
  const alive = () => pids.filter((pid) => {
    try {
      return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
    } catch {
      return false;
    }
  });
  // PDEATHSIG is delivered as the host's threads exit; give the kernel a moment.
  for (let i = 0; i < 200 && alive().length > 0; i++) spawnSync('sleep', ['0.01']);
  assert.deepEqual(alive(), [], 'guest processes still running after their host exited');
});


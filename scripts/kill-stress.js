#!/usr/bin/env node
// Kills that must land: one sandbox, N runaway calls (`for (;;) {}`) each
// stopped by a wall-clock limit of LIMIT_MS, one at a time, restored after
// each. A kill that does not stop the guest within HYPERLIGHT_JS_KILL_GRACE_MS
// shows as ERR_INTERNAL and is counted, with the sandbox threads' kernel
// stacks (run as root to see them). Exit status 1 if any kill was lost.
//
//   N=5000 node scripts/kill-stress.js                 (this machine's default backend)
//   bash scripts/hypervisor-vm.sh . 'HYPERLIGHT_JS_BACKEND=hypervisor N=3000 node scripts/kill-stress.js'
'use strict';

const fs = require('node:fs');
const { SandboxBuilder } = require('../lib');

const N = Number(process.env.N || 1000);
const LIMIT_MS = Number(process.env.LIMIT_MS || 20);

function threadStacks() {
  for (const t of fs.readdirSync('/proc/self/task')) {
    const read = (f) => {
      try {
        return fs.readFileSync(`/proc/self/task/${t}/${f}`, 'utf8').trim();
      } catch {
        return '?';
      }
    };
    if (!read('comm').startsWith('hyperlight')) continue;
    console.log(`-- thread ${t} ${read('comm')} wchan=${read('wchan')}\n${read('stack')}`);
  }
}

async function main() {
  let sandbox, snapshot;
  const fresh = async () => {
    const js = await (await new SandboxBuilder().build()).loadRuntime();
    js.addHandler('spin', 'function handler() { for (;;) {} }');
    sandbox = await js.getLoadedSandbox();
    snapshot = await sandbox.snapshot();
  };
  await fresh();
  let landed = 0, lost = 0;
  const t0 = Date.now();
  for (let i = 1; i <= N; i++) {
    try {
      await sandbox.callHandler('spin', {}, { wallClockTimeoutMs: LIMIT_MS });
      throw new Error('a runaway call returned');
    } catch (e) {
      if (e.code === 'ERR_CANCELLED') landed++;
      else if (e.code === 'ERR_INTERNAL') {
        lost++;
        console.log(`kill ${i} was lost: ${e.message}`);
        threadStacks();
        sandbox.dispose();
        await fresh();
        continue;
      } else throw e;
    }
    await sandbox.restore(snapshot);
    if (i % 250 === 0) console.log(`${i} kills, ${lost} lost, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(`kill-stress (${sandbox.backend}): ${N} kills in ${((Date.now() - t0) / 1000).toFixed(0)} s, ${landed} landed, ${lost} lost`);
  process.exit(lost ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});

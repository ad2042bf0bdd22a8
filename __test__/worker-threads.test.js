'use strict';
// The addon in several JS environments at once: each worker_threads Worker
// gets its own results, while the main thread uses sandboxes too.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { loaded } = require('./helpers');

test('sandboxes work in worker threads and the main thread at the same time', { timeout: 60_000 }, async () => {
  const lib = path.join(__dirname, '..', 'lib');
  const workerSource = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { SandboxBuilder } = require(${JSON.stringify(lib)});
    (async () => {
      const js = await (await new SandboxBuilder().build()).loadRuntime();
      js.addHandler('h', 'function handler(e) { return { who: e.who, n: e.n * 2 }; }');
      const l = await js.getLoadedSandbox();
      const out = [];
      for (let n = 0; n < 20; n++) out.push(await l.callHandler('h', { who: workerData, n }));
      parentPort.postMessage(out);
    })().catch((e) => parentPort.postMessage({ error: String(e) }));`;
  const run = (who) =>
    new Promise((resolve, reject) => {
      const w = new Worker(workerSource, { eval: true, workerData: who });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const main = await loaded({ h: 'function handler(e) { return e + 1; }' });
  const [a, b, mine] = await Promise.all([
    run('a'),
    run('b'),
    (async () => {
      const out = [];
      for (let n = 0; n < 20; n++) out.push(await main.callHandler('h', n));
      return out;
    })(),
  ]);
  const expect = (who) => Array.from({ length: 20 }, (_, n) => ({ who, n: n * 2 }));
  assert.deepEqual(a, expect('a'));
  assert.deepEqual(b, expect('b'));
  assert.deepEqual(mine, Array.from({ length: 20 }, (_, n) => n + 1));
});

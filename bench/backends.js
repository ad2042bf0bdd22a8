#!/usr/bin/env node
// The two backends side by side, in one process and one run: the micro-VM
// backend as a ratio to the process backend. Micro-VMs do not start natively
// on the team's machines, so this runs inside the nested-virtualisation VM:
//
//   bash scripts/hypervisor-vm.sh . 'node bench/backends.js'
//
// Prints a Markdown table (and writes bench/results/backends.md when run with
// --write). Medians over interleaved rounds; no peers here (see run.js).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { SandboxBuilder, SandboxPool, hypervisorProbe } = require('../lib');
const { rssBytes, pssBytes, childPids } = require('./proc');

const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const HANDLER = 'function handler(e) { return { ...e, x: 1 }; }';
const HOST = 'import * as m from "host:m"; function handler() { let s = 0; for (let i = 0; i < 100; i++) s = m.add(s, 1); return s; }';

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function loaded(backend, src = HANDLER, builderFn = () => {}) {
  const builder = new SandboxBuilder().setBackend(backend);
  builderFn(builder);
  const proto = await builder.build();
  proto.register('m', 'add', (a, b) => a + b);
  const js = await proto.loadRuntime();
  js.addHandler('h', src);
  return js.getLoadedSandbox();
}

async function timeEach(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    await fn(i);
    out.push(now() - t);
  }
  return out;
}

let newSizes = 0;
// Older builds (a baseline run against them) have no template cache.
const HAS_TEMPLATE_CACHE = typeof SandboxBuilder.prototype.setTemplateCache === 'function';

/** The second child's time of the last `newProcessStart(backend)`, for the row after it. */
const fromCache = {};

/**
 * A new Node process's first sandbox, timed inside it from build() to the
 * loaded handler's first answer (Node's own start not counted), with a
 * fresh template cache: this first process boots the template and writes
 * it; a second one, whose time goes to `fromCache`, loads it.
 */
function newProcessStart(backend) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-templates-'));
  const script = `
    const { SandboxBuilder } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
    (async () => {
      const t = process.hrtime.bigint();
      const proto = await new SandboxBuilder().setBackend(${JSON.stringify(backend)}).setTemplateCache(${JSON.stringify(dir)}).build();
      const js = await proto.loadRuntime();
      js.addHandler('h', ${JSON.stringify(HANDLER)});
      await (await js.getLoadedSandbox()).callHandler('h', {});
      console.log(Number(process.hrtime.bigint() - t) / 1e6);
      process.exit(0);
    })();`;
  const child = () => {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, HYPERLIGHT_JS_BACKEND: '' } });
    if (r.status !== 0) throw new Error(`a bench child failed: ${r.stderr}`);
    return Number(r.stdout.trim());
  };
  try {
    const first = child();
    fromCache[backend] = child();
    return first;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const MEMORY_COUNT = 10;
/** The pool issue 35 measured: 4 sandboxes resetting after each call. */
const POOL_RESET_COUNT = 4;
const OPS = [
  // Sandboxes of sizes already in use (on micro-VMs: from their template).
  ['cold start to a loaded handler', 'ms', async (b) => {
    const keep = await loaded(b); // keeps the template of these sizes alive
    const samples = await timeEach(5, async () => (await loaded(b)).dispose());
    keep.dispose();
    return samples;
  }],
  // The first sandbox of its sizes (on micro-VMs: boots a template first).
  ['cold start, first sandbox of its sizes', 'ms', (b) => timeEach(1, async () => {
    newSizes += 1;
    (await loaded(b, HANDLER, (builder) => builder.setInputBufferSize(1024 * 1024 + 4096 * newSizes))).dispose();
  })],
  ['call latency, trivial handler (sequential)', 'µs', async (b) => {
    const l = await loaded(b);
    for (let i = 0; i < 50; i++) await l.callHandler('h', { a: i }, { gc: false });
    return (await timeEach(300, (i) => l.callHandler('h', { a: i }, { gc: false }))).map((ms) => ms * 1000);
  }],
  ['throughput, 2 sandboxes in parallel', 'calls/s', async (b) => {
    const ls = await Promise.all([loaded(b), loaded(b)]);
    const t = now();
    await Promise.all(ls.map(async (l) => {
      for (let i = 0; i < 200; i++) await l.callHandler('h', { a: i }, { gc: false });
    }));
    return [400 / ((now() - t) / 1000)];
  }],
  ['100 host calls in one handler call', 'ms', async (b) => {
    const l = await loaded(b, HOST);
    await l.callHandler('h', {});
    return timeEach(10, () => l.callHandler('h', {}, { gc: false }));
  }],
  ['snapshot, after a few calls', 'ms', async (b) => {
    const l = await loaded(b);
    const samples = [];
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 3; j++) await l.callHandler('h', { a: j });
      const t = now();
      await l.snapshot();
      samples.push(now() - t);
    }
    return samples;
  }],
  ['restore', 'ms', async (b) => {
    const l = await loaded(b);
    const snapshot = await l.snapshot();
    const samples = [];
    for (let i = 0; i < 5; i++) {
      await l.callHandler('h', { a: i });
      const t = now();
      await l.restore(snapshot);
      samples.push(now() - t);
    }
    return samples;
  }],
  // A new Node process's first sandbox, timed inside it from build() to the
  // loaded handler (Node's own start not counted), with a template cache:
  // the first process boots the template and writes it, the next loads it.
  ...(HAS_TEMPLATE_CACHE
    ? [
        ['new process, first sandbox: template booted and written to the cache', 'ms', async (b) => [newProcessStart(b)]],
        ['new process, first sandbox: template loaded from the cache', 'ms', async (b) => [fromCache[b]]],
      ]
    : []),
];

/**
 * Resident memory per idle loaded sandbox, `count` alive: the growth of
 * this process plus the new child processes (RSS counts pages a guest shares
 * with its template again; PSS splits them).
 */
async function memoryPer(backend, count = MEMORY_COUNT) {
  await settle();
  const before = { rss: rssBytes(), kids: childPids() };
  const keep = [];
  for (let i = 0; i < count; i++) {
    const l = await loaded(backend);
    await l.callHandler('h', { a: i });
    keep.push(l);
  }
  global.gc?.();
  // Counted anew each time: on the process backend a snapshot is a process too.
  const sum = (bytes) => {
    const kids = [...childPids()].filter((pid) => !before.kids.has(pid));
    return rssBytes() - before.rss + kids.reduce((total, pid) => total + bytes(pid), 0);
  };
  const rss = sum(rssBytes) / count;
  const pss = sum(pssBytes) / count;
  // Then, after a few more calls, one snapshot of each.
  const snapshots = [];
  for (const l of keep) {
    for (let i = 0; i < 3; i++) await l.callHandler('h', { a: i });
    snapshots.push(await l.snapshot());
  }
  global.gc?.();
  const snapshot = (sum(rssBytes) - rss * count) / count;
  for (const l of keep) l.dispose();
  return { rss, pss, snapshot };
}

/**
 * Collects garbage until what earlier measurements dropped (micro-VM
 * snapshots of 100 MiB and more) is freed: native finalizers run after
 * the collection that found their objects, not during it.
 */
async function settle() {
  for (let i = 0; i < 3; i++) {
    global.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Resident memory per sandbox of a full `SandboxPool` (min = max = `count`),
 * each sandbox having served a call: what a pool keeps for its resets counted.
 */
async function pooledMemoryPer(backend, count = MEMORY_COUNT, resetAfterEachCall = false) {
  await settle();
  const before = { rss: rssBytes(), kids: childPids() };
  const pool = new SandboxPool({ min: count, max: count, resetAfterEachCall, handlers: { h: HANDLER }, builder: (b) => b.setBackend(backend) });
  await pool.ready();
  // Every sandbox busy at once, so each serves a call (and then resets).
  await Promise.all(Array.from({ length: count }, (_, i) => pool.callHandler('h', { a: i })));
  while (pool.stats.busy > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  global.gc?.();
  const kids = [...childPids()].filter((pid) => !before.kids.has(pid));
  const rss = (rssBytes() - before.rss + kids.reduce((total, pid) => total + rssBytes(pid), 0)) / count;
  await pool.close();
  return rss;
}

async function main() {
  const probe = await hypervisorProbe();
  if (!probe.available) {
    console.error(`micro-VMs do not start here (${probe.reason}); run this inside the test VM: bash scripts/hypervisor-vm.sh . 'node bench/backends.js'`);
    process.exit(1);
  }
  const backends = ['process', 'hypervisor'];
  // Memory first, while this process's own heap is small and settled.
  const memory = {};
  for (const b of backends) {
    memory[b] = { ...(await memoryPer(b)), pooled: await pooledMemoryPer(b), pooledReset: await pooledMemoryPer(b, POOL_RESET_COUNT, true) };
  }
  const results = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [op, , run] of OPS) {
      for (const b of backends) ((results[op] ??= {})[b] ??= []).push(...(await run(b)));
    }
    console.error(`round ${round + 1}/${ROUNDS} done`);
  }
  const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const lines = [
    '# The micro-VM backend against the process backend',
    '',
    `${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${os.cpus()[0].model} · Node ${process.version} · ${ROUNDS} interleaved rounds${process.env.HYPERLIGHT_JS_IN_VM ? ' · inside the nested-virtualisation test VM (QEMU, emulated SVM): absolute figures are far slower than native' : ''}.`,
    '',
    'Medians. "ratio" is the micro-VM figure divided by the process figure for times, and the process figure divided by the micro-VM one for throughput: how many times slower the micro-VM backend is here.',
    '',
    '| operation | unit | process | micro-VM | ratio |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const [op, unit] of OPS) {
    const p = median(results[op].process);
    const h = median(results[op].hypervisor);
    const ratio = unit === 'calls/s' ? p / h : h / p;
    lines.push(`| ${op} | ${unit} | ${fmt(p)} | ${fmt(h)} | ${ratio.toFixed(1)}× |`);
  }
  const mib = (x) => (x / 1024 / 1024).toFixed(1);
  lines.push(
    '',
    `Memory per idle loaded sandbox (${MEMORY_COUNT} alive, default sizes), MiB: process backend ${mib(memory.process.rss)} resident (${mib(memory.process.pss)} proportional), micro-VM ${mib(memory.hypervisor.rss)} resident (${mib(memory.hypervisor.pss)} proportional). One snapshot of each, after a few calls, adds ${mib(memory.process.snapshot)} (process) and ${mib(memory.hypervisor.snapshot)} (micro-VM) resident. Per sandbox of a full SandboxPool of ${MEMORY_COUNT} (what it keeps for resets included): ${mib(memory.process.pooled)} (process) and ${mib(memory.hypervisor.pooled)} (micro-VM) resident; of a pool of ${POOL_RESET_COUNT} with resetAfterEachCall, after each has served a call and reset: ${mib(memory.process.pooledReset)} (process) and ${mib(memory.hypervisor.pooledReset)} (micro-VM) resident.`,
  );
  const md = lines.join('\n') + '\n';
  console.log(md);
  if (process.argv.includes('--write')) fs.writeFileSync(path.join(__dirname, 'results', 'backends.md'), md);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// The subjects bench/run.js compares, each with the same operations: this
// package with its default options, node:vm (no isolation: the in-process
// floor), and the peers when installed (npm run bench installs them),
// isolated-vm and quickjs-emscripten, each called the way its docs recommend.
'use strict';

const vm = require('node:vm');
const { SandboxBuilder } = require('../lib');
const { rssBytes, pssBytes, childPids } = require('./proc');
const { HANDLER, SPIN, now, timeEach, cpuNow, cpuSince, rssPerItem } = require('./measure');

// ---- the project --------------------------------------------------------------

const hyperlight = {
  name: 'hyperlight-js (process)',
  async loaded(src = HANDLER, setup = () => {}) {
    const proto = await new SandboxBuilder().build();
    setup(proto);
    const js = await proto.loadRuntime();
    js.addHandler('h', src);
    return js.getLoadedSandbox();
  },
  coldStart() {
    return this.loaded();
  },
  async firstCall() {
    const l = await this.loaded();
    const t = now();
    await l.callHandler('h', { a: 0 });
    return now() - t;
  },
  // Default options, as a user calls it (issue 21); `options` for the extra rows.
  async callLatency(n, options) {
    const l = await this.loaded();
    for (let i = 0; i < 300; i++) await l.callHandler('h', { a: i }, options);
    return timeEach(n, (i) => l.callHandler('h', { a: i }, options));
  },
  // The same call with one console line, captured for the request (issue 20).
  async loggingLatency(n) {
    const l = await this.loaded('function handler(e) { console.log("request", e.a); return { ...e, x: 1 }; }');
    const lines = [];
    const onConsole = (entry) => lines.push(entry.message);
    for (let i = 0; i < 300; i++) await l.callHandler('h', { a: i }, { onConsole });
    const samples = await timeEach(n, (i) => l.callHandler('h', { a: i }, { onConsole }));
    if (lines.length !== 300 + n) throw new Error(`expected ${300 + n} console lines, got ${lines.length}`);
    return samples;
  },
  async throughput(sandboxes, callsEach) {
    const ls = await Promise.all(Array.from({ length: sandboxes }, () => this.loaded()));
    const cpu = cpuNow();
    const t = now();
    await Promise.all(ls.map(async (l) => {
      for (let i = 0; i < callsEach; i++) await l.callHandler('h', { a: i });
    }));
    const rate = (sandboxes * callsEach) / ((now() - t) / 1000);
    cpuSince(cpu, sandboxes * callsEach);
    return rate;
  },
  async hostCalls(n) {
    const l = await this.loaded(
      'import * as m from "host:m"; function handler() { let s = 0; for (let i = 0; i < 100; i++) s = m.add(s, 1); return s; }',
      (proto) => proto.register('m', 'add', (a, b) => a + b),
    );
    await l.callHandler('h', {});
    return timeEach(n, () => l.callHandler('h', {}));
  },
  async snapshotRestore(n) {
    const l = await this.loaded();
    const snaps = await timeEach(n, () => l.snapshot());
    const snap = await l.snapshot();
    const restores = await timeEach(n, () => l.restore(snap));
    return { snaps, restores };
  },
  async killOvershoot(n, kind) {
    const l = await this.loaded(SPIN);
    const snap = await l.snapshot();
    const opts = kind === 'cpu' ? { cpuTimeoutMs: 50 } : { wallClockTimeoutMs: 50 };
    const out = [];
    for (let i = 0; i < n; i++) {
      const t = now();
      await l.callHandler('h', {}, opts).catch(() => {});
      const elapsed = now() - t;
      const stats = l.lastCallStats;
      // CPU limit: guest CPU used past the limit, plus the delay from the
      // call's end to the promise rejecting. (Wall time past 50 ms would also
      // count the share of a core the guest did not get.) Wall limit: wall time past it.
      out.push(kind === 'cpu' ? stats.cpuTimeMs - 50 + (elapsed - stats.wallClockMs) : elapsed - 50);
      await l.restore(snap);
    }
    return out;
  },
  async memory(count, whileAlive) {
    const before = childPids();
    const { per, keep } = await rssPerItem(count, () => this.loaded());
    await whileAlive?.();
    const guests = [...childPids()].filter((p) => !before.has(p));
    const rss = guests.reduce((s, p) => s + rssBytes(p), 0) / guests.length;
    const pss = guests.reduce((s, p) => s + pssBytes(p), 0) / guests.length;
    keep.length = 0;
    return { rss: rss + Math.max(0, per), pss: pss + Math.max(0, per), host: per };
  },
};

// ---- peers ----------------------------------------------------------------------

const nodeVm = {
  name: 'node:vm (no isolation)',
  context() {
    const ctx = vm.createContext({});
    vm.runInContext(HANDLER, ctx);
    return ctx;
  },
  coldStart() {
    return this.context();
  },
  async firstCall() {
    const h = vm.runInContext('handler', this.context());
    const t = now();
    JSON.parse(JSON.stringify(h(JSON.parse(JSON.stringify({ a: 0 })))));
    return now() - t;
  },
  async callLatency(n) {
    const h = vm.runInContext('handler', this.context());
    // JSON both ways, as every sandbox here does at its boundary.
    return timeEach(n, (i) => JSON.parse(JSON.stringify(h(JSON.parse(JSON.stringify({ a: i }))))));
  },
  async throughput(sandboxes, callsEach) {
    const hs = Array.from({ length: sandboxes }, () => vm.runInContext('handler', this.context()));
    const cpu = cpuNow();
    const t = now();
    for (const h of hs) for (let i = 0; i < callsEach; i++) JSON.parse(JSON.stringify(h(JSON.parse(JSON.stringify({ a: i })))));
    const rate = (sandboxes * callsEach) / ((now() - t) / 1000);
    cpuSince(cpu, sandboxes * callsEach);
    return rate;
  },
  async memory(count) {
    const { per } = await rssPerItem(count, () => this.context());
    return { rss: per, pss: per, host: per };
  },
};
// Overshoot of vm's own timeout option (synchronous, so it blocks the event loop).
nodeVm.killOvershoot = async (n, kind) => {
  if (kind !== 'wall') return null;
  const ctx = vm.createContext({});
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    try {
      vm.runInContext('for (;;) {}', ctx, { timeout: 50 });
    } catch {}
    out.push(now() - t - 50);
  }
  return out;
};

const subjects = [hyperlight, nodeVm];

try {
  const ivm = require('isolated-vm');
  subjects.push({
    name: `isolated-vm ${require('isolated-vm/package.json').version}`,
    async isolate(src = HANDLER) {
      const isolate = new ivm.Isolate({ memoryLimit: 64 });
      const context = await isolate.createContext();
      await context.eval(src);
      const h = await context.global.get('handler', { reference: true });
      return { isolate, context, h };
    },
    coldStart() {
      return this.isolate();
    },
    async firstCall() {
      const { h } = await this.isolate();
      const t = now();
      await h.apply(undefined, [{ a: 0 }], { arguments: { copy: true }, result: { copy: true } });
      return now() - t;
    },
    async callLatency(n) {
      const { h } = await this.isolate();
      for (let i = 0; i < 300; i++) await h.apply(undefined, [{ a: i }], { arguments: { copy: true }, result: { copy: true } });
      return timeEach(n, (i) => h.apply(undefined, [{ a: i }], { arguments: { copy: true }, result: { copy: true } }));
    },
    async throughput(sandboxes, callsEach) {
      const is = await Promise.all(Array.from({ length: sandboxes }, () => this.isolate()));
      const cpu = cpuNow();
      const t = now();
      await Promise.all(is.map(async ({ h }) => {
        for (let i = 0; i < callsEach; i++) await h.apply(undefined, [{ a: i }], { arguments: { copy: true }, result: { copy: true } });
      }));
      const rate = (sandboxes * callsEach) / ((now() - t) / 1000);
      cpuSince(cpu, sandboxes * callsEach);
      return rate;
    },
    async hostCalls(n) {
      const { context } = await this.isolate();
      await context.global.set('add', new ivm.Callback((a, b) => a + b));
      await context.eval('function many() { let s = 0; for (let i = 0; i < 100; i++) s = add(s, 1); return s; }');
      const many = await context.global.get('many', { reference: true });
      return timeEach(n, () => many.apply(undefined, [], { result: { copy: true } }));
    },
    async killOvershoot(n, kind) {
      if (kind !== 'wall') return null;
      const { context } = await this.isolate();
      const out = [];
      for (let i = 0; i < n; i++) {
        const t = now();
        await context.eval('for (;;) {}', { timeout: 50 }).catch(() => {});
        out.push(now() - t - 50);
      }
      return out;
    },
    async memory(count) {
      const { per, keep } = await rssPerItem(count, () => this.isolate());
      for (const { isolate } of keep) isolate.dispose();
      return { rss: per, pss: per, host: per };
    },
  });
} catch {
  console.error('isolated-vm not installed (npm run bench installs it): skipped');
}

try {
  const { getQuickJS, shouldInterruptAfterDeadline } = require('quickjs-emscripten');
  subjects.push({
    name: `quickjs-emscripten ${require('quickjs-emscripten/package.json').version}`,
    async context(src = HANDLER) {
      const QuickJS = await getQuickJS();
      const ctx = QuickJS.newContext();
      ctx.unwrapResult(ctx.evalCode(src)).dispose();
      // Repeated calls go through a function handle and callFunction, strings
      // in and out, as its docs recommend (not evalCode per call).
      ctx.fn = ctx.unwrapResult(ctx.evalCode('(json) => JSON.stringify(handler(JSON.parse(json)))'));
      return ctx;
    },
    coldStart() {
      return this.context();
    },
    async firstCall() {
      const ctx = await this.context();
      const t = now();
      this.call(ctx, 0);
      return now() - t;
    },
    call(ctx, i) {
      const arg = ctx.newString(JSON.stringify({ a: i }));
      const r = ctx.unwrapResult(ctx.callFunction(ctx.fn, ctx.undefined, arg));
      arg.dispose();
      const out = JSON.parse(ctx.getString(r));
      r.dispose();
      return out;
    },
    async callLatency(n) {
      const ctx = await this.context();
      return timeEach(n, (i) => this.call(ctx, i));
    },
    async throughput(sandboxes, callsEach) {
      const cs = await Promise.all(Array.from({ length: sandboxes }, () => this.context()));
      const cpu = cpuNow();
      const t = now();
      for (const c of cs) for (let i = 0; i < callsEach; i++) this.call(c, i);
      const rate = (sandboxes * callsEach) / ((now() - t) / 1000);
      cpuSince(cpu, sandboxes * callsEach);
      return rate;
    },
    async hostCalls(n) {
      const ctx = await this.context();
      const add = ctx.newFunction('add', (a, b) => ctx.newNumber(ctx.getNumber(a) + ctx.getNumber(b)));
      ctx.setProp(ctx.global, 'add', add);
      add.dispose();
      ctx.unwrapResult(ctx.evalCode('function many() { let s = 0; for (let i = 0; i < 100; i++) s = add(s, 1); return s; }')).dispose();
      const many = ctx.getProp(ctx.global, 'many');
      return timeEach(n, () => ctx.unwrapResult(ctx.callFunction(many, ctx.undefined)).dispose());
    },
    async killOvershoot(n, kind) {
      if (kind !== 'wall') return null;
      const QuickJS = await getQuickJS();
      const out = [];
      for (let i = 0; i < n; i++) {
        const rt = QuickJS.newRuntime();
        const ctx = rt.newContext();
        const t = now();
        rt.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + 50));
        const r = ctx.evalCode('for (;;) {}');
        out.push(now() - t - 50);
        if (r.error) r.error.dispose();
        ctx.dispose();
        rt.dispose();
      }
      return out;
    },
    async memory(count) {
      const { per, keep } = await rssPerItem(count, () => this.context());
      for (const c of keep) {
        c.fn.dispose();
        c.dispose();
      }
      return { rss: per, pss: per, host: per };
    },
  });
} catch {
  console.error('quickjs-emscripten not installed (npm run bench installs it): skipped');
}

module.exports = { subjects, hyperlight };

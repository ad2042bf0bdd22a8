'use strict';
// setTemplateCache(dir): micro-VM templates written by one process and
// loaded by the next, so that it boots no guest; files that cannot be used
// (truncated, altered, foreign) are said with a warning and replaced, never
// trusted; the process backend accepts the option and writes nothing.
// Each step is a child Node process: a template cache is for other processes.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { SandboxBuilder } = require('../lib');
const { BACKEND, SLOW, runNode, LIB, apiError } = require('./helpers');

const hypervisorOnly = BACKEND === 'hypervisor' ? {} : { skip: `micro-VM templates only (this run: ${BACKEND})` };
const processOnly = BACKEND === 'process' ? {} : { skip: `the process backend's answer (this run: ${BACKEND})` };

/** One child process: a sandbox built with the cache `dir`, one call, what it saw; with `exit`, it then calls process.exit(). */
function child(dir, { exit = false } = {}) {
  const script = `
    const { SandboxBuilder, metrics } = require(${LIB});
    const warnings = [];
    process.on('warning', (w) => warnings.push({ code: w.code, message: w.message }));
    (async () => {
      const js = await (await new SandboxBuilder().setTemplateCache(${JSON.stringify(dir)}).build()).loadRuntime();
      js.addHandler('h', 'function handler(e) { const r = new Uint32Array(4); crypto.getRandomValues(r); return { n: e.n + 1, r: Array.from(r) }; }');
      const loaded = await js.getLoadedSandbox();
      const out = await loaded.callHandler('h', { n: 41 });
      await new Promise((resolve) => setImmediate(resolve));
      console.log(JSON.stringify({ out, backend: loaded.backend, templates: metrics().templates, warnings }));
      ${exit ? 'process.exit(0);' : ''}
    })();`;
  const r = runNode(script, { timeout: 60_000 * Math.max(1, SLOW / 4) });
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function freshDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hl-template-cache-'));
}

/** The template layouts in `dir` (hidden names are ones being written). */
function templates(dir) {
  return fs.readdirSync(dir).filter((name) => name.startsWith('template-'));
}

/** The largest blob of the one template in `dir`: the guest's memory. */
function memoryBlob(dir) {
  const [layout] = templates(dir);
  const blobs = path.join(dir, layout, 'blobs', 'sha256');
  return fs.readdirSync(blobs).map((name) => path.join(blobs, name)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
}

test('setTemplateCache() refuses what is not a directory path, naming the setter', () => {
  for (const bad of ['', '   ', 'a\0b']) {
    assert.throws(() => new SandboxBuilder().setTemplateCache(bad), apiError('ERR_INVALID_ARG', 'setTemplateCache'), JSON.stringify(bad));
  }
  for (const bad of [undefined, 42, {}]) {
    assert.throws(() => new SandboxBuilder().setTemplateCache(bad), apiError('ERR_INVALID_ARG', 'setTemplateCache'), String(bad));
  }
  const builder = new SandboxBuilder();
  assert.equal(builder.setTemplateCache('relative/dir'), builder, 'chainable');
});

test('a second process loads the template the first one wrote, and boots no guest', hypervisorOnly, () => {
  const dir = freshDir();
  try {
    const first = child(dir);
    assert.equal(first.backend, 'hypervisor');
    assert.equal(first.out.n, 42);
    assert.equal(first.templates.loadedFromCache, 0);
    assert.ok(first.templates.booted >= 1, JSON.stringify(first.templates));
    assert.deepEqual(first.warnings, []);
    assert.equal(templates(dir).length, 1, `one template layout in ${fs.readdirSync(dir)}`);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.')), [], 'nothing half-written left behind');

    const second = child(dir);
    assert.equal(second.out.n, 42);
    assert.deepEqual(second.templates, { booted: 0, loadedFromCache: 1, rejectedFromCache: 0 });
    assert.deepEqual(second.warnings, []);
    // Each process's guest gets entropy of its own, template or not.
    assert.notDeepEqual(second.out.r, first.out.r);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a process that calls process.exit() right after its first sandbox still leaves the template for the next', hypervisorOnly, () => {
  const dir = freshDir();
  try {
    const first = child(dir, { exit: true });
    assert.ok(first.templates.booted >= 1, JSON.stringify(first.templates));
    assert.equal(templates(dir).length, 1, `one template layout in ${fs.readdirSync(dir)}`);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.')), [], 'nothing half-written left behind');
    const second = child(dir, { exit: true });
    assert.equal(second.out.n, 42);
    assert.equal(second.templates.booted, 0, JSON.stringify(second.templates));
    assert.ok(second.templates.loadedFromCache >= 1, JSON.stringify(second.templates));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

for (const [how, spoil] of [
  ['truncated', (blob) => fs.truncateSync(blob, Math.floor(fs.statSync(blob).size / 2))],
  ['altered', (blob) => {
    const fd = fs.openSync(blob, 'r+');
    fs.writeSync(fd, Buffer.from('not the guest'), 0, 13, Math.floor(fs.statSync(blob).size / 3));
    fs.closeSync(fd);
  }],
  ['foreign (not a template at all)', (blob) => {
    const layout = path.dirname(path.dirname(path.dirname(blob)));
    fs.rmSync(layout, { recursive: true });
    fs.mkdirSync(layout);
    fs.writeFileSync(path.join(layout, 'oci-layout'), 'garbage');
  }],
]) {
  test(`a template file that is ${how} is refused with a warning naming it, booted over and replaced`, hypervisorOnly, () => {
    const dir = freshDir();
    try {
      child(dir);
      const [layout] = templates(dir);
      spoil(memoryBlob(dir));
      const third = child(dir);
      assert.equal(third.out.n, 42, 'the sandbox still works');
      assert.deepEqual(third.templates, { booted: 1, loadedFromCache: 0, rejectedFromCache: 1 });
      assert.equal(third.warnings.length, 1, JSON.stringify(third.warnings));
      assert.equal(third.warnings[0].code, 'ERR_INVALID_ARG');
      assert.ok(third.warnings[0].message.includes(path.join(dir, layout)), third.warnings[0].message);
      assert.ok(third.warnings[0].message.includes('setTemplateCache'), third.warnings[0].message);
      // The replacement is good: the next process loads it.
      const fourth = child(dir);
      assert.deepEqual(fourth.templates, { booted: 0, loadedFromCache: 1, rejectedFromCache: 0 });
      assert.deepEqual(fourth.warnings, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a template cache that cannot be written is said once and the sandbox boots its own', hypervisorOnly, () => {
  const file = path.join(freshDir(), 'a-file');
  fs.writeFileSync(file, '');
  try {
    const r = child(file);
    assert.equal(r.out.n, 42);
    assert.equal(r.warnings.length, 1, JSON.stringify(r.warnings));
    assert.equal(r.warnings[0].code, 'ERR_INVALID_ARG');
    assert.ok(r.warnings[0].message.includes(file), r.warnings[0].message);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('on the process backend the option is accepted and nothing is written', processOnly, () => {
  const dir = path.join(freshDir(), 'cache');
  try {
    const r = child(dir);
    assert.equal(r.backend, 'process');
    assert.equal(r.out.n, 42);
    assert.deepEqual(r.templates, { booted: 0, loadedFromCache: 0, rejectedFromCache: 0 });
    assert.deepEqual(r.warnings, []);
    assert.equal(fs.existsSync(dir), false, 'the process backend has no template file to write');
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('what a process killed while it wrote a snapshot left in TMPDIR is swept once an hour old; a newer one, or a live process\'s, is kept', hypervisorOnly, async () => {
  const dir = freshDir();
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  // Private directories are named with their writer's pid; no process has
  // pid 4194304 (above Linux's largest).
  const leftover = (name, ageS) => {
    const p = path.join(dir, name);
    fs.mkdirSync(p);
    fs.writeFileSync(path.join(p, 'blob'), Buffer.alloc(4096, 1));
    const t = new Date(Date.now() - ageS * 1000);
    fs.utimesSync(p, t, t);
    return name;
  };
  const dead = leftover('.hyperlight-js-snapshot-4194304-0-1', 7200);
  const recent = leftover('.hyperlight-js-snapshot-4194304-1-1', 60);
  const live = leftover(`.hyperlight-js-snapshot-${process.pid}-99-1`, 7200);
  try {
    const js = await (await new SandboxBuilder().build()).loadRuntime();
    js.addHandler('h', 'function handler() { return 1; }');
    const sandbox = await js.getLoadedSandbox();
    await sandbox.snapshot();
    assert.deepEqual(fs.readdirSync(dir).sort(), [recent, live].sort(), `${dead} swept, the rest kept`);
    sandbox.dispose();
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a micro-VM snapshot lives in an unlinked file: none is left in TMPDIR, and restore still works', hypervisorOnly, async () => {
  const dir = freshDir();
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    const js = await (await new SandboxBuilder().build()).loadRuntime();
    js.addHandler('counter', 'let n = 0; function handler() { return ++n; }');
    const sandbox = await js.getLoadedSandbox();
    assert.equal(await sandbox.callHandler('counter', {}), 1);
    const snapshot = await sandbox.snapshot();
    assert.deepEqual(fs.readdirSync(dir), [], 'the snapshot file is unlinked at once');
    const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\n');
    assert.ok(maps.some((line) => line.includes(dir) && line.endsWith('(deleted)')), 'the snapshot is mapped from a file under TMPDIR, unlinked');
    assert.equal(await sandbox.callHandler('counter', {}), 2);
    await sandbox.restore(snapshot);
    assert.equal(await sandbox.callHandler('counter', {}), 2);
    sandbox.dispose();
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

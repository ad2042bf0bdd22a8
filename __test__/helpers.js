'use strict';
// Small shared helpers for the node:test suites in this folder: sandboxes
// ready to call, error validators, guest pids, and running a script in a
// child Node (spawnNode, runNode) with the leak probe such a child can use
// (leakCounts, settle; it requires this file by HELPERS).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

// The suite runs once per backend (scripts/test.js sets this); run directly,
// it defaults to the process backend. The addon reads the variable at build().
if (!process.env.HYPERLIGHT_JS_BACKEND) process.env.HYPERLIGHT_JS_BACKEND = 'process';
/** The backend this run of the suite exercises. */
const BACKEND = process.env.HYPERLIGHT_JS_BACKEND;
/** Options for tests that look at guest processes (pids, /proc, the jail). */
const processOnly = BACKEND === 'process' ? {} : { skip: `needs the process backend (this run: ${BACKEND})` };

/**
 * Inside the test VM (scripts/hypervisor-vm.sh) everything runs 10-50x
 * slower; tests whose point needs a time budget scale it by this.
 */
const SLOW = process.env.HYPERLIGHT_JS_IN_VM ? 20 : 1;

const { SandboxBuilder } = require('../lib');

/** A JSSandbox, optionally configured: `builderFn(builder)` may chain setters. */
async function runtime(builderFn) {
  const builder = new SandboxBuilder();
  if (builderFn) builderFn(builder);
  const proto = await builder.build();
  return proto.loadRuntime();
}

/** A LoadedJSSandbox with `handlers` (and `modules`; each { name: source }) loaded. */
async function loaded(handlers, builderFn, modules = {}) {
  const js = await runtime(builderFn);
  for (const [name, code] of Object.entries(modules)) js.addModule(name, code);
  for (const [name, code] of Object.entries(handlers)) js.addHandler(name, code);
  return js.getLoadedSandbox();
}

/**
 * A validator for assert.throws / assert.rejects: the error has `code` and
 * its message contains every string in `parts`.
 */
function apiError(code, ...parts) {
  return (err) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    for (const part of parts) {
      assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} should mention ${JSON.stringify(part)}`);
    }
    return true;
  };
}

/** Pids of this process's direct children (every thread can be a parent). */
function childPids() {
  const pids = new Set();
  const taskDir = `/proc/${process.pid}/task`;
  for (const tid of fs.readdirSync(taskDir)) {
    let text = '';
    try {
      text = fs.readFileSync(`${taskDir}/${tid}/children`, 'utf8');
    } catch {
      continue; // the thread ended while we looked
    }
    for (const pid of text.split(/\s+/)) if (pid) pids.add(Number(pid));
  }
  return pids;
}

/**
 * Runs Node with `args` (flags, then `-e` and a script, or a file) in a child
 * process and waits for it; spawnSync's result, with stdout and stderr as
 * text. `env` entries are laid over this process's environment (so the child
 * runs the same backend unless it says otherwise; undefined removes one).
 * `timeout` (ms) is when the child is killed; not scaled by SLOW here.
 */
function spawnNode(args, { env, timeout = 60_000 } = {}) {
  const childEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  return spawnSync(process.execPath, args, { encoding: 'utf8', env: childEnv, timeout });
}

/** spawnNode() of `script` (after `flags`), asserting the child exited 0; its result. */
function runNode(script, { flags = [], env, timeout } = {}) {
  const r = spawnNode([...flags, '-e', script], { env, timeout });
  assert.equal(r.status, 0, `the child exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** lib/ and this file, quoted for a child script's require(). */
const LIB = JSON.stringify(path.join(__dirname, '..', 'lib'));
const HELPERS = JSON.stringify(__filename);

/**
 * The leak probe, run inside a child: this process's guest processes (its
 * children), open descriptors and threads, the things a dropped sandbox must
 * give back.
 */
function leakCounts() {
  return { kids: childPids().size, fds: fs.readdirSync('/proc/self/fd').length, threads: fs.readdirSync('/proc/self/task').length };
}

/**
 * Forces garbage collection (the child needs --expose-gc) every 50 ms, up to
 * `rounds` times, until no count is above `before`'s; the last counts.
 * Without `before` it runs every round, to let the process settle first.
 */
async function settle(before, rounds = 100) {
  let after;
  for (let i = 0; i < rounds; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    after = leakCounts();
    if (before && after.kids <= before.kids && after.fds <= before.fds && after.threads <= before.threads) break;
  }
  return after;
}

/** Asserts no leakCounts() grew from `before` to `after`; `what` prefixes the messages. */
function assertNoLeak(before, after, what) {
  const prefix = what ? `${what}: ` : '';
  assert.ok(after.kids <= before.kids, `${prefix}guest processes: ${before.kids} before, ${after.kids} after`);
  assert.ok(after.fds <= before.fds, `${prefix}descriptors: ${before.fds} before, ${after.fds} after`);
  assert.ok(after.threads <= before.threads, `${prefix}threads: ${before.threads} before, ${after.threads} after`);
}

/** A loaded counter sandbox and the pid of its own guest process. */
function counterWithGuestPid() {
  return loadedWithGuestPid({ counter: COUNTER });
}

/** A sandbox with `handlers` loaded, and the pid of its own guest process. */
async function loadedWithGuestPid(handlers) {
  // The first sandbox in a process also starts a shared template guest
  // (new guests are forked from it): have it running before we count.
  await runtime();
  const before = childPids();
  const js = await runtime();
  const pids = [...childPids()].filter((pid) => !before.has(pid));
  assert.equal(pids.length, 1, `expected one new guest process, found ${pids}`);
  for (const [name, code] of Object.entries(handlers)) js.addHandler(name, code);
  return { sandbox: await js.getLoadedSandbox(), pid: pids[0] };
}

/** Resolves once `pid` has exited (zombie or gone); a condition, not a timing check. */
async function exited(pid) {
  for (let i = 0; i < 500; i++) {
    let state;
    try {
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`process ${pid} did not exit`);
}

/** Resolves after `ms`: only to let a timer fire, never as a timing check. */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A LoadedJSSandbox whose proto sandbox first got host functions from
 * `registerFn(proto)`, then `modules` ({ name: source }, namespace 'user') and `handlers`.
 */
async function loadedWithHost(registerFn, handlers, modules = {}) {
  const proto = await new SandboxBuilder().build();
  if (registerFn) registerFn(proto);
  const js = await proto.loadRuntime();
  for (const [name, source] of Object.entries(modules)) js.addModule(name, source);
  for (const [name, code] of Object.entries(handlers)) js.addHandler(name, code);
  return js.getLoadedSandbox();
}

/** Handler sources used by several files. */
const ECHO = 'function handler(event) { return event; }';
const COUNTER = 'let count = 0; function handler(event) { count += 1; return count; }';
/** Burns CPU for `event.ms` milliseconds of wall time, then returns it. */
const BUSY = 'function handler(event) { const s = Date.now(); while (Date.now() - s < event.ms) {} return event.ms; }';
/** Burns CPU forever. */
const SPIN = 'function handler() { let x = 0; for (;;) { x = (x * 31 + 7) % 1000003; } }';

module.exports = {
  BACKEND,
  processOnly,
  SLOW,
  runtime, loaded, apiError, childPids, counterWithGuestPid, loadedWithGuestPid, exited, sleep, loadedWithHost, ECHO, COUNTER, BUSY, SPIN,
  spawnNode, runNode, LIB, HELPERS, leakCounts, settle, assertNoLeak,
};

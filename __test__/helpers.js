'use strict';
// Small shared helpers for the node:test suites in this folder.

const assert = require('node:assert/strict');
const fs = require('node:fs');

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
};

'use strict';
// The assembled API: the native classes (lib/binding.js) with the parts that
// are cheaper or clearer in JS added to their prototypes. Every native method
// reports errors with the package's codes (lib/errors.js); `using` frees a
// stage; the console sink travels from stage to stage (lib/console.js);
// callHandler (lib/call.js) and register (lib/host-functions.js) take JSON
// across the boundary. lib/pool.js builds on this file and lib/index.js
// exports both, so nothing here requires either of them.

const native = require('./binding.js');
const { normalise } = require('./errors.js');
const consoleSink = require('./console.js');
const guestFetch = require('./fetch.js');
const { callHandler } = require('./call.js');
const { hostModuleRegister, protoRegister } = require('./host-functions.js');

const { SandboxBuilder, ProtoJSSandbox, JSSandbox, LoadedJSSandbox, InterruptHandle, Snapshot, HostModule } = native;

// Methods that return a Promise report every failure as a rejection, even
// one found before any work starts (consumed object, bad argument).
const ASYNC_METHODS = new Set(['build', 'loadRuntime', 'getLoadedSandbox', 'snapshot', 'sharedSnapshot', 'restore', 'unload']);

function wrapMethods(Class) {
  const proto = Class.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (name === 'constructor' || typeof desc.value !== 'function') continue;
    const original = desc.value;
    const where = `${Class.name}.${name}()`;
    Object.defineProperty(proto, name, {
      ...desc,
      value: {
        [name](...args) {
          let result;
          try {
            result = original.apply(this, args);
          } catch (err) {
            if (ASYNC_METHODS.has(name)) return Promise.reject(normalise(err, where));
            throw normalise(err, where);
          }
          if (result && typeof result.then === 'function') {
            return result.then(undefined, (err) => {
              throw normalise(err, where);
            });
          }
          return result;
        },
      }[name],
    });
  }
}

for (const Class of [SandboxBuilder, ProtoJSSandbox, JSSandbox, LoadedJSSandbox, InterruptHandle, Snapshot, HostModule]) {
  wrapMethods(Class);
}

// `using` / `await using` free a stage's guest when the block ends, as
// `dispose()` does (which frees it now rather than at garbage collection).
for (const Class of [ProtoJSSandbox, JSSandbox, LoadedJSSandbox]) {
  const methods = {
    [Symbol.dispose]() {
      this.dispose();
    },
    async [Symbol.asyncDispose]() {
      this.dispose();
    },
  };
  for (const key of [Symbol.dispose, Symbol.asyncDispose]) {
    if (typeof key === 'symbol') {
      Object.defineProperty(Class.prototype, key, { value: methods[key], writable: true, configurable: true });
    }
  }
}

/** Adds `Class.prototype[name] = method`, as a plain (non-enumerable) method. */
function define(Class, name, method) {
  Object.defineProperty(Class.prototype, name, { configurable: true, writable: true, enumerable: false, value: method });
}

/** Replaces `Class.prototype[name]` with `wrap(original)`, as a plain method. */
function override(Class, name, wrap) {
  define(Class, name, wrap(Class.prototype[name]));
}

// Console output (lib/console.js): the sink is kept in JS and travels with
// the sandbox from stage to stage.
const setConsoleDestination = SandboxBuilder.prototype.setConsoleDestination;
define(SandboxBuilder, 'setConsole', function setConsole(sink) {
  return setConsoleDestination.call(this, consoleSink.setConsole(this, sink));
});
// The console sink and the fetch policy (lib/fetch.js) are kept in JS and
// travel with the sandbox from stage to stage.
const carry = (from, to) => guestFetch.carry(from, consoleSink.carry(from, to));

// What the engine worked around without failing anything (a template cache
// file it could not use, say) becomes a process warning, after every step
// that may boot or snapshot a guest, whether that step succeeded or not.
// A template cache file is written behind the start that booted it: until
// it is written, a timer keeps Node alive (as a pending fs write would) and
// then raises what the write reported.
// process.exit() ends Node without running that timer, which lost the
// write (and the next process booted its own): on exit, Node waits for it,
// at most EXIT_WAIT_MS (113 MiB take well under a second on a local disk).
let waitingForWrites = null;
let waitsAtExit = false;
const EXIT_WAIT_MS = 30_000;
function waitForWritesAtExit() {
  if (native.templateWritesPending() > 0 && !native.waitForTemplateWrites(EXIT_WAIT_MS)) {
    process.stderr.write(`@hyperlight/js-host-api: a template cache write was still under way ${EXIT_WAIT_MS / 1000} s after exit began; it is abandoned, and the next process boots its own template\n`);
  }
}
function raiseWarnings() {
  for (const { code, message } of native.takeWarnings()) process.emitWarning(message, { code });
  const writing = native.templateWritesPending() > 0;
  if (writing && !waitsAtExit) {
    waitsAtExit = true;
    process.on('exit', waitForWritesAtExit);
  }
  if (writing && waitingForWrites === null) {
    waitingForWrites = setTimeout(() => {
      waitingForWrites = null;
      raiseWarnings();
    }, 20);
  }
}
const warningAfter = (original) => async function withWarnings(...args) {
  try {
    return await original.apply(this, args);
  } finally {
    raiseWarnings();
  }
};
override(LoadedJSSandbox, 'snapshot', warningAfter);
override(LoadedJSSandbox, 'sharedSnapshot', warningAfter);
override(ProtoJSSandbox, 'loadRuntime', (original) => warningAfter(async function loadRuntime() {
  return carry(this, await original.call(this));
}));
override(LoadedJSSandbox, 'unload', (original) => async function unload() {
  return carry(this, await original.call(this));
});
// What the handlers' top-level code wrote goes to the sandbox's sink before
// the load settles, whether it succeeded or not.
override(JSSandbox, 'getLoadedSandbox', (original) => async function getLoadedSandbox() {
  let loaded;
  try {
    loaded = await original.call(this);
  } finally {
    consoleSink.deliver(this, undefined, this.takeLoadConsole());
  }
  return carry(this, loaded);
});

define(SandboxBuilder, 'setFetch', function setFetch(policy, options) {
  return guestFetch.setFetch(this, policy, options);
});

// 'auto' without working micro-VMs falls back to the process backend; say so
// once per process, with the probe's reason.
let fallbackWarned = false;
override(SandboxBuilder, 'build', (original) => async function build() {
  guestFetch.consume(this);
  const proto = consoleSink.carry(this, await warningAfter(original).call(this));
  guestFetch.install(this, proto, proto.fetchModule(), proto.bufferSizes);
  const reason = proto.fallbackReason;
  if (reason && !fallbackWarned) {
    fallbackWarned = true;
    process.emitWarning(`micro-VMs are unavailable (${reason}); sandboxes use the jailed-process backend`, {
      code: 'HYPERLIGHT_JS_PROCESS_BACKEND',
    });
  }
  return proto;
});

// JSON across the boundary. register() is built on the wrapped native
// method, so its own failures already carry the package's codes; callHandler
// calls the plain native function and gives its failures the codes itself.
define(LoadedJSSandbox, 'callHandler', callHandler);
define(HostModule, 'register', hostModuleRegister(HostModule.prototype.registerJson));
define(ProtoJSSandbox, 'register', protoRegister);

/** `{ available, reason }`: whether Hyperlight micro-VMs run on this host (probed once). */
function hypervisorProbe() {
  // napi gives a missing reason as undefined; the documented shape says null.
  return native.hypervisorProbe().then((r) => ({ available: r.available, reason: r.reason ?? null }));
}

/** The package's counters and gauges, as plain numbers, for dashboards (see README, Metrics and logs). */
function metrics() {
  return native.metrics();
}

module.exports = {
  SandboxBuilder, ProtoJSSandbox, JSSandbox, LoadedJSSandbox, InterruptHandle, Snapshot, HostModule, hypervisorProbe, metrics,
  allowOrigins: guestFetch.allowOrigins,
};

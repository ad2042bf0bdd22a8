// @hyperlight/js-host-api: loads the native addon and adds the parts of the
// API that are cheaper or clearer in JS (JSON handling of events and results,
// argument checks, error codes for napi's own type errors).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { apiError, show } = require('./errors.js');
const consoleSink = require('./console.js');

const CODES = new Set([
  'ERR_INVALID_ARG',
  'ERR_CONSUMED',
  'ERR_POISONED',
  'ERR_CANCELLED',
  'ERR_GUEST_ABORT',
  'ERR_INTERNAL',
]);


// napi-rs names a build after the platform, and on Linux after the C library
// too: a glibc build does not load on musl.
function platformName() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

// What this Node process itself is linked against, not what the system has
// installed (Debian can have musl's loader beside glibc).
function isMusl() {
  try {
    return fs.readFileSync('/proc/self/maps', 'utf8').includes('/ld-musl-');
  } catch {
    return !process.report?.getReport?.().header?.glibcVersionRuntime;
  }
}

/** Platforms with a prebuilt platform package. */
const PREBUILT = ['linux-x64-gnu'];
const FROM_SOURCE =
  'build from source: clone the repository and run "npm run build" (needs Rust and clang; see the README)';

// The platform package first (what `npm install` brings), then an addon
// built in this checkout. Failing both is one error saying what to do.
function loadBinding() {
  const platform = platformName();
  const pkg = `@hyperlight/js-host-api-${platform}`;
  const local = path.join(__dirname, '..', `js-host-api.${platform}.node`);
  const tried = [];
  let failure;
  try {
    return require(pkg);
  } catch (err) {
    const absent = err?.code === 'MODULE_NOT_FOUND' && String(err.message).includes(`'${pkg}'`);
    tried.push(`${pkg} (${absent ? 'not installed' : err.message})`);
    if (!absent) failure = err;
  }
  if (fs.existsSync(local)) {
    try {
      return require(local);
    } catch (err) {
      tried.push(`${local} (${err.message})`);
      failure ??= err;
    }
  } else {
    tried.push(`${local} (not built)`);
  }
  let what;
  if (!PREBUILT.includes(platform)) {
    what = `there is no prebuilt addon for ${platform} (only for ${PREBUILT.join(', ')}); ${FROM_SOURCE}`;
  } else if (failure) {
    what = `an addon was found but did not load (below); reinstall the package, or ${FROM_SOURCE}`;
  } else {
    what =
      `its platform package ${pkg} is not installed; install the package with its optional dependencies ` +
      `(not --omit=optional or --no-optional), or ${FROM_SOURCE}`;
  }
  throw apiError(
    'ERR_INTERNAL',
    `@hyperlight/js-host-api: no native addon for ${platform}: ${what}. Tried: ${tried.join('; ')}.`,
    Error,
    failure,
  );
}

const native = loadBinding();
const { SandboxBuilder, ProtoJSSandbox, JSSandbox, LoadedJSSandbox, InterruptHandle, Snapshot, HostModule } = native;

// napi-rs reports a wrong argument type with its own status name as the
// code ("StringExpected", ...). Users get the spec's code and the method name.
function normalise(err, where) {
  if (err && typeof err === 'object' && !CODES.has(err.code)) {
    const invalid = err.code === 'InvalidArg' || /Expected$/.test(String(err.code)) || /convert/i.test(err.message);
    err.message = `${where}: ${err.message}`;
    err.code = invalid ? 'ERR_INVALID_ARG' : 'ERR_INTERNAL';
  }
  return err;
}

// Methods that return a Promise report every failure as a rejection, even
// one found before any work starts (consumed object, bad argument).
const ASYNC_METHODS = new Set(['build', 'loadRuntime', 'getLoadedSandbox', 'snapshot', 'restore', 'unload']);

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

/** Replaces `Class.prototype[name]` with `wrap(original)`, as a plain method. */
function override(Class, name, wrap) {
  const original = Class.prototype[name];
  Object.defineProperty(Class.prototype, name, { configurable: true, writable: true, enumerable: false, value: wrap(original) });
}

// Console output (lib/console.js): the sink is kept in JS and travels with
// the sandbox from stage to stage.
const setConsoleDestination = SandboxBuilder.prototype.setConsoleDestination;
Object.defineProperty(SandboxBuilder.prototype, 'setConsole', {
  configurable: true,
  writable: true,
  enumerable: false,
  value: function setConsole(sink) {
    return setConsoleDestination.call(this, consoleSink.setConsole(this, sink));
  },
});
override(ProtoJSSandbox, 'loadRuntime', (original) => async function loadRuntime() {
  return consoleSink.carry(this, await original.call(this));
});
override(LoadedJSSandbox, 'unload', (original) => async function unload() {
  return consoleSink.carry(this, await original.call(this));
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
  return consoleSink.carry(this, loaded);
});

// 'auto' without working micro-VMs falls back to the process backend; say so
// once per process, with the probe's reason.
let fallbackWarned = false;
override(SandboxBuilder, 'build', (original) => async function build() {
  const proto = consoleSink.carry(this, await original.call(this));
  const reason = proto.fallbackReason;
  if (reason && !fallbackWarned) {
    fallbackWarned = true;
    process.emitWarning(`micro-VMs are unavailable (${reason}); sandboxes use the jailed-process backend`, {
      code: 'HYPERLIGHT_JS_PROCESS_BACKEND',
    });
  }
  return proto;
});

/** Events cross the boundary as JSON; refuse what JSON cannot carry before anything reaches the guest. */
function eventToJson(event) {
  let json;
  try {
    json = JSON.stringify(event);
  } catch (err) {
    throw apiError('ERR_INVALID_ARG', `callHandler(): the event cannot be sent as JSON: ${err.message}`, TypeError);
  }
  if (json === undefined) {
    throw apiError(
      'ERR_INVALID_ARG',
      `callHandler(): the event must be a JSON value (object, array, string, number, boolean or null), got ${typeof event}`,
      TypeError,
    );
  }
  return json;
}

function checkOptions(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw apiError('ERR_INVALID_ARG', `callHandler(): options must be an object, got ${typeof options}`, TypeError);
  }
  const out = {};
  if (options.gc !== undefined) {
    if (typeof options.gc !== 'boolean') {
      throw apiError('ERR_INVALID_ARG', `callHandler(): options.gc must be a boolean, got ${typeof options.gc}`, TypeError);
    }
    out.gc = options.gc;
  }
  // Range and whole-number checks happen in Rust, with the same message for every caller.
  for (const key of ['wallClockTimeoutMs', 'cpuTimeoutMs']) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number') {
      throw apiError('ERR_INVALID_ARG', `callHandler(): ${key} must be a number of milliseconds, got ${typeof value}`, TypeError);
    }
    out[key] = value;
  }
  out.onConsole = consoleSink.checkOnConsole(options.onConsole, 'callHandler()');
  if (options.signal !== undefined) {
    if (!isAbortSignal(options.signal)) {
      throw apiError('ERR_INVALID_ARG', `callHandler(): options.signal must be an AbortSignal, got ${show(options.signal)}`, TypeError);
    }
    out.abortable = true;
  }
  return out;
}

// Duck-typed as well: a signal made in another realm (a vm context) is not
// an instance of this realm's AbortSignal but works the same.
function isAbortSignal(value) {
  if (value instanceof AbortSignal) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.aborted === 'boolean' &&
    typeof value.addEventListener === 'function' &&
    typeof value.removeEventListener === 'function'
  );
}

// callHandler results come back through one completion handler (see
// src/completions.rs): cheaper than a native promise per call. While any call
// is pending, an idle timer keeps Node alive, as a pending promise would.
const pending = new Map();
let nextCallId = 1;
let keepAlive = null;

// Takes call `id` out of `pending`: it settles exactly once, whichever of the
// completion handler and an abort gets there first.
function takePending(id) {
  const call = pending.get(id);
  if (!call) return undefined;
  pending.delete(id);
  if (pending.size === 0) {
    clearInterval(keepAlive);
    keepAlive = null;
  }
  // No listener outlives its call, however long the signal lives.
  if (call.signal) call.signal.removeEventListener('abort', call.onAbort);
  return call;
}

function parseResult(json) {
  try {
    return JSON.parse(json);
  } catch (err) {
    throw apiError('ERR_INTERNAL', `callHandler(): the guest returned JSON that does not parse: ${err.message}`);
  }
}

native.installCompletionHandler((id, code, payload, console) => {
  const call = takePending(id);
  if (!call) return;
  // Every entry the call wrote reaches its sink before the call settles.
  consoleSink.deliver(call.sandbox, call.onConsole, console);
  if (code === null) {
    try {
      call.resolve(parseResult(payload));
    } catch (err) {
      call.reject(err);
    }
  } else {
    const cause = call.aborted && code === 'ERR_CANCELLED' ? call.signal.reason : undefined;
    call.reject(apiError(code, payload, Error, cause));
  }
});

const callHandlerJson = LoadedJSSandbox.prototype.callHandlerJson;

Object.defineProperty(LoadedJSSandbox.prototype, 'callHandler', {
  configurable: true,
  writable: true,
  enumerable: false,
  value: function callHandler(handlerName, event, options) {
    return new Promise((resolve, reject) => {
      if (typeof handlerName !== 'string' || handlerName.trim() === '') {
        throw apiError(
          'ERR_INVALID_ARG',
          `callHandler(): the handler name must be a non-empty string, got ${JSON.stringify(handlerName) ?? typeof handlerName}`,
          TypeError,
        );
      }
      const json = eventToJson(event);
      const opts = checkOptions(options);
      const signal = opts?.abortable ? options.signal : undefined;
      if (signal?.aborted) {
        // Nothing reaches the sandbox, so nothing is poisoned.
        throw apiError('ERR_CANCELLED', 'callHandler(): the AbortSignal was already aborted; the handler did not run', Error, signal.reason);
      }
      const id = nextCallId;
      nextCallId = nextCallId >= 0xffffffff ? 1 : nextCallId + 1;
      const onConsole = opts?.onConsole;
      const out = callHandlerJson.call(
        this, id, handlerName, json, opts?.gc, opts?.wallClockTimeoutMs, opts?.cpuTimeoutMs, opts?.abortable, onConsole !== undefined,
      );
      // Answered within the fast path's spin: no completion will come.
      if (typeof out === 'string') {
        resolve(parseResult(out));
        return;
      }
      if (Array.isArray(out)) {
        // [result, level, message, ...]: with captured console output.
        consoleSink.deliver(this, onConsole, out, 1);
        resolve(parseResult(out[0]));
        return;
      }
      const abortHandle = out;
      const call = { resolve, reject, sandbox: this, onConsole };
      if (signal) {
        Object.assign(call, {
          signal,
          aborted: false,
          onAbort() {
            call.aborted = true;
            // A call still queued behind another never runs: settle it now
            // rather than when its turn comes. A running one settles through
            // the completion handler, once the guest has stopped.
            if (abortHandle.abort() === 'prevented' && takePending(id)) {
              reject(
                apiError(
                  'ERR_CANCELLED',
                  `callHandler(): handler '${handlerName}' was not run: its AbortSignal was aborted while the call waited for the sandbox`,
                  Error,
                  signal.reason,
                ),
              );
            }
          },
        });
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      pending.set(id, call);
      keepAlive ??= setInterval(() => {}, 0x7fffffff);
    });
  },
});

// Host functions. The guest sends its arguments as a JSON array; the user's
// callback gets them spread and its (possibly async) result is stringified.
// The native side expects 'J' + JSON or 'E' + message, never a throw.
function hostResult(value, where) {
  if (value === undefined) return 'Jnull';
  let json;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    return `E${where} returned a value JSON cannot carry: ${err.message}`;
  }
  return json === undefined ? `E${where} returned a ${typeof value}, which JSON cannot carry` : `J${json}`;
}

function hostError(err) {
  return `E${err instanceof Error ? err.message : String(err)}`;
}

function bridge(where, callback) {
  return function hostFunctionBridge(argsJson) {
    let out;
    try {
      out = callback(...JSON.parse(argsJson));
    } catch (err) {
      return hostError(err);
    }
    if (out !== null && typeof out === 'object' && typeof out.then === 'function') {
      return Promise.resolve(out).then((v) => hostResult(v, where), hostError);
    }
    return hostResult(out, where);
  };
}

const registerJson = HostModule.prototype.registerJson;

Object.defineProperty(HostModule.prototype, 'register', {
  configurable: true,
  writable: true,
  enumerable: false,
  value: function register(functionName, callback) {
    if (typeof callback !== 'function') {
      throw apiError('ERR_INVALID_ARG', `HostModule.register(): the callback must be a function, got ${typeof callback}`, TypeError);
    }
    if (typeof functionName !== 'string') {
      throw apiError('ERR_INVALID_ARG', `HostModule.register(): the function name must be a string, got ${typeof functionName}`, TypeError);
    }
    return registerJson.call(this, functionName, bridge(`host function ${this.name}.${functionName}`, callback));
  },
});

Object.defineProperty(ProtoJSSandbox.prototype, 'register', {
  configurable: true,
  writable: true,
  enumerable: false,
  value: function register(moduleName, functionName, callback) {
    this.hostModule(moduleName).register(functionName, callback);
  },
});

/** `{ available, reason }`: whether Hyperlight micro-VMs run on this host (probed once). */
function hypervisorProbe() {
  // napi gives a missing reason as undefined; the documented shape says null.
  return native.hypervisorProbe().then((r) => ({ available: r.available, reason: r.reason ?? null }));
}

/** The package's counters and gauges, as plain numbers, for dashboards (see README, Metrics and logs). */
function metrics() {
  return native.metrics();
}

module.exports = { SandboxBuilder, ProtoJSSandbox, JSSandbox, LoadedJSSandbox, InterruptHandle, Snapshot, HostModule, hypervisorProbe, metrics };
// After the exports are set: lib/pool.js builds on them.
module.exports.SandboxPool = require('./pool.js').SandboxPool;

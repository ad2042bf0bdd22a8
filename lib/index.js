// @hyperlight/js-host-api: loads the native addon and adds the parts of the
// API that are cheaper or clearer in JS (JSON handling of events and results,
// argument checks, error codes for napi's own type errors).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const CODES = new Set([
  'ERR_INVALID_ARG',
  'ERR_CONSUMED',
  'ERR_POISONED',
  'ERR_CANCELLED',
  'ERR_GUEST_ABORT',
  'ERR_INTERNAL',
]);

function apiError(code, message, ErrorType = Error) {
  const err = new ErrorType(message);
  err.code = code;
  return err;
}

function loadBinding() {
  const file = path.join(__dirname, '..', `js-host-api.${process.platform}-${process.arch}.node`);
  if (!fs.existsSync(file)) {
    throw apiError(
      'ERR_INTERNAL',
      `@hyperlight/js-host-api: the native addon for ${process.platform}-${process.arch} is missing (${file}). ` +
        'Build it with "npm run build" (needs Rust and clang; see the README).',
    );
  }
  return require(file);
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

// 'auto' without working micro-VMs falls back to the process backend; say so
// once per process, with the probe's reason.
let fallbackWarned = false;
const nativeBuild = SandboxBuilder.prototype.build;
Object.defineProperty(SandboxBuilder.prototype, 'build', {
  configurable: true,
  writable: true,
  enumerable: false,
  value: async function build() {
    const proto = await nativeBuild.call(this);
    const reason = proto.fallbackReason;
    if (reason && !fallbackWarned) {
      fallbackWarned = true;
      process.emitWarning(`micro-VMs are unavailable (${reason}); sandboxes use the jailed-process backend`, {
        code: 'HYPERLIGHT_JS_PROCESS_BACKEND',
      });
    }
    return proto;
  },
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
  return out;
}

// callHandler results come back through one completion handler (see
// src/completions.rs): cheaper than a native promise per call. While any call
// is pending, an idle timer keeps Node alive, as a pending promise would.
const pending = new Map();
let nextCallId = 1;
let keepAlive = null;

native.installCompletionHandler((id, code, payload) => {
  const call = pending.get(id);
  if (!call) return;
  pending.delete(id);
  if (pending.size === 0) {
    clearInterval(keepAlive);
    keepAlive = null;
  }
  if (code === null) {
    try {
      call.resolve(JSON.parse(payload));
    } catch (err) {
      call.reject(apiError('ERR_INTERNAL', `callHandler(): the guest returned JSON that does not parse: ${err.message}`));
    }
  } else {
    call.reject(apiError(code, payload));
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
      const id = nextCallId;
      nextCallId = nextCallId >= 0xffffffff ? 1 : nextCallId + 1;
      callHandlerJson.call(this, id, handlerName, json, opts);
      pending.set(id, { resolve, reject });
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

module.exports = { SandboxBuilder, ProtoJSSandbox, JSSandbox, LoadedJSSandbox, InterruptHandle, Snapshot, HostModule, hypervisorProbe };

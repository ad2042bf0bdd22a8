'use strict';
// LoadedJSSandbox.callHandler(): checks the event and options, gives each
// call an id and keeps it pending until it settles. Results come back one of
// two ways: in the native call's own return value when the fast path answers
// at once, else later through the one completion handler installed here (see
// src/completions.rs), which is cheaper than a native promise per call. An
// AbortSignal and captured console output (lib/console.js) are settled here too.

const native = require('./binding.js');
const { apiError, show, normalise } = require('./errors.js');
const consoleSink = require('./console.js');
const { abortInFlight } = require('./fetch.js');

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

// Calls waiting for the completion handler, by id. While any is pending, an
// idle timer keeps Node alive, as a pending promise would.
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

native.installCompletionHandler((id, code, payload, console, name) => {
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
    // A fetch of the guest's still waiting on the host has lost its caller.
    abortInFlight(call.sandbox);
    const cause = call.aborted && code === 'ERR_CANCELLED' ? call.signal.reason : undefined;
    const err = apiError(code, payload, Error, cause);
    // The guest's own error type, by name (the handler threw a TypeError, a
    // ValidationError): an own property, so the stack's first line says it too.
    if (name !== null && name !== undefined) Object.defineProperty(err, 'name', { value: name, writable: true, configurable: true });
    call.reject(err);
  }
});

// Each sandbox's key for the native `callHandlerJson`, read once (a native
// getter costs more than the lookup; see src/loaded_js_sandbox.rs).
const CALL_KEY = Symbol('callKey');

function callKey(sandbox) {
  if (!(sandbox instanceof native.LoadedJSSandbox)) {
    throw apiError('ERR_INVALID_ARG', `callHandler(): must be called on a LoadedJSSandbox, got ${show(sandbox)}`, TypeError);
  }
  return (sandbox[CALL_KEY] ??= sandbox.callKey);
}

/** `LoadedJSSandbox.prototype.callHandler`, built on the native `callHandlerJson`. */
function callHandler(handlerName, event, options) {
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
    let out;
    try {
      out = native.callHandlerJson(
        callKey(this), id, handlerName, json, opts?.gc, opts?.wallClockTimeoutMs, opts?.cpuTimeoutMs, opts?.abortable, onConsole !== undefined,
      );
    } catch (err) {
      throw normalise(err, 'LoadedJSSandbox.callHandler()');
    }
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
}

module.exports = { callHandler };

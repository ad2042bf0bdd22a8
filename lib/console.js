'use strict';
// A guest's console output, as data for the caller (README, "Console output").
//
// The native side decides per call whether output is printed ('inherit'),
// dropped ('ignore') or captured, and enforces the byte budget. Captured
// entries come back with the call's result as flat [level, message, ...]
// pairs; this file hands them to the right function, in order, before the
// call's promise settles. The sandbox's own function sink lives here (native
// code only knows "capture"), carried from stage to stage of one sandbox.

const { apiError, show } = require('./errors.js');

/**
 * Per sandbox, shared by all its stages: its function sink (if it has one)
 * and whether a throwing sink has been reported yet.
 * @type {WeakMap<object, { sink: Function | undefined, warned: boolean }>}
 */
const state = new WeakMap();

const DESTINATIONS = new Set(['inherit', 'ignore']);

/** `SandboxBuilder.setConsole(sink)`: returns the native destination name. */
function setConsole(builder, sink) {
  let destination;
  if (typeof sink === 'function') {
    destination = 'capture';
  } else if (typeof sink === 'string' && DESTINATIONS.has(sink)) {
    destination = sink;
  } else {
    throw apiError(
      'ERR_INVALID_ARG',
      `SandboxBuilder.setConsole(): the sink must be 'inherit', 'ignore' or a function ({ level, message }) => void, got ${show(sink)}`,
      TypeError,
    );
  }
  state.set(builder, { sink: destination === 'capture' ? sink : undefined, warned: false });
  return destination;
}

/** The next stage of a sandbox (build, loadRuntime, getLoadedSandbox, unload) shares its console. */
function carry(from, to) {
  let s = state.get(from);
  if (!s) {
    s = { sink: undefined, warned: false };
    state.set(from, s);
  }
  state.set(to, s);
  return to;
}

/** `callHandler`'s `onConsole` option: undefined or a function. */
function checkOnConsole(onConsole, where) {
  if (onConsole !== undefined && typeof onConsole !== 'function') {
    throw apiError(
      'ERR_INVALID_ARG',
      `${where}: options.onConsole must be a function ({ level, message }) => void, got ${show(onConsole)}`,
      TypeError,
    );
  }
  return onConsole;
}

/**
 * Hands captured entries (`flat[from..]` as level, message pairs) to
 * `onConsole`, else to the sandbox's own sink. A sink that throws loses that
 * entry, and the sandbox reports it once with process.emitWarning; the call
 * itself is not failed.
 */
function deliver(sandbox, onConsole, flat, from = 0) {
  if (!flat) return;
  const s = state.get(sandbox);
  const sink = onConsole ?? s?.sink;
  if (!sink) return;
  for (let i = from; i + 1 < flat.length; i += 2) {
    try {
      sink({ level: flat[i], message: flat[i + 1] });
    } catch (err) {
      if (s && !s.warned) {
        s.warned = true;
        process.emitWarning(
          `a console sink threw (${err instanceof Error ? err.message : String(err)}); its entry was dropped. ` +
            'Reported once per sandbox',
          { code: 'HYPERLIGHT_JS_CONSOLE_SINK' },
        );
      }
    }
  }
}

module.exports = { setConsole, carry, checkOnConsole, deliver };

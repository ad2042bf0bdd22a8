'use strict';
// The host-function bridge: HostModule.register() and
// ProtoJSSandbox.register(). The guest sends a host function's arguments as
// a JSON array; the user's callback gets them spread and its (possibly async)
// result is stringified. The native side (registerJson) expects 'J' + JSON or
// 'E' + message back, never a throw, so every failure becomes an 'E' answer.

const { apiError } = require('./errors.js');

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

/** `HostModule.register(functionName, callback)`, built on the native `registerJson`. */
function hostModuleRegister(registerJson) {
  return function register(functionName, callback) {
    if (typeof callback !== 'function') {
      throw apiError('ERR_INVALID_ARG', `HostModule.register(): the callback must be a function, got ${typeof callback}`, TypeError);
    }
    if (typeof functionName !== 'string') {
      throw apiError('ERR_INVALID_ARG', `HostModule.register(): the function name must be a string, got ${typeof functionName}`, TypeError);
    }
    return registerJson.call(this, functionName, bridge(`host function ${this.name}.${functionName}`, callback));
  };
}

/** `ProtoJSSandbox.register(moduleName, functionName, callback)`: the same, one module at a time. */
const protoRegister = function register(moduleName, functionName, callback) {
  this.hostModule(moduleName).register(functionName, callback);
};

module.exports = { hostModuleRegister, protoRegister };

// Web-platform globals for the QuickJS sandbox, shaped after Node (its
// current LTS lines, 22 and later, where they differ from older ones).
// The files of this folder, joined in the order of their numbers (build.rs),
// are one function expression: the host evaluates it and calls it once with
// (globalThis, native) before any user code runs. This file opens it and
// holds the helpers the others share; each later file is one global (or a
// family of them); the last installs them and closes the function. Everything
// else stays inside the closure: only the documented globals are installed.
(function (global, native) {
  'use strict';

  // ------------------------------------------------------------------ helpers
  const ObjProto = Object.prototype;
  const { getPrototypeOf, getOwnPropertyDescriptor, defineProperty, keys: objectKeys } = Object;
  const hasOwn = (o, k) => ObjProto.hasOwnProperty.call(o, k);
  const isEnumerable = (o, k) => ObjProto.propertyIsEnumerable.call(o, k);
  const objTag = (v) => ObjProto.toString.call(v);
  const getterOf = (proto, key) => getOwnPropertyDescriptor(proto, key).get;
  const TypedArrayProto = getPrototypeOf(Uint8Array.prototype);
  const taTag = getterOf(TypedArrayProto, Symbol.toStringTag); // undefined unless a typed array
  const taLength = getterOf(TypedArrayProto, 'length');
  const isError = Error.isError; // QuickJS-ng has it, Node 20 does not
  const wellFormed = String.prototype.toWellFormed;
  const toWellFormed = wellFormed ? (s) => wellFormed.call(s)
    : (s) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const usv = (v) => toWellFormed(`${v}`);
  const perf = global.performance;
  const now = perf && typeof perf.now === 'function' ? () => perf.now() : () => Date.now();
  const install = (name, value) => defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  const hidden = (value) => ({ value, writable: true, configurable: true, enumerable: false });
  const tagClass = (C, tag) => defineProperty(C.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  const illegal = {}; // token: only the prelude constructs AbortSignal, Crypto, ...
  const isObjectLike = (v) => v !== null && (typeof v === 'object' || typeof v === 'function');
  const probe = (fn, arg) => (v) => { try { fn.call(v, arg); return true; } catch { return false; } };
  // Brand checks throw (and QuickJS builds a backtrace): gate them on the tag.
  const abBrand = probe(getterOf(ArrayBuffer.prototype, 'byteLength'));
  const isArrayBuffer = (v) => isObjectLike(v) && objTag(v) === '[object ArrayBuffer]' && abBrand(v);
  const sabBrand = typeof SharedArrayBuffer === 'function' ? probe(getterOf(SharedArrayBuffer.prototype, 'byteLength')) : () => false;
  const isSharedArrayBuffer = (v) => isObjectLike(v) && objTag(v) === '[object SharedArrayBuffer]' && sabBrand(v);
  const bytesOf = (v) => (isArrayBuffer(v) || isSharedArrayBuffer(v) ? new Uint8Array(v)
    : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null);

  // Node-style errors: a TypeError/RangeError with an enumerable `code`.
  const withCode = (err, code, extra) => Object.assign(err, { code }, extra);
  const typeError = (message, code) => withCode(new TypeError(message), code);
  const missingArgs = (message) => typeError(message, 'ERR_MISSING_ARGS');
  const invalidThis = (type) => typeError(`Value of "this" must be of type ${type}`, 'ERR_INVALID_THIS');
  const illegalConstructor = () => typeError('Illegal constructor', 'ERR_ILLEGAL_CONSTRUCTOR');
  const invalidArgType = (name, expected, actual, what = 'argument') =>
    typeError(`The "${name}" ${what} must be ${expected}.${received(actual)}`, 'ERR_INVALID_ARG_TYPE');
  function received(v) {
    if (v == null) return ` Received ${v}`;
    if (typeof v === 'function' && v.name) return ` Received function ${v.name}`;
    if (typeof v === 'object') {
      if (v.constructor && v.constructor.name) return ` Received an instance of ${v.constructor.name}`;
      return ` Received ${inspect(v, { depth: -1 })}`;
    }
    let s = inspect(v);
    if (s.length > 28) s = `${s.slice(0, 25)}...`;
    return ` Received type ${typeof v} (${s})`;
  }

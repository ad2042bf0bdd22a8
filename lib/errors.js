'use strict';
// The package's errors: a plain Error (or TypeError, RangeError) with the
// spec's `code`, and the `cause` where one error leads to another.
//
// ERROR_CODES is the one list of codes on the JS side. The engine's
// ErrorCode (crates/engine/src/error.rs) and the ErrorCode type in index.d.ts
// spell the same codes; __test__/error-codes.test.js fails when they differ.

/** Every `code` a package error can carry. */
const ERROR_CODES = Object.freeze([
  'ERR_INVALID_ARG',
  'ERR_CONSUMED',
  'ERR_POISONED',
  'ERR_CANCELLED',
  'ERR_GUEST_ABORT',
  'ERR_INTERNAL',
]);
const CODES = new Set(ERROR_CODES);

function apiError(code, message, ErrorType = Error, cause = undefined) {
  const err = new ErrorType(message, cause === undefined ? undefined : { cause });
  err.code = code;
  return err;
}

/** A bad value as an error message names it: strings quoted, objects by kind. */
function show(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

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

module.exports = { ERROR_CODES, apiError, show, normalise };

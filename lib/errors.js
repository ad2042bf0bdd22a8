'use strict';
// The package's errors: a plain Error (or TypeError, RangeError) with the
// spec's `code`, and the `cause` where one error leads to another.

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

module.exports = { apiError, show };

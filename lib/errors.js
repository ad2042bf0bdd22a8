'use strict';
// The package's errors: a plain Error (or TypeError, RangeError) with the
// spec's `code`, and the `cause` where one error leads to another.

function apiError(code, message, ErrorType = Error, cause = undefined) {
  const err = new ErrorType(message, cause === undefined ? undefined : { cause });
  err.code = code;
  return err;
}

module.exports = { apiError };

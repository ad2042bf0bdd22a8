'use strict';
// @hyperlight/js-host-api, the CommonJS entry point: the API as lib/api.js
// assembles it over the native addon, and SandboxPool (lib/pool.js), which
// is built on that same API. Both are loaded here and neither loads this
// file, so there is no require cycle. lib/index.mjs re-exports this object.
//
// The layout of lib/, from the bottom up:
//   errors.js          error codes, apiError(), napi error normalisation
//   binding.js         finds and loads the native addon
//   console.js         a guest's console output, handed to the caller's sinks
//   fetch.js           the guest's fetch, answered by the embedder's policy
//   call.js            callHandler(): ids, completions, abort, console capture
//   host-functions.js  the host-function bridge (register)
//   api.js             the native classes with their JS methods added
//   pool.js            SandboxPool, on the public API alone

const api = require('./api.js');
const { SandboxPool } = require('./pool.js');

module.exports = { ...api, SandboxPool };

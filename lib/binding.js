'use strict';
// Finds and loads the native addon (napi-rs): the platform package that
// `npm install` brings, else an addon built in this checkout. When neither
// loads, one ERR_INTERNAL error says which platform, what was tried and what
// to do. Loaded once; every other file gets the addon from here.

const fs = require('node:fs');
const path = require('node:path');
const { apiError } = require('./errors.js');

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

module.exports = loadBinding();

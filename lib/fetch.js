'use strict';
// The guest's `fetch`, as the host allows it (README, "Network access").
//
// A guest has no network. Its `fetch` (crates/guest-env, src/prelude/13-fetch-shared.js to 21-fetch.js)
// sends the request as JSON, its body in base64, to a host function of a
// module no user can name ('hyperlight:fetch'), and waits for the answer.
// Here that function builds a standard `Request` from the guest's JSON, which
// is untrusted and checked as such, hands it to the policy the embedder set
// with `SandboxBuilder.setFetch(policy)`, and sends back the `Response` the
// policy gave, its body read up to the sandbox's body limit. Without a
// policy every request is refused: the guest's fetch rejects with a TypeError.
//
// A fetch still pending when its call ends (a monitor, kill() or the call's
// AbortSignal stopped the guest) is aborted through the request's signal.

const { apiError, show } = require('./errors.js');

const DEFAULT_MAX_BODY_BYTES = 1 << 20;
const MAX_BODY_BYTES = 256 << 20;
/** Room in a buffer for what travels beside a body (URL, headers, JSON). */
const ENVELOPE_BYTES = 64 << 10;
const REDIRECT_MODES = new Set(['follow', 'error', 'manual']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/**
 * Per sandbox, shared by its stages: the policy, the body limit and the
 * controllers of the fetches in flight.
 * @type {WeakMap<object, { policy: Function, maxBodyBytes: number, inFlight: Set<AbortController> }>}
 */
const state = new WeakMap();

function checkMaxBodyBytes(value, where) {
  if (value === undefined) return DEFAULT_MAX_BODY_BYTES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_BODY_BYTES) {
    throw apiError('ERR_INVALID_ARG', `${where}: options.maxBodyBytes must be a whole number of bytes from 0 to ${MAX_BODY_BYTES} (256 MiB), got ${show(value)}`, RangeError);
  }
  return value;
}

/** Builders whose build() has begun: their setters throw, as the native ones do. */
const built = new WeakSet();

/** `SandboxBuilder.setFetch(policy, { maxBodyBytes })`. */
function setFetch(builder, policy, options) {
  const where = 'SandboxBuilder.setFetch()';
  if (built.has(builder)) {
    throw apiError('ERR_CONSUMED', `${where}: this SandboxBuilder was already consumed by build()`);
  }
  if (policy === null) {
    state.delete(builder);
    return builder;
  }
  if (typeof policy !== 'function') {
    throw apiError('ERR_INVALID_ARG', `${where}: the policy must be a function (request: Request) => Response | Promise<Response>, or null; got ${show(policy)}`, TypeError);
  }
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw apiError('ERR_INVALID_ARG', `${where}: options must be an object, got ${show(options)}`, TypeError);
  }
  state.set(builder, { policy, maxBodyBytes: checkMaxBodyBytes(options?.maxBodyBytes, where), inFlight: new Set() });
  return builder;
}

/** The next stage of a sandbox shares its fetch policy. */
function carry(from, to) {
  const s = state.get(from);
  if (s) state.set(to, s);
  return to;
}

/** Aborts the fetches a sandbox still has in flight: their call is over. */
function abortInFlight(sandbox) {
  const s = state.get(sandbox);
  if (!s || s.inFlight.size === 0) return;
  for (const controller of s.inFlight) controller.abort(new Error('the sandbox call that made this fetch has ended'));
  s.inFlight.clear();
}

/**
 * Registers the guest's fetch on a freshly built proto sandbox, if its
 * builder set a policy. A body also has to fit the sandbox's buffers in its
 * base64 form: requests the output buffer, responses the input buffer.
 */
function install(builder, proto, hostModule, buffers) {
  const s = state.get(builder);
  if (!s) {
    hostModule.register('fetch', () => {
      throw new TypeError('fetch: this sandbox has no fetch policy, so it has no network; the host allows requests with SandboxBuilder.setFetch(policy)');
    });
    return proto;
  }
  state.set(proto, s);
  const fits = (bytes) => Math.max(0, Math.floor(((bytes - ENVELOPE_BYTES) * 3) / 4));
  const requestLimit = Math.min(s.maxBodyBytes, fits(buffers.output));
  const responseLimit = Math.min(s.maxBodyBytes, fits(buffers.input));
  hostModule.register('fetch', (wire) => answer(s, wire, requestLimit, responseLimit));
  return proto;
}

function limitMessage(what, limit, s, buffer) {
  const why = limit < s.maxBodyBytes
    ? `the most the sandbox's ${buffer} buffer carries (set${buffer === 'input' ? 'Input' : 'Output'}BufferSize)`
    : "the sandbox's fetch body limit (setFetch's maxBodyBytes)";
  return `fetch: the ${what} body is larger than ${limit} bytes, ${why}`;
}

/** The guest's request, checked: it comes from untrusted code. */
function requestFromGuest(wire, signal, requestLimit, s) {
  const bad = (what) => new TypeError(`fetch: the guest sent a malformed request (${what})`);
  if (wire === null || typeof wire !== 'object') throw bad('not an object');
  const { url, method, headers, body, redirect } = wire;
  if (typeof url !== 'string' || typeof method !== 'string') throw bad('url and method must be strings');
  if (!Array.isArray(headers) || !headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((x) => typeof x === 'string'))) {
    throw bad('headers must be [name, value] string pairs');
  }
  if (body !== null && typeof body !== 'string') throw bad('body must be base64 text or null');
  if (!REDIRECT_MODES.has(redirect)) throw bad(`redirect must be 'follow', 'error' or 'manual'`);
  const bytes = body === null ? null : Buffer.from(body, 'base64');
  if (bytes && bytes.length > requestLimit) throw new TypeError(limitMessage('request', requestLimit, s, 'output'));
  return new Request(url, { method, headers, body: bytes, redirect, signal });
}

/** Reads a response body, refusing one larger than `limit` as it arrives. */
async function readBody(response, limit, s) {
  if (!response.body) return Buffer.alloc(0);
  const chunks = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > limit) {
      await response.body.cancel().catch(() => {});
      throw new TypeError(limitMessage('response', limit, s, 'input'));
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** One guest fetch: the policy's answer, as the guest's JSON. */
async function answer(s, wire, requestLimit, responseLimit) {
  const controller = new AbortController();
  s.inFlight.add(controller);
  try {
    const request = requestFromGuest(wire, controller.signal, requestLimit, s);
    const response = await s.policy(request);
    if (!(response instanceof Response)) {
      throw new TypeError(`fetch: the sandbox's fetch policy must return a Response (or a Promise of one), got ${show(response)}`);
    }
    const body = await readBody(response, responseLimit, s);
    return {
      url: response.url || request.url,
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      redirected: response.redirected,
      body: body.toString('base64'),
    };
  } finally {
    s.inFlight.delete(controller);
  }
}

/** An origin as `new URL(...).origin` spells it, or a clear error. */
function originOf(text, where) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw apiError('ERR_INVALID_ARG', `${where}: ${show(text)} is not a URL`, TypeError);
  }
  if (url.origin === 'null') {
    throw apiError('ERR_INVALID_ARG', `${where}: ${show(text)} has no origin (use http: or https: URLs)`, TypeError);
  }
  return url.origin;
}

/**
 * A ready policy: requests to the listed origins go out through `fetch`
 * (Node's own by default), everything else is refused. Redirects are
 * followed here, hop by hop, so that a redirect cannot lead outside the list.
 */
function allowOrigins(origins, options) {
  const where = 'allowOrigins()';
  const text = (o) => (typeof o === 'string' ? o : o !== null && typeof o === 'object' && typeof o.href === 'string' ? o.href : undefined);
  if (!Array.isArray(origins) || !origins.every((o) => text(o) !== undefined)) {
    throw apiError('ERR_INVALID_ARG', `${where}: origins must be an array of URLs (strings or URL objects), got ${show(origins)}`, TypeError);
  }
  const allowed = new Set(origins.map((o) => originOf(text(o), where)));
  const send = options?.fetch ?? globalThis.fetch;
  if (typeof send !== 'function') {
    throw apiError('ERR_INVALID_ARG', `${where}: options.fetch must be a function, got ${show(send)}`, TypeError);
  }
  const check = (url) => {
    const origin = new URL(url).origin;
    if (!allowed.has(origin)) {
      throw new TypeError(`fetch: ${origin} is not allowed by this sandbox's policy (allowed: ${[...allowed].join(', ') || 'none'})`);
    }
  };
  return async function allowOriginsPolicy(request) {
    check(request.url);
    let { method, url } = request;
    let body = request.body === null ? null : await request.arrayBuffer();
    const headers = new Headers(request.headers);
    for (let hops = 0; ; hops++) {
      const response = await send(new Request(url, { method, headers, body, redirect: 'manual', signal: request.signal }));
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null || request.redirect === 'manual') {
        if (hops > 0) Object.defineProperties(response, { url: { value: url }, redirected: { value: true } });
        return response;
      }
      await response.body?.cancel();
      if (request.redirect === 'error') throw new TypeError(`fetch: ${url} redirected, and the request's redirect mode is 'error'`);
      if (hops === MAX_REDIRECTS) throw new TypeError(`fetch: more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, url);
      check(next.href);
      // As the Fetch standard: credentials do not follow a redirect to another origin.
      if (next.origin !== new URL(url).origin) headers.delete('authorization');
      url = next.href;
      // As the Fetch standard: 303, and 301/302 after a POST, become a GET without a body.
      if (response.status === 303 ? method !== 'HEAD' : (response.status === 301 || response.status === 302) && method === 'POST') {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = null;
        for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(name);
      }
    }
  };
}

/** build() has begun: setFetch() on this builder throws from now on, even if the build fails. */
function consume(builder) {
  built.add(builder);
}

module.exports = { setFetch, consume, carry, install, abortInFlight, allowOrigins };

  // ------------------------------------------------------------------ Request
  const requestEnums = {
    cache: ['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached'],
    credentials: ['omit', 'same-origin', 'include'],
    duplex: ['half'],
    mode: ['navigate', 'same-origin', 'no-cors', 'cors'],
    redirect: ['follow', 'manual', 'error'],
    referrerPolicy: ['', 'no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin', 'strict-origin', 'origin-when-cross-origin',
      'strict-origin-when-cross-origin', 'unsafe-url'],
  };
  const requestEnum = (key, v) => {
    if (v === undefined) return undefined;
    const s = `${v}`;
    if (!requestEnums[key].includes(s)) throw new TypeError(`undefined: ${s} is not an accepted type. Expected one of ${requestEnums[key].join(', ')}.`);
    return s;
  };
  const normalizedMethods = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']; // the Fetch standard's list (not PATCH)
  function requestMethod(m) {
    m = byteString(m);
    if (!tokenRe.test(m)) throw new TypeError(`'${m}' is not a valid HTTP method.`);
    const upper = m.toUpperCase();
    if (upper === 'CONNECT' || upper === 'TRACE' || upper === 'TRACK') throw new TypeError(`'${m}' HTTP method is unsupported.`);
    return normalizedMethods.includes(upper) ? upper : m;
  }

  let requestOf;
  class Request {
    #r; // { method, url, headers, signal, mode, credentials, cache, redirect, referrer, referrerPolicy, integrity, keepalive }
    constructor(input, init = undefined) {
      if (input === illegal) { // clone()
        this.#r = init.r;
        bodyOwners.set(this, { body: init.body, headers: init.r.headers });
        return;
      }
      if (arguments.length === 0) throw argsRequired('Request constructor', 1, 0);
      if (init != null && !isObjectLike(init)) throw notOneOf('undefined', init);
      // RequestInit's members, each read once, in WebIDL's (alphabetical) order.
      const { body, cache, credentials, duplex, headers, integrity, keepalive, method, mode, redirect, referrer, referrerPolicy, signal, window } =
        init == null ? {} : init;
      const initEmpty = [body, cache, credentials, duplex, headers, integrity, keepalive, method, mode, redirect, referrer, referrerPolicy, signal, window]
        .every((v) => v === undefined);
      let base = null, inputBody = null, url;
      if (isObjectLike(input) && #r in input) {
        base = input.#r;
        inputBody = bodyOwners.get(input).body;
        url = base.url;
      } else {
        const parsed = parseURL(input);
        if (parsed.username !== '' || parsed.password !== '') {
          throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${parsed.href}`);
        }
        url = parsed.href;
      }
      if (window != null) throw new TypeError("'window' option 'client' must be null");
      const r = base === null
        ? { method: 'GET', url, mode: 'cors', credentials: 'same-origin', cache: 'default', redirect: 'follow', referrer: 'client', referrerPolicy: '', integrity: '', keepalive: false }
        : { ...base };
      if (!initEmpty) {
        if (r.mode === 'navigate') r.mode = 'same-origin';
        r.referrer = 'client';
        r.referrerPolicy = '';
      }
      if (referrer !== undefined) {
        const s = usv(referrer);
        if (s === '') {
          r.referrer = 'no-referrer';
        } else {
          let parsed;
          try { parsed = new URL(s); } catch (err) { throw new TypeError(`Referrer "${s}" is not a valid URL.`, { cause: err }); }
          r.referrer = parsed.href === 'about:client' ? 'client' : parsed.href;
        }
      }
      const policy = requestEnum('referrerPolicy', referrerPolicy);
      if (policy !== undefined) r.referrerPolicy = policy;
      const m = requestEnum('mode', mode);
      if (m === 'navigate') throw new TypeError('Request constructor: invalid request mode navigate.');
      if (m !== undefined) r.mode = m;
      r.credentials = requestEnum('credentials', credentials) ?? r.credentials;
      r.cache = requestEnum('cache', cache) ?? r.cache;
      if (r.cache === 'only-if-cached' && r.mode !== 'same-origin') throw new TypeError("'only-if-cached' can be set only with 'same-origin' mode");
      r.redirect = requestEnum('redirect', redirect) ?? r.redirect;
      if (integrity !== undefined) r.integrity = `${integrity}`;
      if (keepalive !== undefined) r.keepalive = Boolean(keepalive);
      if (method !== undefined) r.method = requestMethod(method);
      requestEnum('duplex', duplex);
      if (signal != null && !isAbortSignal(signal)) {
        throw new TypeError(`RequestInit: Expected signal ("${typeof signal === 'string' ? jsonStringify(signal) : inspect(signal)}") to be an instance of AbortSignal.`);
      }
      const parentSignal = signal !== undefined ? signal : base === null ? null : base.signal;
      r.signal = signalAny.call(AbortSignal, parentSignal ? [parentSignal] : []); // follows it, as Node's does
      if (r.mode === 'no-cors' && !['GET', 'HEAD', 'POST'].includes(r.method)) throw new TypeError(`'${r.method} is unsupported in no-cors mode.`);
      r.headers = headers !== undefined ? headersFromLists(headerLists(headers)) : base !== null ? headersGuard(headersCopy(base.headers), 'none') : new Headers();
      if ((body != null || inputBody !== null) && (r.method === 'GET' || r.method === 'HEAD')) {
        throw new TypeError('Request with GET/HEAD method cannot have body.');
      }
      let finalBody = null;
      if (body != null) {
        const extracted = extractBody(body);
        if (extracted.type !== null && !headersHas(r.headers, 'content-type')) headersAppend(r.headers, 'content-type', extracted.type);
        if (extracted.body.stream !== null && duplex === undefined) throw new TypeError('RequestInit: duplex option is required when sending a body.');
        finalBody = extracted.body;
      } else if (inputBody !== null) {
        if (bodyUnusable(inputBody)) throw new TypeError('Cannot construct a Request with a Request object that has already been used.');
        // The new request takes the body over; the input's is used from now on.
        finalBody = { bytes: inputBody.bytes, stream: inputBody.stream, used: false };
        inputBody.used = true;
        inputBody.bytes = null;
      }
      this.#r = r;
      bodyOwners.set(this, { body: finalBody, headers: r.headers });
    }
    static #of(q) {
      if (!isObjectLike(q) || !(#r in q)) throw illegalInvocation();
      return q.#r;
    }
    get method() { return Request.#of(this).method; }
    get url() { return Request.#of(this).url; }
    get headers() { return Request.#of(this).headers; }
    get destination() { Request.#of(this); return ''; }
    get referrer() {
      const { referrer } = Request.#of(this);
      return referrer === 'no-referrer' ? '' : referrer === 'client' ? 'about:client' : referrer;
    }
    get referrerPolicy() { return Request.#of(this).referrerPolicy; }
    get mode() { return Request.#of(this).mode; }
    get credentials() { return Request.#of(this).credentials; }
    get cache() { return Request.#of(this).cache; }
    get redirect() { return Request.#of(this).redirect; }
    get integrity() { return Request.#of(this).integrity; }
    get keepalive() { return Request.#of(this).keepalive; }
    get isReloadNavigation() { Request.#of(this); return false; }
    get isHistoryNavigation() { Request.#of(this); return false; }
    get signal() { return Request.#of(this).signal; }
    get duplex() { Request.#of(this); return 'half'; }
    clone() {
      const r = Request.#of(this);
      const { body } = bodyOwners.get(this);
      if (bodyUnusable(body)) throw new TypeError('unusable');
      const copy = { ...r, headers: headersCopy(r.headers), signal: signalAny.call(AbortSignal, [r.signal]) };
      return new Request(illegal, { r: copy, body: cloneBody(body) });
    }
    [kCustom](depth, options) {
      const r = this.#r;
      return inspectAs(this, { method: r.method, url: r.url, headers: r.headers, destination: '', referrer: this.referrer, referrerPolicy: r.referrerPolicy,
        mode: r.mode, credentials: r.credentials, cache: r.cache, redirect: r.redirect, integrity: r.integrity, keepalive: r.keepalive,
        isReloadNavigation: false, isHistoryNavigation: false, signal: r.signal }, depth, options);
    }
    static { requestOf = (q) => q.#r; }
  }
  addBodyMixin(Request);
  for (const C of [Headers, Blob, File, ReadableStream, ReadableStreamDefaultController, ReadableStreamDefaultReader]) webidlMembers(C);
  const bodyOrder = ['body', 'bodyUsed', 'duplex', 'clone', 'blob', 'arrayBuffer', 'text', 'json', 'bytes'];
  webidlMembers(Response, ['type', 'url', 'redirected', 'status', 'ok', 'statusText', 'headers', ...bodyOrder]);
  webidlMembers(Request, ['method', 'url', 'headers', 'destination', 'referrer', 'referrerPolicy', 'mode', 'credentials', 'cache', 'redirect',
    'integrity', 'keepalive', 'isReloadNavigation', 'isHistoryNavigation', 'signal', ...bodyOrder]);

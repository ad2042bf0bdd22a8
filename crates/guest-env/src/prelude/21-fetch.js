  // ------------------------------------------------------------------ fetch
  // The host does the fetch, synchronously: native.fetch(JSON request) returns
  // a JSON answer or throws an Error that says why (no policy, refused, too
  // large, network error, ...). A request body that is a stream is read first.
  const badAnswer = (why) => new TypeError(`fetch failed: the host's answer ${why}`);
  function errorMessage(err) {
    try {
      return isObjectLike(err) && typeof err.message === 'string' ? err.message : String(err);
    } catch {
      return 'fetch failed';
    }
  }
  function abortBody(b, reason) { // the signal fired after the answer came: a body not read yet errors
    if (b.used) return;
    if (b.stream === null) {
      b.stream = new ReadableStream({ start(c) { c.error(reason); } });
      b.bytes = null;
    } else {
      streamOps.error(b.stream, reason);
    }
  }
  function hostResponse(text, r) {
    if (typeof text !== 'string') throw badAnswer('is not a string');
    let a;
    try { a = jsonParse(text); } catch { throw badAnswer('is not JSON'); }
    if (!isObjectLike(a) || Array.isArray(a)) throw badAnswer('is not an object');
    const { url, status, statusText, headers, redirected, body } = a;
    if (typeof status !== 'number' || !Number.isInteger(status) || (status !== 0 && (status < 200 || status > 599))) throw badAnswer(`has an invalid status: ${status}`);
    if (typeof url !== 'string') throw badAnswer('has no url');
    if (typeof statusText !== 'string') throw badAnswer('has no statusText');
    if (typeof redirected !== 'boolean') throw badAnswer('has no redirected');
    if (typeof body !== 'string') throw badAnswer('has no body');
    if (!Array.isArray(headers) || !headers.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')) {
      throw badAnswer('has no list of [name, value] headers');
    }
    const list = new Headers();
    for (const [name, value] of headers) {
      try { headersAppend(list, name, value); } catch (err) { throw badAnswer(`has an invalid header: ${err.message}`); }
    }
    headersGuard(list, 'immutable');
    if (status === 0) { // an opaque redirect (redirect: 'manual'); anything else with no status is a network error
      if (r.redirect !== 'manual') throw new TypeError('fetch failed');
      return new Response(illegal, { type: 'opaqueredirect', status: 0, statusText: '', url: withoutFragment(url), redirected: false,
        headers: headersGuard(new Headers(), 'immutable'), body: null });
    }
    const decoded = native.base64Decode(body);
    if (decoded === null) throw badAnswer('has a body that is not base64');
    const b = r.method === 'HEAD' || nullBodyStatus.includes(status) ? null : bytesBody(new Uint8Array(decoded));
    if (b !== null) addListener.call(r.signal, 'abort', () => abortBody(b, r.signal.reason), { once: true });
    return new Response(illegal, { type: 'basic', status, statusText, url: withoutFragment(url), redirected, headers: list, body: b });
  }
  async function fetch(input, init = undefined) {
    const request = new Request(input, init); // takes the body of a Request given as input
    const r = requestOf(request);
    if (r.signal.aborted) throw r.signal.reason;
    const b = bodyOwners.get(request).body;
    let bytes = null;
    if (b !== null) {
      if (b.stream === null) {
        bytes = takeBytes(b);
      } else {
        bytes = await drainStream(b.stream);
        if (r.signal.aborted) throw r.signal.reason;
      }
    }
    const json = jsonStringify({
      url: withoutFragment(r.url),
      method: r.method,
      headers: headersPairs(r.headers).map((p) => [p[0], p[1]]),
      body: bytes === null ? null : native.base64Encode(bytes),
      redirect: r.redirect,
    });
    let answer;
    try {
      answer = native.fetch(json);
    } catch (err) {
      throw new TypeError(errorMessage(err), { cause: err });
    }
    return hostResponse(answer, r);
  }

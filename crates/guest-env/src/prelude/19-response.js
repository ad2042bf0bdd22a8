  // ------------------------------------------------------------------ Response
  const nullBodyStatus = [101, 103, 204, 205, 304];
  const redirectStatus = [301, 302, 303, 307, 308];
  const toUint16 = (v) => { const n = Math.trunc(+v); return Number.isFinite(n) ? ((n % 65536) + 65536) % 65536 : 0; };
  const reasonPhrase = /^[\t\x20-\x7e\x80-\xff]*$/;

  let isResponse;
  class Response {
    #type = 'default'; #status = 200; #statusText = ''; #url = ''; #redirected = false; #headers;
    constructor(body = null, init = undefined) {
      if (body === illegal) { // made by the prelude: Response.error(), fetch(), clone()
        this.#type = init.type;
        this.#status = init.status;
        this.#statusText = init.statusText;
        this.#url = init.url;
        this.#redirected = init.redirected;
        this.#headers = init.headers;
        bodyOwners.set(this, { body: init.body, headers: init.headers });
        return;
      }
      if (init != null && !isObjectLike(init)) throw notOneOf('undefined', init);
      const { headers, status = 200, statusText = '' } = init == null ? {} : init;
      const lists = headers === undefined ? [] : headerLists(headers);
      const code = toUint16(status);
      const text = byteString(statusText);
      if (code < 200 || code > 599) throw new RangeError('init["status"] must be in the range of 200 to 599, inclusive.');
      if (!reasonPhrase.test(text)) throw new TypeError('Invalid statusText');
      this.#status = code;
      this.#statusText = text;
      this.#headers = headersFromLists(lists);
      let b = null;
      if (body !== null && body !== undefined) {
        if (nullBodyStatus.includes(code)) throw new TypeError(`Response constructor: Invalid response status code ${code}`);
        const extracted = extractBody(body);
        b = extracted.body;
        if (extracted.type !== null && !headersHas(this.#headers, 'content-type')) headersAppend(this.#headers, 'content-type', extracted.type);
      }
      bodyOwners.set(this, { body: b, headers: this.#headers });
    }
    static #of(r) {
      if (!isResponse(r)) throw illegalInvocation();
      return r;
    }
    get type() { return Response.#of(this).#type; }
    get url() { return Response.#of(this).#url; }
    get redirected() { return Response.#of(this).#redirected; }
    get status() { return Response.#of(this).#status; }
    get ok() { const s = Response.#of(this).#status; return s >= 200 && s <= 299; }
    get statusText() { return Response.#of(this).#statusText; }
    get headers() { return Response.#of(this).#headers; }
    clone() {
      Response.#of(this);
      const { body } = bodyOwners.get(this);
      if (bodyUnusable(body)) throw new TypeError('Response.clone: Body has already been consumed.');
      return new Response(illegal, {
        type: this.#type, status: this.#status, statusText: this.#statusText, url: this.#url, redirected: this.#redirected,
        headers: headersCopy(this.#headers), body: cloneBody(body),
      });
    }
    static error() {
      return new Response(illegal, { type: 'error', status: 0, statusText: '', url: '', redirected: false, headers: headersGuard(new Headers(), 'immutable'), body: null });
    }
    static json(data, init = undefined) {
      if (arguments.length === 0) throw argsRequired('Response.json', 1, 0);
      const text = jsonStringify(data);
      if (text === undefined) throw new TypeError('Value is not JSON serializable');
      const response = new Response(null, init);
      if (nullBodyStatus.includes(response.#status)) throw new TypeError(`Response.json: Invalid response status code ${response.#status}`);
      bodyOwners.get(response).body = bytesBody(utf8(text));
      if (!headersHas(response.#headers, 'content-type')) headersAppend(response.#headers, 'content-type', 'application/json');
      return response;
    }
    static redirect(url, status = 302) {
      if (arguments.length === 0) throw argsRequired('Response.redirect', 1, 0);
      const parsed = parseURL(url);
      const code = toUint16(status);
      if (!redirectStatus.includes(code)) throw new RangeError(`Invalid status code ${code}`);
      const headers = headersFromLists([['location', parsed.href]]);
      return new Response(illegal, { type: 'default', status: code, statusText: '', url: '', redirected: false, headers: headersGuard(headers, 'immutable'), body: null });
    }
    [kCustom](depth, options) {
      return inspectAs(this, { status: this.#status, statusText: this.#statusText, headers: this.#headers, body: this.body, bodyUsed: this.bodyUsed,
        ok: this.ok, redirected: this.#redirected, type: this.#type, url: this.#url }, depth, options);
    }
    static { isResponse = (v) => isObjectLike(v) && #status in v; }
  }
  addBodyMixin(Response);

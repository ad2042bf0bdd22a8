  // ------------------------------------------------------------------ bodies (of Request and Response)
  // A body is { bytes, stream, used }: its bytes (exact-size and private) until
  // read or turned into its stream; its stream once `body` was asked for (or
  // the stream it was made from); `used` once read without a stream.
  const bytesBody = (bytes) => ({ bytes, stream: null, used: false });
  const bytesStream = (bytes) => new ReadableStream({
    pull(c) {
      if (bytes.length > 0) c.enqueue(bytes.slice());
      c.close();
    },
  }, { highWaterMark: 0 });
  function spentStream() { // what `body` is after text() & co. read a body that had no stream
    const s = new ReadableStream({ start(c) { c.close(); } });
    new ReadableStreamDefaultReader(s).read();
    return s;
  }
  const bodyUsed = (b) => b !== null && (b.used || (b.stream !== null && streamOps.disturbed(b.stream)));
  const bodyUnusable = (b) => bodyUsed(b) || (b !== null && b.stream !== null && streamOps.locked(b.stream));
  function bodyStream(b) {
    if (b.stream === null) {
      b.stream = b.used ? spentStream() : bytesStream(b.bytes);
      b.bytes = null;
    }
    return b.stream;
  }
  function takeBytes(b) {
    const bytes = b.bytes;
    b.used = true;
    b.bytes = null;
    return bytes;
  }
  async function drainStream(stream) {
    const reader = new ReadableStreamDefaultReader(stream); // stays locked: the body is used
    const chunks = [];
    let total = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return concatBytes(chunks, total);
      if (taTag.call(value) !== 'Uint8Array') {
        const err = new TypeError('Received non-Uint8Array chunk');
        handled(reader.cancel(err));
        throw err;
      }
      chunks.push(value);
      total += value.length;
    }
  }
  async function consumeBody(b) {
    if (b === null) return new Uint8Array(0);
    if (bodyUnusable(b)) throw new TypeError('Body is unusable: Body has already been read');
    return b.stream === null ? takeBytes(b) : drainStream(b.stream);
  }
  function cloneBody(b) {
    if (b === null) return null;
    if (b.stream === null) return bytesBody(b.bytes.slice());
    const [one, two] = teeStream(b.stream, true);
    b.stream = one;
    return { bytes: null, stream: two, used: false };
  }
  const isParams = (v) => isObjectLike(v) && objTag(v) === '[object URLSearchParams]' && (() => { try { paramsList(v); return true; } catch { return false; } })();
  // BodyInit: the body and the Content-Type it implies (null for none).
  function extractBody(object) {
    if (isBlob(object)) return { body: bytesBody(blobBytes(object).slice()), type: blobTypeOf(object) || null };
    const view = bytesOf(object);
    if (view !== null) return { body: bytesBody(view.slice()), type: null };
    if (isParams(object)) return { body: bytesBody(utf8(serializeQuery(paramsList(object)))), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
    if (isStream(object)) {
      if (streamOps.disturbed(object) || streamOps.locked(object)) throw new TypeError('Response body object should not be disturbed or locked');
      return { body: { bytes: null, stream: object, used: false }, type: null };
    }
    return { body: bytesBody(utf8(object)), type: 'text/plain;charset=UTF-8' };
  }

  // The MIME type of a body's Content-Type, as blob() gives it (WHATWG mimesniff
  // "parse" and "serialize", Fetch "extract a MIME type"); '' when there is none.
  const quotedTokenRe = /^[\t\x20-\x7e\x80-\xff]*$/;
  function collectQuoted(s, at, extract) { // at: the opening quote; -> [value, position after]
    const start = at;
    let value = '';
    at++;
    for (;;) {
      let end = at;
      while (end < s.length && s[end] !== '"' && s[end] !== '\\') end++;
      value += s.slice(at, end);
      at = end;
      if (at >= s.length) break;
      const c = s[at++];
      if (c === '\\') {
        if (at >= s.length) { value += '\\'; break; }
        value += s[at++];
      } else {
        break;
      }
    }
    return [extract ? value : s.slice(start, at), at];
  }
  function parseMime(input) {
    const s = trimHttp(input);
    const slash = s.indexOf('/');
    if (slash <= 0 || !tokenRe.test(s.slice(0, slash))) return null;
    let at = s.indexOf(';', slash);
    if (at === -1) at = s.length;
    const subtype = trimHttp(s.slice(slash + 1, at), false);
    if (subtype === '' || !tokenRe.test(subtype)) return null;
    const mime = { essence: `${s.slice(0, slash)}/${subtype}`.toLowerCase(), params: new Map() };
    while (at < s.length) {
      at++; // the ';'
      while (at < s.length && isHttpSpace(s.charCodeAt(at))) at++;
      let end = at;
      while (end < s.length && s[end] !== ';' && s[end] !== '=') end++;
      const name = s.slice(at, end).toLowerCase();
      at = end;
      if (at < s.length) {
        if (s[at] === ';') continue;
        at++; // the '='
      }
      if (at >= s.length) break;
      let value;
      if (s[at] === '"') {
        [value, at] = collectQuoted(s, at, true);
        while (at < s.length && s[at] !== ';') at++;
      } else {
        end = s.indexOf(';', at);
        if (end === -1) end = s.length;
        value = trimHttp(s.slice(at, end), false);
        at = end;
        if (value === '') continue;
      }
      if (name !== '' && tokenRe.test(name) && quotedTokenRe.test(value) && !mime.params.has(name)) mime.params.set(name, value);
    }
    return mime;
  }
  function splitHeaderValue(s) { // Fetch's "get, decode, and split": commas outside quoted strings
    const values = [];
    let at = 0, value = '';
    for (;;) {
      let end = at;
      while (end < s.length && s[end] !== '"' && s[end] !== ',') end++;
      value += s.slice(at, end);
      at = end;
      if (at < s.length && s[at] === '"') {
        let quoted;
        [quoted, at] = collectQuoted(s, at, false);
        value += quoted;
        if (at < s.length) continue;
      }
      values.push(trimHttp(value, true, (c) => c === 0x20 || c === 0x09));
      value = '';
      if (at >= s.length) return values;
      at++; // the ','
    }
  }
  function bodyMimeType(headers) {
    const header = headersGet(headers, 'content-type');
    if (header === null) return '';
    let mime = null, essence = null, charset = null;
    for (const value of splitHeaderValue(header)) {
      const parsed = parseMime(value);
      if (parsed === null || parsed.essence === '*/*') continue;
      mime = parsed;
      if (mime.essence !== essence) {
        charset = mime.params.has('charset') ? mime.params.get('charset') : null;
        essence = mime.essence;
      } else if (!mime.params.has('charset') && charset !== null) {
        mime.params.set('charset', charset);
      }
    }
    if (mime === null) return '';
    let out = mime.essence;
    for (const [name, value] of mime.params) {
      out += `;${name}=${value !== '' && tokenRe.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`}`;
    }
    return out;
  }

  const bodyOwners = new WeakMap(); // Request or Response -> { body, headers }
  const ownerOf = (self) => {
    const owner = isObjectLike(self) ? bodyOwners.get(self) : undefined;
    if (owner === undefined) throw illegalInvocation();
    return owner;
  };
  // The Body mixin, shared by Request and Response.
  const bodyMixin = {
    get body() { const b = ownerOf(this).body; return b === null ? null : bodyStream(b); },
    get bodyUsed() { return bodyUsed(ownerOf(this).body); },
    async arrayBuffer() { return (await consumeBody(ownerOf(this).body)).buffer; },
    async blob() {
      const owner = ownerOf(this);
      const bytes = await consumeBody(owner.body);
      return blobFrom(bytes, blobType(bodyMimeType(owner.headers)));
    },
    async bytes() { return consumeBody(ownerOf(this).body); },
    async json() { return jsonParse(decodeUtf8(await consumeBody(ownerOf(this).body))); },
    async text() { return decodeUtf8(await consumeBody(ownerOf(this).body)); },
  };
  const addBodyMixin = (C) => {
    for (const key of Object.getOwnPropertyNames(bodyMixin)) defineProperty(C.prototype, key, getOwnPropertyDescriptor(bodyMixin, key));
  };

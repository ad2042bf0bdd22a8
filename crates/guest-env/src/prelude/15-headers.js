  // ------------------------------------------------------------------ Headers
  const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const isHttpSpace = (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  function trimHttp(s, leading = true, isSpace = isHttpSpace) {
    let a = 0, b = s.length;
    while (leading && a < b && isSpace(s.charCodeAt(a))) a++;
    while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
    return a === 0 && b === s.length ? s : s.slice(a, b);
  }
  const headerName = (name, where) => {
    name = byteString(name);
    if (!tokenRe.test(name)) throw new TypeError(`Headers.${where}: "${name}" is an invalid header name.`);
    return name.toLowerCase();
  };
  const headerValue = (value, where) => {
    value = trimHttp(byteString(value));
    if (/[\0\r\n]/.test(value)) throw new TypeError(`Headers.${where}: "${value}" is an invalid header value.`);
    return value;
  };
  // HeadersInit (sequence<sequence<ByteString>> or record<ByteString, ByteString>) as a list of lists.
  function headerLists(init) {
    if (!isObjectLike(init)) {
      throw new TypeError('Headers constructor: Argument 1 could not be converted to one of: sequence<sequence<ByteString>>, record<ByteString, ByteString>.');
    }
    const lists = [];
    const method = init[Symbol.iterator];
    if (typeof method === 'function') {
      const iterator = method.call(init);
      for (const item of { [Symbol.iterator]: () => iterator }) {
        if (!isObjectLike(item) || typeof item[Symbol.iterator] !== 'function') {
          const shown = typeof item === 'string' ? ` ("${item}")` : isObjectLike(item) ? '' : ` (${String(item)})`;
          throw new TypeError(`Headers constructor: init[${lists.length}]${shown} is not iterable.`);
        }
        lists.push(Array.from(item, byteString));
      }
      return lists;
    }
    const keys = Reflect.ownKeys(init);
    const symbol = keys.find((k) => typeof k === 'symbol');
    if (symbol !== undefined) throw new TypeError(`Headers constructor: Key ${String(symbol)} in init is a symbol, which cannot be converted to a ByteString.`);
    for (const key of keys) {
      const d = Reflect.getOwnPropertyDescriptor(init, key);
      if (d !== undefined && d.enumerable) lists.push([byteString(key), byteString(init[key])]);
    }
    return lists;
  }

  let headersAppend, headersHas, headersGet, headersFromLists, headersPairs, headersGuard, headersCopy, makeHeadersIterator;
  class Headers {
    #list = []; // [name in lower case, value], in the order appended
    #guard = 'none'; // 'immutable' for the headers of Response.error(), Response.redirect() and fetch()
    #pairs = null; // sorted and combined, until the next change
    constructor(init = undefined) {
      if (init !== undefined) Headers.#fill(this, headerLists(init));
    }
    static #of(h) {
      if (!isObjectLike(h) || !(#list in h)) throw illegalInvocation();
      return h;
    }
    static #fill(h, lists) {
      for (const pair of lists) {
        if (pair.length !== 2) throw new TypeError(`Headers constructor: expected name/value pair to be length 2, found ${pair.length}.`);
        h.#append(pair[0], pair[1], 'append');
      }
    }
    #mutable() {
      if (this.#guard === 'immutable') throw new TypeError('immutable');
      this.#pairs = null;
    }
    #append(name, value, where) {
      name = headerName(name, where);
      value = headerValue(value, where);
      this.#mutable();
      this.#list.push([name, value]);
    }
    #get(name) {
      let out = null;
      for (const [n, v] of this.#list) if (n === name) out = out === null ? v : `${out}, ${v}`;
      return out;
    }
    #sorted() {
      if (this.#pairs !== null) return this.#pairs;
      const byName = new Map();
      for (const [n, v] of this.#list) {
        const values = byName.get(n);
        if (values === undefined) byName.set(n, [v]); else values.push(v);
      }
      const pairs = [];
      for (const n of [...byName.keys()].sort()) {
        const values = byName.get(n);
        if (n === 'set-cookie') for (const v of values) pairs.push([n, v]);
        else pairs.push([n, values.join(', ')]);
      }
      return (this.#pairs = pairs);
    }
    append(name, value) {
      Headers.#of(this);
      if (arguments.length < 2) throw argsRequired('Headers.append', 2, arguments.length);
      this.#append(name, value, 'append');
    }
    delete(name) {
      Headers.#of(this);
      if (arguments.length < 1) throw argsRequired('Headers.delete', 1, 0);
      name = headerName(name, 'delete');
      this.#mutable();
      this.#list = this.#list.filter((e) => e[0] !== name);
    }
    get(name) {
      Headers.#of(this);
      if (arguments.length < 1) throw argsRequired('Headers.get', 1, 0);
      return this.#get(headerName(name, 'get'));
    }
    has(name) {
      Headers.#of(this);
      if (arguments.length < 1) throw argsRequired('Headers.has', 1, 0);
      name = headerName(name, 'has');
      return this.#list.some((e) => e[0] === name);
    }
    set(name, value) {
      Headers.#of(this);
      if (arguments.length < 2) throw argsRequired('Headers.set', 2, arguments.length);
      name = headerName(name, 'set');
      value = headerValue(value, 'set');
      this.#mutable();
      const i = this.#list.findIndex((e) => e[0] === name);
      if (i === -1) { this.#list.push([name, value]); return; }
      this.#list[i] = [name, value];
      this.#list = this.#list.filter((e, j) => j <= i || e[0] !== name);
    }
    getSetCookie() {
      Headers.#of(this);
      return this.#list.filter((e) => e[0] === 'set-cookie').map((e) => e[1]);
    }
    keys() { return makeHeadersIterator(Headers.#of(this), 'key'); }
    values() { return makeHeadersIterator(Headers.#of(this), 'value'); }
    entries() { return makeHeadersIterator(Headers.#of(this), 'key+value'); }
    forEach(callback, thisArg = undefined) {
      Headers.#of(this);
      if (arguments.length < 1) throw argsRequired('Headers.forEach', 1, 0);
      if (typeof callback !== 'function') throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
      for (let i = 0; i < this.#sorted().length; i++) {
        const [n, v] = this.#sorted()[i];
        callback.call(thisArg, v, n, this);
      }
    }
    [kCustom](depth, options) {
      // As Node prints them: names in the order first appended, values combined.
      const obj = {};
      for (const [n] of this.#list) if (!hasOwn(obj, n)) defineProperty(obj, n, { value: this.#get(n), enumerable: true, writable: true, configurable: true });
      return inspectAs(this, obj, depth, options);
    }
    static {
      headersAppend = (h, name, value) => h.#append(name, value, 'append');
      headersHas = (h, name) => h.#list.some((e) => e[0] === name);
      headersGet = (h, name) => h.#get(name);
      headersFromLists = (lists) => { const h = new Headers(); Headers.#fill(h, lists); return h; };
      headersPairs = (h) => h.#sorted();
      headersGuard = (h, guard) => { h.#guard = guard; return h; };
      headersCopy = (h) => { const c = new Headers(); c.#list = h.#list.map((e) => e.slice()); c.#guard = h.#guard; return c; };
    }
  }
  defineProperty(Headers.prototype, Symbol.iterator, hidden(Headers.prototype.entries));

  class HeadersIterator {
    #headers; #kind; #index = 0;
    constructor(token, headers, kind) {
      if (token !== illegal) throw illegalConstructor();
      this.#headers = headers;
      this.#kind = kind;
    }
    next() {
      if (!isObjectLike(this) || !(#headers in this)) throw illegalInvocation();
      const pairs = headersPairs(this.#headers); // live: changes made while iterating show
      if (this.#index >= pairs.length) return { value: undefined, done: true };
      const [n, v] = pairs[this.#index++];
      return { value: this.#kind === 'key' ? n : this.#kind === 'value' ? v : [n, v], done: false };
    }
  }
  Object.setPrototypeOf(HeadersIterator.prototype, getPrototypeOf(getPrototypeOf([][Symbol.iterator]())));
  delete HeadersIterator.prototype.constructor; // Node prints one as `Object [Headers Iterator] {}`
  makeHeadersIterator = (headers, kind) => new HeadersIterator(illegal, headers, kind);

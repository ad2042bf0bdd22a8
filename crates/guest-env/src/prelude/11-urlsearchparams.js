  // ------------------------------------------------------------------ URLSearchParams
  // application/x-www-form-urlencoded: bytes other than *-._ and alphanumerics are escaped.
  function formEncode(s) {
    if (/^[A-Za-z0-9*\-._]*$/.test(s)) return s;
    let out = '';
    for (const b of new Uint8Array(native.utf8Encode(s))) {
      if (b === 0x20) out += '+';
      else if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2a || b === 0x2d || b === 0x2e || b === 0x5f) out += String.fromCharCode(b);
      else out += `%${'0123456789ABCDEF'[b >> 4]}${'0123456789ABCDEF'[b & 15]}`;
    }
    return out;
  }
  const hexValue = (b) => (b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x41 && b <= 0x46 ? b - 0x37 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1);
  function formDecode(s) {
    if (s.includes('+')) s = s.replaceAll('+', ' ');
    if (!s.includes('%')) return s;
    const bytes = new Uint8Array(native.utf8Encode(s));
    let j = 0;
    for (let i = 0; i < bytes.length; i++) {
      const hi = bytes[i] === 0x25 && i + 2 < bytes.length ? hexValue(bytes[i + 1]) : -1;
      const lo = hi >= 0 ? hexValue(bytes[i + 2]) : -1;
      if (lo >= 0) { bytes[j++] = (hi << 4) | lo; i += 2; } else bytes[j++] = bytes[i];
    }
    return native.utf8Decode(bytes.subarray(0, j), false);
  }
  function parseQuery(query) {
    const list = [];
    for (const part of query.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      list.push(formDecode(eq === -1 ? part : part.slice(0, eq)), formDecode(eq === -1 ? '' : part.slice(eq + 1)));
    }
    return list;
  }
  const serializeQuery = (list) => {
    let out = '';
    for (let i = 0; i < list.length; i += 2) out += `${i ? '&' : ''}${formEncode(list[i])}=${formEncode(list[i + 1])}`;
    return out;
  };
  const badTuple = () => typeError('Each query pair must be an iterable [name, value] tuple', 'ERR_INVALID_TUPLE');
  const needArgs = (args, n) => {
    if (args.length < n) throw missingArgs(n === 1 ? 'The "name" argument must be specified' : 'The "name" and "value" arguments must be specified');
  };

  let paramsList, paramsBind, paramsReset, urlSetQuery, makeParamsIterator;
  class URLSearchParams {
    #list = []; // flat: name, value, name, value, ...
    #url = null; // the URL whose query this object mirrors
    constructor(init = undefined) {
      if (init == null) return;
      if (!isObjectLike(init)) {
        const query = usv(init);
        this.#list = parseQuery(query[0] === '?' ? query.slice(1) : query);
        return;
      }
      const method = init[Symbol.iterator];
      if (method === this[Symbol.iterator] && #list in init) {
        this.#list = init.#list.slice();
      } else if (method != null) {
        if (typeof method !== 'function') throw typeError('Query pairs must be iterable', 'ERR_ARG_NOT_ITERABLE');
        for (const pair of init) {
          if (!isObjectLike(pair) || typeof pair[Symbol.iterator] !== 'function') throw badTuple();
          const items = [...pair];
          if (items.length !== 2) throw badTuple();
          this.#list.push(usv(items[0]), usv(items[1]));
        }
      } else {
        // A record: own enumerable keys; keys equal after USV conversion keep the first slot.
        const slots = new Map();
        for (const key of Reflect.ownKeys(init)) {
          const desc = Reflect.getOwnPropertyDescriptor(init, key);
          if (desc === undefined || !desc.enumerable) continue;
          const name = usv(key), value = usv(init[key]);
          if (slots.has(name)) this.#list[slots.get(name)] = value;
          else slots.set(name, this.#list.push(name, value) - 1);
        }
      }
    }
    #update() { if (this.#url !== null) urlSetQuery(this.#url, serializeQuery(this.#list)); }
    #remove(name, value, keepFirst) { // remove pairs matching name (and value); returns whether one was kept
      const list = this.#list;
      let kept = false;
      for (let i = 0; i < list.length;) {
        if (list[i] !== name || (value !== undefined && list[i + 1] !== value)) i += 2;
        else if (keepFirst && !kept) { kept = true; list[i + 1] = keepFirst.value; i += 2; } else list.splice(i, 2);
      }
      return kept;
    }
    get size() { return paramsList(this).length / 2; }
    append(name, value) {
      const list = paramsList(this);
      needArgs(arguments, 2);
      list.push(usv(name), usv(value));
      this.#update();
    }
    delete(name, value = undefined) {
      paramsList(this);
      needArgs(arguments, 1);
      this.#remove(usv(name), value === undefined ? undefined : usv(value));
      this.#update();
    }
    get(name) {
      const list = paramsList(this);
      needArgs(arguments, 1);
      name = usv(name);
      const index = list.findIndex((x, i) => i % 2 === 0 && x === name);
      return index === -1 ? null : list[index + 1];
    }
    getAll(name) {
      const list = paramsList(this);
      needArgs(arguments, 1);
      name = usv(name);
      return list.filter((x, i) => i % 2 === 1 && list[i - 1] === name);
    }
    has(name, value = undefined) {
      const list = paramsList(this);
      needArgs(arguments, 1);
      name = usv(name);
      if (value !== undefined) value = usv(value);
      return list.some((x, i) => i % 2 === 0 && x === name && (value === undefined || list[i + 1] === value));
    }
    set(name, value) {
      const list = paramsList(this);
      needArgs(arguments, 2);
      name = usv(name);
      value = usv(value);
      if (!this.#remove(name, undefined, { value })) list.push(name, value);
      this.#update();
    }
    sort() {
      const list = paramsList(this);
      const pairs = [];
      for (let i = 0; i < list.length; i += 2) pairs.push([list[i], list[i + 1], i]);
      // Stable, by UTF-16 code units (the index breaks ties).
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[2] - b[2]));
      pairs.forEach(([n, v], i) => { list[2 * i] = n; list[2 * i + 1] = v; });
      this.#update();
    }
    forEach(callback, thisArg = undefined) {
      paramsList(this);
      if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
      for (let i = 0; i < this.#list.length; i += 2) callback.call(thisArg, this.#list[i + 1], this.#list[i], this);
    }
    keys() { return makeParamsIterator(this, 'key'); }
    values() { return makeParamsIterator(this, 'value'); }
    entries() { return makeParamsIterator(this, 'key+value'); }
    toString() { return serializeQuery(paramsList(this)); }
    [kCustom](depth, options) {
      if (typeof depth === 'number' && depth < 0) return '[Object]';
      const opts = { ...options, depth: depth - 1 };
      const output = [];
      for (let i = 0; i < this.#list.length; i += 2) output.push(`${inspect(this.#list[i], opts)} => ${inspect(this.#list[i + 1], opts)}`);
      const name = this.constructor.name;
      if (output.length === 0) return `${name} {}`;
      const length = output.reduce((sum, s) => sum + s.length + 2, -2);
      return length > options.breakLength ? `${name} {\n  ${output.join(',\n  ')} }` : `${name} { ${output.join(', ')} }`;
    }
    static {
      paramsList = (p) => {
        if (!isObjectLike(p) || !(#list in p)) throw invalidThis('URLSearchParams');
        return p.#list;
      };
      paramsBind = (p, url) => { p.#url = url; };
      paramsReset = (p, search) => { p.#list = parseQuery(search.startsWith('?') ? search.slice(1) : search); };
    }
  }
  defineProperty(URLSearchParams.prototype, Symbol.iterator, hidden(URLSearchParams.prototype.entries));

  class URLSearchParamsIterator {
    #params; #kind; #index = 0;
    constructor(token, params, kind) {
      if (token !== illegal) throw illegalConstructor();
      paramsList(params);
      this.#params = params;
      this.#kind = kind;
    }
    #item(list, i) { return this.#kind === 'key' ? list[i] : this.#kind === 'value' ? list[i + 1] : [list[i], list[i + 1]]; }
    next() {
      const list = paramsList(this.#params);
      if (this.#index >= list.length) return { value: undefined, done: true };
      this.#index += 2;
      return { value: this.#item(list, this.#index - 2), done: false };
    }
    [kCustom](depth, options) {
      const opts = { ...options, depth: depth - 1 };
      const list = paramsList(this.#params);
      const items = [];
      for (let i = this.#index; i < list.length; i += 2) items.push(this.#item(list, i));
      const parts = items.map((v) => inspect(v, opts));
      const body = inspect(items, opts).includes('\n') ? `\n  ${parts.join(',\n  ')}` : ` ${parts.join(', ')}`;
      return `URLSearchParams Iterator {${body} }`;
    }
  }
  Object.setPrototypeOf(URLSearchParamsIterator.prototype, getPrototypeOf(getPrototypeOf([][Symbol.iterator]())));
  makeParamsIterator = (params, kind) => new URLSearchParamsIterator(illegal, params, kind);

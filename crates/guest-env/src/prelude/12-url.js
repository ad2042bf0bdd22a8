  // ------------------------------------------------------------------ URL
  const invalidURL = (input, base) => withCode(new TypeError('Invalid URL'), 'ERR_INVALID_URL', base === undefined ? { input } : { input, base });
  const urlComponents = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'];
  let urlParts, urlSet;
  class URL {
    #c; // the component object from native.urlParse / native.urlSet
    #searchParams = null;
    constructor(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs('The "url" argument must be specified');
      input = usv(input);
      if (base !== undefined) base = usv(base);
      const c = native.urlParse(input, base);
      if (c === null) throw invalidURL(input, base);
      this.#c = c;
    }
    static canParse(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs('The "url" argument must be specified');
      return native.urlParse(usv(input), base === undefined ? undefined : usv(base)) !== null;
    }
    static parse(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs('The "url" argument must be specified');
      return URL.canParse(input, base) ? new URL(input, base) : null;
    }
    get searchParams() {
      urlParts(this);
      if (this.#searchParams === null) paramsBind(this.#searchParams = new URLSearchParams(this.#c.search), this);
      return this.#searchParams;
    }
    toString() { return urlParts(this).href; }
    toJSON() { return urlParts(this).href; }
    [kCustom](depth, options) {
      if (typeof depth === 'number' && depth < 0) return this;
      const obj = {};
      for (const key of urlComponents) obj[key] = this.#c[key];
      const { hash } = obj;
      delete obj.hash;
      Object.assign(obj, { searchParams: this.searchParams, hash });
      return `${this.constructor.name} ${inspect(obj, options)}`;
    }
    static {
      urlParts = (u) => {
        if (!isObjectLike(u) || !(#c in u)) throw invalidThis('URL');
        return u.#c;
      };
      urlSet = (u, property, value) => {
        value = usv(value);
        const c = native.urlSet(u.#c.href, property, value);
        if (c === null) {
          if (property === 'href') throw invalidURL(value);
          return;
        }
        u.#c = c;
        if ((property === 'href' || property === 'search') && u.#searchParams !== null) paramsReset(u.#searchParams, c.search);
      };
      // URLSearchParams changed: its serialization becomes the query.
      urlSetQuery = (u, query) => { u.#c = native.urlSet(u.#c.href, 'search', query) || u.#c; };
    }
  }
  // The component accessors, enumerable as WebIDL attributes are (origin is read-only).
  for (const key of urlComponents) {
    defineProperty(URL.prototype, key, {
      get() { return urlParts(this)[key]; },
      set: key === 'origin' ? undefined : function (value) { urlParts(this); urlSet(this, key, value); },
      enumerable: true,
      configurable: true,
    });
  }

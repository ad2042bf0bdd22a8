  // ------------------------------------------------------------------ Intl
  // ECMA-402 for the one locale and the one time zone a sandbox has, en-US
  // and UTC, with Node's (ICU's) output. Any well-formed language tag is
  // accepted and resolves to en-US; a malformed one is a RangeError, as in
  // Node. Options are read and checked as ECMA-402 reads them; what en-US in
  // UTC cannot honour (another time zone, compact or scientific notation,
  // units, currency names) is a RangeError that says so.
  //
  // Numbers: the layout (style, sign, currency symbol) is done here; a finite
  // double's digits come from native.intlFormatNumber(x, minInt, minFrac,
  // maxFrac, grouping) (ICU4X: half away from zero on the shortest decimal
  // form of |x|). What that contract does not cover (BigInt, numeric strings
  // kept exact, significant digits, other rounding modes and increments) is
  // rounded here on the value's decimal digits, the way ICU rounds them.
  // Collation is native.intlCompare(a, b, sensitivity, numeric,
  // ignorePunctuation). Dates are all JavaScript: a pattern is chosen for the
  // requested fields by a small model of ICU's DateTimePatternGenerator over
  // CLDR's en data, so that any combination of options comes out as Node
  // prints it. The closure that begins here runs on through 23-intl-numbers.js,
  // 24-intl-collation.js and 25-intl-dates.js and ends in 26-intl-namespace.js.
  //
  // The en names and patterns in 25-intl-dates.js are CLDR data (Copyright
  // Unicode, Inc., under the Unicode License v3), as ICU4X's data crates and
  // ICU 78 carry them.
  const intlNamespace = (() => {
    const LOCALE = 'en-US';
    const slots = new WeakMap(); // an Intl object -> its internal slots
    const NBSP = '\u00a0';
    const DateCtor = Date;
    const dateNow = Date.now;
    const DateProto = Date.prototype;
    const { getTime, getUTCFullYear, getUTCMonth, getUTCDate, getUTCDay, getUTCHours, getUTCMinutes, getUTCSeconds, getUTCMilliseconds } = DateProto;
    const numberValue = Number.prototype.valueOf;
    const bigintValue = BigInt.prototype.valueOf;
    const { abs, floor, trunc } = Math;

    // ---------------------------------------------------------- shared
    // Methods and accessors as built-ins have them: non-enumerable.
    function defineMethods(target, methods) {
      for (const key of Reflect.ownKeys(methods)) defineProperty(target, key, { ...getOwnPropertyDescriptor(methods, key), enumerable: false });
    }
    const construct = (newTarget, C) => Object.create(newTarget !== undefined && isObjectLike(newTarget.prototype) ? newTarget.prototype : C.prototype);
    const receiverText = (v) => {
      if (!isObjectLike(v)) return typeof v === 'symbol' ? v.toString() : `${v}`;
      let name = 'Object';
      try {
        const c = v.constructor;
        if (typeof c === 'function' && typeof c.name === 'string' && c.name) name = c.name;
      } catch {}
      return `#<${name}>`;
    };
    const incompatible = (method, v) => new TypeError(`Method ${method} called on incompatible receiver ${receiverText(v)}`);
    const slotsOf = (v, kind, method) => {
      const s = isObjectLike(v) ? slots.get(v) : undefined;
      if (s === undefined || s.kind !== kind) throw incompatible(method, v);
      return s;
    };
    const toObject = (v) => {
      if (v === undefined || v === null) throw new TypeError('Cannot convert undefined or null to object');
      return Object(v);
    };
    const coerceOptions = (options, service) => {
      if (options === undefined) return Object.create(null);
      if (options === null) throw new TypeError(`${service} called on null or undefined`);
      return Object(options);
    };
    const outOfRange = (value, service, property) => new RangeError(`Value ${value} out of range for ${service} options property ${property}`);
    function getOption(options, property, values, fallback, service) {
      let value = options[property];
      if (value === undefined) return fallback;
      value = `${value}`;
      if (values !== undefined && !values.includes(value)) throw outOfRange(value, service, property);
      return value;
    }
    const getBoolean = (options, property) => {
      const value = options[property];
      return value === undefined ? undefined : !!value;
    };
    function defaultNumberOption(value, lo, hi, fallback, property) {
      if (value === undefined) return fallback;
      value = +value;
      if (value !== value || value < lo || value > hi) throw new RangeError(`${property} value is out of range.`);
      return floor(value);
    }
    const getNumberOption = (options, property, lo, hi, fallback) => defaultNumberOption(options[property], lo, hi, fallback, property);
    const typeSequence = /^[a-z0-9]{3,8}(?:-[a-z0-9]{3,8})*$/i;
    // calendar, numberingSystem, collation: a well-formed one other than the
    // sandbox's own falls back to it, as ECMA-402 has an unsupported one do.
    function getTypeOption(options, property) {
      const value = getOption(options, property, undefined, undefined);
      if (value !== undefined && !typeSequence.test(value)) throw new RangeError(`Invalid ${property} : ${value}`);
      return value;
    }

    // ---------------------------------------------------------- locales
    const localeError = () => new RangeError('Incorrect locale information provided');
    // The canonical form of a well-formed Unicode BCP 47 locale identifier
    // (case, sorted variants and extensions, sorted -u- keywords), or null.
    function canonicalTag(tag) {
      const parts = tag.split('-');
      if (!parts.every((p) => /^[a-z0-9]{1,8}$/i.test(p))) return null;
      const n = parts.length;
      let i = 0;
      const language = parts[i++].toLowerCase();
      if (!/^(?:[a-z]{2,3}|[a-z]{5,8})$/.test(language) || language === 'root') return null;
      const out = [language];
      if (i < n && /^[a-z]{4}$/i.test(parts[i])) { const s = parts[i++]; out.push(s[0].toUpperCase() + s.slice(1).toLowerCase()); }
      if (i < n && /^(?:[a-z]{2}|[0-9]{3})$/i.test(parts[i])) out.push(parts[i++].toUpperCase());
      const variants = [];
      while (i < n && /^(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3})$/i.test(parts[i])) {
        const v = parts[i++].toLowerCase();
        if (variants.includes(v)) return null;
        variants.push(v);
      }
      out.push(...variants.sort());
      const extensions = [];
      while (i < n && parts[i].length === 1 && !/^x$/i.test(parts[i])) {
        const singleton = parts[i++].toLowerCase();
        if (extensions.some((e) => e[0] === singleton)) return null;
        const subtags = [];
        while (i < n && parts[i].length > 1) subtags.push(parts[i++].toLowerCase());
        if (subtags.length === 0) return null;
        extensions.push([singleton, singleton === 'u' ? unicodeExtension(subtags) : subtags]);
      }
      extensions.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      for (const [singleton, subtags] of extensions) out.push(singleton, ...subtags);
      if (i < n) {
        if (!/^x$/i.test(parts[i]) || i + 1 === n) return null;
        out.push('x', ...parts.slice(i + 1).map((p) => p.toLowerCase()));
      }
      return out.join('-');
    }
    // -u- subtags: attributes first, then keywords sorted by key, without a "true" value.
    function unicodeExtension(subtags) {
      const attributes = [];
      const keywords = [];
      for (const s of subtags) {
        if (s.length === 2) keywords.push([s]);
        else if (keywords.length === 0) attributes.push(s);
        else keywords[keywords.length - 1].push(s);
      }
      const seen = new Set();
      const kept = keywords.filter((k) => !seen.has(k[0]) && seen.add(k[0])).sort((a, b) => (a[0] < b[0] ? -1 : 1));
      return [...attributes, ...kept.flatMap((k) => (k.length === 2 && k[1] === 'true' ? [k[0]] : k))];
    }
    function canonicalizeLocaleList(locales) {
      if (locales === undefined) return [];
      const list = typeof locales === 'string' ? [locales] : toObject(locales);
      const length = trunc(+list.length) || 0;
      const seen = [];
      for (let k = 0; k < length; k++) {
        if (!(k in list)) continue;
        const value = list[k];
        if (typeof value !== 'string' && !isObjectLike(value)) throw new TypeError('Language ID should be string or object.');
        const tag = canonicalTag(`${value}`);
        if (tag === null) throw localeError();
        if (!seen.includes(tag)) seen.push(tag);
      }
      return seen;
    }
    // What the sandbox can format in: en or en-US (extensions aside).
    const isSupportedTag = (tag) => /^en(?:-latn)?(?:-us)?(?:-[a-wyz0-9]-.*|-x-.*)?$/i.test(tag);
    function supportedLocalesOf(service, locales, options) {
      const requested = canonicalizeLocaleList(locales);
      getOption(coerceOptions(options, `${service}.supportedLocalesOf`), 'localeMatcher', ['lookup', 'best fit'], 'best fit', `${service}.supportedLocalesOf`);
      return requested.filter(isSupportedTag);
    }
    const readLocale = (locales, options, service) => {
      canonicalizeLocaleList(locales);
      options = coerceOptions(options, service);
      getOption(options, 'localeMatcher', ['lookup', 'best fit'], 'best fit', service);
      return options;
    };

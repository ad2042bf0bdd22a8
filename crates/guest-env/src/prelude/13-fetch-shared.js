  // ------------------------------------------------------------------ fetch family: shared pieces
  // atob/btoa, Headers, Blob/File, a ReadableStream with default readers,
  // Request, Response and fetch over native.fetch, shaped after Node's
  // (undici's): the same checks, and undici's error messages, which mostly
  // carry no `code`; where Node's lines differ, those of Node 24 and 26
  // (undici 7). The host answers a fetch synchronously, so there is no network
  // I/O in here: bodies are bytes in memory or streams made by the guest.
  const noop = () => {};
  const handled = (p) => { p.then(undefined, noop); return p; }; // a rejection nobody may wait for is not reported
  const { stringify: jsonStringify, parse: jsonParse } = JSON; // user code may replace JSON's methods
  const signalAny = AbortSignal.any;
  const addListener = EventTarget.prototype.addEventListener;
  const illegalInvocation = () => typeError('Illegal invocation', 'ERR_INVALID_THIS');
  const invalidState = (what) => typeError(`Invalid state: ${what}`, 'ERR_INVALID_STATE');
  const invalidArgValue = (name, value, Ctor = TypeError) =>
    withCode(new Ctor(`The property '${name}' is invalid. Received ${inspect(value)}`), 'ERR_INVALID_ARG_VALUE');
  const argsRequired = (where, n, found) =>
    new TypeError(`${where}: ${n} argument${n === 1 ? '' : 's'} required, but ${n === 1 ? '' : 'only '}${found} found.`);
  const notOneOf = (where, v) => new TypeError(`${where}: Expected ${String(v)} to be one of: Null, Undefined, Object.`);
  function byteString(v) {
    const s = `${v}`;
    const i = s.search(/[^\x00-\xff]/);
    if (i !== -1) {
      throw new TypeError(`Cannot convert argument to a ByteString because the character at index ${i} has a value of ${s.charCodeAt(i)} which is greater than 255.`);
    }
    return s;
  }
  const utf8 = (v) => new Uint8Array(native.utf8Encode(usv(v)));
  const decodeUtf8 = (bytes) => new TextDecoder().decode(bytes); // replacement characters, BOM dropped
  function concatBytes(chunks, total) {
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  }
  // WebIDL attributes and operations are enumerable, class members are not;
  // `order` puts them in Node's order (mixins included).
  function webidlMembers(C, order = []) {
    const proto = C.prototype;
    const rank = (k) => (order.includes(k) ? order.indexOf(k) : order.length);
    const names = Object.getOwnPropertyNames(proto).filter((k) => k !== 'constructor');
    const sorted = names.map((k, i) => [k, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map((e) => e[0]);
    const descriptors = sorted.map((k) => getOwnPropertyDescriptor(proto, k));
    for (const k of sorted) delete proto[k];
    sorted.forEach((k, i) => defineProperty(proto, k, { ...descriptors[i], enumerable: true }));
  }
  const parseURL = (input) => {
    const s = usv(input);
    try { return new URL(s); } catch (err) { throw new TypeError(`Failed to parse URL from ${s}`, { cause: err }); }
  };
  const withoutFragment = (href) => { const i = href.indexOf('#'); return i === -1 ? href : href.slice(0, i); };

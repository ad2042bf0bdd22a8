  // ------------------------------------------------------------------ TextEncoder / TextDecoder
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') { return new Uint8Array(native.utf8Encode(usv(input))); }
    encodeInto(src, dest) {
      if (typeof src !== 'string') throw invalidArgType('src', 'of type string', src);
      if (taTag.call(dest) !== 'Uint8Array') throw invalidArgType('dest', 'an instance of Uint8Array', dest);
      let read = 0, written = 0;
      const len = src.length, cap = dest.length;
      // Encoded here, so that a character that does not fit whole is left out.
      while (read < len) {
        let c = src.charCodeAt(read), units = 1;
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = src.charCodeAt(read + 1);
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); units = 2; } else c = 0xfffd;
        }
        const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (written + n > cap) break;
        if (n === 1) dest[written++] = c;
        else {
          dest[written++] = [0, 0, 0xc0, 0xe0, 0xf0][n] | (c >> (6 * (n - 1)));
          for (let k = n - 2; k >= 0; k--) dest[written++] = 0x80 | ((c >> (6 * k)) & 63);
        }
        read += units;
      }
      return { read, written };
    }
    [kCustom]() { return { encoding: 'utf-8' }; } // Node prints a plain { encoding } object
  }

  // Length (0..3) of a trailing UTF-8 sequence that is valid so far but incomplete.
  function incompleteTail(b) {
    const n = b.length;
    for (let k = 1; k <= 3 && k <= n; k++) {
      const lead = b[n - k];
      if (lead < 0x80) return 0;
      if (lead < 0xc0) continue; // a continuation byte: look further back
      if (lead < 0xc2 || lead > 0xf4 || (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2) <= k) return 0;
      const s = b[n - k + 1];
      if (k >= 2 && (s < (lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80) || s > (lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf))) return 0;
      return k;
    }
    return 0;
  }
  const utf8Labels = ['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8'];

  class TextDecoder {
    #fatal; #ignoreBOM; #bomSeen = false;
    #pending = null; // the incomplete sequence kept between streaming calls
    constructor(encoding = 'utf-8', options = undefined) {
      encoding = `${encoding}`;
      if (options != null && !isObjectLike(options)) throw invalidArgType('options', 'of type object', options);
      if (!utf8Labels.includes(encoding.trim().toLowerCase())) {
        throw withCode(new RangeError(`The "${encoding}" encoding is not supported`), 'ERR_ENCODING_NOT_SUPPORTED');
      }
      this.#fatal = Boolean(options && options.fatal);
      this.#ignoreBOM = Boolean(options && options.ignoreBOM);
    }
    get encoding() { this.#fatal; return 'utf-8'; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input = undefined, options = undefined) {
      this.#fatal; // brand check
      let bytes = input === undefined ? new Uint8Array(0) : bytesOf(input);
      if (bytes === null) throw typeError('The "list" argument must be an instance of SharedArrayBuffer, ArrayBuffer or ArrayBufferView.', 'ERR_INVALID_ARG_TYPE');
      const stream = Boolean(options && options.stream);
      if (this.#pending !== null) {
        const joined = new Uint8Array(this.#pending.length + bytes.length);
        joined.set(this.#pending);
        joined.set(bytes, this.#pending.length);
        bytes = joined;
        this.#pending = null;
      }
      const tail = stream ? incompleteTail(bytes) : 0;
      if (tail) {
        this.#pending = bytes.slice(bytes.length - tail);
        bytes = bytes.subarray(0, bytes.length - tail);
      }
      let text;
      try {
        text = bytes.length === 0 ? '' : native.utf8Decode(bytes, this.#fatal);
      } catch {
        this.#pending = null;
        this.#bomSeen = false;
        throw typeError('The encoded data was not valid for encoding utf-8', 'ERR_ENCODING_INVALID_ENCODED_DATA');
      }
      if (!this.#ignoreBOM && !this.#bomSeen && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        this.#bomSeen = true;
      }
      if (!stream) this.#bomSeen = false; // the next call starts a new stream
      return text;
    }
    [kCustom](depth, options) {
      return `TextDecoder ${inspect({ encoding: 'utf-8', fatal: this.#fatal, ignoreBOM: this.#ignoreBOM }, options)}`;
    }
  }

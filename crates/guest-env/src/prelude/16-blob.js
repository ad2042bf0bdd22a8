  // ------------------------------------------------------------------ Blob / File
  const blobType = (t) => (/[^\u0020-\u007e]/.test(t) ? '' : t.toLowerCase());
  let isBlob, blobBytes, blobTypeOf, blobFrom;
  class Blob {
    #bytes; // never handed out: slices share it, readers get copies
    #type;
    constructor(blobParts = undefined, options = undefined) {
      if (blobParts !== undefined && (!isObjectLike(blobParts) || typeof blobParts[Symbol.iterator] !== 'function')) {
        throw typeError('Value cannot be converted to sequence.', 'ERR_INVALID_ARG_TYPE');
      }
      if (options != null && !isObjectLike(options)) throw invalidArgType('options', 'a dictionary', options);
      const endings = options == null || options.endings === undefined ? 'transparent' : `${options.endings}`;
      const type = options == null || options.type === undefined ? '' : `${options.type}`;
      if (endings !== 'transparent' && endings !== 'native') throw invalidArgValue('options.endings', endings);
      const chunks = [];
      let total = 0;
      if (blobParts !== undefined) {
        for (const part of blobParts) {
          let bytes = isBlob(part) ? part.#bytes : bytesOf(part);
          if (bytes === null) {
            let s = usv(part);
            if (endings === 'native') s = s.replace(/\r\n?/g, '\n');
            bytes = utf8(s);
          }
          chunks.push(bytes);
          total += bytes.length;
        }
      }
      this.#bytes = concatBytes(chunks, total);
      this.#type = blobType(type);
    }
    static #of(b) {
      if (!isBlob(b)) throw invalidThis('Blob');
      return b;
    }
    get type() { return Blob.#of(this).#type; }
    get size() { return Blob.#of(this).#bytes.length; }
    slice(start = undefined, end = undefined, contentType = undefined) {
      const bytes = Blob.#of(this).#bytes;
      const size = bytes.length;
      const relative = (v, whole) => {
        if (v === undefined) return whole;
        // WebIDL [Clamp] long long: NaN is 0, halves round to even, the infinities clamp.
        const x = +v;
        if (Number.isNaN(x)) return 0;
        const floor = Math.floor(x), rest = x - floor;
        const n = rest < 0.5 ? floor : rest > 0.5 || floor % 2 !== 0 ? floor + 1 : floor;
        return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
      };
      const from = relative(start, 0), to = relative(end, size);
      return blobFrom(bytes.subarray(from, Math.max(from, to)), contentType === undefined ? '' : blobType(`${contentType}`));
    }
    async arrayBuffer() { return Blob.#of(this).#bytes.slice().buffer; }
    async text() { return decodeUtf8(Blob.#of(this).#bytes); }
    async bytes() { return Blob.#of(this).#bytes.slice(); }
    stream() { return bytesStream(Blob.#of(this).#bytes); }
    [kCustom](depth, options) { return inspectAs(this, { size: this.#bytes.length, type: this.#type }, depth, options); }
    static {
      isBlob = (v) => isObjectLike(v) && #bytes in v;
      blobBytes = (b) => b.#bytes;
      blobTypeOf = (b) => b.#type;
      blobFrom = (bytes, type) => {
        const b = new Blob();
        b.#bytes = bytes;
        b.#type = type;
        return b;
      };
    }
  }

  class File extends Blob {
    #name; #lastModified;
    constructor(fileBits, fileName, options = undefined) {
      if (arguments.length < 2) throw missingArgs('The "fileBits" and "fileName" arguments must be specified');
      super(fileBits, options);
      this.#name = usv(fileName);
      const last = options == null || options.lastModified === undefined ? Date.now() : +options.lastModified;
      this.#lastModified = Number.isNaN(last) ? 0 : last;
    }
    get name() { if (!isObjectLike(this) || !(#name in this)) throw invalidThis('File'); return this.#name; }
    get lastModified() { if (!isObjectLike(this) || !(#name in this)) throw invalidThis('File'); return this.#lastModified; }
    [kCustom](depth, options) {
      return inspectAs(this, { size: this.size, type: this.type, name: this.#name, lastModified: this.#lastModified }, depth, options);
    }
  }

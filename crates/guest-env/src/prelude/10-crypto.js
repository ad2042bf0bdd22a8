  // ------------------------------------------------------------------ crypto
  const digestNames = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
  const integerArrays = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];
  let hexTable;

  class SubtleCrypto {
    constructor(token) { if (token !== illegal) throw illegalConstructor(); }
    async digest(algorithm, data) {
      const prefix = "Failed to execute 'digest' on 'SubtleCrypto'";
      if (arguments.length < 2) throw missingArgs(`${prefix}: 2 arguments required, but only ${arguments.length} present.`);
      const isDict = algorithm !== null && typeof algorithm === 'object';
      const bytes = bytesOf(data);
      if (bytes === null) throw typeError(`${prefix}: 2nd argument is not instance of ArrayBuffer, Buffer, TypedArray, or DataView.`, 'ERR_INVALID_ARG_TYPE');
      if (isDict && algorithm.name === undefined) {
        throw typeError("Failed to normalize algorithm: passed algorithm can not be converted to 'Algorithm' because 'name' is required in 'Algorithm'.", 'ERR_MISSING_OPTION');
      }
      const name = `${isDict ? algorithm.name : algorithm}`.toUpperCase();
      if (!digestNames.includes(name)) throw new DOMException('Unrecognized algorithm name', 'NotSupportedError');
      return native.digest(name, bytes); // hashed now, so later changes to `data` do not matter
    }
  }
  const subtle = new SubtleCrypto(illegal);

  // No random bytes are ever pooled in JavaScript: a sandbox is a fork of a
  // snapshot, and a pool would be replayed by every copy. Native reseeds.
  class Crypto {
    constructor(token) { if (token !== illegal) throw illegalConstructor(); }
    get subtle() { return subtle; }
    getRandomValues(data) {
      if (arguments.length < 1) throw missingArgs("Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present.");
      if (!integerArrays.includes(taTag.call(data))) throw new DOMException('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
      const n = data.byteLength;
      if (n > 65536) throw new DOMException('The requested length exceeds 65,536 bytes', 'QuotaExceededError');
      if (n > 0) new Uint8Array(data.buffer, data.byteOffset, n).set(new Uint8Array(native.randomBytes(n)));
      return data;
    }
    randomUUID() {
      const b = new Uint8Array(native.randomBytes(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      hexTable ??= Array.from({ length: 256 }, (_, i) => hex2(i));
      let s = '';
      for (let i = 0; i < 16; i++) s += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + hexTable[b[i]];
      return s;
    }
  }

  // Math.random from the host CSPRNG: 53 bits from 8 fresh bytes per call.
  const { random } = {
    random() {
      const u = new Uint32Array(native.randomBytes(8));
      return ((u[0] >>> 11) * 4294967296 + u[1]) / 9007199254740992;
    },
  };
  defineProperty(Math, 'random', { value: random, writable: true, configurable: true });

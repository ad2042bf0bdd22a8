  // ------------------------------------------------------------------ atob / btoa
  // Forgiving base64 (WHATWG infra) with Node's two messages; native only ever
  // decodes canonical input: padded, and with the unused low bits of the last
  // character cleared (Buffer, and so Node, ignores them).
  const b64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const invalidCharacter = (message = 'Invalid character') => new DOMException(message, 'InvalidCharacterError');
  function atob(data) {
    if (arguments.length === 0) throw missingArgs('The "input" argument must be specified');
    let s = `${data}`;
    if (/[\t\n\f\r ]/.test(s)) s = s.replace(/[\t\n\f\r ]+/g, '');
    // Letters, then at most two '=': anything else is an invalid character.
    const m = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(s);
    if (m === null) throw invalidCharacter();
    let letters = m[1];
    const rest = letters.length % 4;
    if (rest === 1) throw invalidCharacter('The string to be decoded is not correctly encoded.');
    if (m[2] !== '' && s.length % 4 !== 0) throw invalidCharacter(); // padding, but not to a multiple of 4
    if (rest !== 0) {
      const last = b64Alphabet.indexOf(letters[letters.length - 1]) & (rest === 2 ? 0x30 : 0x3c);
      letters = `${letters.slice(0, -1)}${b64Alphabet[last]}${rest === 2 ? '==' : '='}`;
    }
    const decoded = native.base64Decode(letters);
    if (decoded === null) throw invalidCharacter();
    const bytes = new Uint8Array(decoded);
    const parts = [];
    // In slices: QuickJS puts a call's arguments on the (guest's small) C stack.
    for (let i = 0; i < bytes.length; i += 1024) parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 1024)));
    return parts.join('');
  }
  function btoa(data) {
    if (arguments.length === 0) throw missingArgs('The "input" argument must be specified');
    const s = `${data}`;
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw invalidCharacter();
      bytes[i] = c;
    }
    return native.base64Encode(bytes);
  }

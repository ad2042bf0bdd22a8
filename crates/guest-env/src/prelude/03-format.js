  // ------------------------------------------------------------------ format
  let builtInNames;
  function hasBuiltInToString(value) {
    if (typeof value.toString !== 'function') return true;
    if (hasOwn(value, 'toString')) return false;
    let pointer = value;
    do { pointer = getPrototypeOf(pointer); } while (pointer !== null && !hasOwn(pointer, 'toString'));
    if (pointer === null) return true;
    const desc = getOwnPropertyDescriptor(pointer, 'constructor');
    builtInNames ??= new Set(('Object Function Array Number Boolean String Symbol Date Promise RegExp Error AggregateError ' +
      'EvalError RangeError ReferenceError SyntaxError TypeError URIError ArrayBuffer Uint8Array Int8Array Uint16Array ' +
      'Int16Array Uint32Array Int32Array Float32Array Float64Array Uint8ClampedArray BigUint64Array BigInt64Array ' +
      'DataView Map BigInt Set WeakMap WeakSet Proxy Reflect SharedArrayBuffer WeakRef FinalizationRegistry').split(' '));
    return desc !== undefined && typeof desc.value === 'function' && builtInNames.has(desc.value.name);
  }

  function tryStringify(arg) {
    try {
      return JSON.stringify(arg);
    } catch (err) {
      let circular;
      try { const a = {}; a.a = a; JSON.stringify(a); } catch (e) { circular = e.message; }
      if (err && err.name === 'TypeError' && err.message === circular) return '[Circular]';
      throw err;
    }
  }
  const formatInteger = (n, parse) => (typeof n === 'bigint' ? `${n}n` : typeof n === 'symbol' ? 'NaN' : formatNumber(parse(n)));

  // util.format: printf-like placeholders in a leading string, then the rest.
  function formatWithOptions(opts, args) {
    const first = args[0];
    let a = 0, str = '', join = '';
    if (typeof first === 'string') {
      if (args.length === 1) return first;
      let tempStr, lastPos = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37) continue; // '%'
        const next = first.charCodeAt(++i);
        if (a + 1 !== args.length) {
          switch (next) {
            case 115: { // 's'
              const arg = args[++a];
              if (typeof arg === 'number') tempStr = formatNumber(arg);
              else if (typeof arg === 'bigint') tempStr = `${arg}n`;
              else if (typeof arg !== 'object' || arg === null || !hasBuiltInToString(arg)) tempStr = String(arg);
              else tempStr = inspect(arg, { ...opts, depth: 0, colors: false, compact: 3 });
              break;
            }
            case 106: tempStr = `${tryStringify(args[++a])}`; break; // 'j'
            case 100: tempStr = formatInteger(args[++a], Number); break; // 'd'
            case 105: tempStr = formatInteger(args[++a], Number.parseInt); break; // 'i'
            case 102: { const n = args[++a]; tempStr = typeof n === 'symbol' ? 'NaN' : formatNumber(Number.parseFloat(n)); break; } // 'f'
            case 79: tempStr = inspect(args[++a], opts); break; // 'O'
            case 111: tempStr = inspect(args[++a], { ...opts, showHidden: true, showProxy: true, depth: 4 }); break; // 'o'
            case 99: a += 1; tempStr = ''; break; // 'c': CSS is ignored
            case 37: str += first.slice(lastPos, i); lastPos = i + 1; continue; // '%%'
            default: continue;
          }
          if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (next === 37) {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
        }
      }
      if (lastPos !== 0) {
        a++;
        join = ' ';
        if (lastPos < first.length) str += first.slice(lastPos);
      }
    }
    for (; a < args.length; a++, join = ' ') str += join + (typeof args[a] !== 'string' ? inspect(args[a], opts) : args[a]);
    return str;
  }
  const format = (args) => formatWithOptions(undefined, args);

// Web-platform globals for the QuickJS sandbox, shaped after Node 20.
// The host evaluates this file (one function expression) and calls it once
// with (globalThis, native) before any user code runs. Everything else stays
// inside the closure: only the documented globals are installed.
(function (global, native) {
  'use strict';

  // ------------------------------------------------------------------ helpers
  const ObjProto = Object.prototype;
  const { getPrototypeOf, getOwnPropertyDescriptor, defineProperty, keys: objectKeys } = Object;
  const hasOwn = (o, k) => ObjProto.hasOwnProperty.call(o, k);
  const isEnumerable = (o, k) => ObjProto.propertyIsEnumerable.call(o, k);
  const objTag = (v) => ObjProto.toString.call(v);
  const getterOf = (proto, key) => getOwnPropertyDescriptor(proto, key).get;
  const TypedArrayProto = getPrototypeOf(Uint8Array.prototype);
  const taTag = getterOf(TypedArrayProto, Symbol.toStringTag); // undefined unless a typed array
  const taLength = getterOf(TypedArrayProto, 'length');
  const isError = Error.isError; // QuickJS-ng has it, Node 20 does not
  const wellFormed = String.prototype.toWellFormed;
  const toWellFormed = wellFormed ? (s) => wellFormed.call(s)
    : (s) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const usv = (v) => toWellFormed(`${v}`);
  const perf = global.performance;
  const now = perf && typeof perf.now === 'function' ? () => perf.now() : () => Date.now();
  const install = (name, value) => defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  const hidden = (value) => ({ value, writable: true, configurable: true, enumerable: false });
  const tagClass = (C, tag) => defineProperty(C.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  const illegal = {}; // token: only the prelude constructs AbortSignal, Crypto, ...
  const isObjectLike = (v) => v !== null && (typeof v === 'object' || typeof v === 'function');
  const probe = (fn, arg) => (v) => { try { fn.call(v, arg); return true; } catch { return false; } };
  // Brand checks throw (and QuickJS builds a backtrace): gate them on the tag.
  const abBrand = probe(getterOf(ArrayBuffer.prototype, 'byteLength'));
  const isArrayBuffer = (v) => isObjectLike(v) && objTag(v) === '[object ArrayBuffer]' && abBrand(v);
  const sabBrand = typeof SharedArrayBuffer === 'function' ? probe(getterOf(SharedArrayBuffer.prototype, 'byteLength')) : () => false;
  const isSharedArrayBuffer = (v) => isObjectLike(v) && objTag(v) === '[object SharedArrayBuffer]' && sabBrand(v);
  const bytesOf = (v) => (isArrayBuffer(v) || isSharedArrayBuffer(v) ? new Uint8Array(v)
    : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null);

  // Node-style errors: a TypeError/RangeError with an enumerable `code`.
  const withCode = (err, code, extra) => Object.assign(err, { code }, extra);
  const typeError = (message, code) => withCode(new TypeError(message), code);
  const missingArgs = (message) => typeError(message, 'ERR_MISSING_ARGS');
  const invalidThis = (type) => typeError(`Value of "this" must be of type ${type}`, 'ERR_INVALID_THIS');
  const illegalConstructor = () => typeError('Illegal constructor', 'ERR_ILLEGAL_CONSTRUCTOR');
  const invalidArgType = (name, expected, actual, what = 'argument') =>
    typeError(`The "${name}" ${what} must be ${expected}.${received(actual)}`, 'ERR_INVALID_ARG_TYPE');
  function received(v) {
    if (v == null) return ` Received ${v}`;
    if (typeof v === 'function' && v.name) return ` Received function ${v.name}`;
    if (typeof v === 'object') {
      if (v.constructor && v.constructor.name) return ` Received an instance of ${v.constructor.name}`;
      return ` Received ${inspect(v, { depth: -1 })}`;
    }
    let s = inspect(v);
    if (s.length > 28) s = `${s.slice(0, 25)}...`;
    return ` Received type ${typeof v} (${s})`;
  }

  // ------------------------------------------------------------------ inspect
  // Node's util.inspect algorithm (defaults: depth 2, breakLength 80,
  // compact 3), without colours and without proxy detection.
  const inspectDefaults = {
    depth: 2, colors: false, customInspect: true, showHidden: false, showProxy: false, maxArrayLength: 100,
    maxStringLength: 10000, breakLength: 80, compact: 3, sorted: false, getters: false, numericSeparator: false,
  };
  const kCustom = Symbol.for('nodejs.util.inspect.custom');
  const kObjectType = 0, kArrayType = 1, kArrayExtrasType = 2;
  const keyIdentifier = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const indexKey = /^(?:0|[1-9][0-9]*)$/;

  function inspect(value, options) {
    const ctx = { ...inspectDefaults, seen: [], circular: undefined, indentationLvl: 0, currentDepth: 0 };
    if (isObjectLike(options)) for (const key of objectKeys(options)) if (hasOwn(inspectDefaults, key)) ctx[key] = options[key];
    for (const key of ['depth', 'maxArrayLength', 'maxStringLength']) if (ctx[key] === null) ctx[key] = Infinity;
    return formatValue(ctx, value, 0);
  }
  function userOptions(ctx) {
    const opts = { stylize: (s) => s };
    for (const key in inspectDefaults) opts[key] = ctx[key];
    return opts;
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(value, ctx);
    if (value === null) return 'null';
    if (ctx.customInspect) {
      const fn = value[kCustom];
      if (typeof fn === 'function' && fn !== inspect && !(value.constructor && value.constructor.prototype === value)) {
        const ret = fn.call(value, ctx.depth - recurseTimes, userOptions(ctx), inspect);
        if (ret !== value) {
          if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
          return ret.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
        }
      }
    }
    if (ctx.seen.includes(value)) {
      ctx.circular ??= new Map();
      let index = ctx.circular.get(value);
      if (index === undefined) ctx.circular.set(value, index = ctx.circular.size + 1);
      return `[Circular *${index}]`;
    }
    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  // Internal-slot brand checks, built on first use: [kind, tag, constructor, check].
  let brandTable;
  function brands() {
    const t = [
      ['map', 'Map', Map, probe(getterOf(Map.prototype, 'size'))],
      ['set', 'Set', Set, probe(getterOf(Set.prototype, 'size'))],
      ['date', 'Date', Date, probe(Date.prototype.getTime)],
      ['regexp', 'RegExp', RegExp, (v) => v !== RegExp.prototype && probe(getterOf(RegExp.prototype, 'source'))(v)],
      ['arraybuffer', 'ArrayBuffer', ArrayBuffer, abBrand],
      ['dataview', 'DataView', DataView, probe(getterOf(DataView.prototype, 'buffer'))],
      ['weakmap', 'WeakMap', WeakMap, probe(WeakMap.prototype.has, ObjProto)],
      ['weakset', 'WeakSet', WeakSet, probe(WeakSet.prototype.has, ObjProto)],
      ['boxed', 'Number', Number, probe(Number.prototype.valueOf)],
      ['boxed', 'String', String, probe(String.prototype.valueOf)],
      ['boxed', 'Boolean', Boolean, probe(Boolean.prototype.valueOf)],
      ['boxed', 'BigInt', BigInt, probe(BigInt.prototype.valueOf)],
      ['boxed', 'Symbol', Symbol, probe(Symbol.prototype.valueOf)],
      // No side-effect-free brand check exists for promises: trust the tag.
      ['promise', 'Promise', Promise, (v) => objTag(v) === '[object Promise]'],
    ];
    if (typeof SharedArrayBuffer === 'function') t.push(['sharedarraybuffer', 'SharedArrayBuffer', SharedArrayBuffer, sabBrand]);
    if (typeof WeakRef === 'function') t.push(['weakref', 'WeakRef', WeakRef, probe(WeakRef.prototype.deref)]);
    return t;
  }
  const isInstance = (v, C) => { try { return v instanceof C; } catch { return false; } };
  const isErrorObject = (v) => (isError ? isError(v) : objTag(v) === '[object Error]') || isInstance(v, Error);

  function classify(v) {
    if (typeof v === 'function') return 'function';
    if (Array.isArray(v)) return 'array';
    if (taTag.call(v) !== undefined) return 'typed';
    const proto = getPrototypeOf(v);
    const tag = objTag(v);
    if (proto === ObjProto && tag === '[object Object]') return 'object';
    if (tag === '[object Arguments]') return 'arguments';
    if (tag === '[object Error]' && isErrorObject(v)) return 'error';
    const name = tag.slice(8, -1);
    for (const [kind, t, C, check] of (brandTable ??= brands())) {
      if ((name === t || proto === null || isInstance(v, C)) && check(v)) return kind;
    }
    return isErrorObject(v) ? 'error' : 'object';
  }

  function getConstructorName(obj, ctx, recurseTimes) {
    let firstProto;
    const start = obj;
    while (obj) {
      const desc = getOwnPropertyDescriptor(obj, 'constructor');
      if (desc !== undefined && typeof desc.value === 'function' && desc.value.name !== '' && isInstance(start, desc.value)) {
        return String(desc.value.name);
      }
      obj = getPrototypeOf(obj);
      if (firstProto === undefined) firstProto = obj;
    }
    if (firstProto === null) return null;
    // No usable constructor on the chain: describe the prototype instead.
    const res = typeof start === 'function' ? 'Function' : Array.isArray(start) ? 'Array' : 'Object';
    if (recurseTimes > ctx.depth) return `${res} <Complex prototype>`;
    const protoName = getConstructorName(firstProto, ctx, recurseTimes + 1);
    if (protoName === null) return `${res} <${inspect(firstProto, { ...userOptions(ctx), customInspect: false, depth: -1 })}>`;
    return `${res} <${protoName}>`;
  }

  function getPrefix(constructor, tag, fallback, size = '') {
    if (constructor === null) {
      return tag !== '' && fallback !== tag ? `[${fallback}${size}: null prototype] [${tag}] ` : `[${fallback}${size}: null prototype] `;
    }
    return tag !== '' && constructor !== tag ? `${constructor}${size} [${tag}] ` : `${constructor}${size} `;
  }

  function getKeys(value, showHidden) {
    const keys = showHidden ? Object.getOwnPropertyNames(value) : objectKeys(value);
    for (const s of Object.getOwnPropertySymbols(value)) if (showHidden || isEnumerable(value, s)) keys.push(s);
    return keys;
  }
  function nonIndexKeys(value, showHidden) {
    // Listing a huge typed array's keys makes one string per element; such
    // arrays practically never carry extra properties.
    if (!Array.isArray(value) && taLength.call(value) > 10000) return [];
    return getKeys(value, showHidden).filter((k) => typeof k !== 'string' || !indexKey.test(k) || +k >= 4294967295);
  }
  const noEntries = () => [];

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    const kind = classify(value);
    const constructor = getConstructorName(value, ctx, recurseTimes);
    let tag = value[Symbol.toStringTag];
    // Show the tag only when it is not an own enumerable key (else it prints twice).
    if (typeof tag !== 'string' || (tag !== '' && (ctx.showHidden ? hasOwn : isEnumerable)(value, Symbol.toStringTag))) tag = '';
    let keys, base = '', braces, formatter = noEntries, extrasType = kObjectType;
    const prefixed = (fallback) => { braces[0] = `${getPrefix(constructor, tag, fallback)}{`; };

    if (kind === 'array' || kind === 'typed') {
      const size = kind === 'array' ? value.length : taLength.call(value);
      const prefix = kind === 'typed' ? getPrefix(constructor, tag, constructor === null ? taTag.call(value) : '', `(${size})`)
        : constructor !== 'Array' || tag !== '' ? getPrefix(constructor, tag, 'Array', `(${size})`) : '';
      keys = nonIndexKeys(value, ctx.showHidden);
      braces = [`${prefix}[`, ']'];
      if (size === 0 && keys.length === 0 && (kind === 'array' || !ctx.showHidden)) return `${braces[0]}]`;
      extrasType = kArrayExtrasType;
      formatter = kind === 'array' ? formatArray : formatTypedArray;
    } else if (kind === 'set' || kind === 'map') {
      const size = getterOf(kind === 'set' ? Set.prototype : Map.prototype, 'size').call(value);
      const prefix = getPrefix(constructor, tag, kind === 'set' ? 'Set' : 'Map', `(${size})`);
      keys = getKeys(value, ctx.showHidden);
      formatter = kind === 'set' ? formatSet : formatMap;
      if (size === 0 && keys.length === 0) return `${prefix}{}`;
      braces = [`${prefix}{`, '}'];
    } else {
      keys = getKeys(value, ctx.showHidden);
      braces = ['{', '}'];
      if (constructor === 'Object') {
        if (kind === 'arguments') braces[0] = '[Arguments] {';
        else if (tag !== '') prefixed('Object');
        if (keys.length === 0) return `${braces[0]}}`;
      } else if (kind === 'function') {
        base = getFunctionBase(value, constructor, tag);
        if (keys.length === 0) return base;
      } else if (kind === 'regexp' || kind === 'date') {
        if (kind === 'regexp') base = RegExp.prototype.toString.call(constructor !== null ? value : new RegExp(value));
        else base = Number.isNaN(Date.prototype.getTime.call(value)) ? Date.prototype.toString.call(value) : Date.prototype.toISOString.call(value);
        const fallback = kind === 'regexp' ? 'RegExp' : 'Date';
        const prefix = getPrefix(constructor, tag, fallback);
        if (prefix !== `${fallback} `) base = `${prefix}${base}`;
        if (keys.length === 0 || (kind === 'regexp' && recurseTimes > ctx.depth)) return base;
      } else if (kind === 'error') {
        base = formatError(value, constructor, tag, ctx, keys);
        if (keys.length === 0) return base;
      } else if (kind === 'arraybuffer' || kind === 'sharedarraybuffer') {
        const prefix = getPrefix(constructor, tag, kind === 'arraybuffer' ? 'ArrayBuffer' : 'SharedArrayBuffer');
        if (typedArray === undefined) formatter = formatArrayBuffer;
        else if (keys.length === 0) return `${prefix}{ byteLength: ${formatNumber(value.byteLength)} }`;
        braces[0] = `${prefix}{`;
        keys.unshift('byteLength');
      } else if (kind === 'dataview') {
        prefixed('DataView');
        keys.unshift('byteLength', 'byteOffset', 'buffer');
      } else if (kind === 'promise') {
        prefixed('Promise');
        formatter = () => ['<unknown>']; // QuickJS cannot read a promise's state from JavaScript
      } else if (kind === 'weakset' || kind === 'weakmap') {
        prefixed(kind === 'weakset' ? 'WeakSet' : 'WeakMap');
        formatter = () => ['<items unknown>'];
      } else if (kind === 'boxed') {
        base = getBoxedBase(value, keys, constructor, tag);
        if (keys.length === 0) return base;
      } else {
        if (keys.length === 0) return `${getPrefix(constructor, tag, 'Object')}{}`;
        prefixed('Object');
      }
    }

    if (recurseTimes > ctx.depth) {
      const name = getPrefix(constructor, tag, 'Object').slice(0, -1);
      return constructor !== null ? `[${name}]` : name;
    }
    recurseTimes += 1;
    ctx.seen.push(value);
    ctx.currentDepth = recurseTimes;
    let output;
    try {
      output = formatter(ctx, value, recurseTimes);
      for (const key of keys) output.push(formatProperty(ctx, value, recurseTimes, key, extrasType));
    } finally {
      ctx.seen.pop();
    }
    const index = ctx.circular === undefined ? undefined : ctx.circular.get(value);
    if (index !== undefined) {
      const ref = `<ref *${index}>`;
      if (ctx.compact !== true) base = base === '' ? ref : `${ref} ${base}`;
      else braces[0] = `${ref} ${braces[0]}`;
    }
    if (ctx.sorted) {
      const cmp = ctx.sorted === true ? undefined : ctx.sorted;
      if (extrasType === kObjectType) output.sort(cmp);
      else if (keys.length > 1) output.push(...output.splice(output.length - keys.length).sort(cmp));
    }
    return reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
  }

  function getFunctionBase(value, constructor, tag) {
    const source = Function.prototype.toString.call(value);
    const tagPart = tag !== '' && constructor !== tag ? ` [${tag}]` : '';
    if (/^class[\s{]/.test(source) && source.endsWith('}')) {
      let base = `class ${(hasOwn(value, 'name') && value.name) || '(anonymous)'}`;
      if (constructor !== 'Function' && constructor !== null) base += ` [${constructor}]`;
      base += tagPart;
      if (constructor === null) base += ' extends [null prototype]';
      else if (getPrototypeOf(value).name) base += ` extends ${getPrototypeOf(value).name}`;
      return `[${base}]`;
    }
    const ftag = objTag(value);
    const type = `${ftag.includes('Async') ? 'Async' : ''}${ftag.includes('Generator') ? 'Generator' : ''}Function`;
    let base = `[${type}${constructor === null ? ' (null prototype)' : ''}${value.name === '' ? ' (anonymous)' : `: ${value.name}`}]`;
    if (constructor !== type && constructor !== null) base += ` ${constructor}`;
    return base + tagPart;
  }

  function getBoxedBase(value, keys, constructor, tag) {
    let type, prim;
    for (const T of [Number, String, Boolean, BigInt, Symbol]) {
      try { prim = T.prototype.valueOf.call(value); type = T.name; break; } catch { /* next */ }
    }
    if (type === 'String') keys.splice(0, prim.length); // drop the redundant index keys
    let base = `[${type}`;
    if (type !== constructor) base += constructor === null ? ' (null prototype)' : ` (${constructor})`;
    base += `: ${formatPrimitive(prim, { ...inspectDefaults, compact: true, indentationLvl: 0 })}]`;
    if (tag !== '' && tag !== constructor) base += ` [${tag}]`;
    return base;
  }

  const errorToString = (err) => { try { return Error.prototype.toString.call(err); } catch { return 'Error'; } };
  function getStackString(err) {
    let stack;
    try { stack = err.stack; } catch { /* a throwing getter: use toString */ }
    if (!stack) return errorToString(err);
    stack = String(stack);
    // QuickJS stacks hold only the frames ("    at f (file:1:2)\n"); V8 puts
    // "Name: message" first, which the code below expects.
    return /^\s*at /.test(stack) ? `${errorToString(err)}\n${stack.replace(/\n+$/, '')}` : stack;
  }

  function formatError(err, constructor, tag, ctx, keys) {
    let name = 'Error', message;
    try { if (err.name != null) name = String(err.name); message = err.message; } catch { /* keep defaults */ }
    let stack = getStackString(err);
    if (!ctx.showHidden && keys.length !== 0) {
      for (const key of ['name', 'message', 'stack']) {
        const index = keys.indexOf(key);
        if (index !== -1 && stack.includes(err[key])) keys.splice(index, 1);
      }
    }
    if ('cause' in err && !keys.includes('cause')) keys.push('cause');
    if (Array.isArray(err.errors) && !keys.includes('errors')) keys.push('errors');
    stack = improveStack(stack, constructor, name, tag);
    let pos = (message && stack.indexOf(message)) || -1;
    if (pos !== -1) pos += message.length;
    const stackStart = stack.indexOf('\n    at', pos);
    if (stackStart === -1) {
      stack = `[${stack}]`;
    } else {
      const frames = stack.slice(stackStart + 1).split('\n');
      dedupeCauseFrames(err, frames);
      stack = `${stack.slice(0, stackStart)}\n${frames.join('\n')}`;
    }
    return ctx.indentationLvl === 0 ? stack : stack.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
  }

  // "Foo [TypeError]: msg" when the constructor and the name disagree.
  function improveStack(stack, constructor, name, tag) {
    let len = name.length;
    if (constructor === null ||
        (name.endsWith('Error') && stack.startsWith(name) && (stack.length === len || stack[len] === ':' || stack[len] === '\n'))) {
      let fallback = 'Error';
      if (constructor === null) {
        const start = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n\s+at)/.exec(stack) || /^([a-z_A-Z0-9-]*Error)$/.exec(stack);
        fallback = (start && start[1]) || '';
        len = fallback.length;
        fallback = fallback || 'Error';
      }
      const prefix = getPrefix(constructor, tag, fallback).slice(0, -1);
      if (name !== prefix) {
        if (prefix.includes(name)) stack = len === 0 ? `${prefix}: ${stack}` : `${prefix}${stack.slice(len)}`;
        else stack = `${prefix} [${name}]${stack.slice(len)}`;
      }
    }
    return stack;
  }

  // Frames shared with err.cause become "... N lines matching cause stack trace ...".
  function dedupeCauseFrames(err, frames) {
    let cause;
    try { cause = err.cause; } catch { return; }
    if (cause === null || typeof cause !== 'object' || !isErrorObject(cause)) return;
    const causeStack = getStackString(cause);
    const start = causeStack.indexOf('\n    at');
    if (start === -1) return;
    const causeFrames = causeStack.slice(start + 1).split('\n');
    for (let i = 0; i < frames.length - 3; i++) {
      const pos = causeFrames.indexOf(frames[i]);
      const rest = causeFrames.length - pos;
      if (pos === -1 || rest <= 3) continue;
      let len = 1;
      const maxLen = Math.min(frames.length - i, rest);
      while (maxLen > len && frames[i + len] === causeFrames[pos + len]) len++;
      if (len > 3) {
        frames.splice(i + 1, len - 2, `    ... ${len - 2} lines matching cause stack trace ...`);
        return;
      }
    }
  }

  const remainingText = (n) => `... ${n} more item${n > 1 ? 's' : ''}`;
  const emptyItems = (n) => `<${n} empty item${n > 1 ? 's' : ''}>`;
  function formatArray(ctx, value, recurseTimes) {
    const valLen = value.length;
    const len = Math.min(Math.max(0, ctx.maxArrayLength), valLen);
    const output = [];
    for (let i = 0; i < len; i++) {
      if (!hasOwn(value, i)) return formatSparseArray(ctx, value, recurseTimes, len, output, i);
      output.push(formatProperty(ctx, value, recurseTimes, i, kArrayType));
    }
    if (valLen > len) output.push(remainingText(valLen - len));
    return output;
  }
  function formatSparseArray(ctx, value, recurseTimes, maxLength, output, i) {
    const keys = objectKeys(value);
    let index = i;
    for (; i < keys.length && output.length < maxLength; i++) {
      const key = keys[i];
      const tmp = +key;
      if (tmp > 2 ** 32 - 2) break;
      if (`${index}` !== key) {
        if (!indexKey.test(key)) break;
        output.push(emptyItems(tmp - index));
        index = tmp;
        if (output.length === maxLength) break;
      }
      output.push(formatProperty(ctx, value, recurseTimes, key, kArrayType));
      index++;
    }
    const remaining = value.length - index;
    if (output.length !== maxLength) {
      if (remaining > 0) output.push(emptyItems(remaining));
    } else if (remaining > 0) {
      output.push(remainingText(remaining));
    }
    return output;
  }

  function formatTypedArray(ctx, value, recurseTimes) {
    const length = taLength.call(value);
    const max = Math.min(Math.max(0, ctx.maxArrayLength), length);
    const output = [];
    for (let i = 0; i < max; i++) output.push(formatPrimitive(value[i], ctx));
    if (length > max) output.push(remainingText(length - max));
    if (ctx.showHidden) {
      ctx.indentationLvl += 2;
      for (const key of ['BYTES_PER_ELEMENT', 'length', 'byteLength', 'byteOffset', 'buffer']) {
        output.push(`[${key}]: ${formatValue(ctx, value[key], recurseTimes, true)}`);
      }
      ctx.indentationLvl -= 2;
    }
    return output;
  }

  function formatCollection(ctx, size, iterator, entry) {
    const max = Math.min(Math.max(0, ctx.maxArrayLength), size);
    const output = [];
    ctx.indentationLvl += 2;
    for (let step = iterator.next(); !step.done && output.length < max; step = iterator.next()) output.push(entry(step.value));
    if (size > max) output.push(remainingText(size - max));
    ctx.indentationLvl -= 2;
    return output;
  }
  const formatSet = (ctx, value, rt) => formatCollection(ctx, getterOf(Set.prototype, 'size').call(value),
    Set.prototype.values.call(value), (v) => formatValue(ctx, v, rt));
  const formatMap = (ctx, value, rt) => formatCollection(ctx, getterOf(Map.prototype, 'size').call(value),
    Map.prototype.entries.call(value), ([k, v]) => `${formatValue(ctx, k, rt)} => ${formatValue(ctx, v, rt)}`);

  const hex2 = (b) => (b < 16 ? '0' : '') + b.toString(16);
  function formatArrayBuffer(ctx, value) {
    let bytes;
    try { bytes = new Uint8Array(value); } catch { return ['(detached)']; }
    let str = '';
    for (let i = 0, n = Math.min(ctx.maxArrayLength, bytes.length); i < n; i++) str += (i ? ' ' : '') + hex2(bytes[i]);
    const rest = bytes.length - ctx.maxArrayLength;
    if (rest > 0) str += ` ... ${rest} more byte${rest > 1 ? 's' : ''}`;
    return [`[Uint8Contents]: <${str}>`];
  }

  function formatProperty(ctx, value, recurseTimes, key, type) {
    let name, str;
    let extra = ' ';
    const desc = getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
    if (desc.value !== undefined) {
      const diff = ctx.compact !== true || type !== kObjectType ? 2 : 3;
      ctx.indentationLvl += diff;
      str = formatValue(ctx, desc.value, recurseTimes);
      if (diff === 3 && ctx.breakLength < stringWidth(str)) extra = `\n${' '.repeat(ctx.indentationLvl)}`;
      ctx.indentationLvl -= diff;
    } else if (desc.get !== undefined) {
      str = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
    } else {
      str = desc.set !== undefined ? '[Setter]' : 'undefined';
    }
    if (type === kArrayType) return str;
    if (typeof key === 'symbol') name = `[${escapeString(key.toString(), true)}]`;
    else if (key === '__proto__') name = "['__proto__']";
    else if (desc.enumerable === false) name = `[${escapeString(String(key), true)}]`;
    else if (keyIdentifier.test(key)) name = key;
    else name = strEscape(String(key));
    return `${name}:${extra}${str}`;
  }

  function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
    const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
    if (ctx.compact !== true) {
      if (typeof ctx.compact === 'number' && ctx.compact >= 1) {
        const entries = output.length;
        if (extrasType === kArrayExtrasType && entries > 6) output = groupArrayElements(ctx, output, value);
        // Up to `compact` inner levels go on one line when they fit.
        if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
          const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
          if (isBelowBreakLength(ctx, output, start, base)) {
            const joined = output.join(', ');
            if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
          }
        }
      }
      return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
    }
    if (isBelowBreakLength(ctx, output, 0, base)) return `${braces[0]}${base ? ` ${base}` : ''} ${output.join(', ')} ${braces[1]}`;
    const ln = base === '' && braces[0].length === 1 ? ' ' : `${base ? ` ${base}` : ''}\n${indentation}  `;
    return `${braces[0]}${ln}${output.join(`,${indentation}`)} ${braces[1]}`;
  }

  function isBelowBreakLength(ctx, output, start, base) {
    let total = output.length + start;
    if (total + output.length > ctx.breakLength) return false;
    for (const entry of output) if ((total += entry.length) > ctx.breakLength) return false;
    return base === '' || !base.includes('\n');
  }

  // Node's column layout for arrays of more than six entries.
  function groupArrayElements(ctx, output, value) {
    let totalLength = 0, maxLength = 0;
    let outputLength = output.length;
    if (ctx.maxArrayLength < output.length) outputLength--; // leave "... more items" apart
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (let i = 0; i < outputLength; i++) {
      const len = stringWidth(output[i]);
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentationLvl >= ctx.breakLength || (totalLength / actualMax <= 5 && maxLength > 6)) return output;
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp = [];
    const maxLineLength = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
      maxLineLength.push(lineLength + separatorSpace);
    }
    // Numbers are right-aligned, anything else left-aligned.
    let padStart = true;
    if (value !== undefined) {
      for (let i = 0; i < output.length; i++) if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') { padStart = false; break; }
    }
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = '';
      let j = i;
      for (; j < max - 1; j++) {
        const padding = maxLineLength[j - i] + output[j].length - dataLen[j];
        str += padStart ? `${output[j]}, `.padStart(padding, ' ') : `${output[j]}, `.padEnd(padding, ' ');
      }
      str += padStart ? output[j].padStart(maxLineLength[j - i] + output[j].length - dataLen[j] - separatorSpace, ' ') : output[j];
      tmp.push(str);
    }
    if (ctx.maxArrayLength < output.length) tmp.push(output[outputLength]);
    return tmp;
  }

  // Terminal columns: 0 for controls and combining marks, 2 for wide East
  // Asian characters and common emoji, else 1.
  function stringWidth(str) {
    if (/^[\x20-\x7e]*$/.test(str)) return str.length;
    let width = 0;
    for (const ch of str.normalize('NFC')) {
      const c = ch.codePointAt(0);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) ||
          (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfe20 && c <= 0xfe2f) ||
          (c >= 0xe0100 && c <= 0xe01ef)) continue;
      width += c >= 0x1100 && (c <= 0x115f || c === 0x2329 || c === 0x232a ||
        (c >= 0x2e80 && c <= 0x3247 && c !== 0x303f) || (c >= 0x3250 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0xa4c6) ||
        (c >= 0xa960 && c <= 0xa97c) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe10 && c <= 0xfe19) || (c >= 0xfe30 && c <= 0xfe6b) || (c >= 0xff01 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1b000 && c <= 0x1b001) || (c >= 0x1f200 && c <= 0x1f251) ||
        (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd)) ? 2 : 1;
    }
    return width;
  }

  const formatNumber = (n) => (Object.is(n, -0) ? '-0' : `${n}`);
  function formatPrimitive(value, ctx) {
    switch (typeof value) {
      case 'string': {
        let trailer = '';
        if (value.length > ctx.maxStringLength) {
          const rest = value.length - ctx.maxStringLength;
          value = value.slice(0, ctx.maxStringLength);
          trailer = `... ${rest} more character${rest > 1 ? 's' : ''}`;
        }
        // Long strings are split after each newline: 'a\n' + 'b'.
        if (ctx.compact !== true && value.length > 16 && value.length > ctx.breakLength - ctx.indentationLvl - 4) {
          const lines = [];
          let from = 0;
          for (let nl; (nl = value.indexOf('\n', from)) !== -1 && nl + 1 < value.length; from = nl + 1) lines.push(value.slice(from, nl + 1));
          lines.push(value.slice(from));
          return lines.map(strEscape).join(` +\n${' '.repeat(ctx.indentationLvl + 2)}`) + trailer;
        }
        return strEscape(value) + trailer;
      }
      case 'number': return formatNumber(value);
      case 'bigint': return `${value}n`;
      case 'symbol': return value.toString();
      default: return `${value}`;
    }
  }

  // Single quotes, else double, else backticks: whichever needs no escaping.
  function strEscape(str) {
    let quote = "'";
    if (str.includes("'")) {
      if (!str.includes('"')) quote = '"';
      else if (!str.includes('`') && !str.includes('${')) quote = '`';
    }
    return quote + escapeString(str, quote === "'") + quote;
  }
  function escapeString(str, escapeSingle) {
    if (!/[\x00-\x1f\x27\x5c\x7f-\x9f\ud800-\udfff]/.test(str)) return str;
    let result = '';
    let last = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      let esc;
      if (c < 32 || c === 92 || (c === 39 && escapeSingle) || (c > 126 && c < 160)) {
        esc = c === 8 ? '\\b' : c === 9 ? '\\t' : c === 10 ? '\\n' : c === 12 ? '\\f' : c === 13 ? '\\r'
          : c === 39 ? "\\'" : c === 92 ? '\\\\' : `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = str.charCodeAt(i + 1);
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) { i++; continue; }
        esc = `\\u${c.toString(16)}`;
      } else {
        continue;
      }
      result += str.slice(last, i) + esc;
      last = i + 1;
    }
    return result + str.slice(last);
  }

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

  // ------------------------------------------------------------------ console
  let groupIndent = '';
  const counts = new Map();
  const timers = new Map();
  // Lone surrogates become U+FFFD, as they would when written out as UTF-8.
  function emit(level, text) {
    if (groupIndent !== '') text = groupIndent + text.replaceAll('\n', `\n${groupIndent}`);
    native.write(level, toWellFormed(text));
  }
  // Node reports these with process.emitWarning; the sandbox has no process.
  const warn = (message) => emit('warn', `Warning: ${message}`);

  function formatTime(ms) {
    const hours = Math.floor(ms / 3600000), minutes = Math.floor((ms % 3600000) / 60000);
    const seconds = ms >= 1000 ? (ms % 60000) / 1000 : 0;
    if (hours !== 0 || minutes !== 0) {
      const [s, frac] = seconds.toFixed(3).split('.');
      const pad = (n) => `${n}`.padStart(2, '0');
      return `${hours !== 0 ? `${hours}:${pad(minutes)}` : minutes}:${pad(s)}.${frac} (${hours !== 0 ? 'h:m' : ''}m:ss.mmm)`;
    }
    return seconds !== 0 ? `${seconds.toFixed(3)}s` : `${Number(ms.toFixed(3))}ms`;
  }
  function timeLog(name, label, data) {
    const start = timers.get(label);
    if (start === undefined) return warn(`No such label '${label}' for console.${name}()`), false;
    emit('log', format(['%s: %s', label, formatTime(now() - start), ...data]));
    return true;
  }

  // The prelude's own frames are those in this file, which the first frame of
  // a stack taken inside console.trace names.
  const frameFile = (line) => (/\((.*?)(?::\d+)*\)$/.exec(line) || /at (.*?)(?::\d+)*$/.exec(line) || [])[1];
  function userFrames(stack) {
    const lines = String(stack || '').split('\n').filter((l) => /^\s+at /.test(l));
    const own = lines.length ? frameFile(lines[0]) : '';
    return lines.filter((l) => frameFile(l) !== own).join('\n');
  }

  // Node 20's console.table: box characters, cells left-aligned.
  function renderTable(head, columns) {
    const widths = head.map(stringWidth);
    const longest = Math.max(0, ...columns.map((c) => c.length));
    const rows = Array.from({ length: longest }, () => []);
    head.forEach((_, i) => {
      for (let j = 0; j < longest; j++) {
        const value = rows[j][i] = hasOwn(columns[i], j) ? columns[i][j] : '';
        widths[i] = Math.max(widths[i], stringWidth(value));
      }
    });
    const row = (cells) => `│ ${cells.map((cell, i) => cell + ' '.repeat(widths[i] - stringWidth(cell))).join(' │ ')} │\n`;
    const line = (l, m, r) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
    return `${line('┌', '┬', '┐')}\n${row(head)}${line('├', '┼', '┤')}\n${rows.map(row).join('')}${line('└', '┴', '┘')}`;
  }
  function table(data, properties) {
    if (properties !== undefined && !Array.isArray(properties)) throw invalidArgType('properties', 'an instance of Array', properties);
    if (data === null || typeof data !== 'object') return consoleObject.log(data);
    const cell = (v) => inspect(v, {
      depth: v !== null && typeof v === 'object' && !Array.isArray(v) && objectKeys(v).length > 2 ? -1 : 0, maxArrayLength: 3, breakLength: Infinity,
    });
    const indexes = (n) => Array.from({ length: n }, (_, i) => cell(i));
    const kind = classify(data);
    if (kind === 'map') {
      const keys = [], values = [];
      for (const [k, v] of Map.prototype.entries.call(data)) { keys.push(cell(k)); values.push(cell(v)); }
      return emit('log', renderTable(['(iteration index)', 'Key', 'Values'], [indexes(keys.length), keys, values]));
    }
    if (kind === 'set') {
      const values = [...Set.prototype.values.call(data)].map(cell);
      return emit('log', renderTable(['(iteration index)', 'Values'], [indexes(values.length), values]));
    }
    const map = { __proto__: null };
    let hasPrimitives = false;
    const valuesColumn = [];
    const indexColumn = objectKeys(data);
    indexColumn.forEach((index, i) => {
      const item = data[index];
      const primitive = item === null || (typeof item !== 'function' && typeof item !== 'object');
      if (properties === undefined && primitive) {
        hasPrimitives = true;
        valuesColumn[i] = cell(item);
      } else {
        for (const key of properties || objectKeys(item)) (map[key] ??= [])[i] = (primitive && properties) || !hasOwn(item, key) ? '' : cell(item[key]);
      }
    });
    const head = ['(index)', ...objectKeys(map)];
    const columns = [indexColumn, ...Object.values(map)];
    if (hasPrimitives) { head.push('Values'); columns.push(valuesColumn); }
    return emit('log', renderTable(head, columns));
  }

  const consoleObject = {
    log(...args) { emit('log', format(args)); },
    info(...args) { emit('info', format(args)); },
    debug(...args) { emit('debug', format(args)); },
    warn(...args) { emit('warn', format(args)); },
    error(...args) { emit('error', format(args)); },
    dirxml(...args) { emit('log', format(args)); },
    trace(...args) {
      const message = format(args);
      const frames = userFrames(new Error().stack);
      emit('trace', `Trace${message === '' ? '' : `: ${message}`}${frames ? `\n${frames}` : ''}`);
    },
    assert(expression, ...args) {
      if (expression) return;
      // As Node: the first argument is prefixed as a string, then all are formatted.
      if (args.length === 0) args.push('Assertion failed');
      else args[0] = `Assertion failed: ${args[0]}`;
      emit('error', format(args));
    },
    dir(object, options) { emit('log', inspect(object, { customInspect: false, ...options })); },
    table,
    count(label = 'default') {
      label = `${label}`;
      const count = (counts.get(label) || 0) + 1;
      counts.set(label, count);
      emit('log', `${label}: ${count}`);
    },
    countReset(label = 'default') { if (!counts.delete(`${label}`)) warn(`Count for '${label}' does not exist`); },
    time(label = 'default') {
      label = `${label}`;
      if (timers.has(label)) warn(`Label '${label}' already exists for console.time()`);
      else timers.set(label, now());
    },
    timeEnd(label = 'default') { if (timeLog('timeEnd', `${label}`, [])) timers.delete(`${label}`); },
    timeLog(label = 'default', ...data) { timeLog('timeLog', `${label}`, data); },
    group(...label) {
      if (label.length > 0) emit('log', format(label));
      groupIndent += '  ';
    },
    groupCollapsed(...label) { consoleObject.group(...label); },
    groupEnd() { groupIndent = groupIndent.slice(0, -2); },
    clear() {}, // no terminal to clear
  };

  // ------------------------------------------------------------------ DOMException
  // Legacy codes by position (1..25); '-' marks codes that no error name has.
  const domNames = ('IndexSize - HierarchyRequest WrongDocument InvalidCharacter - NoModificationAllowed NotFound NotSupported ' +
    'InUseAttribute InvalidState Syntax InvalidModification Namespace InvalidAccess - TypeMismatch Security Network Abort ' +
    'URLMismatch QuotaExceeded Timeout InvalidNodeType DataClone').split(' ');
  let isDOMException;
  class DOMException extends Error {
    #name;
    #message;
    constructor(message = '', options = 'Error') {
      super();
      this.#message = `${message}`;
      if (options !== null && typeof options === 'object') {
        this.#name = `${options.name}`;
        if ('cause' in options) defineProperty(this, 'cause', hidden(options.cause));
      } else {
        this.#name = `${options}`;
      }
    }
    get name() { return domOf(this).#name; }
    get message() { return domOf(this).#message; }
    get code() {
      const name = domOf(this).#name;
      const index = name.endsWith('Error') ? domNames.indexOf(name.slice(0, -5)) : -1;
      return index === -1 || domNames[index] === '-' ? 0 : index + 1;
    }
    static { isDOMException = (v) => isObjectLike(v) && #name in v; }
  }
  const domOf = (v) => { if (!isDOMException(v)) throw invalidThis('DOMException'); return v; };
  {
    const constants = {};
    ('INDEX_SIZE DOMSTRING_SIZE HIERARCHY_REQUEST WRONG_DOCUMENT INVALID_CHARACTER NO_DATA_ALLOWED NO_MODIFICATION_ALLOWED ' +
      'NOT_FOUND NOT_SUPPORTED INUSE_ATTRIBUTE INVALID_STATE SYNTAX INVALID_MODIFICATION NAMESPACE INVALID_ACCESS VALIDATION ' +
      'TYPE_MISMATCH SECURITY NETWORK ABORT URL_MISMATCH QUOTA_EXCEEDED TIMEOUT INVALID_NODE_TYPE DATA_CLONE')
      .split(' ').forEach((name, i) => { constants[`${name}_ERR`] = { value: i + 1, enumerable: true }; });
    Object.defineProperties(DOMException, constants);
    Object.defineProperties(DOMException.prototype, constants);
  }

  // ------------------------------------------------------------------ structuredClone
  const dataCloneError = (what) => new DOMException(`${what} could not be cloned.`, 'DataCloneError');
  const errorCtors = { __proto__: null, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  const typedCtors = { __proto__: null, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
    Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array };
  // Iterators and arguments are exotic objects that V8 refuses as "#<Object>".
  const uncloneableTags = ['Array Iterator', 'Map Iterator', 'Set Iterator', 'String Iterator', 'RegExp String Iterator',
    'Iterator Helper', 'Arguments', 'Module'];

  function cloneBuffer(buf, memo) {
    let out = memo.get(buf);
    if (out !== undefined) return out;
    if (isSharedArrayBuffer(buf)) {
      out = buf; // shared memory stays shared; QuickJS cannot make a second wrapper for it
    } else if (buf.detached === true) {
      throw new DOMException('An ArrayBuffer is detached and could not be cloned.', 'DataCloneError');
    } else if (buf.resizable === true) {
      out = new ArrayBuffer(buf.byteLength, { maxByteLength: buf.maxByteLength });
      new Uint8Array(out).set(new Uint8Array(buf));
    } else {
      out = ArrayBuffer.prototype.slice.call(buf, 0);
    }
    memo.set(buf, out);
    return out;
  }

  function cloneValue(v, memo) {
    if (typeof v === 'symbol') throw dataCloneError(v.toString());
    if (typeof v === 'function') throw dataCloneError(Function.prototype.toString.call(v));
    if (typeof v !== 'object' || v === null) return v;
    let out = memo.get(v);
    if (out !== undefined) return out;
    const fill = (target, keys) => {
      memo.set(v, target);
      for (const key of keys) {
        const value = cloneValue(v[key], memo);
        if (key === '__proto__') defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
        else target[key] = value;
      }
      return target;
    };
    switch (classify(v)) {
      case 'array': return fill(new Array(v.length), objectKeys(v));
      case 'object': {
        const tag = objTag(v).slice(8, -1);
        if (uncloneableTags.includes(tag)) throw dataCloneError('#<Object>');
        if (tag === 'Generator' || tag === 'AsyncGenerator') throw dataCloneError(`[object ${tag}]`);
        return fill({}, objectKeys(v));
      }
      case 'typed': out = new typedCtors[taTag.call(v)](cloneBuffer(v.buffer, memo), v.byteOffset, taLength.call(v)); break;
      case 'dataview': out = new DataView(cloneBuffer(v.buffer, memo), v.byteOffset, v.byteLength); break;
      case 'arraybuffer': case 'sharedarraybuffer': return cloneBuffer(v, memo);
      case 'date': out = new Date(Date.prototype.getTime.call(v)); break;
      case 'regexp': out = new RegExp(getterOf(RegExp.prototype, 'source').call(v), getterOf(RegExp.prototype, 'flags').call(v)); break;
      case 'boxed': {
        const T = [Number, String, Boolean, BigInt].find((C) => objTag(v) === `[object ${C.name}]`);
        if (T === undefined) throw dataCloneError(objTag(v)); // a boxed Symbol
        out = Object(T.prototype.valueOf.call(v));
        break;
      }
      case 'map': {
        out = new Map();
        memo.set(v, out);
        for (const [key, value] of [...Map.prototype.entries.call(v)]) out.set(cloneValue(key, memo), cloneValue(value, memo));
        return out;
      }
      case 'set': {
        out = new Set();
        memo.set(v, out);
        for (const value of [...Set.prototype.values.call(v)]) out.add(cloneValue(value, memo));
        return out;
      }
      case 'error': {
        // Node 20 turns a DOMException into {}; later Node versions (and
        // browsers) keep it a DOMException, as we do.
        const isDom = isDOMException(v);
        let name = 'Error';
        try { name = String(v.name); } catch { /* keep Error */ }
        out = isDom ? new DOMException(v.message, name) : new (errorCtors[name] || Error)();
        memo.set(v, out);
        const stack = v.stack;
        if (typeof stack === 'string') defineProperty(out, 'stack', hidden(stack));
        if (isDom) return out;
        const message = getOwnPropertyDescriptor(v, 'message');
        if (message && 'value' in message) defineProperty(out, 'message', hidden(String(message.value)));
        const cause = getOwnPropertyDescriptor(v, 'cause');
        if (cause && 'value' in cause) defineProperty(out, 'cause', hidden(cloneValue(cause.value, memo)));
        return out;
      }
      default: { // Promise, WeakMap, WeakSet, WeakRef, ...
        let name = 'Object';
        try { name = getConstructorName(v, { depth: Infinity }, 0) || 'Object'; } catch { /* keep Object */ }
        throw dataCloneError(`#<${name}>`);
      }
    }
    memo.set(v, out);
    return out;
  }

  function structuredClone(value, options = undefined) {
    if (arguments.length === 0) throw missingArgs('The value argument must be specified');
    let transfer = [];
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') throw typeError('The options argument must be either an object or undefined', 'ERR_INVALID_ARG_TYPE');
      if (options.transfer !== undefined && options.transfer !== null) {
        if (typeof options.transfer[Symbol.iterator] !== 'function') throw typeError('Optional transferList argument must be an iterable', 'ERR_INVALID_ARG_TYPE');
        transfer = [...options.transfer];
        if (!transfer.every(isArrayBuffer)) throw typeError('Found invalid object in transferList', 'ERR_INVALID_TRANSFER_OBJECT');
      }
    }
    const result = cloneValue(value, new Map());
    // A transfer is a copy plus detaching the original (where the engine can detach).
    for (const buf of transfer) if (typeof buf.transfer === 'function' && buf.detached !== true) buf.transfer();
    return result;
  }

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

  // ------------------------------------------------------------------ Event / EventTarget
  // Node's custom inspection of platform objects: `Name { ...fields }`.
  const inspectAs = (self, obj, depth, options) =>
    (depth < 0 ? self : `${self.constructor.name} ${inspect(obj, { ...options, depth: options.depth - 1 })}`);
  const optionsObject = (options) => {
    if (options != null && !isObjectLike(options)) throw invalidArgType('options', 'of type object', options);
    return options || {};
  };

  const trustedEvents = new WeakSet();
  let isEvent, eventState;
  class Event {
    #type; #bubbles; #cancelable; #composed;
    #timeStamp = now();
    #defaultPrevented = false; #stop = false; #stopImmediate = false;
    #target = null; #dispatching = false;
    constructor(type, options = undefined) {
      if (arguments.length === 0) throw missingArgs('The "type" argument must be specified');
      options = optionsObject(options);
      [this.#type, this.#bubbles, this.#cancelable, this.#composed] = [`${type}`, Boolean(options.bubbles), Boolean(options.cancelable), Boolean(options.composed)];
    }
    get type() { return this.#type; }
    get bubbles() { return this.#bubbles; }
    get cancelable() { return this.#cancelable; }
    get composed() { return this.#composed; }
    get defaultPrevented() { return this.#cancelable && this.#defaultPrevented; }
    get returnValue() { return !this.defaultPrevented; }
    get timeStamp() { return this.#timeStamp; }
    get target() { return this.#target; }
    get currentTarget() { return this.#dispatching ? this.#target : null; }
    get srcElement() { return this.#target; }
    get eventPhase() { return this.#dispatching ? 2 : 0; }
    get isTrusted() { this.#type; return trustedEvents.has(this); }
    get cancelBubble() { return this.#stop; }
    set cancelBubble(value) { if (value) this.#stop = true; }
    composedPath() { return this.#dispatching ? [this.#target] : []; }
    preventDefault() { this.#defaultPrevented = true; } // Node 20 lets passive listeners cancel too
    stopPropagation() { this.#stop = true; }
    stopImmediatePropagation() { this.#stop = this.#stopImmediate = true; }
    initEvent(type, bubbles = false, cancelable = false) {
      if (arguments.length === 0) throw missingArgs('The "type" argument must be specified');
      if (!this.#dispatching) [this.#type, this.#bubbles, this.#cancelable] = [`${type}`, Boolean(bubbles), Boolean(cancelable)];
    }
    [kCustom](depth, options) {
      return inspectAs(this, { type: this.#type, defaultPrevented: this.defaultPrevented, cancelable: this.#cancelable, timeStamp: this.#timeStamp }, depth, options);
    }
    static {
      isEvent = (v) => isObjectLike(v) && #type in v;
      eventState = { // what EventTarget needs while dispatching
        dispatching: (e) => e.#dispatching,
        begin(e, target) { e.#target = target; e.#dispatching = true; e.#stop = e.#stopImmediate = false; },
        end(e) { e.#dispatching = false; },
        stoppedImmediately: (e) => e.#stopImmediate,
      };
    }
  }
  Object.defineProperties(Event, { NONE: { value: 0, enumerable: true }, CAPTURING_PHASE: { value: 1, enumerable: true },
    AT_TARGET: { value: 2, enumerable: true }, BUBBLING_PHASE: { value: 3, enumerable: true } });

  class CustomEvent extends Event {
    #detail;
    constructor(type, options = undefined) {
      if (arguments.length === 0) throw missingArgs('The "type" argument must be specified');
      super(type, options);
      this.#detail = options && options.detail !== undefined ? options.detail : null;
    }
    get detail() { return this.#detail; }
  }

  // A listener that throws must not stop the others. Node rethrows such an
  // error as an uncaught exception on the next tick; here it is reported at
  // once, as console.error("Uncaught", error) would, and dispatch goes on.
  const reportError = (err) => emit('error', `Uncaught ${inspect(err)}`);

  class EventTarget {
    #listeners = new Map(); // type -> [{ listener, capture, once, removed }]
    addEventListener(type, listener, options = undefined) {
      if (arguments.length < 2) throw missingArgs('The "type" and "listener" arguments must be specified');
      if (listener == null) return; // Node ignores it (with a warning)
      if (typeof listener !== 'function' && typeof listener !== 'object') throw invalidArgType('listener', 'an instance of EventListener', listener);
      type = `${type}`;
      const opts = typeof options === 'boolean' ? { capture: options } : optionsObject(options);
      const capture = Boolean(opts.capture), once = Boolean(opts.once), signal = opts.signal;
      if (signal !== undefined && !isAbortSignal(signal)) throw invalidArgType('options.signal', 'an instance of AbortSignal', signal, 'property');
      if (signal && signal.aborted) return;
      let list = this.#listeners.get(type);
      if (list === undefined) this.#listeners.set(type, list = []);
      if (list.some((r) => r.listener === listener && r.capture === capture)) return; // duplicates are ignored
      list.push({ listener, capture, once, removed: false });
      if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, listener, { capture }), { once: true });
    }
    removeEventListener(type, listener, options = undefined) {
      if (arguments.length < 2) throw missingArgs('The "type" and "listener" arguments must be specified');
      const capture = typeof options === 'boolean' ? options : Boolean(options && options.capture);
      const list = this.#listeners.get(`${type}`) || [];
      const index = list.findIndex((r) => r.listener === listener && r.capture === capture);
      if (index !== -1) list.splice(index, 1)[0].removed = true;
    }
    dispatchEvent(event) {
      if (!isEvent(event)) throw invalidArgType('event', 'an instance of Event', event);
      if (eventState.dispatching(event)) throw withCode(new Error(`The event "${event.type}" is already being dispatched`), 'ERR_EVENT_RECURSION');
      // A snapshot: listeners added during dispatch wait for the next one.
      const list = (this.#listeners.get(event.type) || []).slice();
      eventState.begin(event, this);
      try {
        for (const record of list) {
          if (record.removed) continue;
          if (record.once) this.removeEventListener(event.type, record.listener, { capture: record.capture });
          try {
            const { listener } = record;
            const result = typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
            if (result != null && typeof result.then === 'function') result.then(undefined, reportError);
          } catch (err) {
            reportError(err);
          }
          if (eventState.stoppedImmediately(event)) break;
        }
      } finally {
        eventState.end(event);
      }
      return !event.defaultPrevented;
    }
    [kCustom](depth, options) { return inspectAs(this, {}, depth, options); }
  }

  // ------------------------------------------------------------------ AbortController / AbortSignal
  let isAbortSignal, abortSignal;
  class AbortSignal extends EventTarget {
    #aborted = false; #reason = undefined;
    #onabort = null; #handlerAdded = false;
    #dependents = null; // signals from AbortSignal.any() that follow this one
    constructor(token) {
      if (token !== illegal) throw illegalConstructor();
      super();
    }
    get aborted() { return this.#aborted; }
    get reason() { return this.#reason; }
    throwIfAborted() { if (this.#aborted) throw this.#reason; }
    get onabort() { return this.#onabort; }
    set onabort(value) {
      this.#onabort = isObjectLike(value) ? value : null;
      // As in Node, one listener is added at the first assignment and keeps
      // its place; it calls whatever handler is current.
      if (this.#onabort === null || this.#handlerAdded) return;
      this.#handlerAdded = true;
      const signal = this;
      super.addEventListener('abort', function (event) {
        const h = signal.#onabort;
        if (typeof h === 'function') return h.call(this, event);
        if (h !== null && typeof h.handleEvent === 'function') return h.handleEvent(event);
      });
    }
    static abort(reason = undefined) {
      const signal = new AbortSignal(illegal);
      abortSignal(signal, reason);
      return signal;
    }
    static timeout(delay) {
      if (typeof delay !== 'number') throw invalidArgType('delay', 'of type number', delay);
      const must = !Number.isInteger(delay) ? 'an integer' : delay < 0 || delay > 0xffffffff ? '>= 0 && <= 4294967295' : null;
      if (must) throw withCode(new RangeError(`The value of "delay" is out of range. It must be ${must}. Received ${delay}`), 'ERR_OUT_OF_RANGE');
      const signal = new AbortSignal(illegal);
      // Like every timer, it can fire only while the call that made it runs.
      schedule(() => abortSignal(signal, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), delay, [], false).unref();
      return signal;
    }
    static any(signals) {
      if (!Array.isArray(signals)) throw invalidArgType('signals', 'an instance of Array', signals);
      signals.forEach((s, i) => { if (!isAbortSignal(s)) throw invalidArgType(`signals[${i}]`, 'an instance of AbortSignal', s); });
      const result = new AbortSignal(illegal);
      const aborted = signals.find((s) => s.#aborted);
      if (aborted) abortSignal(result, aborted.#reason);
      else for (const source of signals) (source.#dependents ??= new Set()).add(result); // strong refs: lives as long as its sources
      return result;
    }
    [kCustom](depth, options) { return inspectAs(this, { aborted: this.#aborted }, depth, options); }
    static {
      isAbortSignal = (v) => isObjectLike(v) && #aborted in v;
      abortSignal = (signal, reason) => {
        if (signal.#aborted) return;
        signal.#aborted = true;
        signal.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
        const event = new Event('abort');
        trustedEvents.add(event);
        signal.dispatchEvent(event);
        const dependents = signal.#dependents;
        signal.#dependents = null;
        if (dependents) for (const d of dependents) abortSignal(d, signal.#reason);
      };
    }
  }

  class AbortController {
    #signal = new AbortSignal(illegal);
    get signal() { return this.#signal; }
    abort(reason = undefined) { abortSignal(this.#signal, reason); }
    [kCustom](depth, options) { return inspectAs(this, { signal: this.#signal }, depth, options); }
  }

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

  // ------------------------------------------------------------------ timers
  // Timers run inside a call. While the handler's promise is pending the
  // runtime keeps running QuickJS's job queue, so one job (`pump`) stays
  // queued while any timer is pending: it yields while other jobs are queued
  // (promise reactions run between timers, as in Node), runs the timer due
  // first, or, with nothing due and nothing else to run, sleeps in slices of
  // at most 10 ms (native.sleep: so a kill or a timeout lands) and queues
  // itself again. Timers belong to the call (or load) that made them: once it
  // ends (native.callId() changes) its pending timers never fire. Delays,
  // ordering and the Timeout/Immediate objects follow Node's.
  const TIMEOUT_MAX = 2 ** 31 - 1;
  const pending = new Map(); // id -> Timeout or Immediate
  let timerIds = 0;
  let pumpQueued = false;
  let timersCall = -1; // the call the pending timers belong to
  let loopNow = 0; // Node computes due times from the loop's time, not the clock's
  const jobs = Promise.resolve();
  const currentCall = () => {
    const call = native.callId();
    if (call !== timersCall) {
      pending.clear();
      timersCall = call;
      loopNow = now();
      native.timersUsed();
    }
  };
  function pump() {
    pumpQueued = false;
    if (native.callId() !== timersCall) pending.clear();
    if (pending.size === 0) return;
    if (!native.jobsPending()) {
      loopNow = now();
      let next = null;
      for (const t of pending.values()) {
        if (next === null || t._due < next._due || (t._due === next._due && t._seq < next._seq)) next = t;
      }
      const wait = next._due - loopNow;
      if (wait <= 0) {
        if (next._repeat === null) pending.delete(next._id);
        else { next._due = loopNow + next._repeat; next._seq = ++timerIds; }
        try {
          next._callback(...next._args);
        } catch (err) {
          reportError(err);
        }
      } else {
        native.sleep(wait);
      }
    }
    queuePump();
  }
  const queuePump = () => {
    if (pumpQueued || pending.size === 0) return;
    pumpQueued = true;
    jobs.then(pump);
  };
  const validDelay = (after) => {
    after *= 1; // as Node: a delay that is not a number from 1 to 2^31-1 is 1
    return after >= 1 && after <= TIMEOUT_MAX ? after : 1;
  };
  function schedule(callback, after, args, repeat) {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    currentCall();
    const delay = after === null ? -1 : validDelay(after);
    const t = after === null ? new Immediate(illegal) : new Timeout(illegal);
    Object.assign(t, { _id: ++timerIds, _seq: timerIds, _due: loopNow + delay, _delay: delay, _callback: callback, _args: args, _repeat: repeat ? delay : null });
    pending.set(t._id, t);
    queuePump();
    return t;
  }
  const unschedule = (t) => {
    if (t === null || t === undefined) return;
    const id = typeof t === 'object' ? t._id : +t;
    if (typeof id === 'number') pending.delete(id);
  };
  class Timeout {
    constructor(token) { if (token !== illegal) throw illegalConstructor(); this._ref = true; }
    ref() { this._ref = true; return this; }
    unref() { this._ref = false; return this; }
    hasRef() { return this._ref; }
    refresh() {
      if (pending.get(this._id) === this) Object.assign(this, { _due: now() + this._delay, _seq: ++timerIds });
      return this;
    }
    close() { unschedule(this); return this; }
    [Symbol.toPrimitive]() { return this._id; }
  }
  class Immediate {
    constructor(token) { if (token !== illegal) throw illegalConstructor(); this._ref = true; }
    ref() { this._ref = true; return this; }
    unref() { this._ref = false; return this; }
    hasRef() { return this._ref; }
  }
  const timerGlobals = {
    setTimeout: function setTimeout(callback, after, ...args) { return schedule(callback, after, args, false); },
    setInterval: function setInterval(callback, repeat, ...args) { return schedule(callback, repeat, args, true); },
    setImmediate: function setImmediate(callback, ...args) { return schedule(callback, null, args, false); },
    clearTimeout: function clearTimeout(timer) { unschedule(timer); },
    clearInterval: function clearInterval(timer) { unschedule(timer); },
    clearImmediate: function clearImmediate(immediate) { unschedule(immediate); },
  };

  // ------------------------------------------------------------------ install
  for (const C of [DOMException, TextEncoder, TextDecoder, Event, CustomEvent, EventTarget, AbortSignal, AbortController,
    SubtleCrypto, Crypto, URLSearchParams, URL]) tagClass(C, C.name);
  tagClass(URLSearchParamsIterator, 'URLSearchParams Iterator');
  const globals = { console: consoleObject, DOMException, structuredClone, TextEncoder, TextDecoder, Event, EventTarget, CustomEvent,
    AbortController, AbortSignal, crypto: new Crypto(illegal), URL, URLSearchParams };
  for (const name of objectKeys(globals)) install(name, globals[name]);
  for (const name of objectKeys(timerGlobals)) install(name, timerGlobals[name]);
})

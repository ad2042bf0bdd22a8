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

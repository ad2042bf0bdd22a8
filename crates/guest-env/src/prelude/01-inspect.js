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

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

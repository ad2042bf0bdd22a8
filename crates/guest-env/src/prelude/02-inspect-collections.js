  // ------------------------------------------------------------------ inspect: arrays, collections, properties
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
    // A key that is not the value's own (a buffer's byteLength, read through
    // its prototype's accessor) shows in brackets, as in Node 22 and later.
    const desc = getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: false };
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

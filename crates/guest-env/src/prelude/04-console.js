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

  // The prelude's own frames are those in its file, which the first frame of
  // a stack taken inside console.trace names: not the user's.
  const frameFile = (line) => (/\((.*?)(?::\d+)*\)$/.exec(line) || /at (.*?)(?::\d+)*$/.exec(line) || [])[1];
  function userFrames(stack) {
    const lines = String(stack || '').split('\n').filter((l) => /^\s+at /.test(l));
    const own = lines.length ? frameFile(lines[0]) : '';
    // Nor are those of the wrapper every handler runs in (wire's guest_error).
    return lines.filter((l) => {
      const file = frameFile(l);
      return file !== own && !String(file).startsWith('hyperlight:');
    }).join('\n');
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
      // As Node 22 and later: a string first argument is prefixed (so its
      // placeholders still apply); anything else follows 'Assertion failed'.
      if (typeof args[0] === 'string') args[0] = `Assertion failed: ${args[0]}`;
      else args.unshift('Assertion failed');
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

    // ---------------------------------------------------------- date patterns
    // Fields, in ICU's order, and the distance "types" ICU gives each pattern
    // letter: a numeric field's type grows with its length, a text field's is
    // one per width; near letters (M and L, h and K) are near in type.
    const ERA = 0, YEAR = 1, MONTH = 3, WEEKDAY = 6, DAY = 9, PERIOD = 10, HOUR = 11, MINUTE = 12, SECOND = 13, FRACTION = 14, ZONE = 15;
    const DATE_FIELDS = (1 << PERIOD) - 1;
    const TIME_FIELDS = 0xffff & ~DATE_FIELDS;
    const NUM = 0x100, NARROW = -0x101, SHORTER = -0x102, SHORT = -0x103, LONG = -0x104, DELTA = 0x10;
    const textType = (len, delta) => (len <= 3 ? SHORT : len === 4 ? LONG : len === 5 ? NARROW : SHORTER) + delta;
    function letterInfo(ch, len) {
      switch (ch) {
        case 'G': return [ERA, textType(len, 0)];
        case 'y': return [YEAR, NUM + len];
        case 'M': return [MONTH, len < 3 ? NUM + len : textType(len, 0)];
        case 'L': return [MONTH, len < 3 ? NUM + DELTA + len : textType(len, -DELTA)];
        case 'E': return [WEEKDAY, textType(len, 0)];
        case 'c': return [WEEKDAY, len < 3 ? NUM + 2 * DELTA + len : textType(len, -2 * DELTA)];
        case 'd': return [DAY, NUM + len];
        case 'a': return [PERIOD, textType(len, 0)];
        case 'B': return [PERIOD, textType(len, -3 * DELTA)];
        case 'h': return [HOUR, NUM + len];
        case 'K': return [HOUR, NUM + DELTA + len];
        case 'H': return [HOUR, NUM + 10 * DELTA + len];
        case 'k': return [HOUR, NUM + 11 * DELTA + len];
        case 'm': return [MINUTE, NUM + len];
        case 's': return [SECOND, NUM + len];
        case 'S': return [FRACTION, NUM + len];
        case 'z': return [ZONE, len < 4 ? SHORT : LONG];
        case 'O': return [ZONE, (len < 4 ? SHORT : LONG) - DELTA];
        case 'v': return [ZONE, (len < 4 ? SHORT : LONG) - 2 * DELTA];
        default: return null;
      }
    }
    // A pattern as tokens: { ch, len } for a field, { text } for literal text.
    function tokenize(pattern) {
      const tokens = [];
      let i = 0;
      const literal = (text) => {
        const last = tokens[tokens.length - 1];
        if (last !== undefined && last.text !== undefined) last.text += text;
        else tokens.push({ text });
      };
      while (i < pattern.length) {
        const ch = pattern[i];
        if (ch === "'") {
          if (pattern[i + 1] === "'") { literal("'"); i += 2; continue; }
          const end = pattern.indexOf("'", i + 1);
          const stop = end === -1 ? pattern.length : end;
          literal(pattern.slice(i + 1, stop).replaceAll("''", "'"));
          i = stop + 1;
          continue;
        }
        if (/[A-Za-z]/.test(ch)) {
          let j = i + 1;
          while (pattern[j] === ch) j++;
          tokens.push({ ch, len: j - i });
          i = j;
          continue;
        }
        literal(ch);
        i++;
      }
      return tokens;
    }
    const quote = (text) => (/[A-Za-z']/.test(text) ? `'${text.replaceAll("'", "''")}'` : text);
    const untokenize = (tokens) => tokens.map((t) => (t.text !== undefined ? quote(t.text) : t.ch.repeat(t.len))).join('');
    // A skeleton's (or a pattern's) fields, as ICU's DateTimeMatcher reads them.
    function matcher(text) {
      const sk = { ch: Array(16).fill(''), len: Array(16).fill(0), type: Array(16).fill(0), mask: 0 };
      const set = (f, ch, len, type) => { sk.ch[f] = ch; sk.len[f] = len; sk.type[f] = type; sk.mask |= 1 << f; };
      for (const t of tokenize(text)) {
        const info = t.ch === undefined ? null : letterInfo(t.ch, t.len);
        if (info !== null && !sk.type[info[0]]) set(info[0], t.ch, t.len, info[1]);
      }
      if (sk.type[MINUTE] && sk.type[FRACTION] && !sk.type[SECOND]) set(SECOND, 's', 1, NUM + 1);
      if (sk.type[HOUR]) {
        if (sk.ch[HOUR] === 'h' || sk.ch[HOUR] === 'K') {
          if (!sk.type[PERIOD]) set(PERIOD, 'a', 1, SHORT);
        } else if (sk.type[PERIOD]) {
          sk.ch[PERIOD] = ''; sk.len[PERIOD] = 0; sk.type[PERIOD] = 0; sk.mask &= ~(1 << PERIOD);
        }
      }
      return sk;
    }
    // en's patterns (CLDR availableFormats, by skeleton, as ICU 78 has them),
    // its date and time styles, and the appended-field formats.
    const DATE_STYLES = { full: 'EEEE, MMMM d, y', long: 'MMMM d, y', medium: 'MMM d, y', short: 'M/d/yy' };
    const TIME_STYLES = { full: 'h:mm:ss a zzzz', long: 'h:mm:ss a z', medium: 'h:mm:ss a', short: 'h:mm a' };
    const AVAILABLE = 'Bh=h B|Bhm=h:mm B|Bhms=h:mm:ss B|E=ccc|EBh=E h B|EBhm=E h:mm B|EBhms=E h:mm:ss B|EHm=E HH:mm|EHms=E HH:mm:ss|Ed=d E|' +
      'Eh=E h a|Ehm=E h:mm a|Ehms=E h:mm:ss a|Gy=y G|GyM=M/y G|GyMEd=E, M/d/y G|GyMMM=MMM y G|GyMMMEd=E, MMM d, y G|GyMMMM=MMMM y G|' +
      'GyMMMMEd=E, MMMM d, y G|GyMMMMd=MMMM d, y G|GyMMMd=MMM d, y G|GyMd=M/d/y G|H=HH|Hm=HH:mm|Hms=HH:mm:ss|Hmsv=HH:mm:ss v|Hmv=HH:mm v|' +
      'Hv=HH\'h\' v|M=L|MEd=E, M/d|MMM=LLL|MMMEd=E, MMM d|MMMMEd=E, MMMM d|MMMMd=MMMM d|MMMd=MMM d|Md=M/d|d=d|h=h a|hm=h:mm a|hms=h:mm:ss a|' +
      'hmsv=h:mm:ss a v|hmv=h:mm a v|hv=h a v|ms=mm:ss|y=y|yM=M/y|yMEd=E, M/d/y|yMMM=MMM y|yMMMEd=E, MMM d, y|yMMMM=MMMM y|' +
      'yMMMMEd=E, MMMM d, y|yMMMMd=MMMM d, y|yMMMd=MMM d, y|yMd=M/d/y';
    const APPEND = { [ERA]: '{0} {1}', [YEAR]: '{0} {1}', [WEEKDAY]: '{0} {1}', [ZONE]: '{0} {1}', [MONTH]: '{0} ({2}: {1})',
      [DAY]: '{0} ({2}: {1})', [HOUR]: '{0} ({2}: {1})', [MINUTE]: '{0} ({2}: {1})', [SECOND]: '{0} ({2}: {1})' };
    const FIELD_NAMES = { [ERA]: 'era', [YEAR]: 'year', [MONTH]: 'month', [WEEKDAY]: 'day of the week', [DAY]: 'day', [PERIOD]: 'AM/PM',
      [HOUR]: 'hour', [MINUTE]: 'minute', [SECOND]: 'second', [ZONE]: 'time zone' };
    const fill = (template, values) => template.replace(/\{(\d)\}/g, (_, i) => values[i]);
    // ICU keeps its patterns in buckets by the first letter of their fields
    // (A-Z, then a-z) and, within one, in the order added: ties in distance
    // go to the first, so the order is part of the answer.
    let patternTable = null;
    function patterns() {
      if (patternTable !== null) return patternTable;
      const entries = [];
      const add = (skeleton, pattern, specified) => {
        const sk = matcher(skeleton);
        const same = entries.find((e) => e.sk.type.every((t, i) => t === sk.type[i]));
        if (same !== undefined) {
          if (specified) Object.assign(same, { pattern, spec: sk });
          return;
        }
        const first = sk.ch[sk.type.findIndex((t) => t !== 0)];
        const bucket = first < 'a' ? first.charCodeAt(0) - 65 : first.charCodeAt(0) - 97 + 26;
        entries.push({ sk, pattern, spec: specified ? sk : null, bucket, order: entries.length });
      };
      for (const ch of 'GyMEdaHmsSv') add(ch, ch, false);
      for (const style of ['full', 'long', 'medium', 'short']) {
        add(DATE_STYLES[style], DATE_STYLES[style], false);
        add(TIME_STYLES[style], TIME_STYLES[style], false);
      }
      for (const item of AVAILABLE.split('|')) {
        const at = item.indexOf('=');
        add(item.slice(0, at), item.slice(at + 1), true);
      }
      return (patternTable = entries.sort((a, b) => a.bucket - b.bucket || a.order - b.order));
    }
    // The nearest pattern to the requested fields in `include`.
    function bestRaw(req, include) {
      let best = null;
      let bestDistance = Infinity;
      let bestMissing = -1;
      for (const e of patterns()) {
        let distance = 0;
        let missing = 0;
        let extra = 0;
        for (let f = 0; f < 16; f++) {
          const mine = include & (1 << f) ? req.type[f] : 0;
          const other = e.sk.type[f];
          if (mine === other) continue;
          if (mine === 0) { distance += 0x10000; extra |= 1 << f; } else if (other === 0) { distance += 0x1000; missing |= 1 << f; } else distance += abs(mine - other);
        }
        if (distance < bestDistance || (distance === bestDistance && bestMissing < missing)) {
          best = { e, missing, extra };
          bestDistance = distance;
          bestMissing = missing;
          if (distance === 0) break;
        }
      }
      return best;
    }
    // A found pattern with its fields given the requested widths.
    function adjust(pattern, spec, req, withFraction = false) {
      const tokens = tokenize(pattern);
      for (const t of tokens) {
        const info = t.ch === undefined ? null : letterInfo(t.ch, t.len);
        if (info === null) continue;
        const [f, type] = info;
        if (withFraction && f === SECOND) {
          t.after = `.${req.ch[FRACTION].repeat(req.len[FRACTION])}`;
          continue;
        }
        if (!req.type[f]) continue;
        const reqCh = req.ch[f];
        let reqLen = req.len[f];
        if (reqCh === 'E' && reqLen < 3) reqLen = 3;
        let len = reqLen;
        if (f === MINUTE || f === SECOND) len = t.len;
        else if (spec !== null && reqCh !== 'c' && (spec.len[f] === reqLen || (type > 0) !== (spec.type[f] > 0))) len = t.len;
        if (f !== HOUR && f !== MONTH && f !== WEEKDAY && f !== YEAR) t.ch = reqCh;
        t.len = len;
      }
      return tokens.map((t) => (t.text !== undefined ? quote(t.text) : t.ch.repeat(t.len) + (t.after || ''))).join('');
    }
    function bestAppending(req, fields) {
      if (fields === 0) return '';
      let found = bestRaw(req, fields);
      let result = adjust(found.e.pattern, found.e.spec, req);
      let missing = found.missing;
      while (missing !== 0) {
        const secondAndFraction = (1 << SECOND) | (1 << FRACTION);
        if ((missing & secondAndFraction) === 1 << FRACTION && (fields & secondAndFraction) === secondAndFraction) {
          result = adjust(result, found.e.spec, req, true);
          missing &= ~(1 << FRACTION);
          continue;
        }
        found = bestRaw(req, missing);
        const piece = adjust(found.e.pattern, found.e.spec, req);
        const got = missing & ~found.missing;
        if (got === 0) break;
        const top = 31 - Math.clz32(got);
        result = fill(APPEND[top] || '{0} \u251c{2}: {1}\u2524', [result, piece, quote(FIELD_NAMES[top] || `F${top}`)]);
        // (Node's ICU appends one missing field at most: any other is left out, and so it is here.)
        break;
      }
      return result;
    }
    function bestPattern(skeleton) {
      const req = matcher(skeleton);
      const first = bestRaw(req, 0xffff);
      if (first.missing === 0 && first.extra === 0) return adjust(first.e.pattern, first.e.spec, req);
      const date = bestAppending(req, req.mask & DATE_FIELDS);
      const time = bestAppending(req, req.mask & TIME_FIELDS);
      if (date === '') return time;
      if (time === '') return date;
      return fill(req.len[MONTH] === 4 ? "{1} 'at' {0}" : '{1}, {0}', [time, date]);
    }
    // The hour letters of a pattern set to the hour cycle's (as V8 does).
    const HOUR_LETTERS = { h11: 'K', h12: 'h', h23: 'H', h24: 'k' };
    const withHourCycle = (pattern, hc) => untokenize(tokenize(pattern).map((t) => (/^[hHkK]$/.test(t.ch) ? { ch: HOUR_LETTERS[hc], len: t.len } : t)));

    // ---------------------------------------------------------- date and time
    const COMPONENTS = [
      ['weekday', ['narrow', 'short', 'long']], ['era', ['narrow', 'short', 'long']], ['year', ['2-digit', 'numeric']],
      ['month', ['2-digit', 'numeric', 'narrow', 'short', 'long']], ['day', ['2-digit', 'numeric']], ['dayPeriod', ['narrow', 'short', 'long']],
      ['hour', ['2-digit', 'numeric']], ['minute', ['2-digit', 'numeric']], ['second', ['2-digit', 'numeric']], ['fractionalSecondDigits'],
      ['timeZoneName', ['short', 'long', 'shortOffset', 'longOffset', 'shortGeneric', 'longGeneric']],
    ];
    const STYLES = ['full', 'long', 'medium', 'short'];
    const SKELETON_LETTERS = {
      weekday: { narrow: 'EEEEE', short: 'EEE', long: 'EEEE' },
      era: { narrow: 'GGGGG', short: 'G', long: 'GGGG' },
      year: { '2-digit': 'yy', numeric: 'y' },
      month: { '2-digit': 'MM', numeric: 'M', narrow: 'MMMMM', short: 'MMM', long: 'MMMM' },
      day: { '2-digit': 'dd', numeric: 'd' },
      dayPeriod: { narrow: 'BBBBB', short: 'B', long: 'BBBB' },
      minute: { '2-digit': 'mm', numeric: 'm' },
      second: { '2-digit': 'ss', numeric: 's' },
      timeZoneName: { short: 'z', long: 'zzzz', shortOffset: 'O', longOffset: 'OOOO', shortGeneric: 'v', longGeneric: 'vvvv' },
    };
    // The sandbox's one time zone under the names Node takes for it: those
    // Node shows as GMT keep that name, as in Node.
    const UTC_NAMES = ['utc', 'etc/utc', 'gmt', 'etc/gmt', 'uct', 'etc/uct', 'universal', 'etc/universal', 'zulu', 'etc/zulu', 'gmt0', 'gmt+0', 'gmt-0'];
    const GMT_NAMES = ['greenwich', 'etc/greenwich', 'etc/gmt0', 'etc/gmt+0', 'etc/gmt-0'];
    function resolveTimeZone(value) {
      if (value === undefined) return ['UTC', false];
      const name = `${value}`;
      const lower = name.toLowerCase();
      if (UTC_NAMES.includes(lower)) return ['UTC', false];
      if (GMT_NAMES.includes(lower)) return ['UTC', true];
      if (/^[+-]00(?::?00)?$/.test(name)) return ['+00:00', true];
      // (Node's words, and for a name that could be a real zone's, what the sandbox has.)
      const real = /^[A-Za-z][\w+-]*(?:\/[A-Za-z0-9][\w+-]*)*$/.test(name) || /^[+-]\d\d(?::?\d\d)?$/.test(name);
      throw new RangeError(`Invalid time zone specified: ${name}${real ? ' (this sandbox has only the UTC time zone)' : ''}`);
    }

    function dateTimeFormatSlots(locales, options, required, defaults, service = 'Intl.DateTimeFormat') {
      options = readLocale(locales, options, service);
      const opt = (property, values) => getOption(options, property, values, undefined, service);
      getTypeOption(options, 'calendar');
      getTypeOption(options, 'numberingSystem');
      const hour12 = getBoolean(options, 'hour12');
      let hourCycle = opt('hourCycle', ['h11', 'h12', 'h23', 'h24']);
      const [timeZone, gmt] = resolveTimeZone(options.timeZone);
      const fields = {};
      for (const [property, values] of COMPONENTS) {
        fields[property] = values === undefined ? getNumberOption(options, property, 1, 3, undefined) : opt(property, values);
      }
      opt('formatMatcher', ['basic', 'best fit']);
      const dateStyle = opt('dateStyle', STYLES);
      const timeStyle = opt('timeStyle', STYLES);
      if (hour12 !== undefined) hourCycle = hour12 ? 'h12' : 'h23';
      else if (hourCycle === undefined) hourCycle = 'h12';
      const s = { kind: 'DateTimeFormat', timeZone, gmt, hourCycle, dateStyle, timeStyle };
      let pattern;
      if (dateStyle !== undefined || timeStyle !== undefined) {
        if (COMPONENTS.some(([property]) => fields[property] !== undefined)) throw new TypeError('Invalid option : option');
        if (required === 'date' && timeStyle !== undefined) throw new TypeError('Invalid option : timeStyle');
        if (required === 'time' && dateStyle !== undefined) throw new TypeError('Invalid option : dateStyle');
        let time = timeStyle === undefined ? '' : TIME_STYLES[timeStyle];
        if (time !== '' && hourCycle !== 'h12') {
          const letters = tokenize(time).filter((t) => t.ch !== undefined).map((t) => (t.ch === 'h' ? HOUR_LETTERS[hourCycle] : t.ch).repeat(t.len)).join('');
          time = bestPattern(letters);
        }
        const date = dateStyle === undefined ? '' : DATE_STYLES[dateStyle];
        pattern = date === '' ? time : time === '' ? date : fill(dateStyle === 'full' || dateStyle === 'long' ? "{1} 'at' {0}" : '{1}, {0}', [time, date]);
      } else {
        let needDefaults = true;
        if (required !== 'time' && (fields.weekday || fields.year || fields.month || fields.day)) needDefaults = false;
        if (required !== 'date' && (fields.dayPeriod || fields.hour || fields.minute || fields.second || fields.fractionalSecondDigits)) needDefaults = false;
        if (needDefaults && (defaults === 'date' || defaults === 'all')) fields.year = fields.month = fields.day = 'numeric';
        if (needDefaults && (defaults === 'time' || defaults === 'all')) fields.hour = fields.minute = fields.second = 'numeric';
        let skeleton = '';
        for (const [property] of COMPONENTS) {
          const value = fields[property];
          if (value === undefined) continue;
          if (property === 'hour') skeleton += HOUR_LETTERS[hourCycle].repeat(value === '2-digit' ? 2 : 1);
          else if (property === 'fractionalSecondDigits') skeleton += 'S'.repeat(value);
          else skeleton += SKELETON_LETTERS[property][value];
        }
        pattern = bestPattern(skeleton);
      }
      s.pattern = withHourCycle(pattern, hourCycle);
      s.tokens = tokenize(s.pattern);
      s.hasHour = s.tokens.some((t) => /^[hHkK]$/.test(t.ch));
      s.hasMinute = s.tokens.some((t) => t.ch === 'm');
      s.hasSecond = s.tokens.some((t) => t.ch === 's');
      return s;
    }
    const defaultDateTimeSlots = {};
    const dateTimeSlotsFor = (locales, options, required, defaults, service) => {
      if (locales !== undefined || options !== undefined) return dateTimeFormatSlots(locales, options, required, defaults, service);
      const key = `${required}/${defaults}`;
      return defaultDateTimeSlots[key] || (defaultDateTimeSlots[key] = dateTimeFormatSlots(undefined, undefined, required, defaults, service));
    };

    const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    const ERAS = [['BC', 'Before Christ', 'B'], ['AD', 'Anno Domini', 'A']];
    const pad = (n, len) => `${n}`.padStart(len, '0');
    // width 0 abbreviated, 1 wide, 2 narrow (by pattern length), 3 short (E×6)
    const widthOf = (len) => (len <= 3 ? 0 : len === 4 ? 1 : len === 5 ? 2 : 3);
    function dayPeriodText(s, c, len) {
      const h = c.hour;
      const narrow = widthOf(len) === 2;
      if (h === 12 && (!s.hasMinute || c.minute === 0) && (!s.hasSecond || c.second === 0)) return narrow ? 'n' : 'noon';
      return h < 12 ? 'in the morning' : h < 18 ? 'in the afternoon' : h < 21 ? 'in the evening' : 'at night';
    }
    const PART_TYPES = { G: 'era', y: 'year', M: 'month', L: 'month', E: 'weekday', c: 'weekday', d: 'day', a: 'dayPeriod', B: 'dayPeriod',
      h: 'hour', H: 'hour', k: 'hour', K: 'hour', m: 'minute', s: 'second', S: 'fractionalSecond', z: 'timeZoneName', O: 'timeZoneName', v: 'timeZoneName' };
    function fieldText(s, c, ch, len) {
      switch (ch) {
        case 'G': return ERAS[c.year > 0 ? 1 : 0][[0, 1, 2, 0][widthOf(len)]];
        case 'y': {
          const y = c.year > 0 ? c.year : 1 - c.year;
          return len === 2 ? pad(y % 100, 2) : pad(y, len);
        }
        case 'M': case 'L': {
          if (len <= 2) return pad(c.month + 1, len);
          const name = MONTHS[c.month];
          return [name.slice(0, 3), name, name[0], name.slice(0, 3)][widthOf(len)];
        }
        case 'E': case 'c': {
          const name = WEEKDAYS[c.weekday];
          return [name.slice(0, 3), name, name[0], name.slice(0, 2)][widthOf(len)];
        }
        case 'd': return pad(c.day, len);
        case 'a': return widthOf(len) === 2 ? (c.hour < 12 ? 'a' : 'p') : c.hour < 12 ? 'AM' : 'PM';
        case 'B': return dayPeriodText(s, c, len);
        case 'h': return pad(c.hour % 12 || 12, len);
        case 'K': return pad(c.hour % 12, len);
        case 'H': return pad(c.hour, len);
        case 'k': return pad(c.hour || 24, len);
        case 'm': return pad(c.minute, len);
        case 's': return pad(c.second, len);
        case 'S': return pad(c.ms, 3).slice(0, len).padEnd(len, '0');
        case 'z': return s.gmt ? (len < 4 ? 'GMT' : 'Greenwich Mean Time') : len < 4 ? 'UTC' : 'Coordinated Universal Time';
        case 'O': return len < 4 ? 'GMT+0' : 'GMT+00:00';
        case 'v': return s.gmt ? (len < 4 ? 'GMT' : 'Greenwich Mean Time') : len < 4 ? 'GMT+0' : 'GMT+00:00';
        default: return ch.repeat(len);
      }
    }
    function timeValue(date) {
      let t = date === undefined ? dateNow() : +date;
      if (!(abs(t) <= 8.64e15)) throw new RangeError('Invalid time value');
      t = trunc(t) + 0;
      return t;
    }
    function dateParts(s, t) {
      const d = new DateCtor(t);
      const c = {
        year: getUTCFullYear.call(d), month: getUTCMonth.call(d), day: getUTCDate.call(d), weekday: getUTCDay.call(d),
        hour: getUTCHours.call(d), minute: getUTCMinutes.call(d), second: getUTCSeconds.call(d), ms: getUTCMilliseconds.call(d),
      };
      const out = [];
      for (const token of s.tokens) {
        if (token.text !== undefined) out.push({ type: 'literal', value: token.text });
        else if (PART_TYPES[token.ch] === undefined) out.push({ type: 'literal', value: token.ch.repeat(token.len) });
        else out.push({ type: PART_TYPES[token.ch], value: fieldText(s, c, token.ch, token.len) });
      }
      return out;
    }
    const formatDate = (s, date) => joinParts(dateParts(s, timeValue(date)));
    // resolvedOptions' components, read back from the pattern as V8 does: by
    // looking for each component's letters anywhere in it (quoted text too, so
    // that "Friday (month: J)" reports an hour and a minute, as in Node).
    const READ_BACK = {
      weekday: ['EEEEE narrow', 'EEEE long', 'EEE short', 'ccccc narrow', 'cccc long', 'ccc short'],
      era: ['GGGGG narrow', 'GGGG long', 'G short'],
      year: ['yy 2-digit', 'y numeric'],
      month: ['MMMMM narrow', 'MMMM long', 'MMM short', 'MM 2-digit', 'M numeric', 'LLLLL narrow', 'LLLL long', 'LLL short', 'LL 2-digit', 'L numeric'],
      day: ['dd 2-digit', 'd numeric'],
      dayPeriod: ['BBBBB narrow', 'BBBB long', 'B short'],
      hour: ['HH 2-digit', 'H numeric', 'hh 2-digit', 'h numeric', 'kk 2-digit', 'k numeric', 'KK 2-digit', 'K numeric'],
      minute: ['mm 2-digit', 'm numeric'],
      second: ['ss 2-digit', 's numeric'],
      fractionalSecondDigits: ['SSS 3', 'SS 2', 'S 1'],
      timeZoneName: ['zzzz long', 'z short', 'OOOO longOffset', 'O shortOffset', 'vvvv longGeneric', 'v shortGeneric'],
    };
    function patternOptions(s, out) {
      for (const [property] of COMPONENTS) {
        for (const item of READ_BACK[property]) {
          const [letters, value] = item.split(' ');
          if (!s.pattern.includes(letters)) continue;
          out[property] = property === 'fractionalSecondDigits' ? +value : value;
          break;
        }
      }
      return out;
    }

    function DateTimeFormat() {
      const dtf = construct(new.target, DateTimeFormat);
      slots.set(dtf, dateTimeFormatSlots(arguments[0], arguments[1], 'any', 'date'));
      return dtf;
    }
    defineMethods(DateTimeFormat.prototype, {
      get format() {
        const s = slotsOf(this, 'DateTimeFormat', 'get Intl.DateTimeFormat.prototype.format');
        if (s.bound === undefined) s.bound = anonymous((date) => formatDate(s, date));
        return s.bound;
      },
      formatToParts(date) {
        return dateParts(slotsOf(this, 'DateTimeFormat', 'Intl.DateTimeFormat.prototype.formatToParts'), timeValue(date));
      },
      resolvedOptions() {
        const s = slotsOf(this, 'DateTimeFormat', 'Intl.DateTimeFormat.prototype.resolvedOptions');
        const o = { locale: LOCALE, calendar: 'gregory', numberingSystem: 'latn', timeZone: s.timeZone };
        if (s.hasHour) Object.assign(o, { hourCycle: s.hourCycle, hour12: s.hourCycle === 'h11' || s.hourCycle === 'h12' });
        if (s.dateStyle === undefined && s.timeStyle === undefined) return patternOptions(s, o);
        if (s.dateStyle !== undefined) o.dateStyle = s.dateStyle;
        if (s.timeStyle !== undefined) o.timeStyle = s.timeStyle;
        return o;
      },
    });

    // ---------------------------------------------------------- numbers
    // Currencies whose minor unit is not 2 digits, their en symbols and narrow symbols (as ICU has them).
    const CURRENCY_DIGITS = {
      0: 'ADP AFN ALL BIF BYR CLP COP DJF ESP GNF HUF IDR IQD IRR ISK ITL JPY KMF KPW KRW LAK LBP LUF MGA MGF MMK MRO PKR PYG RWF SLL SOS STD SYP ' +
        'TMM TRL UGX UYI VND VUV XAF XOF XPF YER ZMK ZWD',
      3: 'BHD JOD KWD LYD OMR TND',
      4: 'CLF UYW',
    };
    const CURRENCY_SYMBOLS = 'AUDA$ BRLR$ CADCA$ CNYCN\u00a5 EUR\u20ac GBP\u00a3 HKDHK$ ILS\u20aa INR\u20b9 JPY\u00a5 KRW\u20a9 MXNMX$ NZDNZ$ PHP\u20b1 ' +
      'TWDNT$ USD$ VND\u20ab XAFFCFA XCDEC$ XCGCg. XOFF\u202fCFA XPFCFPF XXX\u00a4';
    const CURRENCY_NARROW = 'AFN\u060b AMD\u058f AOAKz ARS$ AUD$ AZN\u20bc BAMKM BBD$ BDT\u09f3 BMD$ BND$ BOBBs BSD$ BWPP BZD$ CAD$ CLP$ CNY\u00a5 COP$ ' +
      'CRC\u20a1 CUC$ CUP$ CZKK\u010d DKKkr DOP$ EGPE\u00a3 FJD$ FKP\u00a3 GEL\u20be GHSGH\u20b5 GIP\u00a3 GNFFG GTQQ GYD$ HKD$ HNLL HRKkn HUFFt IDRRp ' +
      'ISKkr JMD$ KGS\u20c0 KHR\u17db KMFCF KPW\u20a9 KYD$ KZT\u20b8 LAK\u20ad LBPL\u00a3 LKRRs LRD$ MGAAr MMKK MNT\u20ae MURRs MXN$ MYRRM NAD$ NGN\u20a6 ' +
      'NIOC$ NOKkr NPRRs NZD$ PKRRs PLNz\u0142 PYG\u20b2 RONlei RUB\u20bd RWFRF SBD$ SEKkr SGD$ SHP\u00a3 SRD$ SSP\u00a3 STNDb SYP\u00a3 THB\u0e3f TOPT$ ' +
      'TRY\u20ba TTD$ TWD$ UAH\u20b4 UYU$ XCD$ ZARR ZMWZK';
    let currencyTables = null;
    function currencyTable() {
      if (currencyTables !== null) return currencyTables;
      const digits = new Map();
      for (const d of objectKeys(CURRENCY_DIGITS)) for (const code of CURRENCY_DIGITS[d].split(' ')) digits.set(code, +d);
      const symbols = (list) => new Map(list.split(' ').map((t) => [t.slice(0, 3), t.slice(3)]));
      return (currencyTables = { digits, symbol: symbols(CURRENCY_SYMBOLS), narrow: symbols(CURRENCY_NARROW) });
    }
    const currencyDigits = (code) => currencyTable().digits.get(code) ?? 2;
    const SANCTIONED_UNITS = ('acre bit byte celsius centimeter day degree fahrenheit fluid-ounce foot gallon gigabit gigabyte gram hectare hour inch ' +
      'kilobit kilobyte kilogram kilometer liter megabit megabyte meter microsecond mile mile-scandinavian milliliter millimeter millisecond minute month ' +
      'nanosecond ounce percent petabyte pound second stone terabit terabyte week yard year').split(' ');
    const ROUNDING_MODES = ['ceil', 'floor', 'expand', 'trunc', 'halfCeil', 'halfFloor', 'halfExpand', 'halfTrunc', 'halfEven'];
    const ROUNDING_INCREMENTS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000];

    function numberFormatSlots(locales, options, service = 'Intl.NumberFormat') {
      options = readLocale(locales, options, service);
      const opt = (property, values, fallback) => getOption(options, property, values, fallback, service);
      getTypeOption(options, 'numberingSystem');
      const style = opt('style', ['decimal', 'percent', 'currency', 'unit'], 'decimal');
      let currency = opt('currency', undefined, undefined);
      if (currency !== undefined && !/^[a-z]{3}$/i.test(currency)) throw new RangeError(`Invalid currency code : ${currency}`);
      const currencyDisplay = opt('currencyDisplay', ['code', 'symbol', 'narrowSymbol', 'name'], 'symbol');
      const currencySign = opt('currencySign', ['standard', 'accounting'], 'standard');
      const unit = opt('unit', undefined, undefined);
      opt('unitDisplay', ['short', 'narrow', 'long'], 'short');
      if (unit !== undefined && !unit.split('-per-').every((u, i, all) => all.length <= 2 && SANCTIONED_UNITS.includes(u))) {
        throw new RangeError(`Invalid unit argument for Intl.NumberFormat() '${unit}'`);
      }
      if (style === 'currency') {
        if (currency === undefined) throw new TypeError('Currency code is required with currency style.');
        currency = currency.toUpperCase();
        if (currencyDisplay === 'name') {
          throw new RangeError('currencyDisplay "name" is not supported in this sandbox: it has currency symbols and codes, not currency names');
        }
      }
      if (style === 'unit') {
        if (unit === undefined) throw new TypeError("Invalid unit argument for Intl.NumberFormat() ''");
        throw new RangeError('style "unit" is not supported in this sandbox: it formats decimals, percentages and currencies');
      }
      const notation = opt('notation', ['standard', 'scientific', 'engineering', 'compact'], 'standard');
      if (notation !== 'standard') throw new RangeError(`notation "${notation}" is not supported in this sandbox: it has the standard notation only`);
      const cDigits = style === 'currency' ? currencyDigits(currency) : 0;
      const mnfdDefault = cDigits;
      const mxfdDefault = style === 'currency' ? cDigits : style === 'percent' ? 0 : 3;
      // SetNumberFormatDigitOptions
      const s = { kind: 'NumberFormat', style, currency, currencyDisplay, currencySign, notation };
      s.minimumIntegerDigits = getNumberOption(options, 'minimumIntegerDigits', 1, 21, 1);
      const mnfd = options.minimumFractionDigits;
      const mxfd = options.maximumFractionDigits;
      const mnsd = options.minimumSignificantDigits;
      const mxsd = options.maximumSignificantDigits;
      s.roundingIncrement = getNumberOption(options, 'roundingIncrement', 1, 5000, 1);
      if (!ROUNDING_INCREMENTS.includes(s.roundingIncrement)) throw new RangeError('roundingIncrement value is out of range.');
      s.roundingMode = opt('roundingMode', ROUNDING_MODES, 'halfExpand');
      s.roundingPriority = opt('roundingPriority', ['auto', 'morePrecision', 'lessPrecision'], 'auto');
      s.trailingZeroDisplay = opt('trailingZeroDisplay', ['auto', 'stripIfInteger'], 'auto');
      const hasSd = mnsd !== undefined || mxsd !== undefined;
      const hasFd = mnfd !== undefined || mxfd !== undefined;
      const needSd = s.roundingPriority === 'auto' ? hasSd : true;
      const needFd = s.roundingPriority === 'auto' ? !hasSd : true;
      if (needSd) {
        s.minimumSignificantDigits = defaultNumberOption(mnsd, 1, 21, 1, 'minimumSignificantDigits');
        s.maximumSignificantDigits = defaultNumberOption(mxsd, s.minimumSignificantDigits, 21, 21, 'maximumSignificantDigits');
      }
      if (needFd) {
        if (hasFd) {
          let lo = defaultNumberOption(mnfd, 0, 100, undefined, 'minimumFractionDigits');
          let hi = defaultNumberOption(mxfd, 0, 100, undefined, 'maximumFractionDigits');
          if (lo === undefined) lo = Math.min(mnfdDefault, hi);
          else if (hi === undefined) hi = Math.max(mxfdDefault, lo);
          else if (lo > hi) throw new RangeError('maximumFractionDigits value is out of range.');
          s.minimumFractionDigits = lo;
          s.maximumFractionDigits = hi;
        } else {
          s.minimumFractionDigits = mnfdDefault;
          s.maximumFractionDigits = mxfdDefault;
        }
      }
      s.roundingType = s.roundingPriority !== 'auto' ? s.roundingPriority : hasSd ? 'significantDigits' : 'fractionDigits';
      if (s.roundingIncrement !== 1) {
        if (s.roundingType !== 'fractionDigits') throw new TypeError('RoundingType is not fractionDigits');
        if (s.maximumFractionDigits !== s.minimumFractionDigits) throw new RangeError('maximumFractionDigits value is out of range.');
      }
      let grouping = options.useGrouping;
      if (grouping === undefined) grouping = 'auto';
      else if (grouping === true) grouping = 'always';
      else if (!grouping) grouping = false;
      else {
        grouping = `${grouping}`;
        if (!['min2', 'auto', 'always', 'true', 'false'].includes(grouping)) throw outOfRange(grouping, service, 'useGrouping');
        if (grouping === 'true' || grouping === 'false') grouping = 'auto';
      }
      s.useGrouping = grouping;
      s.signDisplay = opt('signDisplay', ['auto', 'never', 'always', 'exceptZero', 'negative'], 'auto');
      return s;
    }

    // ToIntlMathematicalValue: a Number, or an exact decimal { neg, m, scale }
    // (|value| = m / 10^scale) for a BigInt or a numeric string.
    function toPrimitiveNumber(v) {
      const exotic = v[Symbol.toPrimitive];
      if (exotic !== undefined && exotic !== null) {
        if (typeof exotic !== 'function') throw new TypeError('Symbol.toPrimitive is not a function');
        const r = exotic.call(v, 'number');
        if (isObjectLike(r)) throw new TypeError('Cannot convert object to primitive value');
        return r;
      }
      for (const name of ['valueOf', 'toString']) {
        const f = v[name];
        if (typeof f === 'function') {
          const r = f.call(v);
          if (!isObjectLike(r)) return r;
        }
      }
      throw new TypeError('Cannot convert object to primitive value');
    }
    const decimalRe = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
    function parseDecimal(text) {
      const m = decimalRe.exec(text);
      if (m === null || (m[2] === '' && !m[3])) return null;
      const exponent = m[4] === undefined ? 0 : +m[4];
      if (abs(exponent) > 100000) return +text; // (so far out a double's 0 or Infinity will do)
      const frac = m[3] || '';
      return { neg: m[1] === '-', m: BigInt(`${m[2]}${frac}` || '0'), scale: frac.length - exponent };
    }
    function toIntlValue(x) {
      const p = isObjectLike(x) ? toPrimitiveNumber(x) : x;
      if (typeof p === 'bigint') return { neg: p < 0n, m: p < 0n ? -p : p, scale: 0 };
      if (typeof p !== 'string') return +p;
      const text = p.trim();
      if (text === '') return 0;
      if (/^[+-]?Infinity$/.test(text)) return text[0] === '-' ? -Infinity : Infinity;
      if (/^0(?:x[0-9a-f]+|o[0-7]+|b[01]+)$/i.test(text)) return { neg: false, m: BigInt(text), scale: 0 };
      const d = parseDecimal(text);
      if (d === null) return NaN;
      const double = +text;
      return double === Infinity || double === -Infinity ? double : d; // (exact, except past a double's range: infinite there, as in V8)
    }
    // A finite double as its shortest decimal form (the digits ICU rounds).
    const decimalOfDouble = (x) => {
      const d = parseDecimal(`${abs(x)}`);
      d.neg = x < 0 || Object.is(x, -0);
      return d;
    };

    // Exact rounding of m / 10^scale to a multiple of inc × 10^-f: the integer q
    // with the result q × 10^-f. `up(half, q)` says whether a discarded
    // remainder rounds away from zero: half is -1, 0 or 1 (below, at, above a half).
    const pow10 = (n) => 10n ** BigInt(n);
    function roundAt(m, scale, f, inc, up) {
      const top = scale > f ? scale : f;
      const n = m * pow10(top - scale);
      const unit = BigInt(inc) * pow10(top - f);
      let q = n / unit;
      const r = n % unit;
      if (r !== 0n) {
        const twice = r * 2n;
        if (up(twice === unit ? 0 : twice < unit ? -1 : 1, q)) q += 1n;
      }
      return q * BigInt(inc);
    }
    const always = () => true;
    const never = () => false;
    const halfUp = (h) => h >= 0;
    const halfDown = (h) => h > 0;
    const halfEven = (h, q) => h > 0 || (h === 0 && (q & 1n) === 1n);
    function rounder(mode, neg) {
      switch (mode) {
        case 'ceil': return neg ? never : always;
        case 'floor': return neg ? always : never;
        case 'expand': return always;
        case 'trunc': return never;
        case 'halfCeil': return neg ? halfDown : halfUp;
        case 'halfFloor': return neg ? halfUp : halfDown;
        case 'halfTrunc': return halfDown;
        case 'halfEven': return halfEven;
        default: return halfUp;
      }
    }
    // q × 10^-f as [integer digits, fraction digits].
    function digitsOf(q, f) {
      if (f <= 0) return [`${q * pow10(-f)}`, ''];
      const t = `${q}`.padStart(f + 1, '0');
      return [t.slice(0, -f), t.slice(-f)];
    }
    const trimZeros = (frac, keep) => {
      let end = frac.length;
      while (end > keep && frac.charCodeAt(end - 1) === 48) end--;
      return frac.slice(0, end);
    };
    function rawFixed(s, d, up) {
      const f = s.maximumFractionDigits;
      const [int, frac] = digitsOf(roundAt(d.m, d.scale, f, s.roundingIncrement, up), f);
      return { int, frac: trimZeros(frac, s.minimumFractionDigits), magnitude: -f };
    }
    function rawPrecision(s, d, up) {
      const p = s.maximumSignificantDigits;
      if (d.m === 0n) return { int: '0', frac: '0'.repeat(s.minimumSignificantDigits - 1), magnitude: 1 - p };
      let e = `${d.m}`.length - 1 - d.scale;
      let f = p - 1 - e;
      let q = roundAt(d.m, d.scale, f, 1, up);
      if (`${q}`.length > p) { q /= 10n; f -= 1; e += 1; } // 9.99 -> 10.0: one digit more
      const [int, frac] = digitsOf(q, f);
      return { int, frac: trimZeros(frac, s.minimumSignificantDigits - 1 - e), magnitude: e - p + 1 };
    }
    const group = (int) => int.replace(/\B(?=(?:\d{3})+$)/g, ',');
    // The digits of a finite value: { neg, int (grouped), frac, zero }.
    function finiteDigits(s, value) {
      let neg, int, frac;
      const percent = s.style === 'percent';
      // (A percentage is 100 times the shortest decimal digits, exactly: not a double's product.)
      if (typeof value === 'number' && !percent && s.roundingType === 'fractionDigits' && s.roundingIncrement === 1 && s.roundingMode === 'halfExpand') {
        neg = value < 0 || Object.is(value, -0);
        const x = abs(value);
        const text = native.intlFormatNumber(x, s.minimumIntegerDigits, s.minimumFractionDigits, s.maximumFractionDigits, s.useGrouping !== false);
        const dot = text.indexOf('.');
        int = (dot === -1 ? text : text.slice(0, dot)).replace(/^-/, '');
        frac = dot === -1 ? '' : text.slice(dot + 1);
        if (s.useGrouping === 'min2' && int.length < 6) int = int.replace(',', '');
      } else {
        const d = typeof value === 'number' ? decimalOfDouble(value) : value;
        neg = d.neg;
        const dec = percent ? { m: d.m, scale: d.scale - 2 } : d;
        const up = rounder(s.roundingMode, neg);
        let r;
        if (s.roundingType === 'fractionDigits') r = rawFixed(s, dec, up);
        else if (s.roundingType === 'significantDigits') r = rawPrecision(s, dec, up);
        else {
          const sr = rawPrecision(s, dec, up);
          const fr = rawFixed(s, dec, up);
          r = s.roundingType === 'morePrecision' ? (sr.magnitude <= fr.magnitude ? sr : fr) : (sr.magnitude <= fr.magnitude ? fr : sr);
        }
        int = r.int.padStart(s.minimumIntegerDigits, '0');
        frac = r.frac;
        if (s.useGrouping !== false && (s.useGrouping !== 'min2' || int.length > 4)) int = group(int);
      }
      if (s.trailingZeroDisplay === 'stripIfInteger' && /^0*$/.test(frac)) frac = '';
      return { neg, int, frac, zero: /^[0,]*$/.test(int) && /^0*$/.test(frac) };
    }
    function signOf(display, neg, zero, nan) {
      switch (display) {
        case 'never': return '';
        case 'always': return neg ? '-' : '+';
        case 'exceptZero': return zero || nan ? '' : neg ? '-' : '+';
        case 'negative': return neg && !zero ? '-' : '';
        default: return neg ? '-' : '';
      }
    }
    function numberParts(s, x) {
      const value = toIntlValue(x);
      const out = [];
      const push = (type, v) => out.push({ type, value: v });
      let digits = null;
      let neg = false;
      const nan = value !== value;
      if (typeof value === 'object' || Number.isFinite(value)) {
        digits = finiteDigits(s, value);
        neg = digits.neg;
      } else {
        neg = value < 0;
      }
      const sign = signOf(s.signDisplay, neg, digits !== null && digits.zero, nan);
      const currency = s.style === 'currency';
      const parens = currency && s.currencySign === 'accounting' && sign === '-';
      if (parens) push('literal', '(');
      else if (sign) push(sign === '-' ? 'minusSign' : 'plusSign', sign);
      if (currency) {
        const t = currencyTable();
        const code = s.currency;
        const symbol = s.currencyDisplay === 'code' ? code
          : (s.currencyDisplay === 'narrowSymbol' && t.narrow.get(code)) || t.symbol.get(code) || code;
        push('currency', symbol);
        // CLDR's currency spacing: a symbol that does not end in a symbol character is set off from digits.
        if (digits !== null && !/\p{S}$/u.test(symbol)) push('literal', NBSP);
      }
      if (nan) push('nan', 'NaN');
      else if (digits === null) push('infinity', '\u221e');
      else {
        const groups = digits.int.split(',');
        for (let i = 0; i < groups.length; i++) {
          if (i > 0) push('group', ',');
          push('integer', groups[i]);
        }
        if (digits.frac) {
          push('decimal', '.');
          push('fraction', digits.frac);
        }
      }
      if (s.style === 'percent') push('percentSign', '%');
      if (parens) push('literal', ')');
      return out;
    }
    const joinParts = (parts) => parts.map((p) => p.value).join('');
    const formatNumber = (s, x) => joinParts(numberParts(s, x));
    const anonymous = (f) => defineProperty(f, 'name', { value: '' });

    function NumberFormat() {
      const nf = construct(new.target, NumberFormat);
      slots.set(nf, numberFormatSlots(arguments[0], arguments[1]));
      return nf;
    }
    defineMethods(NumberFormat.prototype, {
      get format() {
        const s = slotsOf(this, 'NumberFormat', 'get Intl.NumberFormat.prototype.format');
        if (s.bound === undefined) s.bound = anonymous((x) => formatNumber(s, x));
        return s.bound;
      },
      formatToParts(x) {
        return numberParts(slotsOf(this, 'NumberFormat', 'Intl.NumberFormat.prototype.formatToParts'), x);
      },
      resolvedOptions() {
        const s = slotsOf(this, 'NumberFormat', 'Intl.NumberFormat.prototype.resolvedOptions');
        const o = { locale: LOCALE, numberingSystem: 'latn', style: s.style };
        if (s.style === 'currency') Object.assign(o, { currency: s.currency, currencyDisplay: s.currencyDisplay, currencySign: s.currencySign });
        o.minimumIntegerDigits = s.minimumIntegerDigits;
        if (s.minimumFractionDigits !== undefined) Object.assign(o, { minimumFractionDigits: s.minimumFractionDigits, maximumFractionDigits: s.maximumFractionDigits });
        if (s.minimumSignificantDigits !== undefined) {
          Object.assign(o, { minimumSignificantDigits: s.minimumSignificantDigits, maximumSignificantDigits: s.maximumSignificantDigits });
        }
        return Object.assign(o, { useGrouping: s.useGrouping, notation: s.notation, signDisplay: s.signDisplay, roundingIncrement: s.roundingIncrement,
          roundingMode: s.roundingMode, roundingPriority: s.roundingPriority, trailingZeroDisplay: s.trailingZeroDisplay });
      },
    });

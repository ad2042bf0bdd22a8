    // ---------------------------------------------------------- the namespace
    for (const [C, name] of [[NumberFormat, 'NumberFormat'], [Collator, 'Collator'], [DateTimeFormat, 'DateTimeFormat']]) {
      defineProperty(C, 'prototype', { writable: false });
      defineMethods(C, { supportedLocalesOf(locales) { return supportedLocalesOf(`Intl.${name}`, locales, arguments[1]); } });
      defineProperty(C.prototype, Symbol.toStringTag, { value: `Intl.${name}`, configurable: true });
    }
    const Intl = {};
    defineMethods(Intl, { getCanonicalLocales(locales) { return canonicalizeLocaleList(locales); } });
    for (const C of [DateTimeFormat, NumberFormat, Collator]) defineProperty(Intl, C.name, hidden(C));
    defineProperty(Intl, Symbol.toStringTag, { value: 'Intl', configurable: true });

    // The built-ins that are Intl underneath, in place (same name, length, attributes).
    let defaultNumberSlots = null;
    let defaultCollatorSlots = null;
    // Number's and BigInt's toLocaleString: the same but for the value they read.
    const toLocaleString = (Type, valueOf) => ({
      toLocaleString() {
        let x;
        try { x = valueOf.call(this); } catch { throw new TypeError(`${Type}.prototype.toLocaleString requires that 'this' be a ${Type}`); }
        const locales = arguments[0];
        const options = arguments[1];
        if (locales === undefined && options === undefined) return formatNumber(defaultNumberSlots || (defaultNumberSlots = numberFormatSlots()), x);
        return formatNumber(numberFormatSlots(locales, options, `${Type}.prototype.toLocaleString`), x);
      },
    });
    defineMethods(Number.prototype, toLocaleString('Number', numberValue));
    defineMethods(BigInt.prototype, toLocaleString('BigInt', bigintValue));
    const dateMethod = (name, required, defaults) => ({
      [name]() {
        let t;
        try { t = getTime.call(this); } catch { throw incompatible(`Date.prototype.${name}`, this); }
        if (t !== t) return 'Invalid Date';
        return formatDate(dateTimeSlotsFor(arguments[0], arguments[1], required, defaults, `Date.prototype.${name}`), t);
      },
    });
    defineMethods(DateProto, { ...dateMethod('toLocaleString', 'any', 'all'), ...dateMethod('toLocaleDateString', 'date', 'date'),
      ...dateMethod('toLocaleTimeString', 'time', 'time') });
    defineMethods(String.prototype, {
      localeCompare(that) {
        if (this === undefined || this === null) throw new TypeError('String.prototype.localeCompare called on null or undefined');
        const a = `${this}`;
        const b = `${that}`;
        const locales = arguments[1];
        const options = arguments[2];
        if (locales === undefined && options === undefined) return compareStrings(defaultCollatorSlots || (defaultCollatorSlots = collatorSlots()), a, b);
        return compareStrings(collatorSlots(locales, options, 'String.prototype.localeCompare'), a, b);
      },
    });
    return Intl;
  })();

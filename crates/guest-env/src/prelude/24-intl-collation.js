    // ---------------------------------------------------------- collation
    function collatorSlots(locales, options, service = 'Intl.Collator') {
      canonicalizeLocaleList(locales);
      options = coerceOptions(options, service);
      const usage = getOption(options, 'usage', ['sort', 'search'], 'sort', service);
      getOption(options, 'localeMatcher', ['lookup', 'best fit'], 'best fit', service);
      getTypeOption(options, 'collation');
      const numeric = getBoolean(options, 'numeric');
      getOption(options, 'caseFirst', ['upper', 'lower', 'false'], undefined, service);
      const sensitivity = getOption(options, 'sensitivity', ['base', 'accent', 'case', 'variant'], 'variant', service);
      const ignorePunctuation = getBoolean(options, 'ignorePunctuation');
      return { kind: 'Collator', usage, sensitivity, ignorePunctuation: ignorePunctuation === true, numeric: numeric === true };
    }
    const compareStrings = (s, a, b) => native.intlCompare(`${a}`, `${b}`, s.sensitivity, s.numeric, s.ignorePunctuation);
    function Collator() {
      const c = construct(new.target, Collator);
      slots.set(c, collatorSlots(arguments[0], arguments[1]));
      return c;
    }
    defineMethods(Collator.prototype, {
      get compare() {
        const s = slotsOf(this, 'Collator', 'get Intl.Collator.prototype.compare');
        if (s.bound === undefined) s.bound = anonymous((a, b) => compareStrings(s, a, b));
        return s.bound;
      },
      resolvedOptions() {
        const s = slotsOf(this, 'Collator', 'Intl.Collator.prototype.resolvedOptions');
        return { locale: LOCALE, usage: s.usage, sensitivity: s.sensitivity, ignorePunctuation: s.ignorePunctuation, collation: 'default',
          numeric: s.numeric, caseFirst: 'false' };
      },
    });

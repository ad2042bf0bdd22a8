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

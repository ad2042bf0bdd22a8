  // ------------------------------------------------------------------ Event / EventTarget
  // Node's custom inspection of platform objects: `Name { ...fields }`.
  const inspectAs = (self, obj, depth, options) =>
    (depth < 0 ? self : `${self.constructor.name} ${inspect(obj, { ...options, depth: options.depth - 1 })}`);
  const optionsObject = (options) => {
    if (options != null && !isObjectLike(options)) throw invalidArgType('options', 'of type object', options);
    return options || {};
  };

  const trustedEvents = new WeakSet();
  let isEvent, eventState;
  class Event {
    #type; #bubbles; #cancelable; #composed;
    #timeStamp = now();
    #defaultPrevented = false; #stop = false; #stopImmediate = false;
    #target = null; #dispatching = false;
    constructor(type, options = undefined) {
      if (arguments.length === 0) throw missingArgs('The "type" argument must be specified');
      options = optionsObject(options);
      [this.#type, this.#bubbles, this.#cancelable, this.#composed] = [`${type}`, Boolean(options.bubbles), Boolean(options.cancelable), Boolean(options.composed)];
    }
    get type() { return this.#type; }
    get bubbles() { return this.#bubbles; }
    get cancelable() { return this.#cancelable; }
    get composed() { return this.#composed; }
    get defaultPrevented() { return this.#cancelable && this.#defaultPrevented; }
    get returnValue() { return !this.defaultPrevented; }
    get timeStamp() { return this.#timeStamp; }
    get target() { return this.#target; }
    get currentTarget() { return this.#dispatching ? this.#target : null; }
    get srcElement() { return this.#target; }
    get eventPhase() { return this.#dispatching ? 2 : 0; }
    get isTrusted() { this.#type; return trustedEvents.has(this); }
    get cancelBubble() { return this.#stop; }
    set cancelBubble(value) { if (value) this.#stop = true; }
    composedPath() { return this.#dispatching ? [this.#target] : []; }
    preventDefault() { this.#defaultPrevented = true; } // Node 20 lets passive listeners cancel too
    stopPropagation() { this.#stop = true; }
    stopImmediatePropagation() { this.#stop = this.#stopImmediate = true; }
    initEvent(type, bubbles = false, cancelable = false) {
      if (arguments.length === 0) throw missingArgs('The "type" argument must be specified');
      if (!this.#dispatching) [this.#type, this.#bubbles, this.#cancelable] = [`${type}`, Boolean(bubbles), Boolean(cancelable)];
    }
    [kCustom](depth, options) {
      return inspectAs(this, { type: this.#type, defaultPrevented: this.defaultPrevented, cancelable: this.#cancelable, timeStamp: this.#timeStamp }, depth, options);
    }
    static {
      isEvent = (v) => isObjectLike(v) && #type in v;
      eventState = { // what EventTarget needs while dispatching
        dispatching: (e) => e.#dispatching,
        begin(e, target) { e.#target = target; e.#dispatching = true; e.#stop = e.#stopImmediate = false; },
        end(e) { e.#dispatching = false; },
        stoppedImmediately: (e) => e.#stopImmediate,
      };
    }
  }
  Object.defineProperties(Event, { NONE: { value: 0, enumerable: true }, CAPTURING_PHASE: { value: 1, enumerable: true },
    AT_TARGET: { value: 2, enumerable: true }, BUBBLING_PHASE: { value: 3, enumerable: true } });

  class CustomEvent extends Event {
    #detail;
    constructor(type, options = undefined) {
      if (arguments.length === 0) throw missingArgs('The "type" argument must be specified');
      super(type, options);
      this.#detail = options && options.detail !== undefined ? options.detail : null;
    }
    get detail() { return this.#detail; }
  }

  // A listener that throws must not stop the others. Node rethrows such an
  // error as an uncaught exception on the next tick; here it is reported at
  // once, as console.error("Uncaught", error) would, and dispatch goes on.
  const reportError = (err) => emit('error', `Uncaught ${inspect(err)}`);

  class EventTarget {
    #listeners = new Map(); // type -> [{ listener, capture, once, removed }]
    addEventListener(type, listener, options = undefined) {
      if (arguments.length < 2) throw missingArgs('The "type" and "listener" arguments must be specified');
      if (listener == null) return; // Node ignores it (with a warning)
      if (typeof listener !== 'function' && typeof listener !== 'object') throw invalidArgType('listener', 'an instance of EventListener', listener);
      type = `${type}`;
      const opts = typeof options === 'boolean' ? { capture: options } : optionsObject(options);
      const capture = Boolean(opts.capture), once = Boolean(opts.once), signal = opts.signal;
      if (signal !== undefined && !isAbortSignal(signal)) throw invalidArgType('options.signal', 'an instance of AbortSignal', signal, 'property');
      if (signal && signal.aborted) return;
      let list = this.#listeners.get(type);
      if (list === undefined) this.#listeners.set(type, list = []);
      if (list.some((r) => r.listener === listener && r.capture === capture)) return; // duplicates are ignored
      list.push({ listener, capture, once, removed: false });
      if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, listener, { capture }), { once: true });
    }
    removeEventListener(type, listener, options = undefined) {
      if (arguments.length < 2) throw missingArgs('The "type" and "listener" arguments must be specified');
      const capture = typeof options === 'boolean' ? options : Boolean(options && options.capture);
      const list = this.#listeners.get(`${type}`) || [];
      const index = list.findIndex((r) => r.listener === listener && r.capture === capture);
      if (index !== -1) list.splice(index, 1)[0].removed = true;
    }
    dispatchEvent(event) {
      if (!isEvent(event)) throw invalidArgType('event', 'an instance of Event', event);
      if (eventState.dispatching(event)) throw withCode(new Error(`The event "${event.type}" is already being dispatched`), 'ERR_EVENT_RECURSION');
      // A snapshot: listeners added during dispatch wait for the next one.
      const list = (this.#listeners.get(event.type) || []).slice();
      eventState.begin(event, this);
      try {
        for (const record of list) {
          if (record.removed) continue;
          if (record.once) this.removeEventListener(event.type, record.listener, { capture: record.capture });
          try {
            const { listener } = record;
            const result = typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
            if (result != null && typeof result.then === 'function') result.then(undefined, reportError);
          } catch (err) {
            reportError(err);
          }
          if (eventState.stoppedImmediately(event)) break;
        }
      } finally {
        eventState.end(event);
      }
      return !event.defaultPrevented;
    }
    [kCustom](depth, options) { return inspectAs(this, {}, depth, options); }
  }

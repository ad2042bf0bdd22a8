  // ------------------------------------------------------------------ ReadableStream
  // The streams standard's default controller and reader, without byte streams
  // (BYOB readers), pipes or transforms. `type: 'bytes'` is accepted and gives a
  // default stream: its chunks, as those of every stream here, can be any values.
  let isStream, streamOps;
  class ReadableStream {
    #state = 'readable'; // 'closed' or 'errored' for good
    #storedError = undefined;
    #disturbed = false; // read from or cancelled, ever
    #reader = null;
    #readRequests = []; // the reader's pending read() calls: { resolve, reject }
    #queue = []; // { chunk, size }
    #queueSize = 0;
    #highWaterMark; #sizeOf;
    #started = false; #pulling = false; #pullAgain = false; #closeRequested = false;
    #pull = null; #cancel = null;
    #controller;
    constructor(underlyingSource = undefined, strategy = undefined) {
      if (underlyingSource === null || (underlyingSource !== undefined && !isObjectLike(underlyingSource))) {
        throw invalidArgType('source', 'of type object', underlyingSource);
      }
      if (strategy != null && !isObjectLike(strategy)) throw invalidArgType('strategy', 'of type object', strategy);
      const source = underlyingSource === undefined ? {} : underlyingSource;
      const { cancel, pull, start, type } = source;
      for (const [key, f] of [['cancel', cancel], ['pull', pull], ['start', start]]) {
        if (f !== undefined && typeof f !== 'function') throw invalidArgType(`source.${key}`, 'of type function', f, 'property');
      }
      if (type !== undefined && `${type}` !== 'bytes') throw invalidArgValue('source.type', type);
      const highWaterMark = strategy == null ? undefined : strategy.highWaterMark;
      const size = strategy == null ? undefined : strategy.size;
      if (size !== undefined && typeof size !== 'function') throw invalidArgType('strategy.size', 'of type function', size, 'property');
      const hwm = highWaterMark === undefined ? (type === undefined ? 1 : 0) : +highWaterMark;
      if (Number.isNaN(hwm) || hwm < 0) throw invalidArgValue('strategy.highWaterMark', highWaterMark, RangeError);
      this.#highWaterMark = hwm;
      this.#sizeOf = size === undefined ? null : size;
      this.#controller = new ReadableStreamDefaultController(illegal, this);
      if (pull !== undefined) this.#pull = () => pull.call(source, this.#controller);
      if (cancel !== undefined) this.#cancel = (reason) => cancel.call(source, reason);
      const started = start === undefined ? undefined : start.call(source, this.#controller); // a throw leaves the constructor
      Promise.resolve(started).then(() => {
        this.#started = true;
        this.#pullIfNeeded();
      }, (err) => this.#error(err));
    }
    static #of(s) {
      if (!isStream(s)) throw invalidThis('ReadableStream');
      return s;
    }
    // ---- the controller's side
    #desiredSize() {
      return this.#state === 'errored' ? null : this.#state === 'closed' ? 0 : this.#highWaterMark - this.#queueSize;
    }
    #pullIfNeeded() {
      if (this.#state !== 'readable' || this.#closeRequested || !this.#started || this.#pull === null) return;
      if (this.#readRequests.length === 0 && !(this.#desiredSize() > 0)) return;
      if (this.#pulling) { this.#pullAgain = true; return; }
      this.#pulling = true;
      let result;
      try { result = this.#pull(); } catch (err) { this.#error(err); return; }
      Promise.resolve(result).then(() => {
        this.#pulling = false;
        if (this.#pullAgain) { this.#pullAgain = false; this.#pullIfNeeded(); }
      }, (err) => this.#error(err));
    }
    #enqueue(chunk) {
      if (this.#closeRequested || this.#state !== 'readable') throw invalidState('Controller is already closed');
      if (this.#readRequests.length > 0) {
        this.#readRequests.shift().resolve({ done: false, value: chunk });
      } else {
        let size = 1;
        if (this.#sizeOf !== null) {
          try {
            size = +this.#sizeOf.call(undefined, chunk);
            if (!(size >= 0 && size < Infinity)) {
              throw withCode(new RangeError(`The value of "size" is out of range. It must be a finite, non-negative number. Received ${size}`), 'ERR_OUT_OF_RANGE');
            }
          } catch (err) {
            this.#error(err);
            throw err;
          }
        }
        this.#queue.push({ chunk, size });
        this.#queueSize += size;
      }
      this.#pullIfNeeded();
    }
    #requestClose() {
      if (this.#closeRequested || this.#state !== 'readable') throw invalidState('Controller is already closed');
      this.#closeRequested = true;
      if (this.#queue.length === 0) this.#close();
    }
    #close() {
      this.#state = 'closed';
      this.#pull = this.#cancel = null;
      const requests = this.#readRequests;
      this.#readRequests = [];
      for (const r of requests) r.resolve({ done: true, value: undefined });
      if (this.#reader !== null) readerSettle(this.#reader, true);
    }
    #error(err) {
      if (this.#state !== 'readable') return;
      this.#state = 'errored';
      this.#storedError = err;
      this.#queue = [];
      this.#queueSize = 0;
      this.#pull = this.#cancel = null;
      const requests = this.#readRequests;
      this.#readRequests = [];
      for (const r of requests) r.reject(err);
      if (this.#reader !== null) readerSettle(this.#reader, false, err);
    }
    // ---- the reader's side
    #read() {
      this.#disturbed = true;
      if (this.#state === 'closed') return Promise.resolve({ done: true, value: undefined });
      if (this.#state === 'errored') return Promise.reject(this.#storedError);
      if (this.#queue.length > 0) {
        const { chunk, size } = this.#queue.shift();
        this.#queueSize = Math.max(0, this.#queueSize - size);
        if (this.#closeRequested && this.#queue.length === 0) this.#close(); else this.#pullIfNeeded();
        return Promise.resolve({ done: false, value: chunk });
      }
      return new Promise((resolve, reject) => {
        this.#readRequests.push({ resolve, reject });
        this.#pullIfNeeded();
      });
    }
    #cancelWith(reason) {
      this.#disturbed = true;
      if (this.#state === 'closed') return Promise.resolve();
      if (this.#state === 'errored') return Promise.reject(this.#storedError);
      const cancel = this.#cancel;
      this.#queue = [];
      this.#queueSize = 0;
      this.#close();
      let result;
      try { result = cancel === null ? undefined : cancel(reason); } catch (err) { return Promise.reject(err); }
      return Promise.resolve(result).then(noop);
    }
    // ---- the public API
    get locked() { return ReadableStream.#of(this).#reader !== null; }
    cancel(reason = undefined) {
      if (!isStream(this)) return Promise.reject(invalidThis('ReadableStream'));
      if (this.#reader !== null) return Promise.reject(invalidState('ReadableStream is locked'));
      return this.#cancelWith(reason);
    }
    getReader(options = undefined) {
      ReadableStream.#of(this);
      if (options != null && !isObjectLike(options)) throw invalidArgType('options', 'of type object', options);
      const mode = options == null ? undefined : options.mode;
      if (mode !== undefined) {
        if (`${mode}` !== 'byob') throw invalidArgValue('options.mode', mode);
        throw withCode(new TypeError(`The argument 'stream' must be a byte stream. Received ${inspect(this)}`), 'ERR_INVALID_ARG_VALUE');
      }
      return new ReadableStreamDefaultReader(this);
    }
    tee() { return teeStream(ReadableStream.#of(this), false); }
    values(options = undefined) {
      ReadableStream.#of(this);
      if (options != null && !isObjectLike(options)) throw invalidArgType('options', 'of type object', options);
      const preventCancel = Boolean(options != null && options.preventCancel);
      return new ReadableStreamAsyncIterator(illegal, new ReadableStreamDefaultReader(this), preventCancel);
    }
    static from(asyncIterable) {
      let iterator, sync = false;
      const asyncMethod = asyncIterable == null ? undefined : asyncIterable[Symbol.asyncIterator];
      if (asyncMethod != null) {
        iterator = asyncMethod.call(asyncIterable);
      } else {
        const method = asyncIterable == null ? undefined : asyncIterable[Symbol.iterator];
        if (typeof method !== 'function') throw typeError(`${inspect(asyncIterable)} must be iterable`, 'ERR_ARG_NOT_ITERABLE');
        iterator = method.call(asyncIterable);
        sync = true;
      }
      if (!isObjectLike(iterator)) throw new TypeError('The iterator method must return an object');
      const next = iterator.next;
      return new ReadableStream({
        async pull(controller) {
          const result = await next.call(iterator);
          if (!isObjectLike(result)) throw new TypeError('The promise returned by the iterator.next() method must fulfill with an object');
          if (result.done) controller.close();
          else controller.enqueue(sync ? await result.value : result.value);
        },
        async cancel(reason) {
          const method = iterator.return;
          if (method == null) return;
          const result = await method.call(iterator, reason);
          if (!isObjectLike(result)) throw new TypeError('The promise returned by the iterator.return() method must fulfill with an object');
        },
      }, { highWaterMark: 0 });
    }
    [kCustom](depth, options) {
      return inspectAs(this, { locked: this.#reader !== null, state: this.#state, supportsBYOB: false }, depth, options);
    }
    static {
      isStream = (v) => isObjectLike(v) && #state in v;
      streamOps = {
        desiredSize: (s) => s.#desiredSize(),
        enqueue: (s, chunk) => s.#enqueue(chunk),
        close: (s) => s.#requestClose(),
        error: (s, err) => s.#error(err),
        read: (s) => s.#read(),
        cancel: (s, reason) => s.#cancelWith(reason),
        state: (s) => s.#state,
        storedError: (s) => s.#storedError,
        disturbed: (s) => s.#disturbed,
        locked: (s) => s.#reader !== null,
        attach(s, reader) {
          if (s.#reader !== null) throw invalidState('ReadableStream is locked');
          s.#reader = reader;
        },
        detach(s) {
          const requests = s.#readRequests;
          s.#readRequests = [];
          for (const r of requests) r.reject(invalidState('Releasing reader'));
          s.#reader = null;
        },
      };
    }
  }
  defineProperty(ReadableStream.prototype, Symbol.asyncIterator, hidden(ReadableStream.prototype.values));

  class ReadableStreamDefaultController {
    #stream;
    constructor(token, stream) {
      if (token !== illegal) throw illegalConstructor();
      this.#stream = stream;
    }
    static #of(c) {
      if (!isObjectLike(c) || !(#stream in c)) throw invalidThis('ReadableStreamDefaultController');
      return c.#stream;
    }
    get desiredSize() { return streamOps.desiredSize(ReadableStreamDefaultController.#of(this)); }
    enqueue(chunk = undefined) { streamOps.enqueue(ReadableStreamDefaultController.#of(this), chunk); }
    close() { streamOps.close(ReadableStreamDefaultController.#of(this)); }
    error(err = undefined) { streamOps.error(ReadableStreamDefaultController.#of(this), err); }
  }

  let readerSettle;
  class ReadableStreamDefaultReader {
    #stream = null; // null once released
    #closed; #resolveClosed; #rejectClosed;
    constructor(stream) {
      if (!isStream(stream)) throw invalidArgType('stream', 'an instance of ReadableStream', stream);
      this.#closed = handled(new Promise((resolve, reject) => { this.#resolveClosed = resolve; this.#rejectClosed = reject; }));
      streamOps.attach(stream, this);
      this.#stream = stream;
      const state = streamOps.state(stream);
      if (state === 'closed') this.#resolveClosed();
      else if (state === 'errored') this.#rejectClosed(streamOps.storedError(stream));
    }
    static #ok(r) { return isObjectLike(r) && #closed in r; }
    read() {
      if (!ReadableStreamDefaultReader.#ok(this)) return Promise.reject(invalidThis('ReadableStreamDefaultReader'));
      if (this.#stream === null) return Promise.reject(invalidState('The reader is not attached to a stream'));
      return streamOps.read(this.#stream);
    }
    releaseLock() {
      if (!ReadableStreamDefaultReader.#ok(this)) throw invalidThis('ReadableStreamDefaultReader');
      const stream = this.#stream;
      if (stream === null) return;
      streamOps.detach(stream);
      if (streamOps.state(stream) === 'readable') this.#rejectClosed(invalidState('Reader released'));
      else this.#closed = handled(Promise.reject(invalidState('Reader released')));
      this.#stream = null;
    }
    get closed() {
      if (!ReadableStreamDefaultReader.#ok(this)) return Promise.reject(invalidThis('ReadableStreamDefaultReader'));
      return this.#closed;
    }
    cancel(reason = undefined) {
      if (!ReadableStreamDefaultReader.#ok(this)) return Promise.reject(invalidThis('ReadableStreamDefaultReader'));
      if (this.#stream === null) return Promise.reject(invalidState('The reader is not attached to a stream'));
      return streamOps.cancel(this.#stream, reason);
    }
    static {
      readerSettle = (r, ok, err) => (ok ? r.#resolveClosed() : r.#rejectClosed(err));
    }
  }

  const AsyncIteratorPrototype = getPrototypeOf(getPrototypeOf((async function* () {}).prototype));
  class ReadableStreamAsyncIterator {
    #reader; #preventCancel; #ongoing = null; #finished = false;
    constructor(token, reader, preventCancel) {
      if (token !== illegal) throw illegalConstructor();
      this.#reader = reader;
      this.#preventCancel = preventCancel;
    }
    static #ok(it) { return isObjectLike(it) && #reader in it; }
    #nextSteps() {
      if (this.#finished) return Promise.resolve({ done: true, value: undefined });
      return this.#reader.read().then((result) => {
        this.#ongoing = null;
        if (!result.done) return { done: false, value: result.value };
        this.#finished = true;
        this.#reader.releaseLock();
        return { done: true, value: undefined };
      }, (err) => {
        this.#ongoing = null;
        this.#finished = true;
        this.#reader.releaseLock();
        throw err;
      });
    }
    #returnSteps(value) {
      if (this.#finished) return Promise.resolve({ done: true, value });
      this.#finished = true;
      const reader = this.#reader;
      if (this.#preventCancel) {
        reader.releaseLock();
        return Promise.resolve({ done: true, value });
      }
      const cancelled = reader.cancel(value);
      reader.releaseLock();
      return cancelled.then(() => ({ done: true, value }));
    }
    next() {
      if (!ReadableStreamAsyncIterator.#ok(this)) return Promise.reject(invalidThis('ReadableStreamAsyncIterator'));
      const steps = () => this.#nextSteps();
      this.#ongoing = this.#ongoing === null ? steps() : this.#ongoing.then(steps, steps);
      return this.#ongoing;
    }
    return(value = undefined) {
      if (!ReadableStreamAsyncIterator.#ok(this)) return Promise.reject(invalidThis('ReadableStreamAsyncIterator'));
      const steps = () => this.#returnSteps(value);
      this.#ongoing = this.#ongoing === null ? steps() : this.#ongoing.then(steps, steps);
      return this.#ongoing.then(() => ({ done: true, value }));
    }
  }
  Object.setPrototypeOf(ReadableStreamAsyncIterator.prototype, AsyncIteratorPrototype);
  delete ReadableStreamAsyncIterator.prototype.constructor;

  // Two streams that each give every chunk of `stream` (which gets locked).
  function teeStream(stream, cloneForBranch2) {
    const reader = new ReadableStreamDefaultReader(stream);
    let reading = false, readAgain = false, canceled1 = false, canceled2 = false, reason1, reason2, c1, c2;
    let resolveCancel;
    const cancelled = new Promise((resolve) => { resolveCancel = resolve; });
    const safely = (f) => { try { f(); } catch { /* that branch is closed or errored already */ } };
    const pull = () => {
      if (reading) { readAgain = true; return Promise.resolve(); }
      reading = true;
      reader.read().then(({ value, done }) => {
        reading = false;
        if (done) {
          if (!canceled1) safely(() => c1.close());
          if (!canceled2) safely(() => c2.close());
          resolveCancel();
          return;
        }
        readAgain = false;
        const copy = cloneForBranch2 && taTag.call(value) !== undefined ? value.slice() : value;
        if (!canceled1) safely(() => c1.enqueue(value));
        if (!canceled2) safely(() => c2.enqueue(copy));
        if (readAgain) pull();
      }, noop); // an error reaches the branches through reader.closed
      return Promise.resolve();
    };
    const cancelBoth = () => resolveCancel(reader.cancel([reason1, reason2]));
    const branch1 = new ReadableStream({
      start(c) { c1 = c; },
      pull,
      cancel(reason) { canceled1 = true; reason1 = reason; if (canceled2) cancelBoth(); return cancelled; },
    });
    const branch2 = new ReadableStream({
      start(c) { c2 = c; },
      pull,
      cancel(reason) { canceled2 = true; reason2 = reason; if (canceled1) cancelBoth(); return cancelled; },
    });
    reader.closed.then(undefined, (err) => {
      c1.error(err);
      c2.error(err);
      resolveCancel();
    });
    return [branch1, branch2];
  }

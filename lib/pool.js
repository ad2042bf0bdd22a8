// SandboxPool: loaded sandboxes made from one recipe, handed out one call at a
// time. Built only on the public API (SandboxBuilder ... LoadedJSSandbox), so
// a pooled call behaves exactly like a call on a single sandbox.
'use strict';

const { performance } = require('node:perf_hooks');
const { SandboxBuilder } = require('./api.js');
const { apiError, show } = require('./errors.js');
const { checkOnConsole } = require('./console.js');

/** Bounds that catch a typo (a size in bytes, a timeout in seconds) rather than describe real limits. */
const LIMITS = {
  min: [0, 1024],
  max: [1, 1024],
  maxQueue: [0, 1_000_000],
  // setInterval's own limit; a longer idle timeout is better had with min = max.
  idleTimeoutMs: [1, 2_147_483_647],
};
const DEFAULTS = { min: 1, max: 4, maxQueue: 100, idleTimeoutMs: 30_000, resetAfterEachCall: false };
const KEYS = new Set([...Object.keys(DEFAULTS), 'builder', 'hostFunctions', 'modules', 'handlers']);


function invalid(message, ErrorType = TypeError) {
  return apiError('ERR_INVALID_ARG', `new SandboxPool(): ${message}`, ErrorType);
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function wholeNumber(options, key) {
  const value = options[key] === undefined ? DEFAULTS[key] : options[key];
  const [lo, hi] = LIMITS[key];
  if (typeof value !== 'number') throw invalid(`options.${key} must be a number, got ${show(value)}`);
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw invalid(`options.${key} must be a whole number from ${lo} to ${hi}, got ${show(value)}`, RangeError);
  }
  return value;
}

/** `{ name: source }` as a list of pairs; every name non-empty, every source a string. */
function sources(options, key, required) {
  const value = options[key];
  if (value === undefined && !required) return [];
  if (!isPlainObject(value)) throw invalid(`options.${key} must be an object of { name: source }, got ${show(value)}`);
  const entries = Object.entries(value);
  if (required && entries.length === 0) throw invalid(`options.${key} must name at least one handler`);
  for (const [name, source] of entries) {
    if (name.trim() === '') throw invalid(`options.${key} has an empty name`);
    if (typeof source !== 'string') throw invalid(`options.${key}.${name} must be a source string, got ${show(source)}`);
  }
  return entries;
}

/** `{ module: { fn: callback } }` as a list of [module, fn, callback]. */
function hostFunctions(options) {
  const value = options.hostFunctions;
  if (value === undefined) return [];
  if (!isPlainObject(value)) throw invalid(`options.hostFunctions must be an object of { module: { name: function } }, got ${show(value)}`);
  const out = [];
  for (const [module, fns] of Object.entries(value)) {
    if (!isPlainObject(fns)) throw invalid(`options.hostFunctions.${module} must be an object of { name: function }, got ${show(fns)}`);
    for (const [name, fn] of Object.entries(fns)) {
      if (typeof fn !== 'function') throw invalid(`options.hostFunctions.${module}.${name} must be a function, got ${show(fn)}`);
      out.push([module, name, fn]);
    }
  }
  return out;
}

function parseOptions(options) {
  if (!isPlainObject(options)) throw invalid(`options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw invalid(`unknown option ${JSON.stringify(key)} (known: ${[...KEYS].join(', ')})`);
  }
  const recipe = {
    min: wholeNumber(options, 'min'),
    max: wholeNumber(options, 'max'),
    maxQueue: wholeNumber(options, 'maxQueue'),
    idleTimeoutMs: wholeNumber(options, 'idleTimeoutMs'),
    resetAfterEachCall: options.resetAfterEachCall === undefined ? DEFAULTS.resetAfterEachCall : options.resetAfterEachCall,
    builder: options.builder,
    hostFunctions: hostFunctions(options),
    modules: sources(options, 'modules', false),
    handlers: sources(options, 'handlers', true),
  };
  if (recipe.min > recipe.max) {
    throw invalid(`options.min (${recipe.min}) must not be greater than options.max (${recipe.max})`, RangeError);
  }
  if (typeof recipe.resetAfterEachCall !== 'boolean') {
    throw invalid(`options.resetAfterEachCall must be a boolean, got ${show(recipe.resetAfterEachCall)}`);
  }
  if (recipe.builder !== undefined) {
    if (typeof recipe.builder !== 'function') throw invalid(`options.builder must be a function, got ${show(recipe.builder)}`);
    // A dry run on a builder that is never built: a bad setter value
    // (ERR_INVALID_ARG naming the setter) fails here rather than in the first call.
    recipe.builder(new SandboxBuilder());
  }
  return recipe;
}

/** The event as JSON would send it; one JSON cannot carry is kept as is, for the sandbox to refuse with its own error. */
function jsonCopy(event) {
  try {
    const json = JSON.stringify(event);
    if (json !== undefined) return JSON.parse(json);
  } catch {
    // refused at dispatch, as on a single sandbox
  }
  return event;
}

/** Settles after `promise`, never rejects: for work close() waits on but nobody reports. */
const quietly = (promise) => promise.then(
  () => undefined,
  () => undefined,
);

class SandboxPool {
  #recipe;
  /** Every loaded sandbox: { loaded, snapshot, interrupt, running, lastUsed }. */
  #all = new Set();
  /** Idle sandboxes, least recently used first: reuse takes from the end, the sweep from the front. */
  #idle = [];
  /** Calls waiting for a sandbox: { handlerName, event, options, resolve, reject, detach }. */
  #queue = [];
  #creating = 0;
  /** Sandboxes being reset after a call: each takes a waiting call soon, without a new sandbox. */
  #resetting = 0;
  /** The pool's post-load snapshot, a promise while it is being taken (#postLoadImage), and what it settled to. */
  #image = null;
  #imageTaken = null;
  /** Creations and unloads under way; close() waits for them. */
  #pending = new Set();
  #calls = 0;
  #resets = 0;
  #closed = false;
  #closing = null;
  #ready;
  #sweeper = null;

  constructor(options) {
    this.#recipe = parseOptions(options);
    const { min, max, idleTimeoutMs } = this.#recipe;
    const first = [];
    for (let i = 0; i < min; i++) first.push(this.#grow());
    this.#ready = Promise.all(first).then((errors) => {
      const err = errors.find(Boolean);
      if (err) throw err;
    });
    // Nobody has to call ready(): a failed fill must not be an unhandled rejection.
    quietly(this.#ready);
    if (max > min) {
      // Unref'd, and holding the pool only weakly: neither the timer nor an
      // idle pool keeps Node alive, and a pool dropped without close() can
      // still be collected (its sandboxes with it).
      const pool = new WeakRef(this);
      const period = Math.min(Math.max(Math.ceil(idleTimeoutMs / 4), 10), 5_000);
      const timer = setInterval(() => {
        const self = pool.deref();
        if (self) self.#sweep();
        else clearInterval(timer);
      }, period);
      timer.unref();
      this.#sweeper = timer;
    }
  }

  /** Resolves once the first `min` sandboxes are loaded; rejects with the error that stopped one. */
  ready() {
    if (this.#closed) return Promise.reject(this.#consumed('ready()'));
    return this.#ready;
  }

  get stats() {
    const size = this.#all.size;
    return {
      size,
      busy: size - this.#idle.length,
      idle: this.#idle.length,
      creating: this.#creating,
      queued: this.#queue.length,
      calls: this.#calls,
      resets: this.#resets,
    };
  }

  get closed() {
    return this.#closed;
  }

  callHandler(handlerName, event, options) {
    if (this.#closed) return Promise.reject(this.#consumed('callHandler()'));
    // Checked now, not when a sandbox takes the call: a bad sink is the caller's mistake.
    try {
      checkOnConsole(options?.onConsole, 'SandboxPool.callHandler()');
    } catch (err) {
      return Promise.reject(err);
    }
    const { max, maxQueue } = this.#recipe;
    // Calls that a sandbox being created or reset will take next do not count
    // against maxQueue: it bounds waiting for busy sandboxes once the pool is at max.
    const waiting = this.#queue.length - this.#creating - this.#resetting;
    if (this.#idle.length === 0 && this.#all.size + this.#creating >= max && waiting >= maxQueue) {
      return Promise.reject(
        apiError(
          'ERR_CANCELLED',
          `SandboxPool.callHandler(): the queue is full: all ${max} sandboxes are busy or starting and ${waiting} ` +
            `calls already wait (maxQueue ${maxQueue}); the call was not run`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      // A single sandbox serialises the event at once, even for a call that
      // waits; so does a pooled call that waits: later changes to it do not count.
      const copy = this.#idle.length === 0 ? jsonCopy(event) : event;
      const job = { handlerName, event: copy, options, resolve, reject, detach: null };
      if (this.#watchSignal(job)) {
        this.#queue.push(job);
        this.#pump();
      }
    });
  }

  /**
   * A call aborted while it waits leaves the queue at once, as one queued
   * behind another call on a single sandbox never runs. Once it starts, the
   * sandbox's own callHandler() watches the signal. The signal's type is
   * checked there too; here only what looks like one is watched.
   */
  #watchSignal(job) {
    const signal = job.options?.signal;
    if (typeof signal?.addEventListener !== 'function') return true;
    const cancel = () =>
      job.reject(apiError('ERR_CANCELLED', 'SandboxPool.callHandler(): the AbortSignal was aborted before the call started; the handler did not run', Error, signal.reason));
    if (signal.aborted) {
      cancel();
      return false;
    }
    const onAbort = () => {
      const at = this.#queue.indexOf(job);
      if (at !== -1) this.#queue.splice(at, 1);
      cancel();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    job.detach = () => signal.removeEventListener('abort', onAbort);
    return true;
  }

  /** Takes the next queued call, its signal no longer watched here. */
  #dequeue() {
    const job = this.#queue.shift();
    job.detach?.();
    return job;
  }

  /**
   * Rejects every queued call with ERR_CANCELLED, lets running calls finish
   * (or stops them with `{ kill: true }`), then unloads every sandbox.
   */
  close(options) {
    if (options !== undefined && !isPlainObject(options)) {
      return Promise.reject(apiError('ERR_INVALID_ARG', `SandboxPool.close(): options must be an object, got ${show(options)}`, TypeError));
    }
    if (options?.kill !== undefined && typeof options.kill !== 'boolean') {
      return Promise.reject(apiError('ERR_INVALID_ARG', `SandboxPool.close(): options.kill must be a boolean, got ${show(options.kill)}`, TypeError));
    }
    if (this.#closing) return this.#closing;
    this.#closed = true;
    clearInterval(this.#sweeper);
    const cancelled = apiError('ERR_CANCELLED', 'SandboxPool.close(): the pool was closed before this call started');
    while (this.#queue.length > 0) this.#dequeue().reject(cancelled);
    const entries = [...this.#all];
    this.#all.clear();
    this.#idle = [];
    this.#image = null;
    this.#imageTaken = null;
    for (const entry of entries) {
      if (options?.kill) this.#stop(entry);
      // Queued on the sandbox after its running call, so that call finishes (or is stopped) first.
      this.#discard(entry);
    }
    this.#closing = Promise.all(this.#pending).then(() => undefined);
    return this.#closing;
  }

  /** kill() stops only a call that has started on the sandbox's thread; one just handed over may not have yet. */
  #stop(entry) {
    if (entry.running && !entry.interrupt.kill()) setTimeout(() => this.#stop(entry), 1);
  }

  #consumed(where) {
    return apiError('ERR_CONSUMED', `SandboxPool.${where}: the pool was closed (close())`);
  }

  /** Hands queued calls to idle sandboxes, and starts sandboxes for calls no one will take soon. */
  #pump() {
    if (this.#closed) return;
    while (this.#queue.length > 0 && this.#idle.length > 0) {
      // The most recently used sandbox: under light load the others stay idle and get reclaimed.
      this.#run(this.#idle.pop(), this.#dequeue());
    }
    const { min, max } = this.#recipe;
    for (;;) {
      const planned = this.#all.size + this.#creating;
      // A sandbox being reset is free again in about a millisecond: no new one for its next call.
      const unserved = this.#queue.length - this.#creating - this.#resetting;
      if (planned >= max || (unserved <= 0 && planned >= min)) break;
      this.#grow();
    }
  }

  /** Starts one sandbox; resolves with the error that stopped it, or undefined. Never rejects. */
  #grow() {
    this.#creating++;
    const attempt = this.#create().then(
      (entry) => {
        this.#creating--;
        if (this.#closed) return this.#discard(entry);
        this.#all.add(entry);
        this.#idle.push(entry);
        this.#pump();
        return undefined;
      },
      (err) => {
        this.#creating--;
        // Retrying here could spin on a recipe that never loads; the next call tries again.
        // Calls that nothing could serve now get the reason.
        if (this.#all.size === 0 && this.#creating === 0) {
          while (this.#queue.length > 0) this.#dequeue().reject(err);
        }
        return err;
      },
    );
    this.#track(attempt);
    return attempt;
  }

  async #create() {
    const { builder, hostFunctions: fns } = this.#recipe;
    const b = new SandboxBuilder();
    if (builder) builder(b);
    const proto = await b.build();
    for (const [module, name, fn] of fns) proto.hostModule(module).register(name, fn);
    const loaded = await this.#load(await proto.loadRuntime());
    const snapshot = await this.#postLoadImage(loaded);
    // Taken now: the getter throws once close() has unloaded the sandbox.
    return { loaded, snapshot, interrupt: loaded.interruptHandle, running: false, lastUsed: performance.now() };
  }

  /**
   * The state every reset goes back to (handlers compiled, top-level code
   * run, no call yet), as one snapshot for the whole pool: taken of the
   * first sandbox loaded (sharedSnapshot()), which every sandbox of the
   * recipe may restore, since each holds that same state right after its
   * load. On micro-VMs it is mapped from a file, so the sandboxes restored
   * from it share its pages instead of each keeping a copy of the guest.
   */
  #postLoadImage(loaded) {
    if (!this.#image) {
      const image = loaded.sharedSnapshot();
      this.#image = image;
      image.then(
        (snapshot) => {
          if (this.#image === image) this.#imageTaken = snapshot;
        },
        // A failed one is not kept: the next sandbox created tries again.
        () => {
          if (this.#image === image) this.#image = null;
        },
      );
    }
    return this.#image;
  }

  /** Compiles the recipe's modules and handlers in `js`. */
  #load(js) {
    for (const [name, source] of this.#recipe.modules) js.addModule(name, source);
    for (const [name, source] of this.#recipe.handlers) js.addHandler(name, source);
    return js.getLoadedSandbox();
  }

  /**
   * Brings a sandbox back to its post-load state. If that fails, the
   * sandbox is dropped, and the pool's snapshot too when it was the one
   * that failed (a process backend's snapshot process that died, say), so
   * that the next sandbox created takes a new one.
   */
  async #reset(entry) {
    try {
      await entry.loaded.restore(entry.snapshot);
    } catch (err) {
      if (entry.snapshot === this.#imageTaken) {
        this.#image = null;
        this.#imageTaken = null;
      }
      throw err;
    }
  }

  async #run(entry, job) {
    let outcome;
    entry.running = true;
    try {
      outcome = { value: await entry.loaded.callHandler(job.handlerName, job.event, job.options) };
    } catch (error) {
      outcome = { error };
    }
    entry.running = false;
    this.#calls++;
    if ('error' in outcome) job.reject(outcome.error);
    else job.resolve(outcome.value);
    // After close() the sandbox is already unloaded (after this call).
    if (this.#closed) return;
    if (this.#recipe.resetAfterEachCall || entry.loaded.poisoned) {
      this.#resetting++;
      try {
        const reset = this.#reset(entry);
        // close() waits for a reset under way, which may load a new sandbox.
        this.#track(quietly(reset));
        await reset;
        this.#resets++;
      } catch {
        this.#resetting--;
        // A sandbox that cannot be restored is dropped; #pump starts another if calls wait.
        if (this.#closed) return;
        this.#all.delete(entry);
        this.#discard(entry);
        this.#pump();
        return;
      }
      this.#resetting--;
      if (this.#closed) return;
    }
    entry.lastUsed = performance.now();
    this.#idle.push(entry);
    this.#pump();
  }

  /** Reclaims sandboxes idle longer than idleTimeoutMs, least recently used first, down to min. */
  #sweep() {
    const cutoff = performance.now() - this.#recipe.idleTimeoutMs;
    while (this.#all.size > this.#recipe.min && this.#idle.length > 0 && this.#idle[0].lastUsed <= cutoff) {
      const entry = this.#idle.shift();
      this.#all.delete(entry);
      this.#discard(entry);
    }
  }

  /**
   * There is no explicit destroy: unload() releases the loaded sandbox, and
   * the guest ends when the JSSandbox it returns (dropped here) and the
   * snapshot are garbage-collected.
   */
  #discard(entry) {
    const done = quietly(entry.loaded.unload());
    entry.snapshot = null;
    this.#track(done);
    return done;
  }

  #track(promise) {
    this.#pending.add(promise);
    promise.then(() => this.#pending.delete(promise));
  }
}

// `await using pool = new SandboxPool(...)` closes it when the block ends.
if (typeof Symbol.asyncDispose === 'symbol') {
  Object.defineProperty(SandboxPool.prototype, Symbol.asyncDispose, {
    value: function asyncDispose() {
      return this.close();
    },
    writable: true,
    configurable: true,
  });
}

module.exports = { SandboxPool };

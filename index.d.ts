// Types for @hyperlight/js-host-api. Kept by hand, in step with src/ and lib/ (api.js, pool.js);
// __test__/error-codes.test.js checks ErrorCode against lib/errors.js and the engine.
// Symbol.dispose and Symbol.asyncDispose (`using`, `await using`):
/// <reference lib="esnext.disposable" />

/** Every error the API throws or rejects with carries one of these codes. */
export type ErrorCode =
  | 'ERR_INVALID_ARG'
  | 'ERR_CONSUMED'
  | 'ERR_POISONED'
  | 'ERR_CANCELLED'
  | 'ERR_GUEST_ABORT'
  | 'ERR_INTERNAL';

export interface HyperlightError extends Error {
  code: ErrorCode;
  /**
   * `'Error'`, except for an `ERR_GUEST_ABORT` that a handler threw (or its
   * promise rejected with): then the guest error's own `name`, as the guest
   * saw it when the error left the handler (`'TypeError'`, `'RangeError'`, a
   * class's `'ValidationError'`). The error is an `Error` whatever its name;
   * its `message` is the guest's message followed by the guest's stack.
   */
  name: string;
}

/** Which isolation runs the guest: a Hyperlight micro-VM, or a jailed child process. */
export type Backend = 'hypervisor' | 'process';

/**
 * Whether Hyperlight micro-VMs really run on this host: probed once per
 * process by booting one (the presence of /dev/kvm proves nothing).
 */
export function hypervisorProbe(): Promise<{ available: boolean; reason: string | null }>;

/**
 * The package's counters and gauges in this process, as plain numbers: counters
 * only grow, from 0 when the addon loaded. Backends are always both present.
 */
export interface Metrics {
  /** Sandboxes whose guest started (`loadRuntime()`), per backend. */
  sandboxesCreated: { process: number; hypervisor: number };
  /** Sandboxes whose guest exists now, per backend (a dropped sandbox ends when it is garbage-collected). */
  sandboxesAlive: { process: number; hypervisor: number };
  /** Handler calls that reached a sandbox (not those refused by argument checks in JS). */
  calls: number;
  /** Failed calls by error code, e.g. `{ ERR_GUEST_ABORT: 2, ERR_CANCELLED: 1 }`. */
  callFailures: Record<string, number>;
  /** Calls stopped by an execution monitor, by monitor type (`'wall-clock'`, `'cpu-time'`). */
  monitorTerminations: Record<string, number>;
  /** Calls during which the guest died or crashed by itself (not stopped by a monitor, `kill()` or an abort). */
  guestCrashes: number;
  /** Bytes of guest console output dropped because a call (or load) went past `setMaxConsoleBytesPerCall`. */
  consoleDroppedBytes: number;
  /**
   * Micro-VM templates (the booted guest every micro-VM of one set of sizes
   * starts from) by how they came to be: `booted`, `loadedFromCache` (from
   * `setTemplateCache`'s directory, no guest booted), `rejectedFromCache`
   * (a cache file that could not be used: corrupt, truncated, foreign).
   */
  templates: { booted: number; loadedFromCache: number; rejectedFromCache: number };
  /**
   * Handler calls by where they waited for the guest's answer: `caller` (it
   * came within the fast path's spin, on the calling thread), `eventLoop`
   * (Node's event loop waited on the guest's doorbell, the process backend's
   * way for a call that takes longer), `sandboxThread` (the sandbox's own
   * thread waited: micro-VMs, calls that call host functions, calls queued
   * behind another).
   */
  callsWaited: { caller: number; eventLoop: number; sandboxThread: number };
}

/** A snapshot of the package's metrics; cheap enough to call on every scrape. */
export function metrics(): Metrics;

/**
 * The guest's request as a fetch policy gets it: Node's global `Request`,
 * typed here by what a policy reads, so that these types need neither the
 * DOM library nor @types/node. Its `signal` aborts when the call that made
 * the request ends before the policy answers (a monitor, `kill()`, an abort).
 */
export interface FetchRequest {
  readonly url: string;
  readonly method: string;
  readonly redirect: 'follow' | 'error' | 'manual';
  readonly headers: { get(name: string): string | null; has(name: string): boolean; forEach(fn: (value: string, name: string) => void): void };
  readonly signal: AbortSignalLike;
  readonly body: unknown;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * Decides each request of the guest's `fetch`: returns (or resolves to) a
 * `Response` of Node's (`new Response(...)`, or what Node's `fetch` gives),
 * or throws to refuse; the guest's `fetch` then rejects with a `TypeError`
 * carrying the message. Declared as a method so a function taking Node's
 * `Request` fits.
 */
export type FetchPolicy = { policy(request: FetchRequest): object | Promise<object> }['policy'];

export interface FetchOptions {
  /**
   * Largest request or response body, in bytes: whole number, 0 to 256 MiB
   * (default 1 MiB). A body must also fit the sandbox's buffers in base64 (a
   * third larger, plus 64 KiB): requests the output buffer, responses the
   * input buffer; the smaller limit applies. A larger body fails that fetch
   * (a TypeError in the guest saying which limit), not the call.
   */
  maxBodyBytes?: number;
}

/**
 * A ready fetch policy: requests to the listed origins (`'https://api.example.com'`,
 * `'http://127.0.0.1:8080'`; a path in the URL is ignored) go out through
 * `options.fetch` (default: Node's global `fetch`), any other is refused.
 * Redirects are followed one hop at a time and each hop must be allowed too.
 */
export function allowOrigins(origins: Array<string | { href: string }>, options?: { fetch?: (request: any) => Promise<object> }): FetchPolicy;

/** Any value JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Settings for a sandbox. Setters are chainable; `build()` consumes the builder. */
export class SandboxBuilder {
  constructor();
  /** Guest heap in bytes (whole number, 1 B to 16 GiB; default 64 MiB). */
  setHeapSize(bytes: number): this;
  /** Guest scratch (stack) in bytes (1 B to 256 MiB; default 1 MiB). */
  setScratchSize(bytes: number): this;
  /** Largest event, as JSON bytes (1 B to 1 GiB; default 4 MiB). */
  setInputBufferSize(bytes: number): this;
  /** Largest handler result, as JSON bytes (1 B to 1 GiB; default 4 MiB). */
  setOutputBufferSize(bytes: number): this;
  /** How long getLoadedSandbox() may run top-level guest code: whole ms, 1 to 3 600 000 (default 10 000). */
  setLoadTimeoutMs(ms: number): this;
  /** Default 'auto'. The HYPERLIGHT_JS_BACKEND environment variable overrides this. */
  setBackend(backend: 'auto' | Backend): this;
  /**
   * A directory where micro-VM templates (a booted, initialised guest for a
   * set of sizes) are written, for other processes to load instead of
   * booting a guest: a fleet of servers sharing it starts warm. Created if
   * missing; a relative path is resolved now. A file there that cannot be
   * used (corrupt, truncated, from another guest build or machine kind) is
   * replaced, and said with a process warning of code `ERR_INVALID_ARG`
   * naming it; the sandbox boots its own. Only micro-VMs use it: the process
   * backend's template is a forked process, which no file can hold.
   * The files are not authenticated: keep the directory writable only by
   * the service's own user.
   */
  setTemplateCache(dir: string): this;
  /**
   * Where the guest's console output (`console.*`, `print`) goes:
   * `'inherit'` (default: this process's stdout; `warn`, `error` and `trace`
   * to stderr), `'ignore'`, or a function that gets one entry per console
   * call. Entries reach it in the order written, and all of a call's entries
   * before that call's promise settles (also when it fails or is stopped).
   * A call's `onConsole` option overrides it for that call. A sink that
   * throws loses that entry and is reported once per sandbox with
   * `process.emitWarning`; the call is not failed.
   */
  setConsole(sink: 'inherit' | 'ignore' | ConsoleSink): this;
  /**
   * Console output one call (and the load) may write, in bytes of message
   * text: whole number, 0 to 1 GiB (default 1 MiB). Past it the rest of that
   * call's output is dropped and the sink gets one last `warn` entry saying
   * how many bytes; the call itself is not failed. `metrics().consoleDroppedBytes` counts them.
   */
  setMaxConsoleBytesPerCall(bytes: number): this;
  /**
   * Lets the guest's `fetch` reach the network through `policy`, which gets
   * every request and decides it (see `FetchPolicy`, `allowOrigins`); `null`
   * takes it away. Without a policy (the default) the guest's `fetch` rejects
   * with a `TypeError`: a sandbox has no network of its own.
   */
  setFetch(policy: FetchPolicy | null, options?: FetchOptions): this;
  /**
   * Consumes this builder, even when the build fails: a second `build()`
   * rejects, and a setter afterwards throws, with ERR_CONSUMED.
   */
  build(): Promise<ProtoJSSandbox>;
}

export class ProtoJSSandbox {
  readonly backend: Backend;
  /** Why setBackend('auto') could not use the micro-VM backend (null when it did, or was not asked to). */
  readonly fallbackReason: string | null;
  /** Functions the guest imports with `import * as m from "host:<name>"`. */
  hostModule(name: string): HostModule;
  /** Shorthand for `hostModule(moduleName).register(functionName, callback)`. */
  register(moduleName: string, functionName: string, callback: HostFunction): void;
  /** Starts the guest's JavaScript runtime; consumes this object. */
  loadRuntime(): Promise<JSSandbox>;
  /** Consumes this object without starting a guest; idempotent. */
  dispose(): void;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A host function: gets the guest's arguments (parsed from JSON) spread, and
 * returns a JSON-serialisable value or a Promise of one (`undefined` becomes `null`).
 * A throw or rejection becomes an error the guest can catch.
 */
export type HostFunction = (...args: any[]) => unknown;

export class HostModule {
  readonly name: string;
  /** Registers (or replaces) a function; chainable. Only before `loadRuntime()`. */
  register(functionName: string, callback: HostFunction): this;
}

export class JSSandbox {
  readonly backend: Backend;
  readonly poisoned: boolean;
  /** Adds or replaces a handler. `code` defines `function handler(event)`. */
  addHandler(name: string, code: string): void;
  removeHandler(name: string): void;
  clearHandlers(): void;
  /** An ES module importable as `'<namespace>:<name>'`; namespace defaults to 'user' ('host' is reserved). */
  addModule(name: string, source: string, namespace?: string): void;
  removeModule(name: string, namespace?: string): void;
  clearModules(): void;
  /**
   * Sends modules and handlers to the guest and compiles the handlers. On
   * failure (syntax error, missing import: ERR_INVALID_ARG; top-level code past
   * the load timeout: ERR_CANCELLED) this JSSandbox stays usable.
   */
  getLoadedSandbox(): Promise<LoadedJSSandbox>;
  /**
   * Frees the guest now rather than at garbage collection; later use is
   * ERR_CONSUMED. Idempotent. During a getLoadedSandbox() it frees the guest
   * only if that load fails.
   */
  dispose(): void;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** One console call of the guest; `print` counts as `log`. */
export interface ConsoleEntry {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
  /** Formatted as the guest's console formats its arguments (like Node's), without a final newline. */
  message: string;
}

export type ConsoleSink = (entry: ConsoleEntry) => void;

export interface CallHandlerOptions {
  /** Stop the call after this much real time: whole ms, 1 to 3 600 000. */
  wallClockTimeoutMs?: number;
  /** Stop the call after the guest used this much CPU time: whole ms, 1 to 3 600 000. */
  cpuTimeoutMs?: number;
  /**
   * Keep the guest's heap collected between calls (default true): after the
   * call the guest runs its cycle collector once it has allocated or freed
   * 256 KiB since the last collection (garbage without cycles is freed at once).
   */
  gc?: boolean;
  /**
   * Stops the call when aborted, like `interruptHandle.kill()` but for this
   * call only: it rejects with ERR_CANCELLED whose `cause` is the signal's
   * reason, and the sandbox is poisoned (`terminatedBy: 'abort'`). A call
   * aborted before it started (already aborted, or still queued behind
   * another call) never runs and poisons nothing. `AbortSignal.timeout()`
   * and `AbortSignal.any()` work; no listener stays on the signal.
   */
  signal?: AbortSignalLike;
  /**
   * This call's console output goes to this function instead of the
   * sandbox's sink (see `SandboxBuilder.setConsole`): to keep a request's
   * logs with the request. Every entry arrives before the call settles.
   */
  onConsole?: ConsoleSink;
}

/**
 * What `signal` needs of an AbortSignal: Node's global `AbortSignal` (from
 * `AbortController`, `AbortSignal.timeout()`, `AbortSignal.any()`) fits.
 * Spelled out so these types need neither the DOM library nor `@types/node`.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface CallStats {
  wallClockMs: number;
  /** CPU time the guest used during the call; null where it cannot be read. */
  cpuTimeMs: number | null;
  /** 'wall-clock', 'cpu-time', 'kill' (interruptHandle.kill()), 'abort' (its AbortSignal), or null for a call that ended by itself. */
  terminatedBy: string | null;
}

export class InterruptHandle {
  /** Stops the running call (it rejects with ERR_CANCELLED); returns whether one was running. */
  kill(): boolean;
}

/** A point-in-time copy of guest memory; released when garbage-collected. */
export class Snapshot {
  private constructor();
}

export class LoadedJSSandbox {
  readonly backend: Backend;
  readonly poisoned: boolean;
  readonly interruptHandle: InterruptHandle;
  /** Stats of the most recent call (set even when it failed); null before the first. */
  readonly lastCallStats: CallStats | null;
  /** Calls a handler with a JSON-serialisable event and resolves with its parsed result. */
  callHandler<T = any>(handlerName: string, eventData: JsonValue | object, options?: CallHandlerOptions): Promise<T>;
  /**
   * A copy of the guest now, restorable into this sandbox only. On micro-VMs
   * it is kept in an unlinked file under `setTemplateCache`'s directory, else
   * `TMPDIR`, else `/var/tmp`, so it costs memory only for the pages restored
   * guests read from it.
   */
  snapshot(): Promise<Snapshot>;
  /**
   * A snapshot of the state right after loading, before any call, that any
   * sandbox of the same recipe (backend, sizes, host function names, modules,
   * handlers) may restore: what `SandboxPool` shares among its sandboxes.
   * Rejects with `ERR_INVALID_ARG` once a call has run since the load.
   */
  sharedSnapshot(): Promise<Snapshot>;
  /** Back to exactly the snapshot's state; clears poisoning. Repeatable. */
  restore(snapshot: Snapshot): Promise<void>;
  /** Drops handlers and modules; this object is consumed. */
  unload(): Promise<JSSandbox>;
  /**
   * Frees the guest now rather than at garbage collection: a running call is
   * stopped, it and every queued call reject with ERR_CONSUMED, and later use
   * is ERR_CONSUMED. Idempotent.
   */
  dispose(): void;
  [Symbol.dispose](): void;
  /** `await using sandbox = ...` disposes it when the block ends. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** What every sandbox of a SandboxPool is made from, and how the pool sizes itself. */
export interface SandboxPoolOptions {
  /** Handlers every sandbox loads, `{ name: source }` (at least one); as `JSSandbox.addHandler()`. */
  handlers: Record<string, string>;
  /** User modules, `{ name: source }`, importable as `'user:<name>'`; as `JSSandbox.addModule()`. */
  modules?: Record<string, string>;
  /** Host functions, `{ module: { name: callback } }`, importable as `'host:<module>'`. */
  hostFunctions?: Record<string, Record<string, HostFunction>>;
  /**
   * Configures each sandbox's builder (sizes, load timeout, backend), synchronously;
   * `build()` is the pool's. Also run once by the constructor on a builder that is
   * never built, so a bad setter value throws there.
   */
  builder?: (builder: SandboxBuilder) => unknown;
  /** Sandboxes kept loaded even when idle: 0 to 1024 (default 1). Started by the constructor. */
  min?: number;
  /** Most sandboxes at once: 1 to 1024 (default 4); never below `min`. */
  max?: number;
  /**
   * Calls that may wait for a busy sandbox once `max` are running: 0 to
   * 1 000 000 (default 100). A call past it rejects with ERR_CANCELLED. Calls
   * waiting for a sandbox that is starting do not count.
   */
  maxQueue?: number;
  /** A sandbox idle this long (whole ms, 1 to 2 147 483 647; default 30 000) is unloaded, down to `min`. */
  idleTimeoutMs?: number;
  /** Restore the post-load snapshot after every call, so no state passes between calls. Default false. */
  resetAfterEachCall?: boolean;
}

export interface SandboxPoolStats {
  /** Loaded sandboxes (busy + idle). */
  size: number;
  /** Sandboxes running a call or being reset after one. */
  busy: number;
  idle: number;
  /** Sandboxes being started. */
  creating: number;
  /** Calls waiting for a sandbox. */
  queued: number;
  /** Calls that ran on a sandbox and settled, successfully or not. */
  calls: number;
  /** Resets to the post-load state (a snapshot restored, or on micro-VMs without `resetAfterEachCall` a reload): after a call that poisoned its sandbox, or after every call with `resetAfterEachCall`. */
  resets: number;
}

/**
 * Loaded sandboxes made from one recipe; each call runs on a free one, with
 * the same results and errors as `LoadedJSSandbox.callHandler()`. A sandbox a
 * call poisoned is restored to its post-load snapshot before its next call.
 */
export class SandboxPool {
  /** Throws ERR_INVALID_ARG naming a bad option; starts `min` sandboxes without waiting for them. */
  constructor(options: SandboxPoolOptions);
  /** A fresh copy on each read. */
  readonly stats: SandboxPoolStats;
  readonly closed: boolean;
  /** Resolves once the first `min` sandboxes are loaded; rejects with the error that stopped one (a handler that does not compile, ...). */
  ready(): Promise<void>;
  /**
   * Runs on an idle sandbox, or waits for one (starting another up to `max`).
   * A full queue rejects with ERR_CANCELLED; after `close()`, ERR_CONSUMED. A
   * call whose `signal` aborts while it waits leaves the queue (ERR_CANCELLED)
   * without running. The event is read when the call is made, as on a single sandbox.
   */
  callHandler<T = any>(handlerName: string, eventData: JsonValue | object, options?: CallHandlerOptions): Promise<T>;
  /**
   * Rejects every queued call with ERR_CANCELLED, lets running calls finish
   * (`kill: true` stops them: ERR_CANCELLED), then unloads every sandbox.
   * Later calls reject with ERR_CONSUMED. Repeatable: returns the same promise.
   */
  close(options?: { kill?: boolean }): Promise<void>;
  /** `await using pool = new SandboxPool(...)` closes it when the block ends. */
  [Symbol.asyncDispose](): Promise<void>;
}

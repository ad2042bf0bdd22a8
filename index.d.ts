// Types for @hyperlight/js-host-api. Kept by hand, in step with src/ and lib/index.js.

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
}

/** Which isolation runs the guest: a Hyperlight micro-VM, or a jailed child process. */
export type Backend = 'hypervisor' | 'process';

/**
 * Whether Hyperlight micro-VMs really run on this host: probed once per
 * process by booting one (the presence of /dev/kvm proves nothing).
 */
export function hypervisorProbe(): Promise<{ available: boolean; reason: string | null }>;

/** Any value JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

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
}

export interface CallHandlerOptions {
  /** Stop the call after this much real time: whole ms, 1 to 3 600 000. */
  wallClockTimeoutMs?: number;
  /** Stop the call after the guest used this much CPU time: whole ms, 1 to 3 600 000. */
  cpuTimeoutMs?: number;
  /** Collect garbage in the guest after the call. Default true. */
  gc?: boolean;
}

export interface CallStats {
  wallClockMs: number;
  /** CPU time the guest used during the call; null where it cannot be read. */
  cpuTimeMs: number | null;
  /** 'wall-clock', 'cpu-time', 'kill' (interruptHandle.kill()), or null for a call that ended by itself. */
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
  snapshot(): Promise<Snapshot>;
  /** Back to exactly the snapshot's state; clears poisoning. Repeatable. */
  restore(snapshot: Snapshot): Promise<void>;
  /** Drops handlers and modules; this object is consumed. */
  unload(): Promise<JSSandbox>;
}

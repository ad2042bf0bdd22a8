use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use hyperlight_js_engine::config::validate_timeout;
use hyperlight_js_engine::telemetry::{record_call_wait, CallWait};
use hyperlight_js_engine::worker::{Later, SandboxWorker};
use hyperlight_js_engine::{lock, BackendKind, CallOptions, CallStats, Console, ConsoleDestination, Outcome, Sandbox, SandboxSnapshot};
use napi::bindgen_prelude::*;
use napi::Env;
use napi_derive::napi;

use crate::call_abort::CallAbortHandle;
use crate::completions::flat;
use crate::error::{consumed, sync, to_napi, ConsumedBy};
use crate::interrupt_handle::InterruptHandle;
use crate::loop_wait::{CallEnds, Step};
use crate::snapshot::Snapshot;

/// How a call went on the fast path (see `call_handler_json`).
enum Fast {
    /// It ended within the poll, with what it wrote to a capturing console.
    Answered(hyperlight_js_engine::Result<String>, Option<Vec<String>>),
    /// It went on on the sandbox's thread; the completion handler settles it.
    HandedOver,
    /// It waits for its guest's doorbell in the event loop (see loop_wait.rs).
    Parked(crate::loop_wait::Waiting),
}

/// A sandbox with handlers compiled, ready for calls.
#[napi(js_name = "LoadedJSSandbox")]
pub struct LoadedJSSandbox {
    pub(crate) state: Arc<State>,
    /// Its entry in `CALLABLE`, through which `callHandlerJson` finds it.
    key: u32,
    pub(crate) kind: BackendKind,
    /// Handed on to the `JSSandbox` that `unload()` returns.
    pub(crate) load_timeout: std::time::Duration,
}

/// What the methods and `callHandlerJson` share.
pub(crate) struct State {
    /// Behind a lock, not `&mut self`: a host function that the fast path
    /// runs inside `callHandler` may call `unload()` on this very object.
    worker: Mutex<Option<SandboxWorker>>,
    /// What emptied `worker`: `unload()` or `dispose()`.
    consumed_by: Mutex<ConsumedBy>,
    last_stats: Mutex<Option<CallStats>>,
    pub(crate) console: Console,
}

/// Every live `LoadedJSSandbox`'s state, by key. `callHandlerJson` is a
/// plain function taking the key, not a method: napi-rs's glue for a method
/// registers each borrow of `self` in process-wide tables, which cost a
/// trivial call about a third of a microsecond on this path (measured); a
/// lookup here costs a few tens of nanoseconds.
static CALLABLE: Mutex<Option<HashMap<u32, Arc<State>>>> = Mutex::new(None);

impl LoadedJSSandbox {
    pub fn new(worker: SandboxWorker, kind: BackendKind, load_timeout: std::time::Duration, console: Console) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let state = Arc::new(State {
            worker: Mutex::new(Some(worker)),
            consumed_by: Mutex::new(ConsumedBy::Unload),
            last_stats: Mutex::new(None),
            console,
        });
        let mut table = lock(&CALLABLE);
        let table = table.get_or_insert_with(HashMap::new);
        // Keys wrap after 2^32 sandboxes; skip any still in use.
        let key = loop {
            let key = NEXT.fetch_add(1, Ordering::Relaxed);
            if key != 0 && !table.contains_key(&key) {
                break key;
            }
        };
        table.insert(key, state.clone());
        Self { state, key, kind, load_timeout }
    }
}

impl Drop for LoadedJSSandbox {
    fn drop(&mut self) {
        if let Some(table) = lock(&CALLABLE).as_mut() {
            table.remove(&self.key);
        }
    }
}

impl LoadedJSSandbox {
    /// `snapshot()` and `sharedSnapshot()`: `take` on the sandbox's thread.
    fn take_snapshot<'e>(&self, env: &'e Env, take: fn(&mut Sandbox) -> hyperlight_js_engine::Result<Arc<SandboxSnapshot>>) -> Result<Object<'e>> {
        // A snapshot may hold as much memory as its guest: V8 hears of each
        // one taken and each one collected.
        crate::telemetry::sync_external_memory(env);
        // Every check before the deferred: one never settled would keep Node alive.
        let worker = self.state.worker(env)?;
        let (promise, settle) = crate::promise::deferred(env, Snapshot::new)?;
        worker.submit(take, settle);
        Ok(promise)
    }
}

impl State {
    pub(crate) fn slot(&self) -> std::sync::MutexGuard<'_, Option<SandboxWorker>> {
        lock(&self.worker)
    }

    /// A handle on the sandbox (cheap: shared parts), unless `unload()` took it.
    fn worker(&self, env: &Env) -> Result<SandboxWorker> {
        self.slot().clone().ok_or_else(|| self.consumed(env))
    }

    pub(crate) fn consumed(&self, env: &Env) -> Error {
        to_napi(env, consumed("LoadedJSSandbox", *lock(&self.consumed_by)))
    }
}

/// Per-call options as they reach Rust: plain arguments, not an object,
/// because reading an object's properties through N-API costs more than a
/// trivial call's guest work (`lib/call.js` has checked their types).
fn call_options(
    gc: Option<bool>,
    wall_clock_ms: Option<f64>,
    cpu_ms: Option<f64>,
    abortable: Option<bool>,
) -> hyperlight_js_engine::Result<CallOptions> {
    Ok(CallOptions {
        gc: gc.unwrap_or(true),
        wall_clock: wall_clock_ms.map(|ms| validate_timeout("callHandler(): wallClockTimeoutMs", ms)).transpose()?,
        cpu_time: cpu_ms.map(|ms| validate_timeout("callHandler(): cpuTimeoutMs", ms)).transpose()?,
        // With an AbortSignal, `callHandlerJson` returns the handle its listener calls.
        abort: abortable.unwrap_or(false).then(Default::default),
    })
}

#[napi]
impl LoadedJSSandbox {
    #[napi(getter)]
    pub fn backend(&self) -> &'static str {
        self.kind.as_str()
    }

    #[napi(getter)]
    pub fn poisoned(&self) -> bool {
        self.state.slot().as_ref().is_some_and(|w| w.poisoned())
    }

    #[napi(getter)]
    pub fn interrupt_handle(&self, env: Env) -> Result<InterruptHandle> {
        Ok(InterruptHandle::new(self.state.worker(&env)?.control().clone()))
    }

    /// Statistics of the most recent call (even one that failed), or null before the first.
    #[napi(getter, ts_return_type = "CallStats | null")]
    pub fn last_call_stats<'e>(&self, env: &'e Env) -> Result<Option<Object<'e>>> {
        let stats = lock(&self.state.last_stats).clone();
        let Some(stats) = stats else { return Ok(None) };
        let mut obj = Object::new(env)?;
        obj.set("wallClockMs", stats.wall_clock_ms)?;
        match stats.cpu_time_ms {
            Some(ms) => obj.set("cpuTimeMs", ms)?,
            None => obj.set("cpuTimeMs", Null)?,
        }
        match stats.terminated_by {
            Some(by) => obj.set("terminatedBy", by)?,
            None => obj.set("terminatedBy", Null)?,
        }
        Ok(Some(obj))
    }

    /// This sandbox's key for `callHandlerJson` (lib/call.js reads it once).
    #[napi(getter)]
    pub fn call_key(&self) -> u32 {
        self.key
    }

    #[napi(ts_return_type = "Promise<Snapshot>")]
    pub fn snapshot<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        self.take_snapshot(env, Sandbox::snapshot)
    }

    /// `SandboxPool`'s: a snapshot of the state right after loading, before
    /// any call, that every sandbox of the same recipe (backend, sizes, host
    /// function names, modules, handlers) may restore, so a pool's sandboxes
    /// share one (see the engine's `Sandbox::shared_snapshot`).
    #[napi(ts_return_type = "Promise<Snapshot>")]
    pub fn shared_snapshot<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        self.take_snapshot(env, Sandbox::shared_snapshot)
    }

    /// Brings the guest back to exactly the snapshot's state and clears poisoning.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn restore<'e>(&self, env: &'e Env, snapshot: &Snapshot) -> Result<Object<'e>> {
        let snap = snapshot.inner();
        let worker = self.state.worker(env)?;
        let (promise, settle) = crate::promise::deferred(env, |()| ())?;
        worker.submit(move |sb| sb.restore(&snap), settle);
        Ok(promise)
    }

    /// Frees the guest now instead of when this object is garbage-collected:
    /// a running call is stopped, it and every queued call reject with
    /// `ERR_CONSUMED`, and any later use is `ERR_CONSUMED`. Idempotent.
    #[napi]
    pub fn dispose(&self, env: Env) {
        crate::telemetry::sync_external_memory(&env);
        if let Some(worker) = self.state.slot().take() {
            *lock(&self.state.consumed_by) = ConsumedBy::Dispose;
            worker.dispose("LoadedJSSandbox");
        }
    }
}

/// The native half of `callHandler`, for the sandbox whose `callKey` is
/// `sandbox`: the event arrives as JSON text and the result leaves as JSON
/// text, keyed by `id`; `lib/call.js` does the (de)serialising and owns the
/// promise. A result that came within the fast path's spin is returned as a
/// string, or as `[result, level, message, ...]` when the call's console
/// output was captured (`capture`: this call's, for an `onConsole`; else as
/// the sandbox's console says); otherwise it arrives through the completion
/// handler, and with `abortable` this returns the handle the call's
/// AbortSignal listener calls.
#[napi(ts_return_type = "string | string[] | CallAbortHandle | undefined")]
pub fn call_handler_json(
    env: Env,
    sandbox: u32,
    id: u32,
    handler: String,
    event_json: String,
    gc: Option<bool>,
    wall_clock_timeout_ms: Option<f64>,
    cpu_timeout_ms: Option<f64>,
    abortable: Option<bool>,
    capture: Option<bool>,
) -> Result<Either3<String, Vec<String>, Option<CallAbortHandle>>> {
    let completions = crate::completions::for_env(&env)?;
    let opts = sync(&env, call_options(gc, wall_clock_timeout_ms, cpu_timeout_ms, abortable))?;
    let Some(state) = lock(&CALLABLE).as_ref().and_then(|t| t.get(&sandbox).cloned()) else {
        return Err(to_napi(&env, hyperlight_js_engine::Error::invalid_arg("callHandler(): called on something that is not a LoadedJSSandbox")));
    };
    let worker = state.worker(&env)?;
    let abort_handle = opts.abort.clone().map(|abort| CallAbortHandle::new(worker.control().clone(), abort));
    // Where this call's console output goes: its `onConsole`, or the sandbox's sink.
    let console = state.console.clone();
    let sink = state.console.clone();
    let to = capture.unwrap_or(false).then_some(ConsoleDestination::Capture);
    // A call's end, on whichever thread it ends: its stats (a call the
    // guest never ran leaves the previous call's), and what it logged.
    let ended = move |(result, stats): Outcome| {
        if stats.is_some() {
            *lock(&state.last_stats) = stats;
        }
        (result, flat(sink.end()))
    };
    let done = move |outcome: hyperlight_js_engine::Result<(hyperlight_js_engine::Result<String>, Option<Vec<String>>)>| {
        let (result, console) = outcome.unwrap_or_else(|e| (Err(e), None));
        crate::completions::complete(&completions, id, result, console)
    };

    // The fast path, a policy of this caller: when the sandbox is idle,
    // start the call on this thread and poll briefly for its answer, so
    // that a quick handler costs no thread wake-up; what does not end
    // within the spin waits for its guest in the event loop, or goes on on
    // the sandbox's thread, ahead of anything queued meanwhile (loop_wait.rs).
    // Otherwise the whole call is queued there.
    // With several calls in flight nobody polls (`spin::budget`), but a call
    // still starts here: waiting in the loop costs this thread nothing.
    let spin = hyperlight_js_wire::spin::caller_budget();
    let fast = if hyperlight_js_wire::spin::caller_spin().is_zero() {
        None
    } else {
        worker.try_now(|sb, later| {
            console.begin(to);
            let started = sb.start(&handler, &event_json, &opts);
            let outcome = match started.or_else(|| if spin.is_zero() { None } else { sb.poll(spin) }) {
                Some(outcome) => outcome,
                None => match crate::loop_wait::go_on(sb, later, call_ends(ended.clone(), done.clone())) {
                    Step::Answered(outcome) => outcome,
                    Step::Parked(waiting) => return Fast::Parked(waiting),
                    Step::HandedOver => return Fast::HandedOver,
                },
            };
            record_call_wait(CallWait::Caller);
            let (result, console) = ended(outcome);
            Fast::Answered(result, console)
        })
    };
    match fast {
        Some(Fast::Answered(Ok(json), None)) => return Ok(Either3::A(json)),
        Some(Fast::Answered(Ok(json), Some(mut out))) => {
            out.insert(0, json);
            return Ok(Either3::B(out));
        }
        // Errors are rare: they take the ordinary way back.
        Some(Fast::Answered(Err(e), console)) => done(Ok((Err(e), console))),
        Some(Fast::HandedOver) => {}
        Some(Fast::Parked(waiting)) => crate::loop_wait::wait(&env, waiting),
        None => worker.submit(
            move |sb| {
                record_call_wait(CallWait::SandboxThread);
                console.begin(to);
                Ok(ended(sb.call(&handler, &event_json, &opts)))
            },
            done,
        ),
    }
    Ok(Either3::C(abort_handle))
}

/// How a call that goes on past the spin ends, wherever it waits: `ended`
/// takes its outcome apart, `done` settles it (once).
fn call_ends<E, D>(ended: E, done: D) -> CallEnds
where
    E: Fn(Outcome) -> (hyperlight_js_engine::Result<String>, Option<Vec<String>>) + Clone + Send + 'static,
    D: Fn(hyperlight_js_engine::Result<(hyperlight_js_engine::Result<String>, Option<Vec<String>>)>) + Clone + Send + Sync + 'static,
{
    // A call past the spin settles once, whichever of its ends comes first:
    // its outcome, or the sandbox failing it meanwhile (a parked call is
    // failed by `dispose()`). Built only here, off the fast path.
    let settled = Arc::new(AtomicBool::new(false));
    let done = move |outcome| {
        if !settled.swap(true, Ordering::AcqRel) {
            done(outcome)
        }
    };
    let fail = done.clone();
    let end = (ended.clone(), done.clone());
    CallEnds {
        end: Box::new(move |outcome| (end.1)(Ok((end.0)(outcome)))),
        fail: Arc::new(move |e| fail(Ok((Err(e), None)))),
        hand_over: Box::new(move |later: &Later<'_>| {
            record_call_wait(CallWait::SandboxThread);
            let ended = ended.clone();
            later.submit(move |sb| Ok(ended(sb.finish())), done.clone())
        }),
    }
}

//! The seam between the NAPI layer and an isolation technology.

use std::any::Any;
use std::sync::Arc;

use crate::call::InterruptTarget;
use crate::monitor::GuestClock;

use crate::config::{BackendKind, SandboxConfig};
use crate::console::Console;
use crate::error::{Error, Result};
pub use hyperlight_js_wire::channel::Doorbell;
use hyperlight_js_wire::HostModuleDecl;

/// A host function's outcome: the result as JSON text, or an error message for the guest.
pub type HostResult = std::result::Result<String, String>;

/// Where a host function's outcome goes. It may be sent from any thread,
/// late or never: a call that was cancelled meanwhile just drops it.
pub struct HostReply(pub std::sync::mpsc::Sender<HostResult>);

impl HostReply {
    pub fn send(self, result: HostResult) {
        let _ = self.0.send(result);
    }
}

/// Host functions as the engine sees them: names to declare in the guest,
/// and a way to call one with the guest's JSON argument array.
pub trait HostDispatch: Send + Sync {
    fn modules(&self) -> Vec<HostModuleDecl>;
    /// Starts the call; the outcome goes to `reply` whenever it is ready.
    fn call(&self, module: &str, function: &str, args_json: String, reply: HostReply);
    /// Runs the function on the calling thread, if that is the thread it
    /// belongs to (the fast path answers host calls without leaving it).
    fn call_here(&self, _module: &str, _function: &str, args_json: String) -> HostHere {
        HostHere::NotHere(args_json)
    }
}

/// What `HostDispatch::call_here` did.
pub enum HostHere {
    /// The function answered.
    Done(HostResult),
    /// It answers later (it returned a promise): the outcome comes on the
    /// receiver; the sender lets an interrupt end the wait.
    Later(std::sync::mpsc::Sender<HostResult>, std::sync::mpsc::Receiver<HostResult>),
    /// Not callable here: use `call`.
    NotHere(String),
}

pub struct NoHostFunctions;

impl HostDispatch for NoHostFunctions {
    fn modules(&self) -> Vec<HostModuleDecl> {
        Vec::new()
    }
    fn call(&self, module: &str, function: &str, _args: String, reply: HostReply) {
        reply.send(Err(format!("no host function {module}.{function} is registered")))
    }
}

pub trait Backend: Send + Sync {
    fn kind(&self) -> BackendKind;
    /// Refuses sizes this backend cannot honour, before any guest starts (`build()`).
    fn check_config(&self, _config: &SandboxConfig) -> Result<()> {
        Ok(())
    }
    /// This backend, its templates read from and written to `dir`
    /// (`setTemplateCache`); a backend whose templates cannot outlive the
    /// process returns itself.
    fn with_template_cache(self: Arc<Self>, dir: &std::path::Path) -> Arc<dyn Backend>;
    /// A guest with the runtime up and the host functions declared, but no
    /// handlers yet (see [`crate::Sandbox::boot`]). Its console output goes to `console`.
    fn load_runtime(&self, config: SandboxConfig, host: Arc<dyn HostDispatch>, console: Console) -> Result<Box<dyn Transport>>;
}

/// How the engine reaches one guest: what differs between backends and
/// nothing else. What a sandbox means (its handlers, poisoning, the checks
/// before a call, snapshot ownership, a call's outcome) is
/// [`crate::Sandbox`]'s, above this. Driven from one thread at a time.
pub trait Transport: Send {
    /// Registers modules and compiles handlers. On failure the sandbox
    /// resets the guest, so the caller can fix the source and retry.
    fn load(&mut self, modules: &[(String, String)], handlers: &[(String, String)]) -> Result<()>;
    /// Sends a checked call to the guest, without waiting for its answer
    /// (a guest that can only be run by blocking just keeps the request).
    fn start(&mut self, handler: &str, event_json: &str, gc: bool) -> Result<()>;
    /// The started call's result if it comes soon: waits for the guest at
    /// most `spin` at a time (answering host calls that
    /// [`HostDispatch::call_here`] can answer) and never past `cap`; never
    /// sleeps. `None`: not yet (always, for a guest that must be run by blocking).
    fn poll(&mut self, _spin: std::time::Duration, _cap: std::time::Instant) -> Option<Result<String>> {
        None
    }
    /// For a caller that waits for the started call in its own event loop
    /// rather than on a thread: arms the guest's doorbell and says which
    /// descriptor turns readable when the guest has written (see
    /// [`hyperlight_js_wire::channel::Doorbell`]); then `woken` reads what came.
    /// `Unavailable` (the default) when the call can only go on with `finish`:
    /// a guest run by blocking, or a host call `poll` left for it.
    fn doorbell(&mut self) -> Doorbell {
        Doorbell::Unavailable
    }
    /// After the doorbell's descriptor turned readable: what `poll` would
    /// find now, without waiting at all.
    fn woken(&mut self) -> Option<Result<String>> {
        None
    }
    /// Waits for the started call to end (or runs it), answering its host calls.
    fn finish(&mut self) -> Result<String>;
    /// Back to a guest as `load_runtime` made it: no handlers, no modules, usable.
    fn reset(&mut self) -> Result<()>;
    /// Why the guest cannot run anything any more, if it cannot (it died, it
    /// broke the protocol, its VM is poisoned): the transport's own fact,
    /// which [`crate::sandbox::Sandbox::poisoned`] turns into the sandbox's
    /// state. `look`: also find out whether it still lives, which may be a
    /// system call; otherwise only what is known already.
    fn failure(&self, look: bool) -> Option<String>;
    /// Stops the guest: its sandbox was poisoned by a cancelled call.
    fn stop(&mut self) {}
    /// About how many bytes of memory this guest holds outside the JS heap
    /// (the addon tells V8, so that dropped sandboxes are collected in time).
    fn memory_bytes(&self) -> u64;
    /// Stops the guest's current work from any thread; harmless when idle.
    fn interrupt_target(&self) -> InterruptTarget;
    /// The CPU clock that advances while the guest runs, if it is not the calling thread's.
    fn cpu_clock(&self) -> Option<GuestClock>;
    /// A copy of the guest now, to `restore` any number of times.
    fn snapshot(&mut self) -> Result<Box<dyn Any + Send + Sync>>;
    /// About how many bytes of memory one snapshot of this guest holds, told
    /// to V8 like `memory_bytes` so that dropped snapshots are collected in time.
    fn snapshot_bytes(&self) -> u64;
    /// Back to what `snapshot` copied (one of this backend's, taken from this guest).
    fn restore(&mut self, snapshot: &(dyn Any + Send + Sync)) -> Result<()>;
    /// The guest's process id, where it runs in a process of its own (tests look at it).
    fn pid(&self) -> Option<i32> {
        None
    }
}

/// The backend's own snapshot, from what [`Transport::snapshot`] made.
pub fn downcast_snapshot<T: 'static>(snapshot: &(dyn Any + Send + Sync)) -> Result<&T> {
    snapshot.downcast_ref::<T>().ok_or_else(|| Error::internal("restore(): the snapshot is of another backend"))
}

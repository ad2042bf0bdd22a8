//! The seam between the NAPI layer and an isolation technology.

use std::any::Any;
use std::sync::Arc;

use crate::call::InterruptTarget;
use crate::monitor::GuestClock;

use crate::config::SandboxConfig;
use crate::console::Console;
use crate::error::Result;
use crate::protocol::HostModuleDecl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// A jailed child process running the runtime natively.
    Process,
    /// A Hyperlight micro-VM.
    Hypervisor,
}

impl BackendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Process => "process",
            BackendKind::Hypervisor => "hypervisor",
        }
    }
}

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
    /// `ProtoJSSandbox.loadRuntime()`: a guest with the runtime up and the
    /// host functions declared, but no handlers yet.
    /// The guest's console output goes to `console`.
    fn load_runtime(&self, config: SandboxConfig, host: Arc<dyn HostDispatch>, console: Console) -> Result<Box<dyn GuestSandbox>>;
}

/// One guest, driven from a single thread (its [`crate::worker::SandboxWorker`]).
pub trait GuestSandbox: Send {
    /// Registers modules and compiles handlers. On failure the guest is reset
    /// to its just-loaded state, so the caller can fix the source and retry.
    fn load(&mut self, modules: &[(String, String)], handlers: &[(String, String)]) -> Result<()>;
    fn call(&mut self, handler: &str, event_json: &str, gc: bool) -> Result<String>;
    /// Whether `start_call`, `poll_call` and `finish_call` work: a call can
    /// be started on one thread, polled briefly there and finished on another
    /// (the caller-side fast path, see `call::call_fast`).
    fn has_fast_path(&self) -> bool {
        false
    }
    /// Checks and sends the call, without waiting for its answer.
    fn start_call(&mut self, _handler: &str, _event_json: &str, _gc: bool) -> Result<()> {
        Err(crate::Error::internal("this backend has no fast call path"))
    }
    /// The started call's result if it comes soon: waits for the guest at
    /// most `spin` at a time (answering host calls that `call_here` can
    /// answer) and never past `cap`; never sleeps. `None`: still running.
    fn poll_call(&mut self, _spin: std::time::Duration, _cap: std::time::Instant) -> Option<Result<String>> {
        None
    }
    /// Waits for the started call to end, answering its host calls.
    fn finish_call(&mut self) -> Result<String> {
        Err(crate::Error::internal("this backend has no fast call path"))
    }
    /// Back to the state `load_runtime` produced: no handlers, no modules, not poisoned.
    fn unload(&mut self) -> Result<()>;
    fn poisoned(&self) -> bool;
    /// About how many bytes of memory this guest holds outside the JS heap
    /// (the addon tells V8, so that dropped sandboxes are collected in time).
    fn memory_bytes(&self) -> u64;
    /// Makes the sandbox refuse calls until restored or unloaded, saying why.
    fn mark_poisoned(&mut self, why: String);
    /// Stops the guest's current work from any thread; harmless when idle.
    fn interrupt_target(&self) -> InterruptTarget;
    /// The CPU clock that advances while the guest runs, if it is not the calling thread's.
    fn cpu_clock(&self) -> Option<GuestClock>;
    /// A copy of guest memory now (handlers, module state), to `restore` any number of times.
    fn snapshot(&mut self) -> Result<Arc<dyn GuestSnapshot>>;
    fn restore(&mut self, snapshot: &dyn GuestSnapshot) -> Result<()>;
}

/// Calls name a handler the guest compiled; refuse others before the guest sees them.
pub fn check_handler_known(loaded: &[String], handler: &str) -> Result<()> {
    if loaded.iter().any(|h| h == handler) {
        return Ok(());
    }
    Err(crate::Error::invalid_arg(format!(
        "no handler named '{handler}' is loaded (loaded: {})",
        if loaded.is_empty() { "none".to_string() } else { loaded.join(", ") }
    )))
}

/// The event must fit the guest's input buffer.
pub fn check_event_size(config: &SandboxConfig, event_json: &str) -> Result<()> {
    let limit = config.input_buffer_size;
    if event_json.len() as u64 > limit {
        return Err(crate::Error::invalid_arg(format!(
            "the event is {} bytes of JSON, larger than the input buffer of {limit} bytes (setInputBufferSize)",
            event_json.len()
        )));
    }
    Ok(())
}

/// The error for a call on a poisoned sandbox, saying why and what to do.
pub fn poisoned_error(why: &str) -> crate::Error {
    crate::Error::poisoned(format!(
        "the sandbox is poisoned ({why}); call restore(snapshot) or unload() to use it again"
    ))
}

/// Identifies sandboxes, so a snapshot is only restored into its own.
pub fn next_sandbox_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// `snapshot` as this backend's type, if it was taken from sandbox `owner`.
pub fn own_snapshot<T: GuestSnapshot + 'static>(snapshot: &dyn GuestSnapshot, owner: u64) -> Result<&T> {
    snapshot
        .as_any()
        .downcast_ref::<T>()
        .filter(|s| s.owner() == owner)
        .ok_or_else(|| crate::Error::invalid_arg("restore(): this snapshot was taken from a different sandbox"))
}

/// A backend's snapshot, tied to the sandbox it was taken from.
pub trait GuestSnapshot: Send + Sync {
    /// Identifies the sandbox the snapshot belongs to.
    fn owner(&self) -> u64;
    fn as_any(&self) -> &dyn Any;
}

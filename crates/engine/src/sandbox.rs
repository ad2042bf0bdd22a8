//! What a sandbox is, whatever isolates its guest: an id, the handlers its
//! guest compiled, whether it is poisoned and why, the checks before a call,
//! which snapshots are its own, and how a call's outcome is concluded. The
//! backends only move requests to their guest and back ([`Transport`]).
//!
//! A call is one protocol on every backend: [`Sandbox::start`] (checks, the
//! monitors, the request on its way), then [`Sandbox::poll`] any number of
//! times, then [`Sandbox::finish`]; [`Sandbox::call`] is the three in one.
//! Polling on the caller's thread before handing a call to the sandbox's own
//! thread is the caller's policy (see the NAPI layer's `callHandlerJson`);
//! a transport that cannot answer without blocking just never has an answer
//! to a poll.

use std::any::Any;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend::{Backend, Doorbell, HostDispatch, Transport};
use crate::call::{describe_stopper, CallControl, CallOptions, CallStats, Monitored, KILLED_BY_HANDLE};
use crate::config::{guest_sizes, SandboxConfig};
use crate::console::Console;
use crate::error::{Error, Result};

/// A call's result as the user sees it, and its stats (`None`: the guest never saw it).
pub type Outcome = (Result<String>, Option<CallStats>);

pub struct Sandbox {
    /// Ties snapshots to the sandbox they came from.
    id: u64,
    guest: Box<dyn Transport>,
    /// The largest event the guest takes, in bytes of JSON.
    input_limit: u64,
    /// Stops the running call from any thread (monitors, `kill()`, an abort).
    control: Arc<CallControl>,
    /// Names of the handlers the guest compiled, to refuse others here.
    handlers: Vec<String>,
    /// Why the sandbox is poisoned, if it is.
    poison: Option<String>,
    /// The call between `start` and its end.
    current: Option<Current>,
    /// What the guest was made from before any handler: its sizes and host
    /// functions' names (`boot`).
    base_recipe: u64,
    /// That, and the modules and handlers it loaded; `None` before a load.
    /// Sandboxes of one recipe hold the same guest right after loading.
    recipe: Option<u64>,
    /// No call has run since the handlers loaded (or since a restore to
    /// such a state): the guest is what its recipe makes, nothing more.
    pristine: bool,
}

struct Current {
    handler: String,
    opts: CallOptions,
    was_poisoned: bool,
    monitored: Monitored,
}

/// A point-in-time copy of a guest, restorable into the sandbox it was
/// taken from; a shared one (`Sandbox::shared_snapshot`) into any sandbox
/// of the same recipe too.
pub struct SandboxSnapshot {
    owner: u64,
    /// Restorable into any sandbox whose recipe is `recipe`.
    shared: bool,
    recipe: Option<u64>,
    pristine: bool,
    handlers: Vec<String>,
    guest: Box<dyn Any + Send + Sync>,
    _held: crate::telemetry::Held,
}

/// `seed` and `part`, hashed together (recipes: see `Sandbox::recipe`).
fn mix(seed: u64, part: &impl std::hash::Hash) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (seed, part).hash(&mut h);
    h.finish()
}

fn next_sandbox_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Sandbox {
    /// `ProtoJSSandbox.loadRuntime()`: a guest with the runtime up and the
    /// host functions declared, but no handlers yet. Its console output goes to `console`.
    pub fn boot(backend: &dyn Backend, config: SandboxConfig, host: Arc<dyn HostDispatch>, console: Console) -> Result<Self> {
        let modules = host.modules();
        let mut sandbox = Self::new(backend.load_runtime(config, host, console)?, &config);
        sandbox.base_recipe = mix(sandbox.base_recipe, &(backend.kind().as_str(), modules));
        Ok(sandbox)
    }

    pub fn new(guest: Box<dyn Transport>, config: &SandboxConfig) -> Self {
        Self {
            id: next_sandbox_id(),
            guest,
            input_limit: config.input_buffer_size,
            control: Arc::default(),
            handlers: Vec::new(),
            poison: None,
            current: None,
            base_recipe: mix(0, &guest_sizes(config)),
            recipe: None,
            pristine: false,
        }
    }

    /// The control whose `kill()` and monitors stop this sandbox's calls.
    pub fn control(&self) -> &Arc<CallControl> {
        &self.control
    }

    /// Makes `control` the one that stops this sandbox's calls (its worker's,
    /// which exists before the guest does).
    pub(crate) fn set_control(&mut self, control: Arc<CallControl>) {
        self.control = control;
    }

    /// The guest's process id, where it runs in a process of its own.
    pub fn guest_pid(&self) -> Option<i32> {
        self.guest.pid()
    }

    /// Whether calls are refused until `restore` or `unload`: this sandbox
    /// poisoned itself (a stopped call), or its guest is known to have
    /// failed. The one rule for it; the worker publishes what it says.
    pub fn poisoned(&self) -> bool {
        self.poison.is_some() || self.guest.failure(false).is_some()
    }

    /// About how many bytes of memory this guest holds outside the JS heap.
    pub fn memory_bytes(&self) -> u64 {
        self.guest.memory_bytes()
    }

    /// Makes the sandbox refuse calls until restored or unloaded, saying why.
    fn poison(&mut self, why: String) {
        self.guest.stop();
        self.poison = Some(why);
    }

    /// Refuses a poisoned sandbox, saying why. `ask_guest`: also ask the
    /// guest whether it still lives (may be a system call); otherwise only
    /// what is known already counts.
    fn check_usable(&mut self, ask_guest: bool) -> Result<()> {
        if self.poison.is_none() {
            self.poison = self.guest.failure(ask_guest);
        }
        match &self.poison {
            Some(why) => Err(Error::poisoned_because(why)),
            None => Ok(()),
        }
    }

    /// `getLoadedSandbox()`: registers modules and compiles handlers. Loading
    /// runs top-level guest code, so it is bounded by a wall-clock limit. A
    /// load that fails, or runs out and is cancelled, leaves the guest as
    /// `boot` made it, so the `JSSandbox` can be fixed and loaded again.
    pub fn load(&mut self, modules: &[(String, String)], handlers: &[(String, String)], timeout: Duration) -> Result<()> {
        let opts = CallOptions { gc: false, wall_clock: Some(timeout), cpu_time: None, abort: None };
        let guest = &mut self.guest;
        let (result, stats) = match Monitored::start(guest.cpu_clock(), guest.interrupt_target(), &self.control, &opts) {
            Ok(mut running) => {
                running.guest_started();
                let result = guest.load(modules, handlers);
                (result, Some(running.finish(&self.control)))
            }
            Err(e) => (Err(e), None),
        };
        let result = match stats.as_ref().and_then(|s| s.terminated_by) {
            Some(by) => {
                let why = match by {
                    KILLED_BY_HANDLE => format!("by {}", describe_stopper(by, &opts)),
                    _ => format!(
                        "after the load timeout of {} ms (setLoadTimeoutMs): does a handler or module loop at its top level?",
                        timeout.as_millis()
                    ),
                };
                Err(Error::cancelled(format!("loading the handlers was cancelled {why}")))
            }
            None => result,
        };
        match result {
            Ok(()) => {
                self.handlers = handlers.iter().map(|(name, _)| name.clone()).collect();
                self.recipe = Some(mix(self.base_recipe, &(modules, handlers)));
                self.pristine = true;
                Ok(())
            }
            // The guest never saw the load (a monitor could not start).
            Err(e) if stats.is_none() => Err(e),
            Err(e) => {
                // Half-registered handlers must not linger into the next attempt.
                self.unload()?;
                Err(e)
            }
        }
    }

    /// Starts a call: the monitors `opts` asks for, the checks, and the
    /// request on its way to the guest. `Some` when the call is over already
    /// (refused, or a monitor could not start); else `poll` and `finish` end it.
    pub fn start(&mut self, handler: &str, event_json: &str, opts: &CallOptions) -> Option<Outcome> {
        let was_poisoned = self.poisoned();
        let monitored = match Monitored::start(self.guest.cpu_clock(), self.guest.interrupt_target(), &self.control, opts) {
            Ok(m) => m,
            Err(e) => return Some(self.conclude(handler, opts, was_poisoned, Err(e), None)),
        };
        self.current = Some(Current { handler: handler.to_string(), opts: opts.clone(), was_poisoned, monitored });
        if let Err(e) = self.check_call(handler, event_json) {
            return Some(self.end(Err(e)));
        }
        self.pristine = false;
        if let Err(e) = self.guest.start(handler, event_json, opts.gc) {
            return Some(self.end(Err(e)));
        }
        // The guest is at work now: the system calls left overlap it.
        if let Some(current) = &mut self.current {
            current.monitored.guest_started();
        }
        // Whether the guest was alive to take the request. A guest that
        // died while idle poisons the sandbox, the call refused as it would
        // have been had this been asked first.
        if let Err(e) = self.check_usable(true) {
            return Some(self.end(Err(e)));
        }
        None
    }

    /// The started call's outcome if it comes within `spin` (and at most
    /// [`hyperlight_js_wire::spin::MAX_CALLER_SPIN`] in all), answering host calls that
    /// can be answered on this thread; never sleeps. `None`: still running.
    pub fn poll(&mut self, spin: Duration) -> Option<Outcome> {
        self.current.as_ref()?;
        let result = self.guest.poll(spin, Instant::now() + hyperlight_js_wire::spin::MAX_CALLER_SPIN)?;
        Some(self.end(result))
    }

    /// For a caller that waits in its own event loop: arms the started
    /// call's doorbell (see [`Transport::doorbell`]).
    pub fn doorbell(&mut self) -> Doorbell {
        if self.current.is_none() {
            return Doorbell::Unavailable;
        }
        self.guest.doorbell()
    }

    /// Once the doorbell rang: the started call's outcome if it has come
    /// (never waits). `None`: arm the doorbell again, or `finish`.
    pub fn woken(&mut self) -> Option<Outcome> {
        self.current.as_ref()?;
        let result = self.guest.woken()?;
        Some(self.end(result))
    }

    /// Waits for the started call to end, answering its host calls.
    pub fn finish(&mut self) -> Outcome {
        if self.current.is_none() {
            return (Err(Error::internal("finish() without a call in progress")), None);
        }
        let result = self.guest.finish();
        self.end(result)
    }

    /// One whole call, waiting for its end. Stats come back for every call
    /// the guest ran, even one that failed; a stopped call poisons the sandbox.
    pub fn call(&mut self, handler: &str, event_json: &str, opts: &CallOptions) -> Outcome {
        match self.start(handler, event_json, opts) {
            Some(done) => done,
            None => self.finish(),
        }
    }

    fn check_call(&mut self, handler: &str, event_json: &str) -> Result<()> {
        if !self.handlers.iter().any(|h| h == handler) {
            let loaded = if self.handlers.is_empty() { "none".to_string() } else { self.handlers.join(", ") };
            return Err(Error::invalid_arg(format!("no handler named '{handler}' is loaded (loaded: {loaded})")));
        }
        // Only what is known without a system call: `start` asks the guest
        // itself once the request is on its way.
        self.check_usable(false)?;
        if event_json.len() as u64 > self.input_limit {
            return Err(Error::invalid_arg(format!(
                "the event is {} bytes of JSON, larger than the input buffer of {} bytes (setInputBufferSize)",
                event_json.len(),
                self.input_limit
            )));
        }
        Ok(())
    }

    fn end(&mut self, result: Result<String>) -> Outcome {
        let current = self.current.take().expect("a call is in progress");
        let stats = current.monitored.finish(&self.control);
        self.conclude(&current.handler, &current.opts, current.was_poisoned, result, Some(stats))
    }

    /// A call's result as the user sees it: a stopped call is cancelled and
    /// poisons the sandbox, whatever the guest answered; counted either way.
    fn conclude(&mut self, handler: &str, opts: &CallOptions, was_poisoned: bool, result: Result<String>, stats: Option<CallStats>) -> Outcome {
        let terminated_by = stats.as_ref().and_then(|s| s.terminated_by);
        // Poisoned by this call, and not by a monitor, kill() or abort: the guest died by itself.
        let crashed = result.is_err() && terminated_by.is_none() && !was_poisoned && self.poisoned();
        let result = match terminated_by {
            // Even if the guest's answer raced the kill, the guest is now dead.
            Some(by) => {
                let who = describe_stopper(by, opts);
                self.poison(format!("its call to handler '{handler}' was cancelled by {who}"));
                Err(Error::cancelled(format!(
                    "handler '{handler}' was cancelled by {who}; the sandbox is poisoned until restore(snapshot) or unload()"
                )))
            }
            None => result,
        };
        crate::telemetry::record_call(handler, result.as_ref().err(), crashed);
        (result, stats)
    }

    /// Back to the state `boot` produced: no handlers, no modules, not poisoned.
    pub fn unload(&mut self) -> Result<()> {
        self.guest.reset()?;
        self.handlers.clear();
        self.poison = None;
        self.recipe = None;
        self.pristine = false;
        Ok(())
    }

    /// A copy of guest memory now (handlers, module state), to `restore` any number of times.
    pub fn snapshot(&mut self) -> Result<Arc<SandboxSnapshot>> {
        self.take_snapshot(false)
    }

    /// A snapshot that any sandbox of this one's recipe (backend, sizes,
    /// host function names, modules, handlers) may restore too, so that a
    /// `SandboxPool`'s sandboxes share one. Only of the state right after
    /// loading, before any call: what every sandbox of the recipe holds
    /// then anyway (top-level code's results included), with no request's
    /// data in it.
    pub fn shared_snapshot(&mut self) -> Result<Arc<SandboxSnapshot>> {
        if !self.pristine {
            return Err(Error::invalid_arg(
                "a shared snapshot is only taken of a sandbox whose handlers are loaded and that has run no call since",
            ));
        }
        self.take_snapshot(true)
    }

    fn take_snapshot(&mut self, shared: bool) -> Result<Arc<SandboxSnapshot>> {
        self.check_usable(true)?;
        let guest = self.guest.snapshot()?;
        let held = crate::telemetry::Held::new(self.guest.snapshot_bytes());
        Ok(Arc::new(SandboxSnapshot {
            owner: self.id,
            shared,
            recipe: self.recipe,
            pristine: self.pristine,
            handlers: self.handlers.clone(),
            guest,
            _held: held,
        }))
    }

    /// Brings the guest back to exactly the snapshot's state and clears poisoning.
    pub fn restore(&mut self, snapshot: &SandboxSnapshot) -> Result<()> {
        let sibling = snapshot.shared && snapshot.recipe.is_some() && snapshot.recipe == self.recipe;
        if snapshot.owner != self.id && !sibling {
            return Err(Error::invalid_arg("restore(): this snapshot was taken from a different sandbox"));
        }
        self.guest.restore(snapshot.guest.as_ref())?;
        self.handlers = snapshot.handlers.clone();
        self.recipe = snapshot.recipe;
        self.pristine = snapshot.pristine;
        self.poison = None;
        Ok(())
    }

    /// A sandbox whose guest has these handlers already (tests of the layers above).
    #[cfg(test)]
    pub(crate) fn with_handlers(guest: Box<dyn Transport>, handlers: &[&str]) -> Self {
        let mut sandbox = Self::new(guest, &SandboxConfig::default());
        sandbox.handlers = handlers.iter().map(|h| h.to_string()).collect();
        sandbox
    }

    #[cfg(test)]
    pub(crate) fn poison_reason(&self) -> Option<&str> {
        self.poison.as_deref()
    }
}


/// A guest stand-in for the tests of the layers above the transports: each
/// call runs `run` with its event on the calling thread, as a vCPU would.
#[cfg(test)]
pub(crate) struct Scripted {
    pub run: Box<dyn FnMut(&str) -> Result<String> + Send>,
    /// What a kill, a monitor or an abort does to the running call.
    pub interrupt: crate::call::InterruptTarget,
    /// Set by `run` to leave the guest unusable (a crash).
    pub broken: Arc<std::sync::atomic::AtomicBool>,
    event: Option<String>,
}

#[cfg(test)]
impl Scripted {
    pub fn new(run: impl FnMut(&str) -> Result<String> + Send + 'static, interrupt: crate::call::InterruptTarget) -> Self {
        Self { run: Box::new(run), interrupt, broken: Arc::default(), event: None }
    }

    /// A sandbox around it with a handler "h" loaded.
    pub fn sandbox(self) -> Sandbox {
        Sandbox::with_handlers(Box::new(self), &["h"])
    }
}

#[cfg(test)]
impl Transport for Scripted {
    fn load(&mut self, _: &[(String, String)], _: &[(String, String)]) -> Result<()> {
        Ok(())
    }
    fn start(&mut self, _: &str, event: &str, _: bool) -> Result<()> {
        self.event = Some(event.to_string());
        Ok(())
    }
    fn finish(&mut self) -> Result<String> {
        let event = self.event.take().expect("a started call");
        (self.run)(&event)
    }
    fn reset(&mut self) -> Result<()> {
        self.broken.store(false, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
    fn failure(&self, _look: bool) -> Option<String> {
        self.broken.load(std::sync::atomic::Ordering::Relaxed).then(|| "the scripted guest broke".to_string())
    }
    fn memory_bytes(&self) -> u64 {
        0
    }
    fn interrupt_target(&self) -> crate::call::InterruptTarget {
        self.interrupt.clone()
    }
    fn cpu_clock(&self) -> Option<crate::monitor::GuestClock> {
        None
    }
    fn snapshot(&mut self) -> Result<Box<dyn Any + Send + Sync>> {
        Err(Error::internal("no snapshots"))
    }
    fn snapshot_bytes(&self) -> u64 {
        0
    }
    fn restore(&mut self, _: &(dyn Any + Send + Sync)) -> Result<()> {
        Err(Error::internal("no snapshots"))
    }
}


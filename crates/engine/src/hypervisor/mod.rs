//! The micro-VM backend: each sandbox is a Hyperlight micro-VM running our
//! guest (crates/vm-guest: `hyperlight-js-runtime` plus heap and stack
//! limits), driven through `hyperlight-host`.
//!
//! We drive the VM ourselves rather than through `hyperlight-js`'s sandbox
//! types because those hide the VM: no interrupt handle until handlers are
//! loaded (so a load stuck in a top-level loop could not be killed), no way
//! to call a guest function of our own, and every event re-parsed by
//! serde_json, which refuses JSON that JavaScript accepts (lone surrogates,
//! nesting deeper than 128). The guest functions called here are the
//! runtime's own: `RegisterHostModules`, `register_module`,
//! `register_handler`, `RunHandler`.

mod layout;
mod probe;

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};

use hyperlight_host::func::Registerable;
use hyperlight_host::sandbox::snapshot::Snapshot;
use hyperlight_host::{GuestBinary, HostFunctions, HyperlightError, MultiUseSandbox, UninitializedSandbox};

pub use layout::VmLayout;
pub use probe::{probe, probed};

use crate::backend::{downcast_snapshot, Backend, HostDispatch, Transport};
use crate::call::InterruptTarget;
use crate::config::{BackendKind, SandboxConfig};
use crate::console::{Console, Level as ConsoleLevel};
use crate::error::{Error, Result};
use hyperlight_js_wire::guest_error::{describe, handler_wrapper, with_heap_limit, WRAPPER_DIR};
use crate::host_wait::HostWaiter;
use crate::monitor::GuestClock;
use crate::lock;
use hyperlight_js_wire::messages::{output_too_large, unregistered_module};

/// The guest executable, built by this crate's build script.
static VM_GUEST: &[u8] = include_bytes!(env!("HYPERLIGHT_JS_VM_GUEST"));

/// Why a micro-VM that Hyperlight poisoned cannot run anything.
const VM_POISONED: &str = "Hyperlight marked its micro-VM poisoned: a guest call did not complete";

/// About what an idle loaded micro-VM holds of its own (see `memory_bytes`).
const IDLE_VM_BYTES: u64 = 6 << 20;

/// How often a kill is repeated until the call it is for is over.
const KILL_REPEAT: std::time::Duration = std::time::Duration::from_millis(10);

/// The longest one `Sleep` from the guest blocks the sandbox's thread (the
/// guest asks for at most this much at a time anyway).
const MAX_SLEEP_MICROS: u64 = 10_000;


pub struct HypervisorBackend;

impl Backend for HypervisorBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Hypervisor
    }

    fn check_config(&self, config: &SandboxConfig) -> Result<()> {
        VmLayout::for_config(config).map(|_| ())
    }

    fn load_runtime(&self, config: SandboxConfig, host: Arc<dyn HostDispatch>, console: Console) -> Result<Box<dyn Transport>> {
        let host_wait = HostWaiter::default();
        let timers_used = Arc::new(AtomicBool::new(false));
        let template = template(&config)?;
        let mut funcs = HostFunctions::default();
        register_host_side(&mut funcs, &host, &host_wait, console, &timers_used)?;
        let layout = VmLayout::for_config(&config)?;
        let mut vm = MultiUseSandbox::from_snapshot(template.clone(), funcs, Some(layout.configuration())).map_err(map_err)?;
        let modules = host_modules_json(host.as_ref())?;
        become_sandbox(&mut vm, &modules)?;
        Ok(Box::new(VmGuest {
            vm,
            template,
            modules,
            config,
            host_wait,
            request: None,
            needs_seed: false,
            timers_used,
            finished: Arc::default(),
            // The vCPU runs on the thread that calls into the VM: this one,
            // the sandbox's worker thread, which makes every later call too.
            clock: GuestClock::of_current_thread()?,
        }))
    }
}

/// Hyperlight errors as the spec's codes, with what the user can do about them.
pub(crate) fn map_err(err: HyperlightError) -> Error {
    match err {
        HyperlightError::ExecutionCanceledByHost() => Error::cancelled("the guest call was cancelled"),
        HyperlightError::PoisonedSandbox => Error::poisoned_because(VM_POISONED),
        HyperlightError::GuestAborted(code, message) => {
            Error::guest_abort(format!("the micro-VM's guest crashed (code {code}): {message}"))
        }
        // JavaScript errors: the handler threw, or a handler did not compile.
        HyperlightError::GuestError(_, message) => Error::thrown(describe(&message)),
        HyperlightError::NoHypervisorFound() => {
            Error::internal("no hypervisor found: the micro-VM backend needs /dev/kvm or /dev/mshv")
        }
        other => Error::internal(format!("hyperlight: {other}")),
    }
}

/// An initialised guest (the runtime up, QuickJS's limits set) for each
/// distinct set of guest sizes, as a snapshot that every new micro-VM of
/// those sizes starts from. Booting the guest and initialising QuickJS is
/// then paid once, as the process backend pays it once in its template
/// process. A template lives while a sandbox made from it does; the one used
/// last also lives on without any, so that sandboxes made and dropped one
/// after another (and the first one after the probe, which has the default
/// sizes too) do not boot again.
fn template(config: &SandboxConfig) -> Result<Arc<Snapshot>> {
    static LAST_USED: Mutex<Option<Arc<Snapshot>>> = Mutex::new(None);
    let snapshot = cached_or_booted(config)?;
    *lock(&LAST_USED) = Some(snapshot.clone());
    Ok(snapshot)
}

fn cached_or_booted(config: &SandboxConfig) -> Result<Arc<Snapshot>> {
    static TEMPLATES: LazyLock<Mutex<HashMap<SandboxConfig, Weak<Snapshot>>>> = LazyLock::new(Mutex::default);
    // One template boot at a time, in the whole process: a second first
    // sandbox of the same sizes waits for the template the first one boots
    // instead of booting its own; and micro-VMs booting side by side were
    // where the test VM showed triple faults before templates.
    static BOOTING: Mutex<()> = Mutex::new(());
    // Only the sizes are part of the guest; the rest is the host's business.
    let key = SandboxConfig { load_timeout_ms: 0, max_console_bytes_per_call: 0, ..*config };
    let cached = || lock(&TEMPLATES).get(&key).and_then(Weak::upgrade);
    if let Some(snapshot) = cached() {
        return Ok(snapshot);
    }
    let _booting = lock(&BOOTING);
    if let Some(snapshot) = cached() {
        return Ok(snapshot);
    }
    let snapshot = boot_template(config)?;
    let mut templates = lock(&TEMPLATES);
    templates.retain(|_, t| t.strong_count() > 0);
    templates.insert(key, Arc::downgrade(&snapshot));
    Ok(snapshot)
}

/// Boots a guest, sets its limits and snapshots it. No user code runs in a
/// template, so its host functions answer for nobody; each sandbox made from
/// it brings its own (`register_host_side`).
fn boot_template(config: &SandboxConfig) -> Result<Arc<Snapshot>> {
    boot_guest(config)?.snapshot().map_err(map_err)
}

/// A micro-VM booted from the guest executable, its limits set: what a
/// template snapshots.
fn boot_guest(config: &SandboxConfig) -> Result<MultiUseSandbox> {
    let layout = VmLayout::for_config(config)?;
    let mut vm = UninitializedSandbox::new(GuestBinary::Buffer(VM_GUEST.to_vec()), Some(layout.configuration())).map_err(map_err)?;
    let nobody: Arc<dyn HostDispatch> = Arc::new(crate::NoHostFunctions);
    let console = Console::new(crate::ConsoleDestination::Ignore, 0);
    register_host_side(&mut vm, &nobody, &HostWaiter::default(), console, &Arc::default())?;
    let mut vm = vm.evolve().map_err(map_err)?;
    vm.call::<()>("SetLimits", (config.heap_size, config.scratch_size, config.output_buffer_size)).map_err(map_err)?;
    Ok(vm)
}

/// The host functions the guest calls, answering for one sandbox.
fn register_host_side(
    funcs: &mut impl Registerable,
    host: &Arc<dyn HostDispatch>,
    host_wait: &HostWaiter,
    console: Console,
    timers_used: &Arc<AtomicBool>,
) -> Result<()> {
    // The guest's console, one call per console call (crates/vm-guest).
    let out = console.clone();
    funcs
        .register_host_function("ConsoleWrite", move |level: String, text: String| -> hyperlight_host::Result<()> {
            out.write(ConsoleLevel::parse(&level), &text);
            Ok(())
        })
        .map_err(map_err)?;
    // `print` (the runtime's: one call each, flushed) and anything else the
    // guest writes to libc's stdout are `log` entries.
    funcs
        .register_host_function("HostPrint", move |text: String| -> hyperlight_host::Result<i32> {
            console.write(ConsoleLevel::Log, text.strip_suffix('\n').unwrap_or(&text));
            Ok(text.len() as i32)
        })
        .map_err(map_err)?;
    // The guest's clock (Date.now(), performance.now()).
    funcs
        .register_host_function("CurrentTimeMicros", || -> hyperlight_host::Result<u64> {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            Ok(now.as_micros() as u64)
        })
        .map_err(map_err)?;
    // Timers: the guest waits here, a slice at a time (crates/guest-env caps
    // each at 10 ms, so a kill lands before the next), and says when a call
    // scheduled one, so that the call is ended with `EndCall` afterwards.
    funcs
        .register_host_function("Sleep", |micros: u64| -> hyperlight_host::Result<()> {
            std::thread::sleep(std::time::Duration::from_micros(micros.min(MAX_SLEEP_MICROS)));
            Ok(())
        })
        .map_err(map_err)?;
    let used = timers_used.clone();
    funcs
        .register_host_function("TimersUsed", move || -> hyperlight_host::Result<()> {
            used.store(true, Ordering::Relaxed);
            Ok(())
        })
        .map_err(map_err)?;
    // Imports that are not user, host or built-in modules would be looked up
    // on the host's file system: a sandbox has none.
    funcs
        .register_host_function("ResolveModule", |_base: String, name: String| -> hyperlight_host::Result<String> {
            Err(HyperlightError::Error(unregistered_module(&name)))
        })
        .map_err(map_err)?;
    funcs
        .register_host_function("LoadModule", |name: String| -> hyperlight_host::Result<String> {
            Err(HyperlightError::Error(unregistered_module(&name)))
        })
        .map_err(map_err)?;
    let (dispatch, waiter) = (host.clone(), host_wait.clone());
    funcs
        .register_host_function(
            "CallHostJsFunction",
            move |module: String, function: String, args: String, _binaries: Vec<u8>| -> hyperlight_host::Result<Vec<u8>> {
                let module = module.strip_prefix("host:").unwrap_or(&module);
                match waiter.call(dispatch.as_ref(), module, &function, args) {
                    Some(Ok(json)) => Ok(hyperlight_js_common::encode_json_return(&json)),
                    Some(Err(message)) => Err(HyperlightError::Error(message)),
                    None => Err(HyperlightError::Error("the call was cancelled while it waited on the host".into())),
                }
            },
        )
        .map_err(map_err)
}

/// The host's modules as the guest's `RegisterHostModules` takes them: guest
/// code imports them as `host:<name>`, as on the process backend.
fn host_modules_json(host: &dyn HostDispatch) -> Result<String> {
    let modules: HashMap<String, Vec<String>> =
        host.modules().into_iter().map(|m| (format!("host:{}", m.name), m.functions)).collect();
    serde_json::to_string(&modules).map_err(|e| Error::internal(format!("host modules as JSON: {e}")))
}

/// What turns a VM started from the template (or returned to it) into this
/// sandbox: its host modules, and entropy of its own.
fn become_sandbox(vm: &mut MultiUseSandbox, modules: &str) -> Result<()> {
    vm.call::<()>("RegisterHostModules", modules.to_string()).map_err(map_err)?;
    reseed(vm)
}

/// Fresh OS entropy for the guest's CSPRNG (crates/guest-env), whenever a VM
/// becomes a sandbox (`become_sandbox`) and before the first user code after
/// every restore: a restored VM's memory holds its snapshot's random state,
/// and with it every number that state would give.
fn reseed(vm: &mut MultiUseSandbox) -> Result<()> {
    let mut seed = vec![0u8; 32];
    let mut filled = 0;
    while filled < seed.len() {
        // SAFETY: the pointer and length describe the unfilled part of `seed`.
        let n = unsafe { libc::getrandom(seed[filled..].as_mut_ptr().cast(), seed.len() - filled, 0) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::internal(format!("getrandom failed: {e}")));
        }
        filled += n as usize;
    }
    vm.call::<()>("Reseed", seed).map_err(map_err)
}

struct VmGuest {
    vm: MultiUseSandbox,
    /// What the VM started from; `unload()` and a failed load return to it.
    template: Arc<Snapshot>,
    /// The host modules, as `become_sandbox` gives them to the guest.
    modules: String,
    config: SandboxConfig,
    host_wait: HostWaiter,
    /// The call `start` took: handler, event, gc. A VM runs a call only by
    /// blocking the thread that enters it, so `finish` sends it.
    request: Option<(String, String, bool)>,
    clock: GuestClock,
    /// Restored since the guest was last given entropy: it gets fresh
    /// entropy before it runs user code again.
    needs_seed: bool,
    /// The guest scheduled a timer since its last `EndCall`.
    timers_used: Arc<AtomicBool>,
    /// User-code guest calls (handler calls, loads) finished so far: what a
    /// kill checks to know that the call it was for is still the one running.
    finished: Arc<std::sync::Mutex<u64>>,
}

impl VmGuest {
    /// Every path into user code goes through this first.
    fn ensure_seeded(&mut self) -> Result<()> {
        if self.needs_seed {
            reseed(&mut self.vm)?;
            self.needs_seed = false;
        }
        Ok(())
    }

    /// After a call or a load: kills meant for it stop, and if it scheduled
    /// timers, the guest drops those still pending, so they never fire in a
    /// later call (a VM the call left poisoned is restored before it runs
    /// again, which drops them too).
    fn end_call(&mut self) {
        // Before any other guest call: a kill meant for this call must not land on it.
        *lock(&self.finished) += 1;
        if self.timers_used.swap(false, Ordering::Relaxed) && !self.vm.status().is_poisoned() {
            let _ = self.vm.call::<()>("EndCall", ());
        }
    }

    /// One handler call, to its result (`finish` then ends it, whatever happened).
    fn run_handler(&mut self, handler: String, event_json: String, gc: bool) -> Result<String> {
        self.ensure_seeded()?;
        self.host_wait.reset();
        let output_limit = self.config.output_buffer_size;
        let result = self.vm.call::<String>("RunHandler", (handler, event_json, gc));
        match result {
            Ok(json) if json.len() as u64 > output_limit => Err(Error::invalid_arg(output_too_large(Some(json.len()), output_limit))),
            Ok(json) => Ok(json),
            Err(e) if layout::is_output_overflow(&e) => Err(Error::invalid_arg(output_too_large(None, output_limit))),
            Err(e) => {
                let mut err = map_err(e);
                err.message = with_heap_limit(err.message, self.config.heap_size);
                Err(err)
            }
        }
    }

    fn register(&mut self, modules: &[(String, String)], handlers: &[(String, String)]) -> Result<()> {
        self.ensure_seeded()?;
        for (name, source) in modules {
            self.vm
                .call::<()>("register_module", (name.clone(), source.clone()))
                .map_err(|e| load_error(map_err(e), format!("module '{name}'")))?;
        }
        for (name, source) in handlers {
            // The handler's source is a module the wrapper imports, at the
            // same path as on the process backend (see guest_error).
            let (path, module, wrapper) = handler_wrapper(name, source);
            self.vm
                .call::<()>("register_module", (path, module))
                .and_then(|()| self.vm.call::<()>("register_handler", (name.clone(), wrapper, WRAPPER_DIR.to_string())))
                .map_err(|e| load_error(map_err(e), format!("handler '{name}' failed to load")))?;
        }
        Ok(())
    }
}

/// A JavaScript error while loading is the user's source at fault; anything
/// else (a kill, a crash) keeps its own code.
fn load_error(err: Error, what: String) -> Error {
    match err.code {
        crate::ErrorCode::GuestAbort => Error::invalid_arg(format!("{what}: {}", err.message)),
        _ => err,
    }
}

impl Transport for VmGuest {
    fn load(&mut self, modules: &[(String, String)], handlers: &[(String, String)]) -> Result<()> {
        let registered = self.register(modules, handlers);
        self.end_call();
        registered
    }

    fn start(&mut self, handler: &str, event_json: &str, gc: bool) -> Result<()> {
        self.request = Some((handler.to_string(), event_json.to_string(), gc));
        Ok(())
    }

    fn finish(&mut self) -> Result<String> {
        let Some((handler, event_json, gc)) = self.request.take() else {
            return Err(Error::internal("finish() without a call in progress"));
        };
        let result = self.run_handler(handler, event_json, gc);
        self.end_call();
        result
    }

    fn reset(&mut self) -> Result<()> {
        self.vm.restore(self.template.clone()).map_err(map_err)?;
        become_sandbox(&mut self.vm, &self.modules)?;
        self.needs_seed = false;
        Ok(())
    }

    /// What an idle loaded micro-VM adds to this process (measured by
    /// `bench/backends.js`: 5.0-5.4 MiB at default sizes, the rest of its
    /// memory shared with its template), plus the buffers a call fills. Not
    /// the VM's whole layout (hundreds of MiB of address space, mostly never
    /// touched): told that, V8 would collect far more often than it needs to.
    fn memory_bytes(&self) -> u64 {
        IDLE_VM_BYTES + self.config.input_buffer_size + self.config.output_buffer_size
    }

    /// Hyperlight 0.17 copies every page mapped in the guest into a snapshot,
    /// the whole heap region included (112.6 MiB at default sizes measured by
    /// `bench/backends.js`, for a heap region of 107.5 MiB).
    fn snapshot_bytes(&self) -> u64 {
        VmLayout::for_config(&self.config).map(|l| l.heap + IDLE_VM_BYTES).unwrap_or(0)
    }

    fn failure(&self) -> Option<String> {
        self.broken().then(|| VM_POISONED.to_string())
    }

    fn broken(&self) -> bool {
        self.vm.status().is_poisoned()
    }

    fn interrupt_target(&self) -> InterruptTarget {
        let handle = self.vm.interrupt_handle();
        let host_wait = self.host_wait.clone();
        // The call or load this target is for: made as it begins.
        let (finished, this_one) = (self.finished.clone(), *lock(&self.finished));
        Arc::new(move || {
            // A guest waiting on a host function is not in the VM: wake it too.
            host_wait.interrupt();
            // Hyperlight's kill() has two traits this must not inherit. It
            // forgets a kill that lands before the guest call is under way
            // (each guest call clears the request as it starts): so it is
            // repeated until this call or load is over. And it blocks until
            // the vCPU has stopped, however long that takes: so it runs on a
            // thread of its own, never on the caller's (the JS thread, a
            // monitor) nor under their locks. A vCPU that does not stop is
            // reported after the kill grace by the call's watch.
            let (killer, finished) = (handle.clone(), finished.clone());
            let repeat_for = crate::call::kill_grace() + KILL_REPEAT;
            let spawned = std::thread::Builder::new().name("hyperlight-js-kill".into()).spawn(move || {
                let started = std::time::Instant::now();
                while started.elapsed() < repeat_for {
                    {
                        // Held while killing, so the sandbox cannot finish
                        // this call and start its next guest call meanwhile.
                        let finished = lock(&finished);
                        if *finished != this_one {
                            return;
                        }
                        killer.kill();
                    }
                    std::thread::sleep(KILL_REPEAT);
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "no thread to kill a micro-VM's call; killing it from this one");
                handle.kill();
            }
        })
    }

    fn cpu_clock(&self) -> Option<GuestClock> {
        Some(self.clock)
    }

    fn snapshot(&mut self) -> Result<Box<dyn Any + Send + Sync>> {
        Ok(Box::new(self.vm.snapshot().map_err(map_err)?))
    }

    fn restore(&mut self, snapshot: &(dyn Any + Send + Sync)) -> Result<()> {
        let snapshot: &Arc<Snapshot> = downcast_snapshot(snapshot)?;
        self.vm.restore(snapshot.clone()).map_err(map_err)?;
        // Before the next user code, not now: a guest call here would make
        // Hyperlight copy the whole VM at a snapshot() that follows at once,
        // where it can otherwise hand back the snapshot just restored.
        self.needs_seed = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn hyperlight_errors_map_to_the_spec_codes() {
        assert_eq!(map_err(HyperlightError::ExecutionCanceledByHost()).code, ErrorCode::Cancelled);
        assert_eq!(map_err(HyperlightError::PoisonedSandbox).code, ErrorCode::Poisoned);
        let abort = map_err(HyperlightError::GuestAborted(3, "boom".into()));
        assert_eq!(abort.code, ErrorCode::GuestAbort);
        assert!(abort.message.contains("boom"));
        assert_eq!(map_err(HyperlightError::NoHypervisorFound()).code, ErrorCode::Internal);
        assert!(map_err(HyperlightError::NoHypervisorFound()).message.contains("/dev/kvm"));
        assert_eq!(map_err(HyperlightError::Error("x".into())).code, ErrorCode::Internal);
    }

    #[test]
    fn a_javascript_error_reaches_the_user_as_its_message_not_a_dump() {
        let dump = "Error: Runtime error: Exception(\n    Exception {\n        message: Some(\n            \"SyntaxError: unexpected token\",\n        ),\n        stack: Some(\n            \"    at /h.js:1:9\\n\",\n        ),\n    },\n)";
        let err = map_err(HyperlightError::GuestError(hyperlight_common::flatbuffer_wrappers::guest_error::ErrorCode::GuestError, dump.into()));
        assert_eq!(err.message, "SyntaxError: unexpected token\n    at /h.js:1:9");
    }

    /// Hyperlight's own many-sandboxes test (`create_many_on_threads_test` in
    /// hyperlight-host's sources, not in its published crate: threads released
    /// together by a barrier, each booting micro-VMs one after another and
    /// calling each once), on our guest and straight through hyperlight-host
    /// (`boot_guest`, without the snapshot a template takes), with none of
    /// this crate's templates or its one-boot-at-a-time lock. It
    /// tells whether micro-VMs booting side by side fail with nothing of ours
    /// in between. It needs a working hypervisor, so it runs only when asked,
    /// in the test VM:
    /// `cargo test --locked -p hyperlight-js-engine --lib --no-run`, then
    /// `scripts/hypervisor-vm.sh . 'target/debug/deps/hyperlight_js_engine-HASH
    /// --ignored --exact hypervisor::tests::micro_vms_boot_side_by_side --nocapture'`.
    /// `HYPERLIGHT_JS_MANY_VMS=THREADSxEACH` sets its size (default 20x10, as
    /// upstream's `create_200_sandboxes`).
    #[test]
    #[ignore = "needs a working hypervisor: run it in the test VM (see its comment)"]
    fn micro_vms_boot_side_by_side() {
        let size = std::env::var("HYPERLIGHT_JS_MANY_VMS").unwrap_or_else(|_| "20x10".into());
        let (threads, each) = size
            .split_once('x')
            .and_then(|(t, e)| Some((t.parse::<usize>().ok()?, e.parse::<usize>().ok()?)))
            .unwrap_or_else(|| panic!("HYPERLIGHT_JS_MANY_VMS={size:?} is not THREADSxEACH"));
        let config = SandboxConfig::default();
        let start = Arc::new(std::sync::Barrier::new(threads));
        let began = std::time::Instant::now();
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    for i in 0..each {
                        // Created, booted and called once (`SetLimits`), as a template's guest is.
                        drop(boot_guest(&config).unwrap_or_else(|e| panic!("thread {t}, micro-VM {i}: {}", e.message)));
                        // Progress, for the test VM's rig, which ends a VM that prints nothing for minutes.
                        eprintln!("thread {t}: micro-VM {i} booted and called at {:.1} s", began.elapsed().as_secs_f64());
                    }
                })
            })
            .collect();
        let failed = workers.into_iter().map(|w| w.join()).filter(|r| r.is_err()).count();
        eprintln!("{} micro-VMs ({threads} threads x {each}) in {:.1} s, {failed} threads failed", threads * each, began.elapsed().as_secs_f64());
        assert_eq!(failed, 0, "micro-VMs booting side by side failed (the panics above say how)");
    }
}

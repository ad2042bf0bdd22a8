//! One micro-VM as a sandbox's transport: what the engine asks of it (load,
//! call, reset, snapshot, restore), and what makes a VM this sandbox (its
//! host modules, entropy of its own).

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use hyperlight_host::sandbox::snapshot::Snapshot;
use hyperlight_host::{HostFunctions, MultiUseSandbox};
use hyperlight_js_wire::guest_error::with_heap_limit;
use hyperlight_js_wire::load;
use hyperlight_js_wire::messages::{output_fits, output_too_large};

use super::host_functions::{host_modules_json, register_host_side};
use super::template::template;
use super::{disk, kill, layout, map_err, VmLayout, VM_POISONED};
use crate::backend::{downcast_snapshot, HostDispatch, Transport};
use crate::console::Console;
use crate::call::InterruptTarget;
use crate::config::SandboxConfig;
use crate::error::{Error, Result};
use crate::host_wait::HostWaiter;
use crate::lock;
use crate::monitor::GuestClock;

/// About what an idle loaded micro-VM holds of its own (see `memory_bytes`).
const IDLE_VM_BYTES: u64 = 6 << 20;

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
    let seed = hyperlight_js_wire::entropy::os_seed().map_err(|e| Error::internal(format!("getrandom failed: {e}")))?;
    vm.call::<()>("Reseed", seed.to_vec()).map_err(map_err)
}

pub(super) struct VmGuest {
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
    /// Where this VM's snapshots are written to be mapped back (`disk.rs`).
    files: PathBuf,
    /// The file-mapped snapshot the VM last became (by `snapshot` or
    /// `restore`): Hyperlight hands it back from a `snapshot()` with no call
    /// since, and it is in a file already.
    mapped: Weak<Snapshot>,
}

impl VmGuest {
    /// A micro-VM from the template for `config`'s sizes, made this sandbox.
    /// `cache`: the template cache (`setTemplateCache`), if any.
    pub(super) fn new(config: SandboxConfig, host: Arc<dyn HostDispatch>, console: Console, cache: Option<&Path>) -> Result<Self> {
        let host_wait = HostWaiter::default();
        let timers_used = Arc::new(AtomicBool::new(false));
        let template = template(&config, cache)?;
        let mut funcs = HostFunctions::default();
        register_host_side(&mut funcs, &host, &host_wait, console, &timers_used)?;
        let layout = VmLayout::for_config(&config)?;
        let mut vm = MultiUseSandbox::from_snapshot(template.clone(), funcs, Some(layout.configuration())).map_err(map_err)?;
        let modules = host_modules_json(host.as_ref())?;
        become_sandbox(&mut vm, &modules)?;
        Ok(VmGuest {
            vm,
            template,
            modules,
            config,
            host_wait,
            request: None,
            needs_seed: false,
            timers_used,
            finished: Arc::default(),
            files: disk::scratch_dir(cache),
            mapped: Weak::new(),
            // The vCPU runs on the thread that calls into the VM: this one,
            // the sandbox's worker thread, which makes every later call too.
            clock: GuestClock::of_current_thread()?,
        })
    }

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
            Ok(json) => output_fits(&json, output_limit).map(|()| json).map_err(Error::invalid_arg),
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
        for planned in load::plan(modules, handlers) {
            let done = match planned.step.clone() {
                load::Step::Module { name, source } => self.vm.call::<()>("register_module", (name, source)),
                load::Step::Handler { name, source, dir } => self.vm.call::<()>("register_handler", (name, source, dir)),
            };
            done.map_err(|e| load_error(map_err(e), &planned))?;
        }
        Ok(())
    }
}

/// A JavaScript error while loading is the user's source at fault; anything
/// else (a kill, a crash) keeps its own code.
fn load_error(err: Error, planned: &load::Planned) -> Error {
    match err.code {
        crate::ErrorCode::GuestAbort => Error::invalid_arg(planned.failure(&err.message)),
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

    /// A snapshot is mapped from a file (see `snapshot`): this process holds
    /// only what restored VMs read of it, about what an idle VM holds. (Had
    /// the file not been written, it holds all of it: the heap region and
    /// more; V8 then just hears of less than there is.)
    fn snapshot_bytes(&self) -> u64 {
        IDLE_VM_BYTES
    }

    /// Hyperlight keeps the VM's state; asking it is never a system call.
    fn failure(&self, _look: bool) -> Option<String> {
        self.vm.status().is_poisoned().then(|| VM_POISONED.to_string())
    }

    fn interrupt_target(&self) -> InterruptTarget {
        kill::target(self.vm.interrupt_handle(), self.host_wait.clone(), self.finished.clone())
    }

    fn cpu_clock(&self) -> Option<GuestClock> {
        Some(self.clock)
    }

    /// Hyperlight 0.17 copies every page mapped in the guest into a
    /// snapshot (about 113 MiB at default sizes, however little changed):
    /// that copy is written to a file and mapped back (`disk.rs`), and the
    /// VM restored from the mapping at once, so the copy, which the VM keeps
    /// until its next restore, is freed now. The state is the same; as after
    /// any restore, the guest gets fresh entropy before its next user code.
    fn snapshot(&mut self) -> Result<Box<dyn Any + Send + Sync>> {
        let taken = self.vm.snapshot().map_err(map_err)?;
        if std::ptr::eq(Arc::as_ptr(&taken), self.mapped.as_ptr()) {
            return Ok(Box::new(taken));
        }
        let mapped = disk::file_backed(taken, &self.files);
        self.vm.restore(mapped.clone()).map_err(map_err)?;
        self.needs_seed = true;
        self.mapped = Arc::downgrade(&mapped);
        Ok(Box::new(mapped))
    }

    fn restore(&mut self, snapshot: &(dyn Any + Send + Sync)) -> Result<()> {
        let snapshot: &Arc<Snapshot> = downcast_snapshot(snapshot)?;
        self.vm.restore(snapshot.clone()).map_err(map_err)?;
        self.mapped = Arc::downgrade(snapshot);
        // Before the next user code, not now: a guest call here would make
        // Hyperlight copy the whole VM at a snapshot() that follows at once,
        // where it can otherwise hand back the snapshot just restored.
        self.needs_seed = true;
        Ok(())
    }
}


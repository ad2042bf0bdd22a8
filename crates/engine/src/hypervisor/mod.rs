//! The micro-VM backend: each sandbox is a Hyperlight micro-VM driven
//! through `hyperlight-js`. Monitors are the engine's own (the same set as
//! the process backend), killing through Hyperlight's interrupt handle; the
//! guest runs on the calling thread, so the CPU monitor reads that thread's clock.

mod probe;

use std::any::Any;
use std::sync::Arc;

use hyperlight_js::{FnReturn, HyperlightError, JSSandbox, LoadedJSSandbox, Script};

pub use probe::probe;

use crate::backend::{
    check_event_size, check_handler_known, next_sandbox_id, own_snapshot, poisoned_error, Backend, BackendKind, GuestSandbox, GuestSnapshot,
    HostDispatch,
};
use crate::call::InterruptTarget;
use crate::config::SandboxConfig;
use crate::error::{Error, Result};
use crate::host_wait::HostWaiter;
use crate::monitor::GuestClock;

pub struct HypervisorBackend;

impl Backend for HypervisorBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Hypervisor
    }

    fn load_runtime(&self, config: SandboxConfig, host: Arc<dyn HostDispatch>) -> Result<Box<dyn GuestSandbox>> {
        let host_wait = HostWaiter::default();
        let runtime = start(&config, &host, &host_wait)?;
        Ok(Box::new(HypervisorSandbox {
            id: next_sandbox_id(),
            state: State::Runtime(runtime),
            config,
            host,
            host_wait,
            handlers: Vec::new(),
            poison: None,
        }))
    }
}

/// Hyperlight errors as the spec's codes, with what the user can do about them.
pub(crate) fn map_err(err: HyperlightError) -> Error {
    match err {
        HyperlightError::ExecutionCanceledByHost() => Error::cancelled("the guest call was cancelled"),
        HyperlightError::PoisonedSandbox => Error::poisoned(
            "the sandbox is poisoned; call restore(snapshot) or unload() to use it again",
        ),
        HyperlightError::GuestAborted(code, message) => {
            Error::guest_abort(format!("the guest aborted (code {code}): {message}"))
        }
        // The guest's own errors: the handler threw, or a handler did not compile.
        HyperlightError::GuestError(_, message) => Error::guest_abort(message),
        HyperlightError::JsonConversionFailure(e) => Error::invalid_arg(format!("the event is not valid JSON: {e}")),
        HyperlightError::NoHypervisorFound() => {
            Error::internal("no hypervisor found: the micro-VM backend needs /dev/kvm or /dev/mshv")
        }
        other => Error::internal(format!("hyperlight: {other}")),
    }
}

/// A micro-VM's scratch region holds the input and output buffers and page
/// tables as well as the stack; the user's scratch size is the stack's share,
/// as on the process backend.
fn micro_vm_scratch(config: &SandboxConfig) -> usize {
    const FIXED_OVERHEAD: u64 = 1 << 20;
    (config.scratch_size + config.input_buffer_size + config.output_buffer_size + FIXED_OVERHEAD) as usize
}

/// A fresh micro-VM with the runtime loaded and the host functions registered.
fn start(config: &SandboxConfig, host: &Arc<dyn HostDispatch>, host_wait: &HostWaiter) -> Result<JSSandbox> {
    let mut proto = hyperlight_js::SandboxBuilder::new()
        .with_guest_heap_size(config.heap_size)
        .with_guest_scratch_size(micro_vm_scratch(config))
        .with_guest_input_buffer_size(config.input_buffer_size as usize)
        .with_guest_output_buffer_size(config.output_buffer_size as usize)
        .build()
        .map_err(map_err)?;
    for module in host.modules() {
        for function in module.functions {
            let (host, waiter) = (host.clone(), host_wait.clone());
            let (m, f) = (module.name.clone(), function.clone());
            proto.host_module(module.name.clone()).register_js(function, move |args, _binaries| {
                match waiter.call(host.as_ref(), &m, &f, args.to_string()) {
                    Some(Ok(json)) => Ok(FnReturn::Json(json)),
                    Some(Err(message)) => Err(HyperlightError::Error(message)),
                    None => Err(HyperlightError::Error("interrupted".into())),
                }
            });
        }
    }
    proto.load_runtime().map_err(map_err)
}

enum State {
    Runtime(JSSandbox),
    Loaded(LoadedJSSandbox),
    /// Between operations that consume one state to produce the next, or
    /// after one of them failed and took the micro-VM with it.
    Gone,
}

struct HypervisorSandbox {
    id: u64,
    state: State,
    config: SandboxConfig,
    host: Arc<dyn HostDispatch>,
    host_wait: HostWaiter,
    handlers: Vec<String>,
    poison: Option<String>,
}

impl HypervisorSandbox {
    fn loaded(&mut self) -> Result<&mut LoadedJSSandbox> {
        match &mut self.state {
            State::Loaded(l) => Ok(l),
            _ => Err(Error::internal("no handlers are loaded in this micro-VM")),
        }
    }

    fn check_usable(&mut self) -> Result<()> {
        let poisoned_vm = matches!(&self.state, State::Loaded(l) if l.status().is_poisoned());
        match (&self.poison, poisoned_vm) {
            (Some(why), _) => Err(poisoned_error(why)),
            (None, true) => Err(map_err(HyperlightError::PoisonedSandbox)),
            _ => Ok(()),
        }
    }
}

impl GuestSandbox for HypervisorSandbox {
    fn load(&mut self, modules: &[(String, String)], handlers: &[(String, String)]) -> Result<()> {
        let State::Runtime(mut runtime) = std::mem::replace(&mut self.state, State::Gone) else {
            return Err(Error::internal("handlers are already loaded in this micro-VM"));
        };
        for (key, source) in modules {
            let (namespace, name) = key.split_once(':').unwrap_or(("user", key));
            runtime.add_module_ns(name.to_string(), Script::from_content(source.clone()), namespace.to_string()).map_err(map_err)?;
        }
        for (name, source) in handlers {
            runtime.add_handler(name.clone(), Script::from_content(source.clone())).map_err(map_err)?;
        }
        match runtime.get_loaded_sandbox() {
            Ok(loaded) => {
                self.state = State::Loaded(loaded);
                self.handlers = handlers.iter().map(|(n, _)| n.clone()).collect();
                Ok(())
            }
            Err(e) => {
                // hyperlight-js consumes the micro-VM on failure: start another
                // so the JSSandbox can be fixed and loaded again.
                self.state = State::Runtime(start(&self.config, &self.host, &self.host_wait)?);
                let err = map_err(e);
                Err(Error::invalid_arg(format!("the handlers failed to load: {}", err.message)))
            }
        }
    }

    fn call(&mut self, handler: &str, event_json: &str, gc: bool) -> Result<String> {
        check_handler_known(&self.handlers, handler)?;
        self.check_usable()?;
        check_event_size(&self.config, event_json)?;
        self.host_wait.reset();
        let result = self.loaded()?.handle_event(handler, event_json.to_string(), Some(gc)).map_err(map_err);
        if let Ok(json) = &result {
            if json.len() as u64 > self.config.output_buffer_size {
                return Err(Error::invalid_arg(format!(
                    "the handler's result is {} bytes, larger than the output buffer of {} bytes (setOutputBufferSize)",
                    json.len(),
                    self.config.output_buffer_size
                )));
            }
        }
        result
    }

    fn unload(&mut self) -> Result<()> {
        let state = std::mem::replace(&mut self.state, State::Gone);
        self.state = match state {
            State::Loaded(loaded) => State::Runtime(loaded.unload().map_err(map_err)?),
            State::Runtime(runtime) => State::Runtime(runtime),
            State::Gone => State::Runtime(start(&self.config, &self.host, &self.host_wait)?),
        };
        self.handlers.clear();
        self.poison = None;
        Ok(())
    }

    fn poisoned(&self) -> bool {
        self.poison.is_some() || matches!(&self.state, State::Loaded(l) if l.status().is_poisoned())
    }

    fn mark_poisoned(&mut self, why: String) {
        self.poison = Some(why);
    }

    fn interrupt_target(&self) -> InterruptTarget {
        let handle = match &self.state {
            State::Loaded(l) => Some(l.interrupt_handle()),
            _ => None,
        };
        let host_wait = self.host_wait.clone();
        Arc::new(move || {
            if let Some(h) = &handle {
                h.kill();
            }
            host_wait.interrupt();
        })
    }

    fn cpu_clock(&self) -> Option<GuestClock> {
        // The vCPU runs on the calling thread: the CPU monitor's default.
        None
    }

    fn snapshot(&mut self) -> Result<Arc<dyn GuestSnapshot>> {
        self.check_usable()?;
        let snapshot = self.loaded()?.snapshot().map_err(map_err)?;
        Ok(Arc::new(HypervisorSnapshot { owner: self.id, snapshot, handlers: self.handlers.clone() }))
    }

    fn restore(&mut self, snapshot: &dyn GuestSnapshot) -> Result<()> {
        let snap: &HypervisorSnapshot = own_snapshot(snapshot, self.id)?;
        self.loaded()?.restore(snap.snapshot.clone()).map_err(map_err)?;
        self.poison = None;
        self.handlers = snap.handlers.clone();
        Ok(())
    }
}

struct HypervisorSnapshot {
    owner: u64,
    snapshot: Arc<hyperlight_js::Snapshot>,
    handlers: Vec<String>,
}

impl GuestSnapshot for HypervisorSnapshot {
    fn owner(&self) -> u64 {
        self.owner
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn the_micro_vm_scratch_holds_the_stack_and_both_buffers() {
        let config = SandboxConfig {
            scratch_size: 1 << 20,
            input_buffer_size: 4 << 20,
            output_buffer_size: 2 << 20,
            ..Default::default()
        };
        assert_eq!(micro_vm_scratch(&config), (1 + 4 + 2 + 1) << 20);
        // Hyperlight refuses a scratch below what its buffers need; the
        // defaults must clear that with room to spare (8 MiB seen for 4+4 MiB).
        assert!(micro_vm_scratch(&SandboxConfig::default()) > 9 << 20);
    }

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
}

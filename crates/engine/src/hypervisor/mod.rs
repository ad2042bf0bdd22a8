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

mod disk;
mod guest;
mod host_functions;
mod kill;
mod layout;
mod probe;
mod template;

use std::sync::Arc;

use hyperlight_host::HyperlightError;
use hyperlight_js_wire::guest_error::describe;

pub use disk::writes_pending as template_writes_pending;
pub use layout::VmLayout;
pub use probe::{offer_template_cache, probe, probed};

use crate::backend::{Backend, HostDispatch, Transport};
use crate::config::{BackendKind, SandboxConfig};
use crate::console::Console;
use crate::error::{Error, Result};
use guest::VmGuest;

/// Why a micro-VM that Hyperlight poisoned cannot run anything.
pub(crate) const VM_POISONED: &str = "Hyperlight marked its micro-VM poisoned: a guest call did not complete";

#[derive(Debug, Default, Clone)]
pub struct HypervisorBackend {
    /// Where templates are read from and written to (`setTemplateCache`).
    template_cache: Option<Arc<std::path::Path>>,
}

impl Backend for HypervisorBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Hypervisor
    }

    fn with_template_cache(self: Arc<Self>, dir: &std::path::Path) -> Arc<dyn Backend> {
        Arc::new(HypervisorBackend { template_cache: Some(dir.into()) })
    }

    fn check_config(&self, config: &SandboxConfig) -> Result<()> {
        VmLayout::for_config(config).map(|_| ())
    }

    fn load_runtime(&self, config: SandboxConfig, host: Arc<dyn HostDispatch>, console: Console) -> Result<Box<dyn Transport>> {
        Ok(Box::new(VmGuest::new(config, host, console, self.template_cache.as_deref())?))
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

#[cfg(test)]
mod tests {
    use super::*;
    use super::template::boot_guest;
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


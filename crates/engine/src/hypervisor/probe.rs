//! Whether micro-VMs really start here. `/dev/kvm` existing proves nothing:
//! on nested, paravirtual KVM (kvm_pvm) a VM is created but every Hyperlight
//! guest dies on its first instructions. So the probe boots one, once per
//! process, and keeps the reason when it fails.
//!
//! The probe is bounded: a micro-VM whose first run never returns (seen in
//! the nested test VM) must make `'auto'` fall back, not wait forever. It
//! boots on a thread of its own; past the bound the probe VM is killed if it
//! got far enough to have an interrupt handle, and its thread is left behind
//! either way (a vCPU stuck in the kernel cannot be stopped from here).

use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::call::InterruptTarget;
use crate::error::Result;
use crate::NoHostFunctions;

/// `HYPERLIGHT_JS_PROBE_TIMEOUT_MS` overrides it.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_PROBE_TIMEOUT: Duration = Duration::from_secs(600);

static RESULT: OnceLock<std::result::Result<(), String>> = OnceLock::new();

/// `Ok` when a probe micro-VM ran a handler; else why not.
pub fn probe() -> &'static std::result::Result<(), String> {
    RESULT.get_or_init(|| {
        if !hyperlight_host::is_hypervisor_present() {
            return Err("no usable hypervisor: /dev/kvm or /dev/mshv is missing or not accessible".into());
        }
        let limit = crate::config::env_millis("HYPERLIGHT_JS_PROBE_TIMEOUT_MS", PROBE_TIMEOUT, MAX_PROBE_TIMEOUT);
        bounded(limit, boot)
    })
}

/// Whether `probe()` has its answer: it then returns at once.
pub fn probed() -> bool {
    RESULT.get().is_some()
}

/// Runs `boot` on its own thread for at most `limit`.
fn bounded(
    limit: Duration,
    boot: fn(&Mutex<Option<InterruptTarget>>) -> Result<()>,
) -> std::result::Result<(), String> {
    let kill: Arc<Mutex<Option<InterruptTarget>>> = Arc::default();
    let (tx, rx) = mpsc::channel();
    let theirs = kill.clone();
    std::thread::Builder::new()
        .name("hyperlight-js-probe".into())
        .spawn(move || {
            let _ = tx.send(boot(&theirs));
        })
        .map_err(|e| format!("could not start the probe thread: {e}"))?;
    match rx.recv_timeout(limit) {
        Ok(result) => result.map_err(|e| format!("a probe micro-VM could not start or run: {}", e.message)),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let killed = kill.lock().unwrap_or_else(|p| p.into_inner()).take().map(|target| target()).is_some();
            Err(format!(
                "the probe micro-VM did not finish within {} ms (HYPERLIGHT_JS_PROBE_TIMEOUT_MS); {}",
                limit.as_millis(),
                if killed { "it was killed" } else { "it was still booting and was left behind" }
            ))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the probe thread ended without an answer (a panic inside Hyperlight?)".into()),
    }
}

/// The template cache the probe's micro-VM uses, if a builder with one asks
/// before the probe runs (its sizes are the defaults: in a process whose
/// sandboxes have those, the probe boots the template they all start from).
static PROBE_TEMPLATE_CACHE: Mutex<Option<std::path::PathBuf>> = Mutex::new(None);

/// `setTemplateCache(dir)` on a builder whose `build()` may run the probe.
/// The first such directory is the one the probe uses.
pub fn offer_template_cache(dir: &std::path::Path) {
    if !probed() {
        PROBE_TEMPLATE_CACHE.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(|| dir.to_path_buf());
    }
}

fn boot(kill: &Mutex<Option<InterruptTarget>>) -> Result<()> {
    use crate::backend::Backend;
    let cache = PROBE_TEMPLATE_CACHE.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let backend = super::HypervisorBackend { template_cache: cache.map(Into::into) };
    let console = crate::Console::new(crate::ConsoleDestination::Ignore, 0);
    let mut sb = backend.load_runtime(crate::SandboxConfig::default(), std::sync::Arc::new(NoHostFunctions), console)?;
    *kill.lock().unwrap_or_else(|p| p.into_inner()) = Some(sb.interrupt_target());
    sb.load(&[], &[("probe".into(), "function handler(e) { return e + 1; }".into())])?;
    sb.start("probe", "41", false)?;
    match sb.finish()?.as_str() {
        "42" => Ok(()),
        other => Err(crate::Error::internal(format!("the probe handler returned {other} instead of 42"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never_returns(_: &Mutex<Option<InterruptTarget>>) -> Result<()> {
        std::thread::sleep(Duration::from_secs(3600));
        Ok(())
    }

    fn killable(kill: &Mutex<Option<InterruptTarget>>) -> Result<()> {
        let (tx, rx) = mpsc::channel::<()>();
        let tx = Mutex::new(tx);
        *kill.lock().unwrap() = Some(Arc::new(move || {
            let _ = tx.lock().unwrap().send(());
        }));
        rx.recv().ok();
        Ok(())
    }

    fn fails(_: &Mutex<Option<InterruptTarget>>) -> Result<()> {
        Err(crate::Error::internal("Unknown KVM VCPU exit: InternalError"))
    }

    #[test]
    fn a_probe_that_never_returns_is_given_up_on_with_its_bound_named() {
        let started = std::time::Instant::now();
        let err = bounded(Duration::from_millis(50), never_returns).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(err.contains("did not finish within 50 ms") && err.contains("HYPERLIGHT_JS_PROBE_TIMEOUT_MS"), "{err}");
        assert!(err.contains("left behind"), "{err}");
    }

    #[test]
    fn a_probe_vm_that_got_an_interrupt_handle_is_killed() {
        let err = bounded(Duration::from_millis(50), killable).unwrap_err();
        assert!(err.contains("it was killed"), "{err}");
    }

    #[test]
    fn a_failed_probe_keeps_its_reason() {
        let err = bounded(Duration::from_secs(5), fails).unwrap_err();
        assert!(err.contains("could not start or run") && err.contains("InternalError"), "{err}");
    }
}

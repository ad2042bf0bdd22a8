//! Which backend a builder gets.

use std::sync::Arc;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::process::ProcessBackend;

/// Overrides `SandboxBuilder.setBackend()` when set.
pub const BACKEND_ENV: &str = "HYPERLIGHT_JS_BACKEND";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    Auto,
    Hypervisor,
    Process,
}

impl BackendChoice {
    pub fn parse(value: &str, source: &str) -> Result<Self> {
        match value {
            "auto" => Ok(Self::Auto),
            "hypervisor" => Ok(Self::Hypervisor),
            "process" => Ok(Self::Process),
            other => Err(Error::invalid_arg(format!(
                "{source}: backend must be 'auto', 'hypervisor' or 'process', got '{other}'"
            ))),
        }
    }
}

/// What `build()` got: the backend, and why `auto` did not pick the micro-VM (for the warning).
pub struct Chosen {
    pub backend: Arc<dyn Backend>,
    pub fallback_reason: Option<String>,
}

/// Whether micro-VMs work here (probed once per process), and if not, why.
pub fn hypervisor_status() -> std::result::Result<(), String> {
    #[cfg(feature = "hypervisor")]
    {
        // A probe that panics inside Hyperlight must not take the host down.
        match std::panic::catch_unwind(crate::hypervisor::probe) {
            Ok(result) => result.clone(),
            Err(_) => Err("the hypervisor probe panicked".to_string()),
        }
    }
    #[cfg(not(feature = "hypervisor"))]
    {
        Err("this build of @hyperlight/js-host-api has no micro-VM support (engine feature 'hypervisor' off)".into())
    }
}

/// A builder's template cache, for the probe's micro-VM if it has not run yet.
pub fn offer_template_cache(_dir: &std::path::Path) {
    #[cfg(feature = "hypervisor")]
    crate::hypervisor::offer_template_cache(_dir);
}

/// Template cache writes under way, which Node waits for before it exits.
pub fn template_writes_pending() -> u64 {
    #[cfg(feature = "hypervisor")]
    return crate::hypervisor::template_writes_pending();
    #[cfg(not(feature = "hypervisor"))]
    0
}

/// Waits up to `limit` for the template cache writes under way to end
/// (`process.exit()` would cut them off); whether they did.
pub fn wait_for_template_writes(limit: std::time::Duration) -> bool {
    let until = std::time::Instant::now() + limit;
    while template_writes_pending() > 0 {
        if std::time::Instant::now() >= until {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    true
}

fn hypervisor_backend() -> Arc<dyn Backend> {
    #[cfg(feature = "hypervisor")]
    {
        Arc::new(crate::hypervisor::HypervisorBackend::default())
    }
    #[cfg(not(feature = "hypervisor"))]
    {
        unreachable!("only chosen when the probe passed")
    }
}

/// Applies the environment override, then picks: `auto` takes the micro-VM
/// when a probe VM really runs, else the process backend (and says why);
/// an explicit `hypervisor` that cannot run is an error, never a fallback.
pub fn choose(requested: BackendChoice) -> Result<Chosen> {
    pick(overridden(requested)?)
}

/// The backend for a choice the environment has had its say on.
fn pick(choice: BackendChoice) -> Result<Chosen> {
    let process = || Arc::new(ProcessBackend) as Arc<dyn Backend>;
    Ok(match choice {
        BackendChoice::Process => Chosen { backend: process(), fallback_reason: None },
        BackendChoice::Auto => match hypervisor_status() {
            Ok(()) => Chosen { backend: hypervisor_backend(), fallback_reason: None },
            Err(reason) => Chosen { backend: process(), fallback_reason: Some(reason) },
        },
        BackendChoice::Hypervisor => match hypervisor_status() {
            Ok(()) => Chosen { backend: hypervisor_backend(), fallback_reason: None },
            Err(reason) => {
                return Err(Error::internal(format!(
                    "the hypervisor backend cannot run here: {reason}. Use setBackend('process') (or 'auto') for the jailed-process backend"
                )))
            }
        },
    })
}

/// `choose` when it would not block: `None` while the choice still waits on
/// the first probe of the process (a micro-VM boot: not for the event loop).
pub fn choose_now(requested: BackendChoice) -> Option<Result<Chosen>> {
    let choice = match overridden(requested) {
        Ok(choice) => choice,
        Err(e) => return Some(Err(e)),
    };
    #[cfg(feature = "hypervisor")]
    if matches!(choice, BackendChoice::Auto | BackendChoice::Hypervisor) && !crate::hypervisor::probed() {
        return None;
    }
    Some(pick(choice))
}

/// The choice after `HYPERLIGHT_JS_BACKEND`'s override.
fn overridden(requested: BackendChoice) -> Result<BackendChoice> {
    match std::env::var(BACKEND_ENV) {
        Ok(v) if !v.is_empty() => BackendChoice::parse(&v, BACKEND_ENV),
        _ => Ok(requested),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_the_bad_value_and_its_source() {
        let err = BackendChoice::parse("kvm", "setBackend").unwrap_err();
        assert!(err.message.contains("setBackend") && err.message.contains("'kvm'"), "{}", err.message);
        assert_eq!(BackendChoice::parse("process", "x").unwrap(), BackendChoice::Process);
    }
}

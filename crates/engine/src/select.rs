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

/// Applies the environment override, then picks. Until the micro-VM backend
/// is built in, `auto` means `process` and `hypervisor` is refused outright:
/// never a silent fallback from the isolation a user asked for.
pub fn choose(requested: BackendChoice) -> Result<Arc<dyn Backend>> {
    let choice = match std::env::var(BACKEND_ENV) {
        Ok(v) if !v.is_empty() => BackendChoice::parse(&v, BACKEND_ENV)?,
        _ => requested,
    };
    match choice {
        BackendChoice::Auto | BackendChoice::Process => Ok(Arc::new(ProcessBackend)),
        BackendChoice::Hypervisor => Err(Error::internal(
            "the hypervisor backend is not available: this build of @hyperlight/js-host-api has no micro-VM support; \
             use setBackend('process') or 'auto'",
        )),
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

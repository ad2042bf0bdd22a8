//! Whether micro-VMs really start here. `/dev/kvm` existing proves nothing:
//! on nested, paravirtual KVM (kvm_pvm) a VM is created but every Hyperlight
//! guest dies on its first instructions. So the probe boots one, once per
//! process, and keeps the reason when it fails.

use std::sync::OnceLock;

use crate::error::Result;
use crate::NoHostFunctions;

/// `Ok` when a probe micro-VM ran a handler; else why not.
pub fn probe() -> &'static std::result::Result<(), String> {
    static RESULT: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    RESULT.get_or_init(|| {
        if !hyperlight_host::is_hypervisor_present() {
            return Err("no usable hypervisor: /dev/kvm or /dev/mshv is missing or not accessible".into());
        }
        boot().map_err(|e| format!("a probe micro-VM could not start or run: {}", e.message))
    })
}

fn boot() -> Result<()> {
    use crate::backend::Backend;
    let backend = super::HypervisorBackend;
    let mut sb = backend.load_runtime(crate::SandboxConfig::default(), std::sync::Arc::new(NoHostFunctions))?;
    sb.load(&[], &[("probe".into(), "function handler(e) { return e + 1; }".into())])?;
    match sb.call("probe", "41", false)?.as_str() {
        "42" => Ok(()),
        other => Err(crate::Error::internal(format!("the probe handler returned {other} instead of 42"))),
    }
}

//! Templates: an initialised guest for each set of sizes, as a snapshot that
//! every new micro-VM of those sizes starts from.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, Weak};

use hyperlight_host::sandbox::snapshot::Snapshot;
use hyperlight_host::{GuestBinary, MultiUseSandbox, UninitializedSandbox};

use super::host_functions::register_host_side;
use super::{disk, map_err, VmLayout};
use crate::backend::HostDispatch;
use crate::config::{guest_sizes, SandboxConfig};
use crate::console::Console;
use crate::error::Result;
use crate::host_wait::HostWaiter;
use crate::lock;

/// The guest executable, built by this crate's build script.
static VM_GUEST: &[u8] = include_bytes!(env!("HYPERLIGHT_JS_VM_GUEST"));

/// An initialised guest (the runtime up, QuickJS's limits set) for each
/// distinct set of guest sizes, as a snapshot that every new micro-VM of
/// those sizes starts from. Booting the guest and initialising QuickJS is
/// then paid once, as the process backend pays it once in its template
/// process. A template lives while a sandbox made from it does; the one used
/// last also lives on without any, so that sandboxes made and dropped one
/// after another (and the first one after the probe, which has the default
/// sizes too) do not boot again. With a template cache (`cache`,
/// `setTemplateCache`) a template is mapped from its file there (see
/// `disk.rs`), loaded if another process wrote it, else booted and written.
pub(super) fn template(config: &SandboxConfig, cache: Option<&Path>) -> Result<Arc<Snapshot>> {
    static LAST_USED: Mutex<Option<Arc<Snapshot>>> = Mutex::new(None);
    let snapshot = cached_or_booted(config, cache)?;
    *lock(&LAST_USED) = Some(snapshot.clone());
    Ok(snapshot)
}

fn cached_or_booted(config: &SandboxConfig, cache: Option<&Path>) -> Result<Arc<Snapshot>> {
    static TEMPLATES: LazyLock<Mutex<HashMap<SandboxConfig, Weak<Snapshot>>>> = LazyLock::new(Mutex::default);
    // One template boot at a time, in the whole process: a second first
    // sandbox of the same sizes waits for the template the first one boots
    // instead of booting its own; and micro-VMs booting side by side were
    // where the test VM showed triple faults before templates.
    static BOOTING: Mutex<()> = Mutex::new(());
    let key = guest_sizes(config);
    let cached = || lock(&TEMPLATES).get(&key).and_then(Weak::upgrade);
    if let Some(snapshot) = cached() {
        return Ok(snapshot);
    }
    let _booting = lock(&BOOTING);
    if let Some(snapshot) = cached() {
        return Ok(snapshot);
    }
    // Identifies this guest binary in template file names; hashed once.
    static GUEST_ID: LazyLock<u64> = LazyLock::new(|| disk::guest_id(VM_GUEST));
    let snapshot = match cache {
        Some(dir) => disk::cached_template(dir, *GUEST_ID, config, || boot_template(config))?,
        // Kept in memory: writing it to a file first would add seconds to
        // the first start in slow environments (the test VM), for memory
        // the process holds once per set of sizes.
        None => {
            let booted = boot_template(config)?;
            crate::telemetry::record_template(crate::telemetry::TemplateOutcome::Booted);
            booted
        }
    };
    let mut templates = lock(&TEMPLATES);
    templates.retain(|_, t| t.strong_count() > 0);
    templates.insert(key, Arc::downgrade(&snapshot));
    Ok(snapshot)
}

/// Boots a guest, sets its limits and snapshots it. No user code runs in a
/// template, so its host functions answer for nobody; each sandbox made from
/// it brings its own (`register_host_side`).
pub(super) fn boot_template(config: &SandboxConfig) -> Result<Arc<Snapshot>> {
    boot_guest(config)?.snapshot().map_err(map_err)
}

/// A micro-VM booted from the guest executable, its limits set: what a
/// template snapshots.
pub(super) fn boot_guest(config: &SandboxConfig) -> Result<MultiUseSandbox> {
    let layout = VmLayout::for_config(config)?;
    let mut vm = UninitializedSandbox::new(GuestBinary::Buffer(VM_GUEST.to_vec()), Some(layout.configuration())).map_err(map_err)?;
    let nobody: Arc<dyn HostDispatch> = Arc::new(crate::NoHostFunctions);
    let console = Console::new(crate::ConsoleDestination::Ignore, 0);
    register_host_side(&mut vm, &nobody, &HostWaiter::default(), console, &Arc::default())?;
    let mut vm = vm.evolve().map_err(map_err)?;
    vm.call::<()>("SetLimits", (config.heap_size, config.scratch_size, config.output_buffer_size)).map_err(map_err)?;
    Ok(vm)
}


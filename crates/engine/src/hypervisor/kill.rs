//! Killing a micro-VM's call: Hyperlight's kill, repeated from a thread of
//! its own until the call it is for is over.

use std::sync::{Arc, Mutex};

use hyperlight_host::hypervisor::InterruptHandle;

use crate::call::InterruptTarget;
use crate::host_wait::HostWaiter;
use crate::lock;

/// How often a kill is repeated until the call it is for is over.
const KILL_REPEAT: std::time::Duration = std::time::Duration::from_millis(10);

/// What kills the call or load that is starting now: `finished` counts the
/// guest calls finished so far, so a kill meant for this one stops once it is over.
pub(super) fn target(handle: Arc<dyn InterruptHandle>, host_wait: HostWaiter, finished: Arc<Mutex<u64>>) -> InterruptTarget {
    // The call or load this target is for: made as it begins.
    let this_one = *lock(&finished);
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

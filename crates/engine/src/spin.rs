//! When polling beats sleeping. Waking a sleeping thread costs more than a
//! trivial guest call on a virtual machine, so a lone call polls briefly for
//! what comes next. With several calls in flight the CPUs are better used
//! doing work than polling, so nobody polls.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// How long a host thread polls for a guest's reply or its next job.
pub const HOST_SPIN: Duration = Duration::from_micros(50);
/// How long a guest polls for its next request after answering.
pub const GUEST_SPIN: Duration = Duration::from_micros(100);

fn threshold() -> usize {
    static T: OnceLock<usize> = OnceLock::new();
    *T.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)))
}

/// Counts a sandbox job as in flight while alive.
pub struct InFlight(());

impl InFlight {
    pub fn enter() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        InFlight(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `spin` when at most a few jobs are in flight, else zero.
pub fn budget(spin: Duration) -> Duration {
    if IN_FLIGHT.load(Ordering::Relaxed) <= threshold() {
        spin
    } else {
        Duration::ZERO
    }
}

/// Polls `try_once` for up to `budget(spin)`, then gives up (the caller blocks).
pub fn poll<T>(spin: Duration, mut try_once: impl FnMut() -> Option<T>) -> Option<T> {
    let spin = budget(spin);
    if spin.is_zero() {
        return None;
    }
    let until = std::time::Instant::now() + spin;
    while std::time::Instant::now() < until {
        if let Some(v) = try_once() {
            return Some(v);
        }
        std::hint::spin_loop();
    }
    None
}

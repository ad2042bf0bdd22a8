//! When polling beats sleeping. Waking a sleeping thread costs more than a
//! trivial guest call on a virtual machine, so a lone call polls briefly for
//! what comes next. With several calls in flight the CPUs are better used
//! doing work than polling, so nobody polls.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// How long a host thread polls for a guest's reply or its next job.
pub const HOST_SPIN: Duration = Duration::from_micros(50);
/// How long a guest polls for its next request after answering.
pub const GUEST_SPIN: Duration = Duration::from_micros(100);
/// How long a guest polls for its first call after answering a load. That
/// call comes later than the next call after a call does (the load's promise
/// settles through Node's loop first), so longer than `GUEST_SPIN`; a guest
/// asleep then made a fresh sandbox's first call about 50 us slower (a lower
/// quartile of 90-100 against 40-50 us, on the 2-core machine measured).
/// Within the budget, so a burst of loads does not leave guests polling on
/// cores the loads need.
pub const LOAD_SPIN: Duration = Duration::from_millis(1);
/// How long the caller's thread (Node's event loop) may poll for a quick
/// handler's answer before handing the call to the sandbox's thread
/// (`Sandbox::poll`, the fast path), unless `HYPERLIGHT_JS_FAST_SPIN_US` says otherwise.
pub const CALLER_SPIN: Duration = Duration::from_micros(50);
/// The most `HYPERLIGHT_JS_FAST_SPIN_US` may ask: the event loop's bound.
pub const MAX_CALLER_SPIN: Duration = Duration::from_millis(1);

/// The caller's spin for this call (zero: no polling now), within the process-wide budget.
pub fn caller_budget() -> Duration {
    budget(caller_spin())
}

/// The caller's spin as configured (zero: no fast path at all).
pub fn caller_spin() -> Duration {
    static SPIN: OnceLock<Duration> = OnceLock::new();
    *SPIN.get_or_init(|| {
        let Ok(value) = std::env::var("HYPERLIGHT_JS_FAST_SPIN_US") else { return CALLER_SPIN };
        match value.trim().parse::<u64>().map(Duration::from_micros) {
            Ok(spin) if spin <= MAX_CALLER_SPIN => spin,
            _ => {
                eprintln!(
                    "@hyperlight/js-host-api: HYPERLIGHT_JS_FAST_SPIN_US={value:?} is not a whole number of microseconds from 0 to {}; using {}",
                    MAX_CALLER_SPIN.as_micros(),
                    CALLER_SPIN.as_micros()
                );
                CALLER_SPIN
            }
        }
    })
}

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

/// How long guest `id` (non-zero, e.g. its pid) should poll for its next
/// request after this call. Only when the previous call went to the same guest: calls
/// spread over several sandboxes would leave each guest polling for a
/// request that goes elsewhere, on cores the caller needs.
pub fn guest_budget(id: u64) -> Duration {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let previous = LAST.swap(id, Ordering::Relaxed);
    if previous == id || previous == 0 {
        budget(GUEST_SPIN)
    } else {
        Duration::ZERO
    }
}

/// The longest a guest polls after answering, whatever the host asks: a
/// confused host cannot make a guest burn its core.
pub const MAX_GUEST_SPIN: Duration = Duration::from_millis(1);

/// What the guest polls for after a `Call` whose host asked `spin_us` (see [`guest_budget`]).
pub fn guest_spin(spin_us: u32) -> Duration {
    Duration::from_micros(spin_us.into()).min(MAX_GUEST_SPIN)
}


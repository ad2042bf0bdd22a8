use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

use super::ExecutionMonitor;
use crate::error::{Error, Result};

/// A CPU clock to read: the guest process's (process backend), or the
/// calling thread's (a vCPU run on the calling thread, hypervisor backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestClock(pub libc::clockid_t);

impl GuestClock {
    /// The CPU clock of another process (one of our unreaped children, so the pid is stable).
    pub fn of_process(pid: i32) -> Result<Self> {
        let mut clock: libc::clockid_t = 0;
        // SAFETY: out-parameter is a valid clockid_t.
        let rc = unsafe { libc::clock_getcpuclockid(pid, &mut clock) };
        if rc != 0 {
            return Err(Error::internal(format!(
                "cannot read the CPU clock of guest process {pid}: {}",
                std::io::Error::from_raw_os_error(rc)
            )));
        }
        Ok(Self(clock))
    }

    pub fn of_current_thread() -> Result<Self> {
        let mut clock: libc::clockid_t = 0;
        // SAFETY: pthread_self is always valid; out-parameter is a valid clockid_t.
        let rc = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) };
        if rc != 0 {
            return Err(Error::internal(format!(
                "cannot read this thread's CPU clock: {}",
                std::io::Error::from_raw_os_error(rc)
            )));
        }
        Ok(Self(clock))
    }

    pub fn read(self) -> Result<Duration> {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: valid out-parameter.
        if unsafe { libc::clock_gettime(self.0, &mut ts) } != 0 {
            return Err(Error::internal(format!("CPU clock unreadable: {}", std::io::Error::last_os_error())));
        }
        Ok(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    }
}

thread_local! {
    static GUEST_CLOCK: Cell<Option<GuestClock>> = const { Cell::new(None) };
}

/// Runs `f` with `clock` as the clock a `CpuTimeMonitor` set up on this thread
/// will watch. Backends whose guest does not run on the calling thread use
/// this around `MonitorSet::to_race`.
pub fn with_guest_clock<R>(clock: Option<GuestClock>, f: impl FnOnce() -> R) -> R {
    let prev = GUEST_CLOCK.with(|c| c.replace(clock));
    let out = f();
    GUEST_CLOCK.with(|c| c.set(prev));
    out
}

/// Stops a call once the guest has used a CPU budget. Time the guest spends
/// blocked (on a host function, say) does not count.
#[derive(Debug, Clone)]
pub struct CpuTimeMonitor {
    limit: Duration,
}

impl CpuTimeMonitor {
    pub fn new(limit: Duration) -> Result<Self> {
        if limit.is_zero() {
            return Err(Error::invalid_arg("CPU time limit must be greater than zero"));
        }
        Ok(Self { limit })
    }
}

/// Half of what is left, so checks tighten near the deadline, within 1..10 ms.
fn next_poll(remaining: Duration) -> Duration {
    (remaining / 2).clamp(Duration::from_millis(1), Duration::from_millis(10))
}

impl ExecutionMonitor for CpuTimeMonitor {
    fn get_monitor(&self) -> Result<impl Future<Output = ()> + Send + 'static> {
        let clock = match GUEST_CLOCK.with(Cell::get) {
            Some(c) => c,
            None => GuestClock::of_current_thread()?,
        };
        let start = clock.read()?;
        let limit = self.limit;
        Ok(async move {
            loop {
                let used = match clock.read() {
                    Ok(now) => now.saturating_sub(start),
                    // The guest is gone; the call ends without us.
                    Err(_) => return std::future::pending().await,
                };
                if used >= limit {
                    return;
                }
                tokio::time::sleep(next_poll(limit - used)).await;
            }
        })
    }

    fn name(&self) -> &'static str {
        "cpu-time"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_interval_is_half_the_remainder_clamped() {
        assert_eq!(next_poll(Duration::from_millis(100)), Duration::from_millis(10));
        assert_eq!(next_poll(Duration::from_millis(8)), Duration::from_millis(4));
        assert_eq!(next_poll(Duration::from_micros(500)), Duration::from_millis(1));
    }
}

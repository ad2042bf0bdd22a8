//! What stops a call: its monitors racing it, `kill()`, its AbortSignal, and
//! the watch on a killed guest that does not stop. [`crate::Sandbox`] runs
//! every call and load between [`Monitored::start`] and [`Monitored::finish`],
//! and turns what stopped it into `ERR_CANCELLED` with the sandbox poisoned.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::monitor::{self, CpuTimeMonitor, MonitorSet, WallClockMonitor};

/// Kills whatever the sandbox is running right now.
pub type InterruptTarget = Arc<dyn Fn() + Send + Sync>;

/// What stopped a call that did not end by itself: a monitor's name, or one of these.
pub const KILLED_BY_HANDLE: &str = "kill";
pub const ABORTED_BY_SIGNAL: &str = "abort";
pub const DISPOSED: &str = "dispose";

#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub gc: bool,
    pub wall_clock: Option<Duration>,
    pub cpu_time: Option<Duration>,
    /// The call's AbortSignal, when it has one.
    pub abort: Option<Arc<CallAbort>>,
}

/// One call's AbortSignal as the engine sees it. Unlike `kill()`, which
/// stops whatever runs now, an abort belongs to one call: it must not stop
/// an earlier call still running on the sandbox, and a call aborted while
/// it waits in the queue must never start.
#[derive(Debug, Default)]
pub struct CallAbort {
    aborted: AtomicBool,
    started: AtomicBool,
}

/// What an abort found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbortOutcome {
    /// The call was running: it is being stopped, and fails as cancelled.
    Stopped,
    /// The call had not started: it never will.
    Prevented,
    /// The call had already finished (or been aborted): nothing changes.
    TooLate,
}

impl AbortOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AbortOutcome::Stopped => "stopped",
            AbortOutcome::Prevented => "prevented",
            AbortOutcome::TooLate => "too-late",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallStats {
    pub wall_clock_ms: f64,
    pub cpu_time_ms: Option<f64>,
    pub terminated_by: Option<&'static str>,
}

/// Told when a killed guest does not stop within [`kill_grace`]: the
/// sandbox is unusable for good (its worker then fails what waits on it).
pub type StuckHandler = Arc<dyn Fn(Error) + Send + Sync>;

/// How long a killed guest may take to stop before its sandbox is given up
/// as stuck (`HYPERLIGHT_JS_KILL_GRACE_MS`). A kill lands in microseconds
/// natively; only a vCPU that never leaves the kernel takes this long.
pub fn kill_grace() -> Duration {
    static GRACE: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *GRACE.get_or_init(|| crate::config::env_millis("HYPERLIGHT_JS_KILL_GRACE_MS", Duration::from_secs(5), Duration::from_secs(600)))
}

/// A callback that runs after a delay on the monitor runtime, unless aborted first.
pub struct After(tokio::task::JoinHandle<()>);

impl After {
    pub fn abort(self) {
        self.0.abort();
    }
}

/// Runs `f` after `delay` (on the monitor runtime, which must start: this
/// fails closed, as monitors do).
pub fn after(delay: Duration, f: impl FnOnce() + Send + 'static) -> Result<After> {
    let rt = monitor::runtime::get()?;
    Ok(After(rt.spawn(async move {
        tokio::time::sleep(delay).await;
        f()
    })))
}

/// Shared between a sandbox's worker and whoever may stop its call (a
/// monitor task, `interruptHandle.kill()` on the JS thread). The lock makes
/// "is a call running?" and "kill it" one step, so a kill never lands on a
/// guest that already finished, or on the next call.
#[derive(Default)]
pub struct CallControl {
    state: Mutex<CallState>,
}

#[derive(Default)]
struct CallState {
    running: bool,
    terminated_by: Option<&'static str>,
    target: Option<InterruptTarget>,
    abort: Option<Arc<CallAbort>>,
    /// Who hears of a killed guest that did not stop, and after how long.
    on_stuck: Option<(StuckHandler, Duration)>,
    /// Armed by a kill, disarmed when the call ends.
    stuck_watch: Option<After>,
}

impl CallState {
    fn terminate(&mut self, by: &'static str) -> bool {
        if !self.running || self.terminated_by.is_some() {
            return false;
        }
        self.terminated_by = Some(by);
        if let Some(target) = &self.target {
            target();
        }
        if let Some((on_stuck, grace)) = self.on_stuck.clone() {
            let watch = after(grace, move || {
                on_stuck(Error::internal(format!(
                    "the guest did not stop within {} ms of being stopped by {by} (HYPERLIGHT_JS_KILL_GRACE_MS): \
                     its vCPU or process is stuck. This sandbox cannot be used again; drop it and build a new one",
                    grace.as_millis()
                )))
            });
            match watch {
                Ok(watch) => self.stuck_watch = Some(watch),
                Err(e) => tracing::warn!(error = %e.message, "no watch on a killed guest"),
            }
        }
        true
    }
}

impl CallControl {
    /// A control whose killed calls are watched: `on_stuck` hears of one
    /// whose guest does not stop within `grace` (see [`kill_grace`]).
    pub fn with_stuck_handler(on_stuck: StuckHandler, grace: Duration) -> Self {
        Self { state: Mutex::new(CallState { on_stuck: Some((on_stuck, grace)), ..CallState::default() }) }
    }

    fn lock(&self) -> MutexGuard<'_, CallState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops the running call, if any; returns whether one was stopped.
    pub fn kill(&self) -> bool {
        self.lock().terminate(KILLED_BY_HANDLE)
    }

    /// Aborts one call: stops it if it is running, and keeps it from starting
    /// if it has not. Checking and marking under the same lock as `begin`
    /// means an abort can never slip between "not started" and "running".
    pub fn abort(&self, abort: &Arc<CallAbort>) -> AbortOutcome {
        let mut s = self.lock();
        if abort.aborted.swap(true, Ordering::Relaxed) {
            return AbortOutcome::TooLate;
        }
        if !abort.started.load(Ordering::Relaxed) {
            return AbortOutcome::Prevented;
        }
        let running_this_one = s.abort.as_ref().is_some_and(|a| Arc::ptr_eq(a, abort));
        if running_this_one && s.terminate(ABORTED_BY_SIGNAL) {
            AbortOutcome::Stopped
        } else {
            AbortOutcome::TooLate
        }
    }

    /// Stops the running call, if any, naming `by` as what stopped it.
    pub fn terminate(&self, by: &'static str) -> bool {
        self.lock().terminate(by)
    }

    /// A monitor's stop, counted under the same lock: the call cannot end
    /// (`end` takes it) before its termination is in the metrics, so a
    /// caller that reads them once the call has returned sees it.
    fn terminate_by_monitor(&self, name: &'static str) {
        let mut s = self.lock();
        if s.terminate(name) {
            monitor::record_monitor_triggered(name);
        }
    }

    #[cfg(test)]
    pub(crate) fn is_running(&self) -> bool {
        self.lock().running
    }

    /// Returns false, and starts nothing, when the call was aborted first.
    fn begin(&self, target: InterruptTarget, abort: Option<Arc<CallAbort>>) -> bool {
        let mut s = self.lock();
        if let Some(a) = &abort {
            if a.aborted.load(Ordering::Relaxed) {
                return false;
            }
            a.started.store(true, Ordering::Relaxed);
        }
        s.running = true;
        s.terminated_by = None;
        s.target = Some(target);
        s.abort = abort;
        true
    }

    fn end(&self) -> Option<&'static str> {
        let mut s = self.lock();
        s.running = false;
        s.target = None;
        s.abort = None;
        if let Some(watch) = s.stuck_watch.take() {
            watch.abort();
        }
        s.terminated_by
    }
}

fn monitor_set(opts: &CallOptions) -> Result<Option<Box<dyn MonitorSet>>> {
    Ok(match (opts.wall_clock, opts.cpu_time) {
        (None, None) => None,
        (Some(w), None) => Some(Box::new(WallClockMonitor::new(w)?)),
        (None, Some(c)) => Some(Box::new(CpuTimeMonitor::new(c)?)),
        (Some(w), Some(c)) => Some(Box::new((WallClockMonitor::new(w)?, CpuTimeMonitor::new(c)?))),
    })
}

pub(crate) fn describe_stopper(by: &str, opts: &CallOptions) -> String {
    let ms = |d: Option<Duration>| d.map(|d| d.as_millis()).unwrap_or_default();
    match by {
        "wall-clock" => format!("the wall-clock monitor (wallClockTimeoutMs: {})", ms(opts.wall_clock)),
        "cpu-time" => format!("the CPU-time monitor (cpuTimeoutMs: {})", ms(opts.cpu_time)),
        KILLED_BY_HANDLE => "interruptHandle.kill()".to_string(),
        ABORTED_BY_SIGNAL => "its AbortSignal".to_string(),
        DISPOSED => "dispose()".to_string(),
        other => format!("the '{other}' monitor"),
    }
}

/// A call between `begin` and `end` on its `CallControl`, with its monitors racing.
pub(crate) struct Monitored {
    task: Option<tokio::task::JoinHandle<()>>,
    started: Instant,
    clock: Option<monitor::GuestClock>,
    cpu_before: Option<Duration>,
}

impl Monitored {
    /// Sets up every monitor, then marks the call running. An error means
    /// the guest must not see the call: a monitor could not start (they fail
    /// closed), or the call was aborted while it waited.
    pub(crate) fn start(clock: Option<monitor::GuestClock>, target: InterruptTarget, control: &Arc<CallControl>, opts: &CallOptions) -> Result<Self> {
        let prepared = match monitor_set(opts)? {
            None => None,
            Some(set) => {
                let rt = monitor::runtime::get()?;
                // Monitor futures may touch Tokio's timer as they are created.
                let _context = rt.enter();
                Some((monitor::with_guest_clock(clock, || set.to_race())?, rt))
            }
        };
        if !control.begin(target, opts.abort.clone()) {
            return Err(Error::cancelled("the call was not run: its AbortSignal was aborted while it waited for the sandbox"));
        }
        let task = prepared.map(|(race, rt)| {
            let control = control.clone();
            rt.spawn(async move {
                control.terminate_by_monitor(race.await);
            })
        });
        Ok(Self { task, started: Instant::now(), clock, cpu_before: None })
    }

    /// Takes the guest's CPU clock as the call's starting point. Callers do
    /// so once the request has left, so that this system call overlaps the
    /// guest's work instead of delaying it; what the guest spent in between
    /// is polling for that request, which is not the call's.
    pub(crate) fn guest_started(&mut self) {
        self.cpu_before = self.clock.and_then(|c| c.read().ok());
    }

    pub(crate) fn finish(self, control: &CallControl) -> CallStats {
        let wall_clock_ms = self.started.elapsed().as_secs_f64() * 1e3;
        let terminated_by = control.end();
        if let Some(task) = self.task {
            task.abort();
        }
        let cpu_time_ms = match (self.cpu_before, self.clock.and_then(|c| c.read().ok())) {
            (Some(before), Some(after)) => Some(after.saturating_sub(before).as_secs_f64() * 1e3),
            _ => None,
        };
        CallStats { wall_clock_ms, cpu_time_ms, terminated_by }
    }
}

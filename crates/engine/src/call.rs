//! A handler call under its monitors: start the race, run the call, and turn
//! a monitor win or a `kill()` into `ERR_CANCELLED` with the sandbox poisoned.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::backend::GuestSandbox;
use crate::error::{Error, Result};
use crate::monitor::{self, CpuTimeMonitor, MonitorSet, WallClockMonitor};

/// Kills whatever the sandbox is running right now.
pub type InterruptTarget = Arc<dyn Fn() + Send + Sync>;

/// What stopped a call that did not end by itself: a monitor's name, or this.
pub const KILLED_BY_HANDLE: &str = "kill";

#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub gc: bool,
    pub wall_clock: Option<Duration>,
    pub cpu_time: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallStats {
    pub wall_clock_ms: f64,
    pub cpu_time_ms: Option<f64>,
    pub terminated_by: Option<&'static str>,
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
}

impl CallControl {
    /// Stops the running call, if any; returns whether one was stopped.
    pub fn kill(&self) -> bool {
        self.terminate(KILLED_BY_HANDLE)
    }

    fn terminate(&self, by: &'static str) -> bool {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if !s.running || s.terminated_by.is_some() {
            return false;
        }
        s.terminated_by = Some(by);
        if let Some(target) = &s.target {
            target();
        }
        true
    }

    fn begin(&self, target: InterruptTarget) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *s = CallState { running: true, terminated_by: None, target: Some(target) };
    }

    fn end(&self) -> Option<&'static str> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.running = false;
        s.target = None;
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

fn describe_stopper(by: &str, opts: &CallOptions) -> String {
    let ms = |d: Option<Duration>| d.map(|d| d.as_millis()).unwrap_or_default();
    match by {
        "wall-clock" => format!("the wall-clock monitor (wallClockTimeoutMs: {})", ms(opts.wall_clock)),
        "cpu-time" => format!("the CPU-time monitor (cpuTimeoutMs: {})", ms(opts.cpu_time)),
        KILLED_BY_HANDLE => "interruptHandle.kill()".to_string(),
        other => format!("the '{other}' monitor"),
    }
}

/// Runs one call with the monitors `opts` asks for. Stats are returned even
/// when the call fails. A stopped call poisons the sandbox.
pub fn call_monitored(
    sb: &mut dyn GuestSandbox,
    control: &Arc<CallControl>,
    handler: &str,
    event_json: &str,
    opts: &CallOptions,
) -> (Result<String>, CallStats) {
    let (result, stats) = run_monitored(sb, control, opts, |sb| sb.call(handler, event_json, opts.gc));
    let result = match stats.terminated_by {
        // Even if the guest's answer raced the kill, the guest is now dead.
        Some(by) => {
            let who = describe_stopper(by, opts);
            sb.mark_poisoned(format!("its call to handler '{handler}' was cancelled by {who}"));
            Err(Error::cancelled(format!(
                "handler '{handler}' was cancelled by {who}; the sandbox is poisoned until restore(snapshot) or unload()"
            )))
        }
        None => result,
    };
    (result, stats)
}

/// `getLoadedSandbox()`: loading runs top-level guest code, so it is bounded
/// by a wall-clock limit too. A load that runs out is cancelled and the guest
/// reset, so the `JSSandbox` can be fixed and loaded again.
pub fn load_monitored(
    sb: &mut dyn GuestSandbox,
    control: &Arc<CallControl>,
    modules: &[(String, String)],
    handlers: &[(String, String)],
    timeout: Duration,
) -> Result<()> {
    let opts = CallOptions { gc: false, wall_clock: Some(timeout), cpu_time: None };
    let (result, stats) = run_monitored(sb, control, &opts, |sb| sb.load(modules, handlers));
    match stats.terminated_by {
        Some(by) => {
            sb.unload()?;
            let why = match by {
                KILLED_BY_HANDLE => format!("by {}", describe_stopper(by, &opts)),
                _ => format!(
                    "after the load timeout of {} ms (setLoadTimeoutMs): does a handler or module loop at its top level?",
                    timeout.as_millis()
                ),
            };
            Err(Error::cancelled(format!("loading the handlers was cancelled {why}")))
        }
        None => result,
    }
}

fn run_monitored<R>(
    sb: &mut dyn GuestSandbox,
    control: &Arc<CallControl>,
    opts: &CallOptions,
    work: impl FnOnce(&mut dyn GuestSandbox) -> Result<R>,
) -> (Result<R>, CallStats) {
    let mut stats = CallStats { wall_clock_ms: 0.0, cpu_time_ms: None, terminated_by: None };
    let clock = sb.cpu_clock();
    // Fail closed: every monitor is set up before the guest runs, or it does not run.
    let prepared = monitor_set(opts).and_then(|set| {
        let Some(set) = set else { return Ok(None) };
        let rt = monitor::runtime::get()?;
        // Monitor futures may touch Tokio's timer as they are created.
        let _context = rt.enter();
        let race = monitor::with_guest_clock(clock, || set.to_race())?;
        Ok(Some((race, rt)))
    });
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => return (Err(e), stats),
    };

    let cpu_before = clock.and_then(|c| c.read().ok());
    control.begin(sb.interrupt_target());
    let task = prepared.map(|(race, rt)| {
        let control = control.clone();
        rt.spawn(async move {
            let name = race.await;
            if control.terminate(name) {
                monitor::record_monitor_triggered(name);
            }
        })
    });
    let started = Instant::now();
    let result = work(&mut *sb);
    stats.wall_clock_ms = started.elapsed().as_secs_f64() * 1e3;
    let stopped_by = control.end();
    if let Some(task) = task {
        task.abort();
    }
    if let (Some(before), Some(after)) = (cpu_before, clock.and_then(|c| c.read().ok())) {
        stats.cpu_time_ms = Some(after.saturating_sub(before).as_secs_f64() * 1e3);
    }
    stats.terminated_by = stopped_by;
    (result, stats)
}

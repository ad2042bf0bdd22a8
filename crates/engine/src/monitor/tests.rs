use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::call::{AbortOutcome, CallAbort, CallOptions, InterruptTarget, ABORTED_BY_SIGNAL};
use crate::sandbox::{Sandbox, Scripted};
use crate::error::{Error, ErrorCode};

struct After(Duration, &'static str);

impl ExecutionMonitor for After {
    fn get_monitor(&self) -> Result<impl Future<Output = ()> + Send + 'static> {
        Ok(sleep(self.0))
    }
    fn name(&self) -> &'static str {
        self.1
    }
}

struct Never;

impl ExecutionMonitor for Never {
    fn get_monitor(&self) -> Result<impl Future<Output = ()> + Send + 'static> {
        Ok(std::future::pending())
    }
    fn name(&self) -> &'static str {
        "never"
    }
}

struct Broken;

impl ExecutionMonitor for Broken {
    fn get_monitor(&self) -> Result<impl Future<Output = ()> + Send + 'static> {
        Err::<std::future::Ready<()>, _>(Error::internal("clock unavailable"))
    }
    fn name(&self) -> &'static str {
        "broken"
    }
}

/// Records the thread `get_monitor` ran on.
struct WhereAmI(Arc<Mutex<Option<std::thread::ThreadId>>>);

impl ExecutionMonitor for WhereAmI {
    fn get_monitor(&self) -> Result<impl Future<Output = ()> + Send + 'static> {
        *self.0.lock().unwrap() = Some(std::thread::current().id());
        Ok(std::future::pending())
    }
    fn name(&self) -> &'static str {
        "where"
    }
}

fn race(set: &dyn MonitorSet) -> &'static str {
    let rt = runtime::get().unwrap();
    let fut = {
        let _context = rt.enter();
        set.to_race().unwrap()
    };
    rt.block_on(fut)
}

#[test]
fn a_single_monitor_is_a_set_that_names_itself() {
    assert_eq!(race(&After(Duration::from_millis(1), "solo")), "solo");
    assert_eq!(race(&(After(Duration::from_millis(1), "one-tuple"),)), "one-tuple");
}

#[test]
fn the_first_monitor_to_finish_wins_whatever_its_position() {
    let ms = Duration::from_millis;
    assert_eq!(race(&(After(ms(200), "slow"), After(ms(1), "fast"))), "fast");
    assert_eq!(race(&(Never, After(ms(300), "b"), Never, After(ms(1), "d"))), "d");
    assert_eq!(race(&(Never, Never, Never, Never, After(ms(1), "fifth"))), "fifth");
}

#[test]
fn one_failing_monitor_fails_the_whole_set() {
    let _context = runtime::get().unwrap().enter();
    let err = (After(Duration::from_millis(1), "ok"), Broken).to_race().err().expect("fail closed");
    assert_eq!(err.message, "clock unavailable");
    assert!(Broken.to_race().is_err());
}

#[test]
fn get_monitor_runs_on_the_calling_thread() {
    let seen = Arc::new(Mutex::new(None));
    let _race = (WhereAmI(seen.clone()), Never).to_race().unwrap();
    assert_eq!(*seen.lock().unwrap(), Some(std::thread::current().id()));
}

#[test]
fn thread_count_comes_from_the_environment_or_defaults_to_two() {
    assert_eq!(runtime::parse_threads(None).unwrap(), 2);
    assert_eq!(runtime::parse_threads(Some("4")).unwrap(), 4);
    for bad in ["0", "-1", "two", "", "100000"] {
        let err = runtime::parse_threads(Some(bad)).unwrap_err();
        assert!(err.message.contains(runtime::THREADS_ENV) && err.message.contains(bad), "{}", err.message);
    }
}

/// A guest stand-in: either spins on the calling thread, or blocks, until
/// interrupted; then fails as a dead guest would.
struct FakeGuest;

impl FakeGuest {
    /// A sandbox around it with a handler "h" loaded.
    fn sandbox(spin: bool) -> Sandbox {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel::<()>();
        let woken = Arc::new(Mutex::new(Some(tx)));
        let mut wake = Some(rx);
        let stopped = stop.clone();
        let run = move |_: &str| {
            if spin {
                while !stopped.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            } else {
                let _ = wake.take().unwrap().recv_timeout(Duration::from_secs(30));
            }
            Err(Error::guest_abort("the guest died"))
        };
        let interrupt: InterruptTarget = Arc::new(move || {
            stop.store(true, Ordering::Relaxed);
            if let Some(tx) = woken.lock().unwrap().take() {
                let _ = tx.send(());
            }
        });
        Scripted::new(run, interrupt).sandbox()
    }
}

fn opts(wall_ms: Option<u64>, cpu_ms: Option<u64>) -> CallOptions {
    CallOptions { gc: true, wall_clock: wall_ms.map(Duration::from_millis), cpu_time: cpu_ms.map(Duration::from_millis), abort: None }
}

#[test]
fn monitors_kill_poison_name_the_winner_and_count_it() {
    crate::telemetry::install();
    let before = crate::telemetry::snapshot();
    // Spinning: the CPU monitor fires long before the wall clock.
    let mut spinning = FakeGuest::sandbox(true);
    let (result, stats) = spinning.call("h", "{}", &opts(Some(20_000), Some(30)));
    let stats = stats.unwrap();
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert!(err.message.contains("cpuTimeoutMs: 30"), "{}", err.message);
    assert_eq!(stats.terminated_by, Some("cpu-time"));
    assert!(spinning.poison_reason().unwrap().contains("CPU-time"));

    // Blocked: no CPU is used, so only the wall clock can fire.
    let mut blocked = FakeGuest::sandbox(false);
    let (result, stats) = blocked.call("h", "{}", &opts(Some(50), Some(10)));
    let stats = stats.unwrap();
    assert_eq!(result.unwrap_err().code, ErrorCode::Cancelled);
    assert_eq!(stats.terminated_by, Some("wall-clock"));
    assert!(stats.wall_clock_ms >= 50.0, "{stats:?}");

    // Other tests run meanwhile and may add their own terminations.
    let after = crate::telemetry::snapshot();
    let grew = |name: &str| after.monitor_terminations.get(name).copied().unwrap_or(0) > before.monitor_terminations.get(name).copied().unwrap_or(0);
    assert!(grew("cpu-time") && grew("wall-clock"), "{before:?} -> {after:?}");
}

#[test]
fn kill_stops_a_running_call_and_is_harmless_when_idle() {
    let mut guest = FakeGuest::sandbox(false);
    let control = guest.control().clone();
    assert!(!control.kill(), "nothing is running");
    let c = control.clone();
    let killer = std::thread::spawn(move || {
        while !c.kill() {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let (result, stats) = guest.call("h", "{}", &opts(None, None));
    let stats = stats.unwrap();
    killer.join().unwrap();
    assert_eq!(result.unwrap_err().code, ErrorCode::Cancelled);
    assert_eq!(stats.terminated_by, Some(crate::call::KILLED_BY_HANDLE));
    assert!(!control.kill(), "the call is over");
}

#[test]
fn a_monitor_that_cannot_start_means_the_call_never_runs() {
    let mut guest = FakeGuest::sandbox(true);
    // A zero limit cannot be monitored: the call must fail before the (endless) guest runs.
    let (result, stats) = guest.call("h", "{}", &opts(Some(0), None));
    assert_eq!(result.unwrap_err().code, ErrorCode::InvalidArg);
    assert!(stats.is_none(), "the guest never ran");
}

#[test]
fn an_abort_stops_its_own_call_only() {
    let (mine, other) = (Arc::new(CallAbort::default()), Arc::new(CallAbort::default()));
    let mut guest = FakeGuest::sandbox(false);
    let control = guest.control().clone();
    let c = control.clone();
    let (m, o) = (mine.clone(), other.clone());
    let aborter = std::thread::spawn(move || {
        // Aborted before it runs, a call would never start: wait until it runs.
        while !c.is_running() {
            std::thread::sleep(Duration::from_millis(1));
        }
        // A queued call's abort leaves the running call alone; its own abort stops it.
        assert_eq!(c.abort(&o), AbortOutcome::Prevented);
        assert_eq!(c.abort(&m), AbortOutcome::Stopped);
    });
    let with_abort = CallOptions { abort: Some(mine.clone()), ..opts(None, None) };
    let (result, stats) = guest.call("h", "{}", &with_abort);
    let stats = stats.unwrap();
    aborter.join().unwrap();
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert!(err.message.contains("AbortSignal"), "{}", err.message);
    assert_eq!(stats.terminated_by, Some(ABORTED_BY_SIGNAL));
    assert!(guest.poison_reason().is_some());
    assert_eq!(control.abort(&mine), AbortOutcome::TooLate, "the call is over");
}

#[test]
fn a_call_aborted_before_it_starts_never_runs_and_poisons_nothing() {
    // A spinning guest: had it started, the call would never return.
    let mut guest = FakeGuest::sandbox(true);
    let abort = Arc::new(CallAbort::default());
    assert_eq!(guest.control().abort(&abort), AbortOutcome::Prevented);
    let (result, stats) = guest.call("h", "{}", &CallOptions { abort: Some(abort), ..opts(None, None) });
    let err = result.unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert!(err.message.contains("not run"), "{}", err.message);
    assert!(stats.is_none(), "the guest never ran");
    assert!(guest.poison_reason().is_none());
}

//! Execution monitors: futures that complete when a call must be stopped.
//!
//! Two traits keep the user-facing part small:
//!
//! - [`ExecutionMonitor`] is what a monitor implements: `get_monitor()`, whose
//!   body runs on the thread that drives the guest (so it can capture that
//!   thread's or that guest's CPU clock) and returns the future to race, and
//!   `name()`, used in metrics, logs and `lastCallStats.terminatedBy`.
//! - [`MonitorSet`] is sealed and derived: every monitor is a set of one, and
//!   tuples of up to five monitors are a set raced with `tokio::select!`
//!   (OR semantics: the first to complete wins and is named).
//!
//! Monitors fail closed: if any `get_monitor()` fails, the handler never runs.
//! They run on one shared Tokio runtime (see [`runtime`]), started on first use.

mod cpu_time;
pub mod runtime;
mod wall_clock;

use std::future::Future;
use std::pin::Pin;

pub use cpu_time::{with_guest_clock, CpuTimeMonitor, GuestClock};
pub use wall_clock::WallClockMonitor;

use crate::error::Result;

/// Counter incremented each time a monitor stops a call, labelled with the monitor's name.
pub const METRIC_MONITOR_TERMINATIONS: &str = "monitor_terminations_total";
pub const METRIC_MONITOR_TYPE_LABEL: &str = "monitor_type";

/// Async sleep for monitor futures, so custom monitors need not name Tokio.
pub use tokio::time::sleep;

/// Emits the termination metric and a warning naming the monitor that fired.
pub(crate) fn record_monitor_triggered(name: &'static str) {
    metrics::counter!(METRIC_MONITOR_TERMINATIONS, METRIC_MONITOR_TYPE_LABEL => name).increment(1);
    tracing::warn!(triggered_by = name, "execution monitor fired; terminating the guest call");
}

/// A limit on one handler call.
pub trait ExecutionMonitor: Send + Sync {
    /// Runs on the calling thread; returns a future that stays pending while
    /// the call is within limits and completes when it must be stopped. It is
    /// dropped if the call ends first. An `Err` stops the call from starting.
    fn get_monitor(&self) -> Result<impl Future<Output = ()> + Send + 'static>;

    fn name(&self) -> &'static str;
}

mod sealed {
    pub trait Sealed {}
}

pub type RaceFuture = Pin<Box<dyn Future<Output = &'static str> + Send>>;

/// One or more monitors as a single future that yields the winner's name.
pub trait MonitorSet: sealed::Sealed + Send + Sync {
    /// Calls every `get_monitor()` here, on the calling thread, then returns the race.
    fn to_race(&self) -> Result<RaceFuture>;
}

impl<M: ExecutionMonitor> sealed::Sealed for M {}

impl<M: ExecutionMonitor> MonitorSet for M {
    fn to_race(&self) -> Result<RaceFuture> {
        let fut = self.get_monitor()?;
        let name = self.name();
        Ok(Box::pin(async move {
            fut.await;
            name
        }))
    }
}

macro_rules! monitor_set_for_tuple {
    ($($m:ident : $t:ident),+) => {
        impl<$($t: ExecutionMonitor),+> sealed::Sealed for ($($t,)+) {}

        impl<$($t: ExecutionMonitor),+> MonitorSet for ($($t,)+) {
            fn to_race(&self) -> Result<RaceFuture> {
                let ($($m,)+) = self;
                // All set up before any races: one failure and nothing runs.
                $(let $m = ($m.get_monitor()?, $m.name());)+
                Ok(Box::pin(async move {
                    tokio::select! {
                        $(_ = $m.0 => $m.1,)+
                    }
                }))
            }
        }
    };
}

monitor_set_for_tuple!(a: A);
monitor_set_for_tuple!(a: A, b: B);
monitor_set_for_tuple!(a: A, b: B, c: C);
monitor_set_for_tuple!(a: A, b: B, c: C, d: D);
monitor_set_for_tuple!(a: A, b: B, c: C, d: D, e: E);

#[cfg(test)]
mod tests;

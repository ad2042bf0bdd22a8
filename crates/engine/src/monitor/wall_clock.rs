use std::future::Future;
use std::time::Duration;

use super::ExecutionMonitor;
use crate::error::{Error, Result};

/// Stops a call after a fixed real-time duration, whatever the guest is doing
/// (computing, or blocked waiting on a host function).
#[derive(Debug, Clone)]
pub struct WallClockMonitor {
    limit: Duration,
}

impl WallClockMonitor {
    pub fn new(limit: Duration) -> Result<Self> {
        if limit.is_zero() {
            return Err(Error::invalid_arg("wall-clock limit must be greater than zero"));
        }
        Ok(Self { limit })
    }
}

impl ExecutionMonitor for WallClockMonitor {
    fn get_monitor(&self) -> Result<impl Future<Output = ()> + Send + 'static> {
        // The deadline counts from here, just before the guest starts.
        let deadline = tokio::time::Instant::now() + self.limit;
        Ok(async move { tokio::time::sleep_until(deadline).await })
    }

    fn name(&self) -> &'static str {
        "wall-clock"
    }
}

//! The one Tokio runtime every monitor runs on, started on first use.

use std::sync::OnceLock;

use crate::error::{Error, Result};

pub const THREADS_ENV: &str = "HYPERLIGHT_MONITOR_THREADS";
const DEFAULT_THREADS: usize = 2;
const MAX_THREADS: usize = 256;

/// Reads the worker count from `HYPERLIGHT_MONITOR_THREADS` (default 2).
pub fn parse_threads(value: Option<&str>) -> Result<usize> {
    let Some(raw) = value else { return Ok(DEFAULT_THREADS) };
    match raw.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(Error::internal(format!(
            "{THREADS_ENV} must be a whole number from 1 to {MAX_THREADS}, got '{raw}'"
        ))),
    }
}

/// The shared runtime; an error (bad configuration) is kept and returned on
/// every use, so monitored calls fail closed instead of running unmonitored.
pub fn get() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            let value = std::env::var(THREADS_ENV).ok();
            let threads = parse_threads(value.as_deref()).map_err(|e| e.message)?;
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .thread_name("hyperlight-js-monitor")
                .enable_time()
                .build()
                .map_err(|e| format!("could not start the monitor runtime: {e}"))
        })
        .as_ref()
        .map_err(|e| Error::internal(e.clone()))
}

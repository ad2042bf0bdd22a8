//! What the package tells its operator: `metrics()` for dashboards, and
//! `HYPERLIGHT_JS_LOG` for logs on stderr. Both are set up once per process,
//! when the addon is loaded, before any sandbox can count or log anything.

use std::collections::BTreeMap;

use hyperlight_js_engine::telemetry;
use napi_derive::napi;

/// The environment variable that turns logging on, with the usual filter syntax.
const LOG_VAR: &str = "HYPERLIGHT_JS_LOG";

#[napi_derive::module_init]
fn init() {
    telemetry::install();
    init_logging();
}

/// Nothing is installed without the variable, so logging costs nothing by
/// default. A filter that does not parse is said once, not silently ignored.
fn init_logging() {
    let Ok(filter) = std::env::var(LOG_VAR) else { return };
    let filter = match tracing_subscriber::EnvFilter::builder().parse(&filter) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("@hyperlight/js-host-api: {LOG_VAR}={filter:?} is not a valid log filter ({e}); logging stays off. Examples: info, hyperlight_js_engine=debug");
            return;
        }
    };
    let installed = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    if let Err(e) = installed {
        eprintln!("@hyperlight/js-host-api: {LOG_VAR} is set but logging could not start: {e}");
    }
}

/// The package's counters and gauges as plain numbers (`metrics()` in JS).
#[napi(object, js_name = "Metrics")]
pub struct Metrics {
    /// Sandboxes whose guest started, per backend, since the process began.
    pub sandboxes_created: BTreeMap<String, f64>,
    /// Sandboxes whose guest exists now, per backend.
    pub sandboxes_alive: BTreeMap<String, f64>,
    /// Handler calls that reached a sandbox.
    pub calls: f64,
    /// Failed calls by error code.
    pub call_failures: BTreeMap<String, f64>,
    /// Calls stopped by a monitor, by monitor type.
    pub monitor_terminations: BTreeMap<String, f64>,
    /// Calls during which the guest died or crashed by itself.
    pub guest_crashes: f64,
    /// Bytes of guest console output dropped for being past a call's budget.
    pub console_dropped_bytes: f64,
    /// Micro-VM templates (a booted guest every micro-VM of its sizes starts
    /// from) by how they came to be: `booted`, `loadedFromCache`,
    /// `rejectedFromCache` (see `setTemplateCache`).
    pub templates: BTreeMap<String, f64>,
    /// Handler calls by where they waited for the guest's answer: `caller`
    /// (it came within the fast path's spin, on the calling thread),
    /// `eventLoop` (Node's event loop waited on the guest's doorbell),
    /// `sandboxThread` (the sandbox's own thread waited: micro-VMs, calls
    /// that call host functions or were queued behind another).
    pub calls_waited: BTreeMap<String, f64>,
}

fn numbers<K: ToString>(map: BTreeMap<K, u64>) -> BTreeMap<String, f64> {
    map.into_iter().map(|(k, v)| (k.to_string(), v as f64)).collect()
}

#[napi(ts_return_type = "Metrics")]
pub fn metrics() -> Metrics {
    let s = telemetry::snapshot();
    Metrics {
        sandboxes_created: numbers(s.sandboxes_created),
        sandboxes_alive: numbers(s.sandboxes_alive),
        calls: s.calls as f64,
        call_failures: numbers(s.call_failures),
        monitor_terminations: numbers(s.monitor_terminations),
        guest_crashes: s.guest_crashes as f64,
        console_dropped_bytes: s.console_dropped_bytes as f64,
        templates: numbers(s.templates),
        calls_waited: numbers(s.call_waits),
    }
}

/// A problem the engine worked around without failing anything, as
/// `lib/api.js` raises it (`process.emitWarning`).
#[napi(object)]
pub struct EngineWarning {
    pub code: String,
    pub message: String,
}

/// Template cache writes under way (lib/api.js keeps Node alive for them).
#[napi]
pub fn template_writes_pending() -> u32 {
    hyperlight_js_engine::select::template_writes_pending().min(u32::MAX as u64) as u32
}

/// Blocks for up to `limit_ms` until the template cache writes under way
/// have ended; whether they did. Only for Node's `exit` event (lib/api.js),
/// where nothing may wait asynchronously any more.
#[napi]
pub fn wait_for_template_writes(limit_ms: u32) -> bool {
    hyperlight_js_engine::select::wait_for_template_writes(std::time::Duration::from_millis(limit_ms.into()))
}

/// The engine's warnings since the last call (lib/api.js drains them after
/// every step that may boot or snapshot a guest).
#[napi]
pub fn take_warnings() -> Vec<EngineWarning> {
    hyperlight_js_engine::warnings::take().into_iter().map(|e| EngineWarning { code: e.code.as_str().to_string(), message: e.message }).collect()
}

thread_local! {
    /// What this thread's V8 isolate has been told the guests hold.
    static REPORTED: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// Tells V8 how much memory the live guests hold (napi's external memory),
/// in step with the engine's count. A sandbox's wrapper is small on V8's heap
/// while its guest holds megabytes (a micro-VM hundreds of them), so without
/// this V8 sees no reason to collect dropped sandboxes, and a loop that makes
/// and drops them runs out of memory first. Called on the JS thread by every
/// operation that starts or frees a guest; a guest freed by the collector is
/// counted off at the next one. Each isolate (worker threads) is told the
/// whole process's count: more eager collection, never a negative total.
pub fn sync_external_memory(env: &napi::Env) {
    let held = telemetry::guest_bytes().min(i64::MAX as u64) as i64;
    let delta = held - REPORTED.with(|r| r.replace(held));
    if delta != 0 {
        // Only a hint to the collector: nothing to do if it is refused.
        let _ = env.adjust_external_memory(delta);
    }
}

//! The package's counters, through the `metrics` facade, and the recorder
//! that keeps them in this process so `metrics()` can hand them to JS.
//!
//! The engine emits with the ordinary macros, so an embedder (or a test) may
//! install any other recorder instead; [`install`] puts in ours, which keeps
//! plain atomics that [`snapshot`] reads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_util::registry::{AtomicStorage, Registry};

use crate::config::BackendKind;
use crate::error::Error;
use crate::monitor::{METRIC_MONITOR_TERMINATIONS, METRIC_MONITOR_TYPE_LABEL};

pub const METRIC_SANDBOXES_CREATED: &str = "sandboxes_created_total";
pub const METRIC_SANDBOXES_ALIVE: &str = "sandboxes_alive";
pub const METRIC_CALLS: &str = "calls_total";
pub const METRIC_CALL_FAILURES: &str = "call_failures_total";
pub const METRIC_GUEST_CRASHES: &str = "guest_crashes_total";
pub const METRIC_TEMPLATES: &str = "templates_total";
pub const METRIC_CALL_WAITS: &str = "call_waits_total";
const WAITED_ON_LABEL: &str = "on";
pub const BACKEND_LABEL: &str = "backend";
const OUTCOME_LABEL: &str = "outcome";
pub const CODE_LABEL: &str = "code";

const BACKENDS: [BackendKind; 2] = [BackendKind::Process, BackendKind::Hypervisor];

/// How a micro-VM template came to be (see `hypervisor/disk.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateOutcome {
    /// A guest booted for it (no template cache, or none there yet).
    Booted,
    /// Loaded from the template cache: no guest booted.
    Loaded,
    /// A template cache file could not be used (and one was booted instead).
    Rejected,
}

impl TemplateOutcome {
    const ALL: [TemplateOutcome; 3] = [TemplateOutcome::Booted, TemplateOutcome::Loaded, TemplateOutcome::Rejected];

    fn as_str(self) -> &'static str {
        match self {
            TemplateOutcome::Booted => "booted",
            TemplateOutcome::Loaded => "loadedFromCache",
            TemplateOutcome::Rejected => "rejectedFromCache",
        }
    }
}

/// Where a handler call waited for its guest's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallWait {
    /// On the calling thread, within the fast path's spin.
    Caller,
    /// In the caller's event loop, on the guest's doorbell.
    EventLoop,
    /// On the sandbox's own thread (micro-VMs, host function calls, queued calls).
    SandboxThread,
}

impl CallWait {
    const ALL: [CallWait; 3] = [CallWait::Caller, CallWait::EventLoop, CallWait::SandboxThread];

    fn as_str(self) -> &'static str {
        match self {
            CallWait::Caller => "caller",
            CallWait::EventLoop => "eventLoop",
            CallWait::SandboxThread => "sandboxThread",
        }
    }
}

pub fn record_call_wait(how: CallWait) {
    metrics::counter!(METRIC_CALL_WAITS, WAITED_ON_LABEL => how.as_str()).increment(1);
}

pub fn record_template(outcome: TemplateOutcome) {
    metrics::counter!(METRIC_TEMPLATES, OUTCOME_LABEL => outcome.as_str()).increment(1);
}

/// Held for as long as a sandbox's guest exists: the alive gauge follows it.
pub struct Alive {
    kind: BackendKind,
    /// Counts the guest's memory in [`guest_bytes`] while it lives.
    _bytes: Held,
}

/// Memory outside V8 that something alive holds (a guest, a snapshot),
/// counted in [`guest_bytes`] from now until it is dropped.
pub struct Held(u64);

impl Held {
    pub fn new(bytes: u64) -> Self {
        GUEST_BYTES.fetch_add(bytes, Ordering::Relaxed);
        Held(bytes)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        GUEST_BYTES.fetch_sub(self.0, Ordering::Relaxed);
    }
}

/// The memory every live guest and snapshot holds, by its backend's estimate
/// ([`crate::Transport::memory_bytes`], [`crate::Transport::snapshot_bytes`]),
/// from the moment it exists until it is freed.
static GUEST_BYTES: AtomicU64 = AtomicU64::new(0);

/// What every live guest of this process holds, in bytes: the addon keeps
/// V8's external-memory count in step with it.
pub fn guest_bytes() -> u64 {
    GUEST_BYTES.load(Ordering::Relaxed)
}

impl Alive {
    pub fn new(kind: BackendKind, bytes: u64) -> Self {
        metrics::counter!(METRIC_SANDBOXES_CREATED, BACKEND_LABEL => kind.as_str()).increment(1);
        metrics::gauge!(METRIC_SANDBOXES_ALIVE, BACKEND_LABEL => kind.as_str()).increment(1.0);
        tracing::debug!(backend = kind.as_str(), bytes, "sandbox started");
        Alive { kind, _bytes: Held::new(bytes) }
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        metrics::gauge!(METRIC_SANDBOXES_ALIVE, BACKEND_LABEL => self.kind.as_str()).decrement(1.0);
        tracing::debug!(backend = self.kind.as_str(), "sandbox ended");
    }
}

/// One handler call that reached a sandbox; `crashed` when its guest died
/// or crashed by itself (not stopped by a monitor, `kill()` or an abort).
pub(crate) fn record_call(handler: &str, error: Option<&Error>, crashed: bool) {
    metrics::counter!(METRIC_CALLS).increment(1);
    let Some(err) = error else { return };
    metrics::counter!(METRIC_CALL_FAILURES, CODE_LABEL => err.code.as_str()).increment(1);
    if crashed {
        metrics::counter!(METRIC_GUEST_CRASHES).increment(1);
        tracing::warn!(handler, error = %err, "the guest crashed during a call; the sandbox is poisoned");
    } else {
        tracing::debug!(handler, code = err.code.as_str(), error = %err, "call failed");
    }
}

static REGISTRY: LazyLock<Registry<Key, AtomicStorage>> = LazyLock::new(Registry::atomic);

/// Keeps every metric in [`REGISTRY`]. Descriptions are not kept: the names
/// and what they mean are fixed by this module.
struct PackageRecorder;

impl Recorder for PackageRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        REGISTRY.get_or_create_counter(key, |c| Counter::from_arc(c.clone()))
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        REGISTRY.get_or_create_gauge(key, |g| Gauge::from_arc(g.clone()))
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        REGISTRY.get_or_create_histogram(key, |h| Histogram::from_arc(h.clone()))
    }
}

/// Makes this module's recorder the process's. Returns false, and changes
/// nothing, if another recorder was installed first (then [`snapshot`]
/// reads zeros).
pub fn install() -> bool {
    metrics::set_global_recorder(PackageRecorder).is_ok()
}

/// Every counter and gauge as of now. Both backends are always present, at
/// zero if unused, so a dashboard's series exist from the start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsSnapshot {
    pub sandboxes_created: BTreeMap<&'static str, u64>,
    pub sandboxes_alive: BTreeMap<&'static str, u64>,
    pub calls: u64,
    pub call_failures: BTreeMap<String, u64>,
    pub monitor_terminations: BTreeMap<String, u64>,
    pub guest_crashes: u64,
    /// Console output dropped for being past a call's budget (see `console.rs`).
    pub console_dropped_bytes: u64,
    /// Micro-VM templates by how they came to be (`TemplateOutcome`).
    pub templates: BTreeMap<&'static str, u64>,
    /// Handler calls by where they waited for their answer (`CallWait`).
    pub call_waits: BTreeMap<&'static str, u64>,
}

fn label<'k>(key: &'k Key, name: &str) -> Option<&'k str> {
    key.labels().find(|l| l.key() == name).map(|l| l.value())
}

fn backend(key: &Key) -> Option<&'static str> {
    let value = label(key, BACKEND_LABEL)?;
    BACKENDS.iter().map(|b| b.as_str()).find(|b| *b == value)
}

pub fn snapshot() -> MetricsSnapshot {
    use std::sync::atomic::Ordering::Relaxed;
    let mut s = MetricsSnapshot::default();
    for b in BACKENDS {
        s.sandboxes_created.insert(b.as_str(), 0);
        s.sandboxes_alive.insert(b.as_str(), 0);
    }
    for t in TemplateOutcome::ALL {
        s.templates.insert(t.as_str(), 0);
    }
    for w in CallWait::ALL {
        s.call_waits.insert(w.as_str(), 0);
    }
    REGISTRY.visit_counters(|key, counter| {
        let n = counter.load(Relaxed);
        match key.name() {
            METRIC_SANDBOXES_CREATED => {
                if let Some(b) = backend(key) {
                    s.sandboxes_created.insert(b, n);
                }
            }
            METRIC_CALLS => s.calls = n,
            METRIC_CALL_FAILURES => {
                s.call_failures.insert(label(key, CODE_LABEL).unwrap_or("unknown").to_string(), n);
            }
            METRIC_MONITOR_TERMINATIONS => {
                s.monitor_terminations.insert(label(key, METRIC_MONITOR_TYPE_LABEL).unwrap_or("unknown").to_string(), n);
            }
            METRIC_GUEST_CRASHES => s.guest_crashes = n,
            METRIC_TEMPLATES => {
                if let Some(t) = TemplateOutcome::ALL.into_iter().find(|t| label(key, OUTCOME_LABEL) == Some(t.as_str())) {
                    s.templates.insert(t.as_str(), n);
                }
            }
            METRIC_CALL_WAITS => {
                if let Some(w) = CallWait::ALL.into_iter().find(|w| label(key, WAITED_ON_LABEL) == Some(w.as_str())) {
                    s.call_waits.insert(w.as_str(), n);
                }
            }
            crate::console::METRIC_CONSOLE_DROPPED_BYTES => s.console_dropped_bytes = n,
            _ => {}
        }
    });
    REGISTRY.visit_gauges(|key, gauge| {
        if let (METRIC_SANDBOXES_ALIVE, Some(b)) = (key.name(), backend(key)) {
            // Gauges hold f64 bits; this one only ever counts whole sandboxes.
            s.sandboxes_alive.insert(b, f64::from_bits(gauge.load(Relaxed)).max(0.0) as u64);
        }
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_engine_counts_reaches_the_snapshot() {
        install();
        let before = snapshot();
        // No other unit test starts micro-VM sandboxes, so these counts are exact.
        let alive = Alive::new(BackendKind::Hypervisor, 0);
        record_call("h", None, false);
        record_call("h", Some(&Error::cancelled("stopped")), false);
        record_call("h", Some(&Error::guest_abort("the guest died")), true);
        let during = snapshot();
        assert_eq!(during.sandboxes_created["hypervisor"], before.sandboxes_created["hypervisor"] + 1);
        assert_eq!(during.sandboxes_alive["hypervisor"], before.sandboxes_alive["hypervisor"] + 1);
        // Other tests make calls meanwhile: at least ours are there.
        let failures = |s: &MetricsSnapshot, code: &str| s.call_failures.get(code).copied().unwrap_or(0);
        assert!(during.calls >= before.calls + 3, "{before:?} -> {during:?}");
        assert!(failures(&during, "ERR_CANCELLED") > failures(&before, "ERR_CANCELLED"));
        assert!(failures(&during, "ERR_GUEST_ABORT") > failures(&before, "ERR_GUEST_ABORT"));
        assert!(during.guest_crashes > before.guest_crashes);
        drop(alive);
        assert_eq!(snapshot().sandboxes_alive["hypervisor"], before.sandboxes_alive["hypervisor"]);
        assert_eq!(snapshot().sandboxes_created["hypervisor"], during.sandboxes_created["hypervisor"]);
    }
}

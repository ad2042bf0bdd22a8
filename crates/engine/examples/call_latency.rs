//! Engine-only call latency (no Node): `cargo run --release -p hyperlight-js-engine --example call_latency`.
//! Needs the guest built next to it (`cargo build --release -p hyperlight-js-guest`).
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyperlight_js_engine::process::ProcessBackend;
use hyperlight_js_engine::{Backend, CallOptions, Console, ConsoleDestination, NoHostFunctions, Sandbox, SandboxConfig};

fn main() {
    let console = || Console::new(ConsoleDestination::Inherit, u64::MAX);
    let handlers = [("h".to_string(), "function handler(e) { return { ...e, x: 1 }; }".to_string())];
    // The transport alone, and the whole sandbox (checks, call control, conclusion) above it.
    let mut raw = ProcessBackend.load_runtime(SandboxConfig::default(), Arc::new(NoHostFunctions), console()).unwrap();
    raw.load(&[], &handlers).unwrap();
    let mut sb = Sandbox::boot(&ProcessBackend, SandboxConfig::default(), Arc::new(NoHostFunctions), console()).unwrap();
    sb.load(&[], &handlers, Duration::from_secs(10)).unwrap();
    let opts = CallOptions { gc: false, ..Default::default() };
    let mut raw_call = || {
        raw.start("h", r#"{"a":1}"#, false).unwrap();
        raw.finish().unwrap();
    };
    for _ in 0..1000 {
        raw_call();
    }
    for label in ["raw call", "Sandbox::call"] {
        let mut samples = Vec::new();
        for _ in 0..5000 {
            let t = Instant::now();
            if label == "raw call" {
                raw_call();
            } else {
                sb.call("h", r#"{"a":1}"#, &opts).0.unwrap();
            }
            samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
        samples.sort_by(f64::total_cmp);
        println!("{label}: median {:.1} µs, p99 {:.1} µs", samples[2500], samples[4950]);
    }
}

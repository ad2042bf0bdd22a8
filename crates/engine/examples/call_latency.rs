//! Engine-only call latency (no Node): `cargo run --release -p hyperlight-js-engine --example call_latency`.
//! Needs the guest built next to it (`cargo build --release -p hyperlight-js-guest`).
use std::sync::Arc;
use std::time::Instant;

use hyperlight_js_engine::call::call_monitored;
use hyperlight_js_engine::process::ProcessBackend;
use hyperlight_js_engine::{Backend, CallControl, CallOptions, Console, ConsoleDestination, NoHostFunctions, SandboxConfig};

fn main() {
    let console = Console::new(ConsoleDestination::Inherit, u64::MAX);
    let mut sb = ProcessBackend.load_runtime(SandboxConfig::default(), Arc::new(NoHostFunctions), console).unwrap();
    sb.load(&[], &[("h".into(), "function handler(e) { return { ...e, x: 1 }; }".into())]).unwrap();
    let control = Arc::new(CallControl::default());
    let opts = CallOptions { gc: false, ..Default::default() };
    for _ in 0..1000 {
        sb.call("h", r#"{"a":1}"#, false).unwrap();
    }
    for (label, monitored) in [("raw call", false), ("call_monitored", true)] {
        let mut samples = Vec::new();
        for _ in 0..5000 {
            let t = Instant::now();
            if monitored {
                call_monitored(sb.as_mut(), &control, "h", r#"{"a":1}"#, &opts).0.unwrap();
            } else {
                sb.call("h", r#"{"a":1}"#, false).unwrap();
            }
            samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
        samples.sort_by(f64::total_cmp);
        println!("{label}: median {:.1} µs, p99 {:.1} µs", samples[2500], samples[4950]);
    }
}

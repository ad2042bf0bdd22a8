//! Engine-only cold start (no Node): `cargo run --release -p hyperlight-js-engine --example cold_start`.
//! Needs the guest built next to it (`cargo build --release -p hyperlight-js-guest`).
//! Where `npm run bench`'s "cold start to a loaded handler" goes, without N-API
//! and the event loop: the fork of the template (`Sandbox::boot`) and the load;
//! then what a fresh sandbox's first calls cost over a warm one's (the eighth).
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyperlight_js_engine::process::ProcessBackend;
use hyperlight_js_engine::{Console, ConsoleDestination, NoHostFunctions, Sandbox, SandboxConfig};

fn main() {
    let console = || Console::new(ConsoleDestination::Inherit, u64::MAX);
    let handlers = [("h".to_string(), "function handler(e) { return { ...e, x: 1 }; }".to_string())];
    let (mut boots, mut loads) = (Vec::new(), Vec::new());
    let mut calls: [Vec<f64>; 8] = Default::default();
    for i in 0..110 {
        let t = Instant::now();
        let mut sb = Sandbox::boot(&ProcessBackend, SandboxConfig::default(), Arc::new(NoHostFunctions), console()).unwrap();
        let booted = t.elapsed();
        sb.load(&[], &handlers, Duration::from_secs(10)).unwrap();
        let loaded = t.elapsed() - booted;
        // A fresh sandbox's first calls: what a sandbox made per request pays on top.
        let mut took = [0.0; 8];
        for (n, took) in took.iter_mut().enumerate() {
            let t = Instant::now();
            sb.call("h", &format!("{{\"a\":{n}}}"), &Default::default()).0.unwrap();
            *took = t.elapsed().as_secs_f64() * 1e6;
        }
        if i >= 10 {
            boots.push(booted.as_secs_f64() * 1e6);
            loads.push(loaded.as_secs_f64() * 1e6);
            for (samples, took) in calls.iter_mut().zip(took) {
                samples.push(took);
            }
        }
    }
    let [first, second, third, _, _, _, _, eighth] = calls;
    let steps = [
        ("boot (fork of the template)", boots),
        ("load of one handler", loads),
        ("first call", first),
        ("second call", second),
        ("third call", third),
        ("eighth call", eighth),
    ];
    for (label, mut samples) in steps {
        samples.sort_by(f64::total_cmp);
        println!("{label}: median {:.0} µs, p90 {:.0} µs", samples[samples.len() / 2], samples[samples.len() * 9 / 10]);
    }
}

//! The floor under a process-backend call: the guest runtime called in
//! process, no host, no socket, no ring. `cargo run --release -p
//! hyperlight-js-guest --example runtime_floor` prints the median per call
//! for the same trivial handler `bench/run.js` and `call_latency` use.
use std::time::Instant;

use hyperlight_js_runtime::JsRuntime;

struct NoFiles;

impl hyperlight_js_runtime::host::Host for NoFiles {
    fn resolve_module(&self, _base: String, name: String) -> anyhow::Result<String> {
        Err(anyhow::anyhow!("no module {name}"))
    }
    fn load_module(&self, name: String) -> anyhow::Result<String> {
        Err(anyhow::anyhow!("no module {name}"))
    }
}

hyperlight_js_runtime::native_modules! {}
hyperlight_js_runtime::custom_globals! {}

fn main() {
    let mut rt = JsRuntime::new(NoFiles).expect("runtime");
    rt.register_handler("h".to_string(), "function handler(e) { return { ...e, x: 1 }; }".to_string(), "/").expect("handler");
    let mut samples = Vec::new();
    for i in 0..6000 {
        let t = Instant::now();
        rt.run_handler("h".into(), r#"{"a":1}"#.into(), false).expect("call");
        if i >= 1000 {
            samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    samples.sort_by(f64::total_cmp);
    println!("runtime alone: median {:.1} µs, p99 {:.1} µs", samples[samples.len() / 2], samples[samples.len() * 99 / 100]);
}

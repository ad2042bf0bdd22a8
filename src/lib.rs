//! `@hyperlight/js-host-api`: the Node addon. Each JS class lives in its own
//! file and only translates between JS and `hyperlight_js_engine`, which owns
//! every guest. `lib/` adds the JSON handling and argument checks that
//! are cheaper in JS (`lib/api.js` assembles the API; ARCHITECTURE.md has the layers).

mod call_abort;
mod completions;
mod error;
mod host_functions;
mod interrupt_handle;
// Before js_sandbox, which has a `#[napi] impl LoadedJSSandbox` (`unload()`):
// napi-derive names an impl's class after the js_name its struct recorded
// when expanded, which must therefore come first; otherwise the impl
// registers "LoadedJsSandbox", and the link order decides which name wins.
mod loaded_js_sandbox;
mod js_sandbox;
mod loop_wait;
mod promise;
mod proto_js_sandbox;
mod sandbox_builder;
mod snapshot;
mod telemetry;

pub use call_abort::CallAbortHandle;
// Called by lib/call.js only; exported so the test build sees it used.
pub use completions::install_completion_handler;
pub use host_functions::HostModule;
pub use interrupt_handle::InterruptHandle;
pub use js_sandbox::JSSandbox;
pub use loaded_js_sandbox::LoadedJSSandbox;
pub use proto_js_sandbox::ProtoJSSandbox;
pub use sandbox_builder::SandboxBuilder;
pub use snapshot::Snapshot;
pub use telemetry::{metrics, Metrics};

/// Whether micro-VMs can run here: `{ available, reason }`. Probes once per
/// process (it may boot a micro-VM, so it runs off the event loop).
#[napi_derive::napi(ts_return_type = "Promise<{ available: boolean; reason: string | null }>")]
pub fn hypervisor_probe(env: &napi::Env) -> napi::Result<napi::bindgen_prelude::Object<'_>> {
    #[napi_derive::napi(object)]
    pub struct ProbeResult {
        pub available: bool,
        pub reason: Option<String>,
    }
    let (promise, settle) = promise::deferred(env, |r: std::result::Result<(), String>| ProbeResult {
        available: r.is_ok(),
        reason: r.err(),
    })?;
    std::thread::spawn(move || settle(Ok(hyperlight_js_engine::select::hypervisor_status())));
    Ok(promise)
}

/// Tells the engine where the guest executable is: inside this addon when the
/// build embedded it, else wherever `HYPERLIGHT_JS_GUEST_PATH` points.
fn install_guest_image() {
    #[cfg(embedded_guest)]
    {
        static GUEST: &[u8] = include_bytes!(env!("HYPERLIGHT_JS_EMBEDDED_GUEST"));
        hyperlight_js_engine::process::set_guest_image(hyperlight_js_engine::process::GuestImage::Embedded(GUEST));
    }
}

use hyperlight_js_engine::worker::SandboxWorker;
use hyperlight_js_engine::BackendKind;
use napi::bindgen_prelude::*;
use napi::Env;
use napi_derive::napi;

use crate::error::{consumed, to_napi};
use crate::js_sandbox::JSSandbox;

/// Per-call options as they reach Rust (`lib/index.js` has checked their types).
#[napi(object)]
pub struct CallOptions {
    pub gc: Option<bool>,
}

/// A sandbox with handlers compiled, ready for calls.
#[napi(js_name = "LoadedJSSandbox")]
pub struct LoadedJSSandbox {
    worker: Option<SandboxWorker>,
    kind: BackendKind,
}

impl LoadedJSSandbox {
    pub fn new(worker: SandboxWorker, kind: BackendKind) -> Self {
        Self { worker: Some(worker), kind }
    }

    fn worker(&self, env: &Env) -> Result<&SandboxWorker> {
        self.worker.as_ref().ok_or_else(|| to_napi(env, consumed("LoadedJSSandbox", "unload()")))
    }
}

#[napi]
impl LoadedJSSandbox {
    #[napi(getter)]
    pub fn backend(&self) -> &'static str {
        self.kind.as_str()
    }

    #[napi(getter)]
    pub fn poisoned(&self) -> bool {
        self.worker.as_ref().is_some_and(|w| w.poisoned())
    }

    /// The native half of `callHandler`: the event arrives as JSON text and
    /// the result leaves as JSON text; `lib/index.js` does the (de)serialising.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn call_handler_json<'e>(
        &self,
        env: &'e Env,
        handler: String,
        event_json: String,
        options: Option<CallOptions>,
    ) -> Result<Object<'e>> {
        let gc = options.and_then(|o| o.gc).unwrap_or(true);
        let worker = self.worker(env)?;
        let (promise, settle) = crate::promise::deferred(env, |json: String| json)?;
        worker.submit(move |sb| sb.call(&handler, &event_json, gc), settle);
        Ok(promise)
    }

    /// Drops every handler and module and hands back a `JSSandbox` on the same guest.
    #[napi(ts_return_type = "Promise<JSSandbox>")]
    pub fn unload<'e>(&mut self, env: &'e Env) -> Result<Object<'e>> {
        let Some(worker) = self.worker.take() else {
            return Err(to_napi(env, consumed("LoadedJSSandbox", "unload()")));
        };
        let kind = self.kind;
        let handle = worker.clone();
        let (promise, settle) = crate::promise::deferred(env, move |()| JSSandbox::new(handle, kind))?;
        worker.submit(|sb| sb.unload(), settle);
        Ok(promise)
    }
}

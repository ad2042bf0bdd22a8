use std::sync::Arc;

use hyperlight_js_engine::worker::SandboxWorker;
use hyperlight_js_engine::{Backend, Console, ConsoleDestination, Sandbox, SandboxConfig};
use napi::bindgen_prelude::*;
use napi::Env;
use napi_derive::napi;

use crate::error::{consumed, to_napi, ConsumedBy};
use crate::host_functions::{HostModule, HostRegistry};
use crate::js_sandbox::JSSandbox;

/// A sandbox's buffer sizes, in bytes.
#[napi(object)]
pub struct BufferSizes {
    pub input: f64,
    pub output: f64,
}

/// A configured sandbox whose runtime is not started yet.
#[napi(js_name = "ProtoJSSandbox")]
pub struct ProtoJSSandbox {
    config: SandboxConfig,
    backend: Arc<dyn Backend>,
    /// What consumed it: `loadRuntime()` or `dispose()`.
    consumed_by: Option<ConsumedBy>,
    host: Arc<HostRegistry>,
    fallback_reason: Option<String>,
    console: ConsoleDestination,
}

impl ProtoJSSandbox {
    pub fn new(config: SandboxConfig, backend: Arc<dyn Backend>, fallback_reason: Option<String>, console: ConsoleDestination) -> Self {
        Self { config, backend, consumed_by: None, host: Arc::default(), fallback_reason, console }
    }
}

#[napi]
impl ProtoJSSandbox {
    #[napi(getter)]
    pub fn backend(&self) -> &'static str {
        self.backend.kind().as_str()
    }

    /// Why `'auto'` could not use the micro-VM backend (lib/api.js warns once with it).
    #[napi(getter)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.fallback_reason.clone()
    }

    /// A builder for functions the guest imports as `host:<name>`.
    #[napi]
    pub fn host_module(&self, env: Env, name: String) -> Result<HostModule> {
        HostModule::new(&env, self.host.clone(), name)
    }

    /// The host module that answers the guest's `fetch` (lib/fetch.js
    /// registers the builder's policy in it). Its name is one no user's
    /// module may have, and it is not offered to guest code as an import.
    #[napi]
    pub fn fetch_module(&self, env: Env) -> Result<HostModule> {
        HostModule::reserved(&env, self.host.clone(), crate::host_functions::FETCH_MODULE)
    }

    /// The sizes a fetch body must fit in, in its base64 form (lib/fetch.js).
    #[napi(getter)]
    pub fn buffer_sizes(&self) -> BufferSizes {
        BufferSizes { input: self.config.input_buffer_size as f64, output: self.config.output_buffer_size as f64 }
    }

    /// Starts the guest (off the event loop) and hands back a `JSSandbox`.
    #[napi(ts_return_type = "Promise<JSSandbox>")]
    pub fn load_runtime<'e>(&mut self, env: &'e Env) -> Result<Object<'e>> {
        crate::telemetry::sync_external_memory(env);
        if let Some(how) = self.consumed_by {
            return Err(to_napi(env, consumed("ProtoJSSandbox", how)));
        }
        self.consumed_by = Some(ConsumedBy::LoadRuntime);
        self.host.seal();
        let (backend, config, host) = (self.backend.clone(), self.config, self.host.clone());
        let kind = backend.kind();
        let console = Console::new(self.console, config.max_console_bytes_per_call);
        let guest_console = console.clone();
        // Booting is bounded like loading: a guest that never comes up fails this promise.
        let timeout = std::time::Duration::from_millis(config.load_timeout_ms);
        let worker = SandboxWorker::start(kind, timeout, move || Sandbox::boot(backend.as_ref(), config, host, guest_console))
            .map_err(|e| to_napi(env, e))?;
        let handle = worker.clone();
        let (promise, settle) =
            crate::promise::deferred(env, move |()| JSSandbox::new(handle, kind, timeout, console))?;
        // The first job only reports whether the guest came up.
        worker.submit(|_| Ok(()), settle);
        Ok(promise)
    }

    /// Nothing runs yet, so nothing is freed but the host functions; later
    /// use is `ERR_CONSUMED`, as for the other stages. Idempotent.
    #[napi]
    pub fn dispose(&mut self) {
        self.consumed_by.get_or_insert(ConsumedBy::Dispose);
        self.host.seal();
    }
}

use hyperlight_js_engine::select::{self, BackendChoice};
use hyperlight_js_engine::config::{set_size, validate_timeout};
use hyperlight_js_engine::{ConsoleDestination, SandboxConfig, SizeKind};
use napi::bindgen_prelude::*;
use napi::Env;
use napi_derive::napi;

use crate::error::{consumed, sync, to_napi, ConsumedBy};
use crate::proto_js_sandbox::ProtoJSSandbox;

/// Collects sizes and the backend choice; `build()` checks them all and
/// consumes the builder, as every other stage object is consumed by the call
/// that moves on from it.
#[napi]
pub struct SandboxBuilder {
    config: SandboxConfig,
    backend: BackendChoice,
    /// Where the sandbox's console output goes (lib/api.js keeps a function sink).
    console: ConsoleDestination,
    /// `build()`, once it has begun.
    consumed_by: Option<ConsumedBy>,
    /// Where micro-VM templates are read from and written to (`setTemplateCache`).
    template_cache: Option<std::path::PathBuf>,
}

impl SandboxBuilder {
    fn usable(&self, env: &Env) -> Result<()> {
        if let Some(by) = self.consumed_by {
            return Err(to_napi(env, consumed("SandboxBuilder", by)));
        }
        Ok(())
    }
}

#[napi]
impl SandboxBuilder {
    #[napi(constructor)]
    pub fn new() -> Self {
        Self { config: SandboxConfig::default(), backend: BackendChoice::Auto, console: ConsoleDestination::Inherit, consumed_by: None, template_cache: None }
    }

    #[napi]
    pub fn set_heap_size<'a>(&mut self, env: Env, this: This<'a>, bytes: f64) -> Result<This<'a>> {
        self.usable(&env)?;
        sync(&env, set_size(&mut self.config, SizeKind::Heap, bytes))?;
        Ok(this)
    }

    #[napi]
    pub fn set_scratch_size<'a>(&mut self, env: Env, this: This<'a>, bytes: f64) -> Result<This<'a>> {
        self.usable(&env)?;
        sync(&env, set_size(&mut self.config, SizeKind::Scratch, bytes))?;
        Ok(this)
    }

    #[napi]
    pub fn set_input_buffer_size<'a>(&mut self, env: Env, this: This<'a>, bytes: f64) -> Result<This<'a>> {
        self.usable(&env)?;
        sync(&env, set_size(&mut self.config, SizeKind::InputBuffer, bytes))?;
        Ok(this)
    }

    #[napi]
    pub fn set_output_buffer_size<'a>(&mut self, env: Env, this: This<'a>, bytes: f64) -> Result<This<'a>> {
        self.usable(&env)?;
        sync(&env, set_size(&mut self.config, SizeKind::OutputBuffer, bytes))?;
        Ok(this)
    }

    /// The console budget of each call and of the load (default 1 MiB; 0: none).
    #[napi]
    pub fn set_max_console_bytes_per_call<'a>(&mut self, env: Env, this: This<'a>, bytes: f64) -> Result<This<'a>> {
        self.usable(&env)?;
        sync(&env, set_size(&mut self.config, SizeKind::ConsolePerCall, bytes))?;
        Ok(this)
    }

    /// `'inherit'`, `'ignore'` or `'capture'`: lib/api.js's `setConsole()`
    /// calls this, keeping a function sink itself (`'capture'`).
    #[napi]
    pub fn set_console_destination<'a>(&mut self, env: Env, this: This<'a>, to: String) -> Result<This<'a>> {
        self.usable(&env)?;
        self.console = sync(&env, ConsoleDestination::parse(&to, "setConsole()"))?;
        Ok(this)
    }

    /// How long `getLoadedSandbox()` may run top-level guest code (default 10 s).
    #[napi]
    pub fn set_load_timeout_ms<'a>(&mut self, env: Env, this: This<'a>, ms: f64) -> Result<This<'a>> {
        self.usable(&env)?;
        let limit = sync(&env, validate_timeout("setLoadTimeoutMs", ms))?;
        self.config.load_timeout_ms = limit.as_millis() as u64;
        Ok(this)
    }

    /// A directory where micro-VM templates (a booted guest for a set of
    /// sizes) are kept for other processes, which then start their first
    /// micro-VM of those sizes without booting one. Created if missing;
    /// relative to the current directory as of this call. The process
    /// backend has nothing to keep there (see README).
    #[napi]
    pub fn set_template_cache<'a>(&mut self, env: Env, this: This<'a>, dir: String) -> Result<This<'a>> {
        self.usable(&env)?;
        self.template_cache = Some(sync(&env, hyperlight_js_engine::config::template_cache_dir(&dir))?);
        Ok(this)
    }

    /// `'auto'` (default), `'hypervisor'` or `'process'`; `HYPERLIGHT_JS_BACKEND` overrides it.
    #[napi]
    pub fn set_backend<'a>(&mut self, env: Env, this: This<'a>, backend: String) -> Result<This<'a>> {
        self.usable(&env)?;
        self.backend = sync(&env, BackendChoice::parse(&backend, "setBackend"))?;
        Ok(this)
    }

    /// A `ProtoJSSandbox`, or a promise of one while the backend choice waits
    /// on the process's first hypervisor probe (lib/api.js's `build()` awaits
    /// either). Once the choice is known, settling here saves a thread and
    /// a wake-up of the event loop: about a tenth of a cold start.
    #[napi(ts_return_type = "ProtoJSSandbox | Promise<ProtoJSSandbox>")]
    pub fn build<'e>(&mut self, env: &'e Env) -> Result<Either<ProtoJSSandbox, Object<'e>>> {
        crate::telemetry::sync_external_memory(env);
        self.usable(env)?;
        // Used up when the build starts, as upstream's builder is taken:
        // a build that then fails still consumed it.
        self.consumed_by = Some(ConsumedBy::Build);
        crate::install_guest_image();
        let (config, requested, console) = (self.config, self.backend, self.console);
        let cache = self.template_cache.take();
        if let Some(dir) = &cache {
            select::offer_template_cache(dir);
        }
        let checked = move |chosen: hyperlight_js_engine::Result<select::Chosen>| {
            let mut chosen = chosen?;
            chosen.backend.check_config(&config)?;
            if let Some(dir) = &cache {
                chosen.backend = chosen.backend.with_template_cache(dir);
            }
            Ok(chosen)
        };
        let made = move |chosen: select::Chosen| ProtoJSSandbox::new(config, chosen.backend, chosen.fallback_reason, console);
        if let Some(chosen) = select::choose_now(requested) {
            return sync(env, checked(chosen)).map(|chosen| Either::A(made(chosen)));
        }
        let (promise, settle) = crate::promise::deferred(env, made)?;
        // The first choice may boot a probe micro-VM: not on the event loop.
        std::thread::Builder::new()
            .name("hyperlight-js-build".into())
            .spawn(move || settle(checked(select::choose(requested))))
            .map_err(|e| Error::from_reason(format!("could not start a thread: {e}")))?;
        Ok(Either::B(promise))
    }
}

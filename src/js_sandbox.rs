use std::sync::{Arc, Mutex};

use hyperlight_js_engine::lock;
use hyperlight_js_engine::registry::Registry;
use hyperlight_js_engine::worker::SandboxWorker;
use hyperlight_js_engine::{BackendKind, Console, Error as EngineError};
use napi::bindgen_prelude::*;
use napi::Env;
use napi_derive::napi;

use crate::error::{consumed, sync, to_napi, ConsumedBy};
use crate::loaded_js_sandbox::LoadedJSSandbox;

/// A sandbox with the runtime up: collects handlers and modules on the host
/// until `getLoadedSandbox()` sends them to the guest.
#[napi(js_name = "JSSandbox")]
pub struct JSSandbox {
    /// Shared so a failed `getLoadedSandbox()` can hand the guest back and
    /// the user can fix the source and try again.
    slot: Arc<Mutex<Slot>>,
    registry: Registry,
    kind: BackendKind,
    load_timeout: std::time::Duration,
    console: Console,
    /// What the last load wrote to a capturing console, for lib/api.js to
    /// hand to the sandbox's sink before `getLoadedSandbox()` settles.
    load_output: Arc<Mutex<Option<Vec<String>>>>,
}

/// The guest, unless consumed; and what consumed it.
struct Slot {
    worker: Option<SandboxWorker>,
    /// `getLoadedSandbox()` while a load runs or after it succeeded; `dispose()` for good.
    consumed_by: ConsumedBy,
}

impl JSSandbox {
    pub fn new(worker: SandboxWorker, kind: BackendKind, load_timeout: std::time::Duration, console: Console) -> Self {
        let slot = Slot { worker: Some(worker), consumed_by: ConsumedBy::GetLoadedSandbox };
        Self {
            slot: Arc::new(Mutex::new(slot)),
            registry: Registry::default(),
            kind,
            load_timeout,
            console,
            load_output: Arc::default(),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        lock(&self.slot)
    }

    fn ensure_live(&self) -> hyperlight_js_engine::Result<()> {
        let slot = self.slot();
        match slot.worker {
            Some(_) => Ok(()),
            None => Err(consumed("JSSandbox", slot.consumed_by)),
        }
    }
}

#[napi]
impl JSSandbox {
    #[napi(getter)]
    pub fn backend(&self) -> &'static str {
        self.kind.as_str()
    }

    #[napi(getter)]
    pub fn poisoned(&self) -> bool {
        self.slot().worker.as_ref().is_some_and(|w| w.poisoned())
    }

    /// Adds (or replaces) a handler; its source must define `function handler(event)`.
    #[napi]
    pub fn add_handler(&mut self, env: Env, name: String, code: String) -> Result<()> {
        sync(&env, self.ensure_live().and_then(|_| self.registry.add_handler(&name, &code)))
    }

    #[napi]
    pub fn remove_handler(&mut self, env: Env, name: String) -> Result<()> {
        sync(&env, self.ensure_live().and_then(|_| self.registry.remove_handler(&name)))
    }

    #[napi]
    pub fn clear_handlers(&mut self, env: Env) -> Result<()> {
        sync(&env, self.ensure_live())?;
        self.registry.clear_handlers();
        Ok(())
    }

    /// Registers an ES module importable as `<namespace>:<name>` (namespace defaults to `user`).
    #[napi]
    pub fn add_module(&mut self, env: Env, name: String, source: String, namespace: Option<String>) -> Result<()> {
        sync(&env, self.ensure_live().and_then(|_| self.registry.add_module(&name, &source, namespace.as_deref())))
    }

    #[napi]
    pub fn remove_module(&mut self, env: Env, name: String, namespace: Option<String>) -> Result<()> {
        sync(&env, self.ensure_live().and_then(|_| self.registry.remove_module(&name, namespace.as_deref())))
    }

    #[napi]
    pub fn clear_modules(&mut self, env: Env) -> Result<()> {
        sync(&env, self.ensure_live())?;
        self.registry.clear_modules();
        Ok(())
    }

    #[napi(ts_return_type = "Promise<LoadedJSSandbox>")]
    pub fn get_loaded_sandbox<'e>(&mut self, env: &'e Env) -> Result<Object<'e>> {
        crate::telemetry::sync_external_memory(env);
        self.ensure_live().map_err(|e| to_napi(env, e))?;
        if self.registry.handlers().is_empty() {
            return Err(to_napi(env, EngineError::invalid_arg("no handlers to load: call addHandler(name, code) first")));
        }
        let worker = self.slot().worker.take().expect("checked live");
        let (modules, handlers) = (self.registry.modules(), self.registry.handlers());
        let kind = self.kind;
        let slot = self.slot.clone();
        let (handle, back) = (worker.clone(), worker.clone());
        let timeout = self.load_timeout;
        let (console, loaded_console, load_output) = (self.console.clone(), self.console.clone(), self.load_output.clone());
        let (promise, settle) =
            crate::promise::deferred(env, move |()| LoadedJSSandbox::new(handle, kind, timeout, loaded_console))?;
        worker.submit(
            move |sb| {
                console.begin(None);
                let result = sb.load(&modules, &handlers, timeout);
                *lock(&load_output) = crate::completions::flat(console.end());
                result
            },
            move |result| {
                if result.is_err() {
                    let mut slot = lock(&slot);
                    // Disposed while the load ran: the guest is not handed back.
                    if slot.consumed_by == ConsumedBy::Dispose {
                        back.dispose("JSSandbox");
                    } else {
                        slot.worker = Some(back);
                    }
                }
                settle(result)
            },
        );
        Ok(promise)
    }

    /// The console output of the last `getLoadedSandbox()` (flat
    /// `[level, message, ...]`), once; null when there was none.
    #[napi]
    pub fn take_load_console(&self) -> Option<Vec<String>> {
        lock(&self.load_output).take()
    }

    /// Frees the guest now instead of when this object is garbage-collected;
    /// later use is `ERR_CONSUMED`. Idempotent. During a `getLoadedSandbox()`
    /// it frees the guest if that load fails (a load that succeeds hands the
    /// guest to its `LoadedJSSandbox`, which has its own `dispose()`).
    #[napi]
    pub fn dispose(&self, env: Env) {
        crate::telemetry::sync_external_memory(&env);
        let mut slot = self.slot();
        slot.consumed_by = ConsumedBy::Dispose;
        if let Some(worker) = slot.worker.take() {
            worker.dispose("JSSandbox");
        }
    }
}

/// `unload()` is written here, beside the `JSSandbox` it makes, rather than
/// in loaded_js_sandbox.rs: each stage's file then knows only the stage it
/// leads to, and the two files do not need each other.
#[napi]
impl LoadedJSSandbox {
    /// Drops every handler and module and hands back a `JSSandbox` on the same guest.
    #[napi(ts_return_type = "Promise<JSSandbox>")]
    pub fn unload<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        crate::telemetry::sync_external_memory(env);
        let Some(worker) = self.state.slot().take() else {
            return Err(self.state.consumed(env));
        };
        let (kind, timeout, console) = (self.kind, self.load_timeout, self.state.console.clone());
        let handle = worker.clone();
        let (promise, settle) = crate::promise::deferred(env, move |()| JSSandbox::new(handle, kind, timeout, console))?;
        worker.submit(|sb| sb.unload(), settle);
        Ok(promise)
    }
}

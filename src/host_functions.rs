//! Host functions: JS callbacks the guest calls synchronously.
//!
//! The guest's call reaches a sandbox thread; the callback must run on the
//! Node main thread, so it is queued there through a ThreadsafeFunction and
//! the sandbox thread waits for the outcome (which the engine can cut short
//! when a monitor or `kill()` stops the call). `lib/host-functions.js` wraps each
//! callback so it takes the JSON argument array and returns a tagged JSON
//! string ('J' + result or 'E' + error message) or a Promise of one; it
//! never throws across this boundary.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;

use hyperlight_js_engine::config::validate_name;
use hyperlight_js_engine::HostModuleDecl;
use hyperlight_js_engine::{lock, Error as EngineError, HostDispatch, HostHere, HostReply, HostResult};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Env;
use napi_derive::napi;

use crate::error::{sync, to_napi};

/// The module the guest's `fetch` calls: crates/guest-env's `FETCH_MODULE`
/// spells the same name (a guest and the addon share no crate). It has a
/// `:`, which `HostModule::new` refuses in a user's module name.
pub const FETCH_MODULE: &str = "hyperlight:fetch";

type Outcome = Either<String, Promise<String>>;
/// Weak: a registered callback alone does not keep Node running.
type HostFn = ThreadsafeFunction<String, Outcome, String, Status, false, true>;

/// A registered callback: through its threadsafe function from any thread,
/// or directly on the JS thread that registered it (the fast path).
struct Registered {
    tsfn: HostFn,
    here: FunctionRef<String, Outcome>,
}

#[derive(Default)]
pub struct HostRegistry {
    /// Set by `loadRuntime()`: the guest's imports are fixed from then on.
    sealed: AtomicBool,
    modules: Mutex<BTreeMap<String, BTreeMap<String, Arc<Registered>>>>,
    /// The JS thread the callbacks belong to, and its environment.
    owner: OnceLock<(ThreadId, usize)>,
}

impl HostRegistry {
    pub fn seal(&self) {
        self.sealed.store(true, Ordering::Release);
    }

    fn ensure_open(&self) -> hyperlight_js_engine::Result<()> {
        if self.sealed.load(Ordering::Acquire) {
            return Err(EngineError::consumed(
                "host functions must be registered before loadRuntime(); this ProtoJSSandbox was already consumed",
            ));
        }
        Ok(())
    }

    fn lookup(&self, module: &str, function: &str) -> Option<Arc<Registered>> {
        lock(&self.modules).get(module)?.get(function).cloned()
    }
}

fn untag(tagged: String) -> HostResult {
    match tagged.split_at_checked(1) {
        Some(("J", json)) => Ok(json.to_string()),
        Some(("E", message)) => Err(message.to_string()),
        _ => Err("host function bridge returned an untagged value".to_string()),
    }
}

fn settle(outcome: Result<Outcome>, reply: HostReply) {
    match outcome {
        Ok(Either::A(tagged)) => reply.send(untag(tagged)),
        Ok(Either::B(promise)) => match hyperlight_js_engine::monitor::runtime::get() {
            Ok(rt) => {
                rt.spawn(async move { reply.send(promise.await.map_err(|e| e.reason).and_then(untag)) });
            }
            Err(e) => reply.send(Err(e.message)),
        },
        Err(e) => reply.send(Err(e.reason)),
    }
}

impl HostDispatch for HostRegistry {
    fn modules(&self) -> Vec<HostModuleDecl> {
        let modules = lock(&self.modules);
        // Reserved modules (the fetch policy's) are for the prelude, not imports.
        modules
            .iter()
            .filter(|(name, _)| !name.contains(':'))
            .map(|(name, fns)| HostModuleDecl { name: name.clone(), functions: fns.keys().cloned().collect() })
            .collect()
    }

    fn call_here(&self, module: &str, function: &str, args_json: String) -> HostHere {
        self.here(module, function, args_json)
    }

    fn call(&self, module: &str, function: &str, args_json: String, reply: HostReply) {
        let Some(f) = self.lookup(module, function) else {
            return reply.send(Err(not_registered(module, function)));
        };
        // Shared so that, if Node refuses the call (shutting down), we still answer the guest.
        let slot = Arc::new(Mutex::new(Some(reply)));
        let pending = slot.clone();
        let status = f.tsfn.call_with_return_value(args_json, ThreadsafeFunctionCallMode::NonBlocking, move |out, _env| {
            if let Some(reply) = lock(&pending).take() {
                settle(out, reply);
            }
            Ok(())
        });
        if status != Status::Ok {
            if let Some(reply) = lock(&slot).take() {
                reply.send(Err(format!("host function {module}.{function} could not be called: {status}")));
            }
        }
    }
}

fn not_registered(module: &str, function: &str) -> String {
    format!("host function {module}.{function} is not registered")
}

impl HostRegistry {
    /// The fast path's host call: the callback runs right here, if this is
    /// its JS thread (checked, so a call from anywhere else is refused).
    fn here(&self, module: &str, function: &str, args_json: String) -> HostHere {
        let Some(&(owner, raw_env)) = self.owner.get() else { return HostHere::NotHere(args_json) };
        // Inside a libuv callback no JS may run (see loop_wait.rs).
        if owner != std::thread::current().id() || crate::loop_wait::in_callback() {
            return HostHere::NotHere(args_json);
        }
        let Some(f) = self.lookup(module, function) else {
            return HostHere::Done(Err(not_registered(module, function)));
        };
        let env = Env::from_raw(raw_env as napi::sys::napi_env);
        let outcome = f.here.borrow_back(&env).and_then(|callback| callback.call(args_json));
        if let Ok(Either::A(tagged)) = outcome {
            return HostHere::Done(untag(tagged));
        }
        // A promise (or a failure): its outcome arrives as from another thread.
        let (tx, rx) = std::sync::mpsc::channel();
        settle(outcome, HostReply(tx.clone()));
        HostHere::Later(tx, rx)
    }
}

/// A named group of host functions; guest code imports it as `host:<name>`.
#[napi]
pub struct HostModule {
    registry: Arc<HostRegistry>,
    name: String,
}

impl HostModule {
    pub fn new(env: &Env, registry: Arc<HostRegistry>, name: String) -> Result<Self> {
        sync(env, registry.ensure_open())?;
        sync(env, validate_name("host module name", &name))?;
        if name.contains(':') {
            return Err(to_napi(env, EngineError::invalid_arg(format!("host module name '{name}' must not contain ':'"))));
        }
        Ok(Self { registry, name })
    }

    /// One of the package's own modules, whose names users cannot take.
    pub fn reserved(env: &Env, registry: Arc<HostRegistry>, name: &str) -> Result<Self> {
        sync(env, registry.ensure_open())?;
        Ok(Self { registry, name: name.to_string() })
    }
}

#[napi]
impl HostModule {
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// The native half of `register()`: `callback` already speaks the tagged JSON protocol.
    #[napi]
    pub fn register_json<'a>(
        &self,
        env: Env,
        this: This<'a>,
        function: String,
        callback: Function<'_, String, Outcome>,
    ) -> Result<This<'a>> {
        sync(&env, self.registry.ensure_open())?;
        sync(&env, validate_name("host function name", &function))?;
        let tsfn: HostFn = callback.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
        let here = callback.create_ref()?;
        self.registry.owner.get_or_init(|| (std::thread::current().id(), env.raw() as usize));
        lock(&self.registry.modules)
            .entry(self.name.clone())
            .or_default()
            .insert(function, Arc::new(Registered { tsfn, here }));
        Ok(this)
    }
}

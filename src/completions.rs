//! The fast path for `callHandler` results. A napi deferred creates (and
//! tears down) a threadsafe function per promise; instead `lib/call.js`
//! keeps the promises, and sandbox threads report results through one
//! threadsafe function per JS environment as
//! `(id, errorCode | null, resultJsonOrMessage, console | null, errorName | null)`,
//! where `console` is the call's captured console output as flat
//! `[level, message, ...]` pairs and `errorName` the `name` of the error a
//! handler threw. Per environment, not per
//! process: a `worker_threads` Worker that loads the addon has its own.

use std::sync::Arc;

use hyperlight_js_engine::console::Entry;
use hyperlight_js_engine::Result as EngineResult;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Env;
use napi_derive::napi;

type Args = FnArgs<(u32, Option<&'static str>, String, Option<Vec<String>>, Option<String>)>;
/// Weak: lib/call.js keeps Node alive while calls are pending.
type Completions = ThreadsafeFunction<Args, (), Args, Status, false, true>;

/// Called once per environment by lib/call.js with the function that settles pending calls.
#[napi]
pub fn install_completion_handler(env: Env, callback: Function<'_, Args, ()>) -> Result<()> {
    let tsfn: Completions = callback.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
    env.set_instance_data(Arc::new(tsfn), (), |_| {})
}

/// This environment's completion function.
pub fn for_env(env: &Env) -> Result<Arc<Completions>> {
    env.get_instance_data::<Arc<Completions>>()?
        .map(|c| c.clone())
        .ok_or_else(|| Error::from_reason("load @hyperlight/js-host-api through its lib/index.js (lib/call.js installs the handler)"))
}

pub fn complete(completions: &Completions, id: u32, result: EngineResult<String>, console: Option<Vec<String>>) {
    let args = match result {
        Ok(json) => (id, None, json, console, None),
        Err(e) => (id, Some(e.code.as_str()), e.message, console, e.name),
    };
    completions.call(FnArgs { data: args }, ThreadsafeFunctionCallMode::NonBlocking);
}

/// Captured console entries as they cross to JS: flat `[level, message, ...]`
/// (cheaper than an object per entry); `None` when there are none.
pub fn flat(entries: Vec<Entry>) -> Option<Vec<String>> {
    if entries.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(entries.len() * 2);
    for e in entries {
        out.push(e.level.as_str().to_string());
        out.push(e.message);
    }
    Some(out)
}

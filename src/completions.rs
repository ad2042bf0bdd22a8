//! The fast path for `callHandler` results. A napi deferred creates (and
//! tears down) a threadsafe function per promise, which costs more than the
//! guest call itself; instead `lib/index.js` keeps the promises, and every
//! sandbox thread reports results through this one threadsafe function as
//! `(id, errorCode | null, resultJsonOrMessage)`.

use std::sync::OnceLock;

use hyperlight_js_engine::Result as EngineResult;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

type Args = FnArgs<(u32, Option<&'static str>, String)>;
/// Weak: lib/index.js keeps Node alive while calls are pending.
type Completions = ThreadsafeFunction<Args, (), Args, Status, false, true>;

static COMPLETIONS: OnceLock<Completions> = OnceLock::new();

/// Called once by lib/index.js with the function that settles pending calls.
#[napi]
pub fn install_completion_handler(callback: Function<'_, Args, ()>) -> Result<()> {
    let tsfn: Completions = callback.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
    // A second install (the module loaded twice) keeps the first handler.
    let _ = COMPLETIONS.set(tsfn);
    Ok(())
}

pub fn complete(id: u32, result: EngineResult<String>) {
    let Some(tsfn) = COMPLETIONS.get() else { return };
    let args = match result {
        Ok(json) => (id, None, json),
        Err(e) => (id, Some(e.code.as_str()), e.message),
    };
    tsfn.call(FnArgs { data: args }, ThreadsafeFunctionCallMode::NonBlocking);
}

pub fn installed() -> bool {
    COMPLETIONS.get().is_some()
}

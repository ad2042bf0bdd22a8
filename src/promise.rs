//! Promises settled from other threads, with errors that keep their code.

use hyperlight_js_engine::Result as EngineResult;
use napi::bindgen_prelude::*;
use napi::{Env, JsDeferred};

/// A promise for the JS side, and the settle function for whichever thread
/// finishes the work. Create it only once nothing can fail before the work is
/// handed over: an unsettled deferred holds a reference that keeps Node alive.
pub fn deferred<T, V>(
    env: &Env,
    to_js: impl FnOnce(T) -> V + Send + 'static,
) -> Result<(Object<'_>, impl FnOnce(EngineResult<T>) + Send + 'static)>
where
    T: Send + 'static,
    V: ToNapiValue + 'static,
{
    let (deferred, promise): (JsDeferred<V, _>, Object<'_>) = env.create_deferred()?;
    let settle = move |result: EngineResult<T>| {
        deferred.resolve(move |env: Env| result.map(to_js).map_err(|e| crate::error::to_napi(&env, e)));
    };
    Ok((promise, settle))
}

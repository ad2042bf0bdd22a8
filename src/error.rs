//! Engine errors become JS errors whose `code` is the spec's code.

use hyperlight_js_engine::Error as EngineError;
use napi::bindgen_prelude::*;
use napi::{Env, JsError};

/// Builds the JS error object on the JS thread, so `error.code` is ours
/// (napi-rs would otherwise put its own status name there).
pub fn to_napi(env: &Env, err: EngineError) -> Error {
    let js = JsError::from(Error::new(err.code.as_str(), err.message)).into_unknown(*env);
    Error::from(js)
}

/// For synchronous methods: run `f`, converting an engine error.
pub fn sync<T>(env: &Env, result: hyperlight_js_engine::Result<T>) -> Result<T> {
    result.map_err(|e| to_napi(env, e))
}

/// The call that used a stage object up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumedBy {
    Build,
    LoadRuntime,
    GetLoadedSandbox,
    Unload,
    Dispose,
}

impl ConsumedBy {
    pub fn call(self) -> &'static str {
        match self {
            ConsumedBy::Build => "build()",
            ConsumedBy::LoadRuntime => "loadRuntime()",
            ConsumedBy::GetLoadedSandbox => "getLoadedSandbox()",
            ConsumedBy::Unload => "unload()",
            ConsumedBy::Dispose => "dispose()",
        }
    }
}

pub fn consumed(what: &str, by: ConsumedBy) -> EngineError {
    EngineError::consumed(format!("this {what} was already consumed by {}", by.call()))
}

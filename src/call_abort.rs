use std::sync::Arc;

use hyperlight_js_engine::call::CallAbort;
use hyperlight_js_engine::CallControl;
use napi_derive::napi;

/// The native end of one call's AbortSignal: `lib/call.js` calls `abort()`
/// from the signal's listener. Internal; users pass the signal itself.
#[napi]
pub struct CallAbortHandle {
    control: Arc<CallControl>,
    abort: Arc<CallAbort>,
}

impl CallAbortHandle {
    pub fn new(control: Arc<CallControl>, abort: Arc<CallAbort>) -> Self {
        Self { control, abort }
    }
}

#[napi]
impl CallAbortHandle {
    /// Stops the call if it runs, or keeps it from starting if it waits:
    /// `'stopped'` (the call will fail as cancelled), `'prevented'` (it will
    /// never run, so the caller can settle it now) or `'too-late'`.
    #[napi]
    pub fn abort(&self) -> &'static str {
        self.control.abort(&self.abort).as_str()
    }
}

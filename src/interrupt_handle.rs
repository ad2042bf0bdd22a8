use std::sync::Arc;

use hyperlight_js_engine::CallControl;
use napi_derive::napi;

/// Stops the handler call in progress on its sandbox, from any callback or
/// timer; the call rejects with `ERR_CANCELLED`. Does nothing when idle.
#[napi]
pub struct InterruptHandle {
    control: Arc<CallControl>,
}

impl InterruptHandle {
    pub fn new(control: Arc<CallControl>) -> Self {
        Self { control }
    }
}

#[napi]
impl InterruptHandle {
    /// Returns whether a running call was stopped.
    #[napi]
    pub fn kill(&self) -> bool {
        self.control.kill()
    }
}

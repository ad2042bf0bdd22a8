use std::sync::Arc;

use hyperlight_js_engine::GuestSnapshot;
use napi_derive::napi;

/// An opaque point-in-time copy of a sandbox's guest memory. Released (its
/// guest copy ended) when garbage-collected.
#[napi]
pub struct Snapshot {
    inner: Arc<dyn GuestSnapshot>,
}

impl Snapshot {
    pub fn new(inner: Arc<dyn GuestSnapshot>) -> Self {
        Self { inner }
    }

    pub fn inner(&self) -> Arc<dyn GuestSnapshot> {
        self.inner.clone()
    }
}

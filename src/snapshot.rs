use std::sync::Arc;

use hyperlight_js_engine::SandboxSnapshot;
use napi_derive::napi;

/// An opaque point-in-time copy of a sandbox's guest memory. Released (its
/// guest copy ended) when garbage-collected.
#[napi]
pub struct Snapshot {
    inner: Arc<SandboxSnapshot>,
}

impl Snapshot {
    pub fn new(inner: Arc<SandboxSnapshot>) -> Self {
        Self { inner }
    }

    pub fn inner(&self) -> Arc<SandboxSnapshot> {
        self.inner.clone()
    }
}

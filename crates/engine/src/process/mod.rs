//! The process backend: each sandbox is a child process running
//! `hyperlight-js-runtime` natively, forked from a pre-initialised template.

mod guest_process;
mod launcher;
mod transport;
mod waiting;

use std::sync::Arc;

pub use launcher::{set_guest_image, GuestImage};
pub use transport::ProcessGuest;

use crate::backend::{Backend, HostDispatch, Transport};
use crate::config::BackendKind;
use crate::config::SandboxConfig;
use crate::console::Console;
use crate::error::Result;
use hyperlight_js_wire::SandboxInit;

pub struct ProcessBackend;

impl Backend for ProcessBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Process
    }

    /// A process backend's template is a paused, forked guest process:
    /// nothing a file can hold, so there is nothing to cache.
    fn with_template_cache(self: Arc<Self>, _dir: &std::path::Path) -> Arc<dyn Backend> {
        self
    }

    fn load_runtime(&self, config: SandboxConfig, host: Arc<dyn HostDispatch>, console: Console) -> Result<Box<dyn Transport>> {
        let init = SandboxInit { config, host_modules: host.modules() };
        Ok(Box::new(ProcessGuest::new(init, host, console)?))
    }
}

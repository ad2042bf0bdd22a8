//! The engine behind `@hyperlight/js-host-api`: what a sandbox is, independent
//! of Node and of how the guest is isolated.
//!
//! The NAPI layer drives a [`Sandbox`], which reaches its guest through the
//! [`Transport`] a [`Backend`] made; each sandbox lives on its own
//! [`worker::SandboxWorker`] thread so its calls run in order and off the
//! Node event loop. ARCHITECTURE.md at the repository's root draws the layers.

pub mod backend;
pub mod call;
pub mod config;
pub mod console;
pub mod error;
pub mod host_wait;
#[cfg(feature = "hypervisor")]
pub mod hypervisor;
pub mod monitor;
pub mod process;
pub mod registry;
pub mod sandbox;
pub mod select;
mod sync;
pub mod telemetry;
pub mod warnings;
pub mod worker;

// Part of `HostDispatch`'s signature; the wire format's own type (crates/wire).
pub use hyperlight_js_wire::HostModuleDecl;

pub use backend::{Backend, HostDispatch, HostHere, HostReply, HostResult, NoHostFunctions, Transport};
pub use call::{CallControl, CallOptions, CallStats};
pub use config::{BackendKind, SandboxConfig, SizeKind};
pub use console::{Console, Destination as ConsoleDestination, Level as ConsoleLevel};
pub use error::{Error, ErrorCode, Result};
pub use sandbox::{Outcome, Sandbox, SandboxSnapshot};
pub use sync::lock;

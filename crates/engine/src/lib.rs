//! The engine behind `@hyperlight/js-host-api`: what a sandbox is, independent
//! of Node and of how the guest is isolated.
//!
//! The NAPI layer drives a [`GuestSandbox`] made by a [`Backend`]; each
//! sandbox lives on its own [`worker::SandboxWorker`] thread so its calls run
//! in order and off the Node event loop.

pub mod backend;
pub mod call;
pub mod config;
pub mod console;
pub mod error;
pub mod guest_error;
pub mod host_wait;
#[cfg(feature = "hypervisor")]
pub mod hypervisor;
pub mod monitor;
pub mod process;
pub mod protocol;
pub mod registry;
pub mod ring;
pub mod select;
pub mod spin;
pub mod telemetry;
pub mod worker;

pub use backend::{Backend, BackendKind, GuestSandbox, GuestSnapshot, HostDispatch, HostHere, HostReply, HostResult, NoHostFunctions};
pub use call::{CallControl, CallOptions, CallStats};
pub use config::{SandboxConfig, SizeKind};
pub use console::{Console, Destination as ConsoleDestination, Level as ConsoleLevel};
pub use error::{Error, ErrorCode, Result};

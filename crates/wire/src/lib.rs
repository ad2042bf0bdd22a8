//! What the host and the process backend's guest share, and no more: the
//! jailed guest links this crate, so what runs inside the jail carries no
//! async runtime, metrics or monitors.
//!
//! - [`messages`]: the requests and replies, and the sizes they carry;
//! - [`frame`]: framing, frame size limits, protocol errors;
//! - [`socket`]: raw socket calls (descriptors, credentials, doorbells);
//! - [`ring`]: the shared-memory ring that frames travel through once set up;
//! - [`channel`]: one end of a host↔guest link, built on the four above;
//! - [`spin`]: when a waiting thread polls and when it sleeps, on both sides;
//! - [`guest_error`]: how a JavaScript error from the runtime reads to a user;
//! - [`load`]: how a guest registers modules and handlers;
//! - [`entropy`]: OS entropy for a guest's CSPRNG.

pub mod channel;
pub mod entropy;
pub mod frame;
pub mod guest_error;
pub mod load;
pub mod messages;
pub mod ring;
pub mod socket;
pub mod spin;

pub use channel::Channel;
pub use frame::{guest_max_frame, host_max_frame, ProtocolError};
pub use messages::{FailureKind, GuestFailure, HostModuleDecl, Level, Reply, Request, SandboxConfig, SandboxInit};

//! What host and guest say to each other: the requests, the replies, and
//! what they carry. Postcard-encoded, one message a frame (`frame.rs`).

use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// Loading runs the handlers' and modules' top-level code: bounded like a call.
pub const DEFAULT_LOAD_TIMEOUT_MS: u64 = 10_000;

/// Guest sizes travel in [`SandboxInit`], so the wire owns their type; the
/// engine validates what users ask for (`hyperlight_js_engine::config`).
/// Guest sizes, in bytes. On the process backend the heap bounds the QuickJS
/// heap, the scratch size its stack, and the buffers the largest event and
/// result that may cross the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SandboxConfig {
    pub heap_size: u64,
    pub scratch_size: u64,
    pub input_buffer_size: u64,
    pub output_buffer_size: u64,
    /// How long `getLoadedSandbox()` may take before the load is cancelled.
    pub load_timeout_ms: u64,
    /// Console output one call (or the load) may write; the rest is dropped
    /// (see `console.rs`).
    pub max_console_bytes_per_call: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            heap_size: 64 * MIB,
            scratch_size: MIB,
            input_buffer_size: 4 * MIB,
            output_buffer_size: 4 * MIB,
            load_timeout_ms: DEFAULT_LOAD_TIMEOUT_MS,
            max_console_bytes_per_call: MIB,
        }
    }
}

/// A console entry's level, as the guest's console names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    Log,
    Info,
    Warn,
    Error,
    Debug,
    Trace,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Log => "log",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }

    /// The guest's name for a level; anything else is `log`, as `print` is.
    pub fn parse(name: &str) -> Level {
        match name {
            "info" => Level::Info,
            "warn" => Level::Warn,
            "error" => Level::Error,
            "debug" => Level::Debug,
            "trace" => Level::Trace,
            _ => Level::Log,
        }
    }

    /// Where Node's own console writes this level.
    pub fn is_stderr(self) -> bool {
        matches!(self, Level::Warn | Level::Error | Level::Trace)
    }
}

/// One host module as the guest must expose it: `import * as m from "host:<name>"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HostModuleDecl {
    pub name: String,
    pub functions: Vec<String>,
}

/// What turns a forked copy of the template into a sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxInit {
    pub config: SandboxConfig,
    pub host_modules: Vec<HostModuleDecl>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Fork a copy of this process. The copy answers on a new socket whose
    /// other end comes back with `Reply::Forked`; with `init`, the copy first
    /// turns itself into a fresh sandbox. A paused copy is a snapshot.
    Fork { init: Option<SandboxInit> },
    /// Register modules (lazily compiled) then compile the handlers.
    /// `spin_us` as for `Call`: a sandbox just loaded is mostly called next.
    Load { modules: Vec<(String, String)>, handlers: Vec<(String, String)>, spin_us: u32 },
    /// `spin_us`: how long the guest should poll for the next request after
    /// answering (zero: sleep at once); the host decides, knowing its load.
    Call { handler: String, event: String, gc: bool, spin_us: u32 },
    /// The answer to a `Reply::HostCall`: JSON text, or the error message.
    HostResult(Result<String, String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// A new guest process is up and waiting for requests.
    Ready,
    /// The new copy's socket travels with this frame (SCM_RIGHTS).
    Forked,
    Loaded,
    /// The handler's result as JSON text.
    Returned(String),
    HostCall { module: String, function: String, args: String },
    Failed(GuestFailure),
    /// One console call of the guest (`console.*`, `print`) while it
    /// answers a request; the host hands it to the sandbox's `Console` and
    /// keeps waiting.
    Console(Level, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    /// The handler threw, or returned something JSON cannot carry.
    Exception,
    /// A handler or module did not compile or its top level threw.
    Load,
    /// No handler by that name.
    UnknownHandler,
    /// The result was larger than the output buffer.
    OutputTooLarge,
    /// The guest could not do what was asked (fork failed, bad init).
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestFailure {
    pub kind: FailureKind,
    pub message: String,
    /// A handler's exception: the error's `name` (`TypeError`, a class's own).
    pub name: Option<String>,
}

/// What a user reads when a handler's result does not fit the output buffer
/// (`bytes`: the result's size, where it is known), whichever side found it.
pub fn output_too_large(bytes: Option<usize>, limit: u64) -> String {
    let size = bytes.map(|n| format!(" {n} bytes,")).unwrap_or_default();
    format!("the handler's result is{size} larger than the output buffer of {limit} bytes (setOutputBufferSize)")
}

/// A handler's result against the output buffer: what a user reads when it
/// does not fit.
pub fn output_fits(result: &str, limit: u64) -> Result<(), String> {
    if result.len() as u64 > limit {
        return Err(output_too_large(Some(result.len()), limit));
    }
    Ok(())
}

/// What a user reads for an import of a module that is neither a user, host
/// nor built-in module: a sandbox has no file system to find it in.
pub fn unregistered_module(name: &str) -> String {
    format!("module '{name}' is not registered in this sandbox")
}


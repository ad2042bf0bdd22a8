//! Errors as the user sees them: every failure carries one of the spec's codes,
//! so the NAPI layer can set `error.code` without guessing from message text.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The caller passed something unusable (bad size, empty name, non-JSON event, bad handler source).
    InvalidArg,
    /// A stage object was already used up (e.g. `loadRuntime()` twice).
    Consumed,
    /// The sandbox's guest is gone or in an unknown state; `restore()` or `unload()` first.
    Poisoned,
    /// A monitor or `kill()` stopped the call.
    Cancelled,
    /// The guest's code failed: the handler threw, or the guest process died while running it.
    GuestAbort,
    /// Something that should not happen: a host-side failure, a broken guest protocol.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArg => "ERR_INVALID_ARG",
            ErrorCode::Consumed => "ERR_CONSUMED",
            ErrorCode::Poisoned => "ERR_POISONED",
            ErrorCode::Cancelled => "ERR_CANCELLED",
            ErrorCode::GuestAbort => "ERR_GUEST_ABORT",
            ErrorCode::Internal => "ERR_INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The `name` of the JavaScript error a handler threw (`TypeError`, a
    /// class's own name), which the JS error then carries; `None` for every
    /// other failure.
    pub name: Option<String>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), name: None }
    }
    /// A handler's exception, as `guest_error::describe` read it.
    pub fn thrown(described: hyperlight_js_wire::guest_error::Described) -> Self {
        Self { name: described.name, ..Self::guest_abort(described.text) }
    }
    pub fn invalid_arg(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArg, message)
    }
    pub fn consumed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Consumed, message)
    }
    pub fn poisoned(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Poisoned, message)
    }
    /// Anything asked of a poisoned sandbox: why it is, and what to do.
    pub fn poisoned_because(why: &str) -> Self {
        Self::poisoned(format!("the sandbox is poisoned ({why}); call restore(snapshot) or unload() to use it again"))
    }
    pub fn cancelled(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Cancelled, message)
    }
    pub fn guest_abort(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::GuestAbort, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

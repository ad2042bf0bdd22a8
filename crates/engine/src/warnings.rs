//! What the engine worked around without failing anything (a template cache
//! file it could not use, a snapshot it could not move to a file), kept for
//! the NAPI layer to raise as Node process warnings (`process.emitWarning`),
//! which users see on stderr by default and can listen for.

use crate::error::Error;
use crate::lock;

/// Warnings nobody collected are dropped past this many (an embedder that
/// never drains them must not grow without bound).
const MAX_PENDING: usize = 64;

static PENDING: std::sync::Mutex<Vec<Error>> = std::sync::Mutex::new(Vec::new());

/// Records `warning` (its code says which kind of problem it was).
pub fn warn(warning: Error) {
    tracing::warn!(code = warning.code.as_str(), "{}", warning.message);
    let mut pending = lock(&PENDING);
    if pending.len() < MAX_PENDING {
        pending.push(warning);
    }
}

/// The warnings recorded since the last `take`, oldest first.
pub fn take() -> Vec<Error> {
    std::mem::take(&mut *lock(&PENDING))
}

//! Locking, the one way the engine and the addon do it.

/// A lock whose holder panicked still guards sound data here (and in the
/// addon, which uses this too): take it anyway.
pub fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

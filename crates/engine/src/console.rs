//! A guest's console output, as data for the caller.
//!
//! Guests have no stdout of their own: every `console.*` call and `print`
//! reaches the host as one entry, a level and the formatted text. A
//! [`Console`] belongs to one sandbox. The caller brackets each call (and
//! each load) with [`Console::begin`], naming where that call's output goes,
//! and [`Console::end`], which hands back what was captured. Both backends
//! only [`Console::write`].
//!
//! Each call has a byte budget (`setMaxConsoleBytesPerCall`): past it, that
//! call's output is dropped, whatever its destination, and one last warning
//! says how much, so one tenant cannot flood the host's stdout or memory.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};


pub const METRIC_CONSOLE_DROPPED_BYTES: &str = "console_dropped_bytes_total";

pub use hyperlight_js_wire::Level;

/// Where a call's console output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// The host process's stdout (`warn`, `error`, `trace`: stderr), as it is written.
    Inherit,
    /// Nowhere.
    Ignore,
    /// Kept, for [`Console::end`] to hand to the caller.
    Capture,
}

impl Destination {
    /// `setConsole()`'s names; a function sink is `capture`.
    pub fn parse(name: &str, what: &str) -> crate::Result<Self> {
        match name {
            "inherit" => Ok(Destination::Inherit),
            "ignore" => Ok(Destination::Ignore),
            "capture" => Ok(Destination::Capture),
            other => Err(crate::Error::invalid_arg(format!(
                "{what}: the console must be 'inherit', 'ignore' or a function, got '{other}'"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub level: Level,
    pub message: String,
}

/// One sandbox's console: shared by the backend (which writes) and the
/// caller (which begins and ends calls). Calls on a sandbox never overlap,
/// so the lock is never contended.
#[derive(Clone)]
pub struct Console(Arc<Mutex<State>>);

struct State {
    /// Where output goes outside `begin`/`end` too (none is expected there).
    default: Destination,
    to: Destination,
    limit: u64,
    used: u64,
    dropped: u64,
    entries: Vec<Entry>,
}

impl Console {
    /// `limit`: bytes of message text per call (or load).
    pub fn new(default: Destination, limit: u64) -> Self {
        Console(Arc::new(Mutex::new(State { default, to: default, limit, used: 0, dropped: 0, entries: Vec::new() })))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A call or load starts: its output goes to `to` (the sandbox's own
    /// destination if `None`), with a whole budget.
    pub fn begin(&self, to: Option<Destination>) {
        let mut s = self.lock();
        s.to = to.unwrap_or(s.default);
        s.used = 0;
        s.dropped = 0;
    }

    /// One console call of the guest. Once an entry does not fit the
    /// budget, it and every later one of the same call are dropped, so what
    /// arrives is always a prefix of what was written.
    pub fn write(&self, level: Level, message: &str) {
        let mut s = self.lock();
        if s.to == Destination::Ignore {
            return;
        }
        let len = message.len() as u64;
        if s.dropped > 0 || s.used.saturating_add(len) > s.limit {
            s.dropped = s.dropped.saturating_add(len.max(1));
            return;
        }
        s.used += len;
        match s.to {
            Destination::Inherit => print(level, message),
            Destination::Capture => s.entries.push(Entry { level, message: message.to_string() }),
            Destination::Ignore => {}
        }
    }

    /// The call or load ended: what it captured, in the order written, with a
    /// last `warn` entry if part of it was dropped (printed instead, for an
    /// inherited console). Output goes to the sandbox's own destination again.
    pub fn end(&self) -> Vec<Entry> {
        let mut s = self.lock();
        let mut entries = std::mem::take(&mut s.entries);
        if s.dropped > 0 {
            metrics::counter!(METRIC_CONSOLE_DROPPED_BYTES).increment(s.dropped);
            let note = Entry {
                level: Level::Warn,
                message: format!(
                    "[sandbox] {} bytes of console output were dropped: past the limit of {} bytes per call (setMaxConsoleBytesPerCall)",
                    s.dropped, s.limit
                ),
            };
            match s.to {
                Destination::Capture => entries.push(note),
                _ => print(note.level, &note.message),
            }
        }
        s.to = s.default;
        s.used = 0;
        s.dropped = 0;
        entries
    }
}

fn print(level: Level, message: &str) {
    fn line(mut out: impl Write, message: &str) {
        let _ = out.write_all(message.as_bytes());
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    }
    if level.is_stderr() {
        line(std::io::stderr().lock(), message)
    } else {
        line(std::io::stdout().lock(), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: Level, message: &str) -> Entry {
        Entry { level, message: message.to_string() }
    }

    #[test]
    fn a_captured_call_gets_its_entries_in_order_and_the_next_call_starts_empty() {
        let c = Console::new(Destination::Inherit, 1024);
        c.begin(Some(Destination::Capture));
        c.write(Level::Log, "one");
        c.write(Level::Error, "two");
        assert_eq!(c.end(), vec![entry(Level::Log, "one"), entry(Level::Error, "two")]);
        c.begin(Some(Destination::Capture));
        assert_eq!(c.end(), vec![]);
    }

    #[test]
    fn past_the_budget_the_rest_of_the_call_is_dropped_and_counted() {
        let c = Console::new(Destination::Capture, 10);
        c.begin(None);
        c.write(Level::Log, "12345");
        c.write(Level::Log, "123456"); // does not fit: dropped
        c.write(Level::Log, "1"); // would fit, but comes after a drop
        let out = c.end();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0], entry(Level::Log, "12345"));
        assert_eq!(out[1].level, Level::Warn);
        assert!(out[1].message.contains("7 bytes"), "{}", out[1].message);
        assert!(out[1].message.contains("setMaxConsoleBytesPerCall"), "{}", out[1].message);
        // The next call has its whole budget again.
        c.begin(None);
        c.write(Level::Log, "1234567890");
        assert_eq!(c.end(), vec![entry(Level::Log, "1234567890")]);
    }

    #[test]
    fn a_zero_budget_drops_everything_but_says_so() {
        let c = Console::new(Destination::Capture, 0);
        c.begin(None);
        c.write(Level::Info, "x");
        let out = c.end();
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("1 bytes"), "{}", out[0].message);
    }

    #[test]
    fn ignored_output_is_neither_kept_nor_counted_as_dropped() {
        let c = Console::new(Destination::Ignore, 0);
        c.begin(None);
        c.write(Level::Log, "x");
        assert_eq!(c.end(), vec![]);
    }

    #[test]
    fn levels_are_the_guest_console_names_and_anything_else_is_log() {
        assert_eq!(Level::parse("trace"), Level::Trace);
        assert_eq!(Level::parse("trace").as_str(), "trace");
        assert_eq!(Level::parse("dir"), Level::Log);
    }
}

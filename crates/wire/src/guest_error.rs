//! What a user reads when guest JavaScript fails, the same on both backends.
//!
//! `hyperlight-js-runtime` reports a JavaScript error as the Debug dump of
//! rquickjs's `CaughtError` (`Runtime error: Exception(Exception { message:
//! Some("..."), stack: Some("..."), .. })`), and the micro-VM's guest wraps
//! that again (`Error: ...`). Users want the message and the stack.

/// The message and stack of a runtime error, or the text itself when it is
/// not one of the runtime's dumps.
pub fn describe(text: &str) -> String {
    let text = text.trim();
    let text = text.strip_prefix("Error: ").unwrap_or(text);
    let Some(rest) = text.strip_prefix("Runtime error: ") else { return text.to_string() };
    // `promise.finish()` found the promise still pending with nothing left to run.
    if rest.starts_with("Error(") && rest.contains("WouldBlock") {
        return "the handler returned a promise that never settled: nothing left to run could resolve it \
                (an await on something that never completes?)"
            .to_string();
    }
    // QuickJS throws `null` itself when it runs out of memory so completely
    // that it cannot allocate its "out of memory" error (the runtime dumps a
    // thrown non-Error as `Value(...)`).
    if rest.split_whitespace().collect::<String>() == "Value(Null\"null\",)" {
        return "out of memory, most likely (QuickJS throws null when it cannot even allocate its out-of-memory error; \
                a handler may also throw null itself)"
            .to_string();
    }
    match debug_field(rest, "message") {
        Some(message) => match debug_field(rest, "stack").filter(|s| !s.trim().is_empty()) {
            Some(stack) => format!("{message}\n{}", stack.trim_end()),
            None => message,
        },
        None => rest.trim().to_string(),
    }
}

/// A QuickJS out-of-memory error names the limit it hit and the setter that sets it.
pub fn with_heap_limit(message: String, heap_size: u64) -> String {
    if !message.starts_with("out of memory") {
        return message;
    }
    let (first, stack) = message.split_once('\n').unwrap_or((&message, ""));
    format!("{first}: the handler hit the sandbox's heap limit of {heap_size} bytes (setHeapSize)\n{stack}")
        .trim_end()
        .to_string()
}

/// The string in `name: Some("...")` of a Debug dump, unescaped. A dump cut
/// short (the micro-VM's error channel is bounded) yields what was there.
fn debug_field(dump: &str, name: &str) -> Option<String> {
    let key = format!("{name}: Some(");
    let start = dump.find(&key)? + key.len();
    let mut chars = dump[start..].trim_start().strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('u') => {
                    // Debug writes other escapes as \u{hex}.
                    let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                    out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thrown_null_reads_as_the_out_of_memory_it_most_likely_is() {
        let message = describe("Runtime error: Value(\n    Null\"null\",\n)");
        assert!(message.starts_with("out of memory, most likely"), "{message}");
        let message = with_heap_limit(message, 8 << 20);
        assert!(message.contains("heap limit of 8388608 bytes (setHeapSize)"), "{message}");
        assert_eq!(describe("Runtime error: Value(\n    Int(5),\n)"), "Value(\n    Int(5),\n)");
    }

    const DUMP: &str = "Runtime error: Exception(\n    Exception {\n        message: Some(\n            \"boom \\\"quoted\\\" \\u{e9}\",\n        ),\n        file: None,\n        stack: Some(\n            \"    at handler (/h.js:1:30)\\n\",\n        ),\n    },\n)";

    #[test]
    fn a_runtime_dump_becomes_its_message_and_stack() {
        assert_eq!(describe(DUMP), "boom \"quoted\" é\n    at handler (/h.js:1:30)");
        // The micro-VM guest's wrapping is removed too.
        assert_eq!(describe(&format!("Error: {DUMP}")), describe(DUMP));
    }

    #[test]
    fn a_pending_promise_is_said_in_words() {
        let msg = describe("Runtime error: Error(\n    WouldBlock,\n)");
        assert!(msg.contains("promise that never settled"), "{msg}");
        assert!(!msg.contains("WouldBlock"));
    }

    #[test]
    fn a_truncated_dump_keeps_what_it_has_and_other_text_passes_through() {
        assert_eq!(describe("Runtime error: Exception { message: Some(\"cut sho"), "cut sho");
        assert_eq!(describe("something else"), "something else");
    }

    #[test]
    fn out_of_memory_names_the_heap_limit() {
        let msg = with_heap_limit("out of memory\n    at f".into(), 1024);
        assert!(msg.starts_with("out of memory: the handler hit the sandbox's heap limit of 1024 bytes (setHeapSize)"), "{msg}");
        assert!(msg.ends_with("at f"));
        assert_eq!(with_heap_limit("TypeError: x".into(), 1), "TypeError: x");
    }
}

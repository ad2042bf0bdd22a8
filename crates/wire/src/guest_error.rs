//! What a user reads when guest JavaScript fails, the same on both backends.
//!
//! `hyperlight-js-runtime` reports a JavaScript error as the Debug dump of
//! rquickjs's `CaughtError` (`Runtime error: Exception(Exception { message:
//! Some("..."), stack: Some("..."), .. })`), and the micro-VM's guest wraps
//! that again (`Error: ...`). Users want the message and the stack, and the
//! error's name, which the dump lacks: so each handler runs inside a small
//! wrapper ([`handler_wrapper`]) that rethrows an error it catches with its
//! name in front of its message, between two [`NAME_MARK`]s.

/// Brackets the name at the start of a rethrown error's message.
pub const NAME_MARK: char = '\u{1}';

/// Where the handler wrappers live: their module paths start with this, and
/// their frames are left out of the stacks users read.
pub const WRAPPER_DIR: &str = "hyperlight:handler";

/// The module path a handler's own source gets (as `hyperlight-js-runtime`
/// names a handler's module: `/name.js`), so stacks name the user's file.
pub fn handler_module_path(handler: &str) -> String {
    let name = handler.replace('\\', "/");
    let ext = if name.ends_with(".js") || name.ends_with(".mjs") { "" } else { ".js" };
    format!("/{name}{ext}")
}

/// Whether a handler's source exports anything (the runtime's own test: a
/// line that starts with `export`); without an export, `handler` is exported
/// for the user, as the runtime does.
fn has_export(source: &str) -> bool {
    source.lines().map(str::trim_start).any(|l| l.starts_with("export ") || l.starts_with("export{"))
}

/// A handler as the guest loads it: its source as a module of its own (at
/// [`handler_module_path`]), and the wrapper the runtime calls, which calls
/// the user's `handler` and rethrows what it throws with the error's name.
/// `(module path, module source, wrapper source)`.
pub fn handler_wrapper(handler: &str, source: &str) -> (String, String, String) {
    let path = handler_module_path(handler);
    let module = if has_export(source) { source.to_string() } else { format!("{source}\nexport {{ handler }};") };
    let import = js_string(&path);
    let wrapper = format!(
        r#"import {{ handler as run }} from {import};
if (typeof run !== 'function') throw new TypeError(`the handler module must export a function named 'handler'; its 'handler' is ${{run === null ? 'null' : typeof run}}`);
const named = (e) => {{
  // null stays as thrown: QuickJS throws it when it is out of memory.
  if (e === null) throw e;
  let out;
  try {{
    if (typeof Error.isError === 'function' ? Error.isError(e) : e instanceof Error) {{
      out = new Error('{mark}' + String(e.name) + '{mark}' + String(e.message));
      out.stack = typeof e.stack === 'string' ? e.stack : '';
    }} else {{
      const what = e === undefined ? 'undefined' : typeof e === 'object' ? 'an object' : `a ${{typeof e}}`;
      const shown = e === undefined ? '' : `: ${{typeof e === 'object' ? JSON.stringify(e) ?? Object.prototype.toString.call(e) : typeof e === 'string' ? JSON.stringify(e) : String(e)}}`;
      out = new Error(`the handler threw ${{what}}, not an Error${{shown}}`);
      out.stack = '';
    }}
  }} catch {{
    throw e;
  }}
  throw out;
}};
export function handler(event) {{
  let out;
  try {{
    out = run(event);
  }} catch (e) {{
    named(e);
  }}
  return out !== null && typeof out === 'object' && typeof out.then === 'function' ? out.then(undefined, named) : out;
}}
"#,
        mark = "\\u0001",
    );
    (path, module, wrapper)
}

/// A JSON string literal, which is also a JavaScript one.
fn js_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A guest error as users read it: the error's name where the guest gave
/// it (a handler's exception), and its message followed by its stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub name: Option<String>,
    pub text: String,
}

/// The name, message and stack of a runtime error, or the text itself when
/// it is not one of the runtime's dumps.
pub fn describe(text: &str) -> Described {
    let (message, stack) = describe_parts(text);
    let (name, message) = match message.strip_prefix(NAME_MARK).and_then(|m| m.split_once(NAME_MARK)) {
        Some((name, message)) => (Some(name.to_string()), message.to_string()),
        None => (None, message),
    };
    let stack: String = stack.lines().filter(|l| !l.contains(&format!("({WRAPPER_DIR}/"))).map(|l| format!("\n{l}")).collect();
    Described { name, text: format!("{message}{stack}") }
}

/// The message and the stack (empty when there is none).
fn describe_parts(text: &str) -> (String, String) {
    let text = text.trim();
    let text = text.strip_prefix("Error: ").unwrap_or(text);
    let Some(rest) = text.strip_prefix("Runtime error: ") else { return (text.to_string(), String::new()) };
    // `promise.finish()` found the promise still pending with nothing left to run.
    if rest.starts_with("Error(") && rest.contains("WouldBlock") {
        return (
            "the handler returned a promise that never settled: nothing left to run could resolve it \
             (an await on something that never completes?)"
                .to_string(),
            String::new(),
        );
    }
    // QuickJS throws `null` itself when it runs out of memory so completely
    // that it cannot allocate its "out of memory" error (the runtime dumps a
    // thrown non-Error as `Value(...)`).
    if rest.split_whitespace().collect::<String>() == "Value(Null\"null\",)" {
        return (
            "out of memory, most likely (QuickJS throws null when it cannot even allocate its out-of-memory error; \
             a handler may also throw null itself)"
                .to_string(),
            String::new(),
        );
    }
    match debug_field(rest, "message") {
        Some(message) => (message, debug_field(rest, "stack").map(|s| s.trim_end().to_string()).unwrap_or_default()),
        None => (rest.trim().to_string(), String::new()),
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
        let message = describe("Runtime error: Value(\n    Null\"null\",\n)").text;
        assert!(message.starts_with("out of memory, most likely"), "{message}");
        let message = with_heap_limit(message, 8 << 20);
        assert!(message.contains("heap limit of 8388608 bytes (setHeapSize)"), "{message}");
        assert_eq!(describe("Runtime error: Value(\n    Int(5),\n)").text, "Value(\n    Int(5),\n)");
    }

    const DUMP: &str = "Runtime error: Exception(\n    Exception {\n        message: Some(\n            \"boom \\\"quoted\\\" \\u{e9}\",\n        ),\n        file: None,\n        stack: Some(\n            \"    at handler (/h.js:1:30)\\n\",\n        ),\n    },\n)";

    #[test]
    fn a_runtime_dump_becomes_its_message_and_stack() {
        assert_eq!(describe(DUMP), Described { name: None, text: "boom \"quoted\" é\n    at handler (/h.js:1:30)".into() });
        // The micro-VM guest's wrapping is removed too.
        assert_eq!(describe(&format!("Error: {DUMP}")), describe(DUMP));
    }

    #[test]
    fn a_pending_promise_is_said_in_words() {
        let msg = describe("Runtime error: Error(\n    WouldBlock,\n)").text;
        assert!(msg.contains("promise that never settled"), "{msg}");
        assert!(!msg.contains("WouldBlock"));
    }

    #[test]
    fn a_truncated_dump_keeps_what_it_has_and_other_text_passes_through() {
        assert_eq!(describe("Runtime error: Exception { message: Some(\"cut sho").text, "cut sho");
        assert_eq!(describe("something else").text, "something else");
    }

    #[test]
    fn out_of_memory_names_the_heap_limit() {
        let msg = with_heap_limit("out of memory\n    at f".into(), 1024);
        assert!(msg.starts_with("out of memory: the handler hit the sandbox's heap limit of 1024 bytes (setHeapSize)"), "{msg}");
        assert!(msg.ends_with("at f"));
        assert_eq!(with_heap_limit("TypeError: x".into(), 1), "TypeError: x");
    }

    #[test]
    fn a_rethrown_error_gives_its_name_and_loses_the_wrapper_frame() {
        let dump = "Runtime error: Exception(\n    Exception {\n        message: Some(\n            \"\\u{1}ValidationError\\u{1}bad input\",\n        ),\n        stack: Some(\n            \"    at check (/h.js:2:9)\\n    at handler (/h.js:4:3)\\n    at handler (hyperlight:handler/h.js:16:11)\\n\",\n        ),\n    },\n)";
        assert_eq!(
            describe(dump),
            Described { name: Some("ValidationError".into()), text: "bad input\n    at check (/h.js:2:9)\n    at handler (/h.js:4:3)".into() }
        );
    }

    #[test]
    fn a_handler_module_keeps_the_runtime_path_and_gains_an_export_only_when_it_has_none() {
        assert_eq!(handler_module_path("h"), "/h.js");
        assert_eq!(handler_module_path("a\\b.mjs"), "/a/b.mjs");
        let (path, module, wrapper) = handler_wrapper("h", "function handler() {}");
        assert_eq!(path, "/h.js");
        assert_eq!(module, "function handler() {}\nexport { handler };");
        assert!(wrapper.starts_with("import { handler as run } from \"/h.js\";"), "{wrapper}");
        let (_, module, _) = handler_wrapper("h", "export function handler() {}");
        assert_eq!(module, "export function handler() {}");
        let (_, _, wrapper) = handler_wrapper("we\"ird\n", "");
        assert!(wrapper.starts_with("import { handler as run } from \"/we\\\"ird\\u000a.js\";"), "{wrapper}");
    }
}

//! The process backend end to end: a real guest process per sandbox.
//! Needs the guest executable built first (`cargo build -p hyperlight-js-guest`;
//! `npm test` does it).

use std::sync::{Arc, Mutex};

use hyperlight_js_engine::process::ProcessBackend;
use hyperlight_js_wire::HostModuleDecl;
use hyperlight_js_engine::{
    CallOptions, Console, ConsoleDestination, ConsoleLevel, ErrorCode, HostDispatch, HostReply, NoHostFunctions, Result, Sandbox, SandboxConfig,
};

/// A sandbox with the shorthands these tests use: loads without a time
/// limit worth naming, calls without monitors.
struct Sb(Sandbox);

impl Sb {
    fn load(&mut self, modules: &[(String, String)], handlers: &[(String, String)]) -> Result<()> {
        self.0.load(modules, handlers, std::time::Duration::from_secs(60))
    }
    fn call(&mut self, handler: &str, event: &str, gc: bool) -> Result<String> {
        self.0.call(handler, event, &CallOptions { gc, ..Default::default() }).0
    }
}

impl std::ops::Deref for Sb {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.0
    }
}

impl std::ops::DerefMut for Sb {
    fn deref_mut(&mut self) -> &mut Sandbox {
        &mut self.0
    }
}

fn boot(config: SandboxConfig, host: Arc<dyn HostDispatch>, console: Console) -> Sb {
    Sb(Sandbox::boot(&ProcessBackend, config, host, console).expect("guest starts"))
}

fn sandbox_with(config: SandboxConfig, host: Arc<dyn HostDispatch>) -> Sb {
    let console = Console::new(ConsoleDestination::Inherit, config.max_console_bytes_per_call);
    boot(config, host, console)
}

fn sandbox() -> Sb {
    sandbox_with(SandboxConfig::default(), Arc::new(NoHostFunctions))
}

fn h(name: &str, src: &str) -> Vec<(String, String)> {
    vec![(name.to_string(), src.to_string())]
}

#[test]
fn console_calls_reach_the_console_one_entry_each_with_their_level() {
    let console = Console::new(ConsoleDestination::Capture, 1 << 20);
    let mut sb = boot(SandboxConfig::default(), Arc::new(NoHostFunctions), console.clone());
    console.begin(None);
    sb.load(&[], &h("c", "console.info('loaded'); function handler(e) { console.log('a\\nb', 1); console.error({ x: e }); print(7); return 0; }")).unwrap();
    let loaded = console.end();
    assert_eq!(loaded.len(), 1);
    assert_eq!((loaded[0].level, loaded[0].message.as_str()), (ConsoleLevel::Info, "loaded"));
    console.begin(None);
    sb.call("c", "2", false).unwrap();
    let got: Vec<(ConsoleLevel, String)> = console.end().into_iter().map(|e| (e.level, e.message)).collect();
    assert_eq!(
        got,
        vec![
            (ConsoleLevel::Log, "a\nb 1".to_string()),
            (ConsoleLevel::Error, "{ x: 2 }".to_string()),
            (ConsoleLevel::Log, "7".to_string()),
        ]
    );
}

#[test]
fn runs_a_handler_and_keeps_state_between_calls() {
    let mut sb = sandbox();
    sb.load(&[], &h("count", "let n = 0; function handler(e) { n += e.by; return { n }; }")).unwrap();
    assert_eq!(sb.call("count", r#"{"by":2}"#, true).unwrap(), r#"{"n":2}"#);
    assert_eq!(sb.call("count", r#"{"by":3}"#, false).unwrap(), r#"{"n":5}"#);
}

#[test]
fn a_throwing_handler_is_an_error_and_the_sandbox_survives() {
    let mut sb = sandbox();
    sb.load(&[], &h("boom", "function handler(e) { if (e.fail) throw new Error('kaput'); return 1; }")).unwrap();
    let err = sb.call("boom", r#"{"fail":true}"#, true).unwrap_err();
    assert_eq!(err.code, ErrorCode::GuestAbort);
    assert!(err.message.contains("kaput"), "{}", err.message);
    assert!(!sb.poisoned());
    assert_eq!(sb.call("boom", "{}", true).unwrap(), "1");
}

#[test]
fn a_syntax_error_fails_load_and_leaves_a_clean_sandbox() {
    let mut sb = sandbox();
    let err = sb.load(&[], &h("bad", "function handler(e) { return e +; }")).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArg);
    assert!(err.message.contains("handler 'bad'") && err.message.contains("unexpected token"), "{}", err.message);
    sb.load(&[], &h("good", "function handler(e) { return 'ok'; }")).unwrap();
    assert_eq!(sb.call("good", "null", true).unwrap(), "\"ok\"");
}

#[test]
fn oversized_event_and_result_are_refused_with_both_sizes() {
    let config = SandboxConfig { input_buffer_size: 1000, output_buffer_size: 2000, ..Default::default() };
    let mut sb = sandbox_with(config, Arc::new(NoHostFunctions));
    sb.load(&[], &h("echo", "function handler(e) { return 'x'.repeat(e.n); }")).unwrap();
    let big = format!("{{\"pad\":\"{}\"}}", "a".repeat(2000));
    let err = sb.call("echo", &big, true).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArg);
    assert!(err.message.contains("1000") && err.message.contains(&big.len().to_string()), "{}", err.message);
    let err = sb.call("echo", r#"{"n":5000}"#, true).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArg);
    assert!(err.message.contains("2000") && err.message.contains("5002"), "{}", err.message);
    assert_eq!(sb.call("echo", r#"{"n":3}"#, true).unwrap(), "\"xxx\"");
}

struct Recorder(Mutex<Vec<String>>);

impl HostDispatch for Recorder {
    fn modules(&self) -> Vec<HostModuleDecl> {
        vec![HostModuleDecl { name: "math".into(), functions: vec!["add".into(), "fail".into()] }]
    }
    fn call(&self, module: &str, function: &str, args: String, reply: HostReply) {
        self.0.lock().unwrap().push(format!("{module}.{function}{args}"));
        reply.send(match function {
            "add" => {
                let v: Vec<f64> = serde_json::from_str(&args).unwrap();
                Ok((v[0] + v[1]).to_string())
            }
            _ => Err("nope".into()),
        })
    }
}

#[test]
fn host_functions_round_trip_and_errors_reach_the_guest() {
    let host = Arc::new(Recorder(Mutex::new(vec![])));
    let mut sb = sandbox_with(SandboxConfig::default(), host.clone());
    let src = r#"import * as math from "host:math";
        function handler(e) {
            let caught = null;
            try { math.fail(); } catch (err) { caught = err.message; }
            return { sum: math.add(e.a, e.b), caught };
        }"#;
    sb.load(&[], &h("h", src)).unwrap();
    let out: serde_json::Value = serde_json::from_str(&sb.call("h", r#"{"a":1,"b":41}"#, true).unwrap()).unwrap();
    assert_eq!(out["sum"], 42.0);
    assert!(out["caught"].as_str().unwrap().contains("nope"), "{out}");
    assert_eq!(*host.0.lock().unwrap(), vec!["math.fail[]".to_string(), "math.add[1,41]".to_string()]);
}

#[test]
fn a_guest_killed_from_outside_poisons_the_sandbox_and_unload_recovers() {
    let mut sb = sandbox();
    sb.load(&[], &h("h", "function handler() { return 1; }")).unwrap();
    let pid = sb.guest_pid().expect("a guest process");
    unsafe { libc::kill(pid, libc::SIGKILL) };
    // Give the kernel a moment to finish the process; the check is on state, not speed.
    for _ in 0..200 {
        if std::fs::read_to_string(format!("/proc/{pid}/stat")).map(|s| s.contains(") Z")).unwrap_or(true) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let err = sb.call("h", "{}", true).unwrap_err();
    assert_eq!(err.code, ErrorCode::Poisoned, "{}", err.message);
    assert!(err.message.contains("SIGKILL"), "{}", err.message);
    assert!(sb.poisoned());
    sb.unload().unwrap();
    assert!(!sb.poisoned());
    sb.load(&[], &h("h", "function handler() { return 2; }")).unwrap();
    assert_eq!(sb.call("h", "{}", true).unwrap(), "2");
}

#[test]
fn a_crashing_guest_is_a_guest_abort_and_reaped() {
    let mut sb = sandbox();
    // JavaScript has no way to crash the runtime on purpose; a fatal signal
    // stands in. (Not SIGSEGV: Rust's stack-overflow handler swallows a SIGSEGV
    // that no faulting instruction raised.)
    sb.load(&[], &h("h", "function handler() { return 1; }")).unwrap();
    let pid = sb.guest_pid().expect("a guest process");
    unsafe { libc::kill(pid, libc::SIGABRT) };
    let err = sb.call("h", "{}", true).unwrap_err();
    assert!(matches!(err.code, ErrorCode::Poisoned | ErrorCode::GuestAbort), "{err:?}");
    assert!(err.message.contains("SIGABRT"), "{}", err.message);
    drop(sb);
    // Reaping happens on a background thread; the zombie must go.
    let mut gone = false;
    for _ in 0..400 {
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            gone = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(gone, "guest {pid} was not reaped");
}

fn proc_file(pid: i32, name: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/{name}")).unwrap_or_else(|e| panic!("/proc/{pid}/{name}: {e}"))
}

#[test]
fn a_sandbox_process_is_jailed_before_user_code_runs() {
    let mut sb = sandbox();
    sb.load(&[], &h("h", "function handler() { return 1; }")).unwrap();
    let pid = sb.guest_pid().expect("a guest process");
    let status = proc_file(pid, "status");
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_string()).unwrap_or_default()
    };
    assert_eq!(field("Seccomp:"), "2", "seccomp filter mode\n{status}");
    assert_eq!(field("NoNewPrivs:"), "1");
    assert_eq!(proc_file(pid, "environ"), "", "the guest's environment must be empty");
    let fds: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().parse().unwrap())
        .collect();
    assert_eq!(fds.len(), 4, "stdin, stdout, stderr and the socket only: {fds:?}");
    let limits = proc_file(pid, "limits");
    assert!(limits.lines().any(|l| l.starts_with("Max core file size") && l.contains(" 0 ")), "{limits}");
    let data_limit: u64 = limits
        .lines()
        .find(|l| l.starts_with("Max data size"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok())
        .expect("a numeric data size limit");
    assert!(data_limit >= SandboxConfig::default().heap_size, "RLIMIT_DATA {data_limit} below the heap size");
    assert!(data_limit < 1 << 30, "RLIMIT_DATA {data_limit} should track the sizes, not be unlimited");
    // Snapshots fork inside the jail; the copy is jailed too.
    let snap = sb.snapshot().unwrap();
    sb.restore(snap.as_ref()).unwrap();
    let pid = sb.guest_pid().expect("a guest process");
    assert!(proc_file(pid, "status").contains("Seccomp:\t2"));
    assert_eq!(sb.call("h", "{}", true).unwrap(), "1");
}

#[test]
fn a_guest_that_breaks_the_policy_is_reported_as_such() {
    let mut sb = sandbox();
    sb.load(&[], &h("h", "function handler() { return 1; }")).unwrap();
    let pid = sb.guest_pid().expect("a guest process");
    // What the kernel does to a guest that makes a forbidden system call.
    unsafe { libc::kill(pid, libc::SIGSYS) };
    let err = sb.call("h", "{}", true).unwrap_err();
    assert!(err.message.contains("system-call policy"), "{}", err.message);
    assert!(sb.poisoned());
}

#[test]
fn a_shared_snapshot_is_of_the_post_load_state_and_restores_only_into_sandboxes_of_the_same_recipe() {
    const COUNT: &str = "let n = 0; function handler(e) { n += 1; const r = new Uint32Array(2); crypto.getRandomValues(r); return [n, r[0], r[1]]; }";
    let mut first = sandbox();
    first.load(&[], &h("h", COUNT)).unwrap();
    let shared = first.shared_snapshot().unwrap();
    // Once a call has run, the state may hold a request's data: not shared.
    let one = first.call("h", "0", false).unwrap();
    let err = first.shared_snapshot().err().expect("refused after a call");
    assert_eq!(err.code, ErrorCode::InvalidArg);
    assert!(err.message.contains("run no call"), "{}", err.message);

    // A sibling of the same recipe restores it, and is back at the post-load state.
    let mut sibling = sandbox();
    sibling.load(&[], &h("h", COUNT)).unwrap();
    sibling.call("h", "0", false).unwrap();
    sibling.call("h", "0", false).unwrap();
    sibling.restore(&shared).unwrap();
    let restored = sibling.call("h", "0", false).unwrap();
    assert!(restored.starts_with("[1,"), "{restored}");
    // With randomness of its own, not the first sandbox's.
    assert_ne!(restored, one);
    // Restored, it is pristine again: it may share its own state.
    sibling.restore(&shared).unwrap();
    assert!(sibling.shared_snapshot().is_ok());

    // Another recipe (a different handler source, other sizes) is refused, as an ordinary snapshot of another sandbox is.
    let refused = |sb: &mut Sb, snapshot| {
        let err = sb.restore(snapshot).err().expect("refused");
        assert_eq!(err.code, ErrorCode::InvalidArg);
        assert!(err.message.contains("different sandbox"), "{}", err.message);
    };
    let mut other_source = sandbox();
    other_source.load(&[], &h("h", "function handler(e) { return e; }")).unwrap();
    refused(&mut other_source, &shared);
    let mut other_sizes = sandbox_with(SandboxConfig { heap_size: 32 << 20, ..SandboxConfig::default() }, Arc::new(NoHostFunctions));
    other_sizes.load(&[], &h("h", COUNT)).unwrap();
    refused(&mut other_sizes, &shared);
    let mut not_loaded = sandbox();
    refused(&mut not_loaded, &shared);
    let ordinary = first.snapshot().unwrap();
    refused(&mut sibling, &ordinary);
}

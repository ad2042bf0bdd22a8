//! The jail, proven on the real guest executable: after lock-down each
//! forbidden operation kills the process with SIGSYS, and ordinary work
//! (memory, the socket, snapshot forks' socket pairs) still succeeds.
//! Needs `--features jail-selftest` (npm test passes it); without it the
//! test fails loudly rather than passing vacuously.

use std::os::unix::process::ExitStatusExt;
use std::process::Command;

fn run(operation: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hyperlight-js-guest"))
        .args(["--jail-self-test", operation])
        .env_clear()
        .output()
        .expect("run the guest")
}

fn assert_stopped(operation: &str) {
    let out = run(operation);
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGSYS),
        "'{operation}' should be killed by the seccomp filter; status {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn self_test_entry_point_is_compiled_in() {
    let out = run("allowed");
    assert!(
        out.status.code() != Some(2) && !String::from_utf8_lossy(&out.stderr).contains("fd 3"),
        "build the guest with --features jail-selftest to run these tests"
    );
}

#[test]
fn ordinary_work_still_runs_inside_the_jail() {
    let out = run("allowed");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn opening_a_file_is_stopped() {
    assert_stopped("open");
}

#[test]
fn creating_a_network_socket_is_stopped() {
    assert_stopped("socket");
}

#[test]
fn forking_a_shell_is_stopped() {
    assert_stopped("fork-shell");
}

#[test]
fn exec_is_stopped() {
    assert_stopped("exec");
}

#[test]
fn signalling_another_process_is_stopped() {
    assert_stopped("kill-parent");
}

#[test]
fn executable_memory_is_refused() {
    assert_stopped("exec-memory");
}

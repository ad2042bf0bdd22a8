//! The jail a sandbox process locks itself into before any user code runs.
//!
//! A guest that escaped QuickJS would hold native code execution as the
//! Node process's user. What it can then do is what this allow-list lets
//! through: talk on the socket it already has, manage its own memory, read
//! clocks and random bytes, fork a copy of itself for snapshots (only in the
//! one shape the host expects), and exit. No files, no new sockets, no exec,
//! no signals to others, no executable memory. Anything else kills it
//! (SIGSYS), which the host reports as a broken sandbox policy.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use anyhow::{anyhow, Context};
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen as Len, SeccompCmpOp as Op, SeccompCondition as Cond, SeccompFilter,
    SeccompRule, TargetArch,
};

/// Descriptors a sandbox may hold: stdio, its socket, and one socket pair while forking.
const MAX_FDS: u64 = 8;

fn when(conds: Vec<Cond>) -> anyhow::Result<SeccompRule> {
    Ok(SeccompRule::new(conds)?)
}

fn arg(index: u8, op: Op, value: u64) -> anyhow::Result<Cond> {
    Ok(Cond::new(index, Len::Qword, op, value)?)
}

fn allow_list() -> anyhow::Result<BTreeMap<i64, Vec<SeccompRule>>> {
    let no_exec = || arg(2, Op::MaskedEq(libc::PROT_EXEC as u64), 0);
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    // Unconditional: I/O on descriptors it already holds, memory, time, exit.
    for sys in [
        libc::SYS_read,
        libc::SYS_write,
        libc::SYS_recvmsg,
        libc::SYS_recvfrom,
        libc::SYS_sendmsg,
        libc::SYS_sendto,
        libc::SYS_close,
        libc::SYS_brk,
        libc::SYS_munmap,
        libc::SYS_mremap,
        libc::SYS_madvise,
        libc::SYS_futex,
        libc::SYS_clock_gettime,
        libc::SYS_clock_nanosleep,
        libc::SYS_nanosleep,
        libc::SYS_clock_getres,
        libc::SYS_gettimeofday,
        libc::SYS_getrandom,
        libc::SYS_getpid,
        libc::SYS_getppid,
        libc::SYS_gettid,
        libc::SYS_sched_yield,
        // Which CPU it runs on, for the ring's hint (ring.rs `sleep`): glibc
        // answers from rseq or the vDSO, this only where neither is there.
        libc::SYS_getcpu,
        libc::SYS_rt_sigreturn,
        libc::SYS_rt_sigprocmask,
        libc::SYS_rt_sigaction,
        libc::SYS_sigaltstack,
        libc::SYS_exit,
        libc::SYS_exit_group,
    ] {
        rules.insert(sys, vec![]);
    }
    // Memory, but never executable.
    rules.insert(libc::SYS_mmap, vec![when(vec![no_exec()?])?]);
    rules.insert(libc::SYS_mprotect, vec![when(vec![no_exec()?])?]);
    // Snapshots: a copy of itself, as a sibling (CLONE_PARENT), nothing else.
    rules.insert(
        libc::SYS_clone,
        vec![when(vec![arg(0, Op::Eq, (libc::CLONE_PARENT | libc::SIGCHLD) as u64)?])?],
    );
    rules.insert(libc::SYS_socketpair, vec![when(vec![arg(0, Op::Eq, libc::AF_UNIX as u64)?])?]);
    rules.insert(
        libc::SYS_setsockopt,
        vec![when(vec![arg(1, Op::Eq, libc::SOL_SOCKET as u64)?, arg(2, Op::Eq, libc::SO_PASSCRED as u64)?])?],
    );
    rules.insert(libc::SYS_prctl, vec![when(vec![arg(0, Op::Eq, libc::PR_SET_PDEATHSIG as u64)?])?]);
    // Rust's debug builds check a descriptor is open before closing it.
    rules.insert(libc::SYS_fcntl, vec![when(vec![arg(1, Op::Eq, libc::F_GETFD as u64)?])?]);
    Ok(rules)
}

/// Compiled once, in the template, so each sandbox only installs it.
fn program() -> anyhow::Result<&'static BpfProgram> {
    static PROGRAM: OnceLock<Result<BpfProgram, String>> = OnceLock::new();
    PROGRAM
        .get_or_init(|| {
            let filter = SeccompFilter::new(
                allow_list().map_err(|e| format!("{e:#}"))?,
                SeccompAction::KillProcess,
                SeccompAction::Allow,
                TargetArch::x86_64,
            )
            .map_err(|e| e.to_string())?;
            BpfProgram::try_from(filter).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| anyhow!("building the seccomp filter: {e}"))
}

/// Work that would need a forbidden system call later is done now, in the
/// template: glibc reads the time zone file on first use of local time.
/// And stdio picks its buffer size with fstat on first use, so give stdout one.
pub fn prepare() -> anyhow::Result<()> {
    extern "C" {
        fn tzset();
        static mut stdout: *mut libc::FILE;
    }
    static mut STDOUT_BUFFER: [u8; 8192] = [0; 8192];
    // SAFETY: called once, single-threaded, before anything writes to stdout;
    // the buffer is static, so it outlives the stream.
    unsafe {
        tzset();
        let buffer = &raw mut STDOUT_BUFFER;
        if libc::setvbuf(stdout, buffer.cast(), libc::_IOFBF, 8192) != 0 {
            return Err(anyhow!("setvbuf(stdout) failed"));
        }
    }
    program().map(|_| ())
}

fn set_limit(resource: nix::sys::resource::Resource, value: u64) -> anyhow::Result<()> {
    nix::sys::resource::setrlimit(resource, value, value).with_context(|| format!("setrlimit({resource:?})"))
}

/// Private memory this process already has (VmData), in bytes.
fn data_in_use() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmData:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or_else(|| anyhow!("no VmData in /proc/self/status"))?;
    Ok(kib * 1024)
}

/// Locks this process down. Irreversible; inherited by every fork.
///
/// The heap limit proper is QuickJS's (a JS allocation past it throws).
/// RLIMIT_DATA backs it for everything else: what the process has now, the
/// heap, room for the event and result to be copied a few times, and slack.
pub fn lock_down(config: &hyperlight_js_wire::SandboxConfig) -> anyhow::Result<()> {
    use nix::sys::resource::Resource;
    let data = data_in_use()?
        .saturating_add(config.heap_size)
        .saturating_add(config.input_buffer_size.saturating_mul(2))
        .saturating_add(config.output_buffer_size.saturating_mul(3))
        .saturating_add(64 << 20);
    set_limit(Resource::RLIMIT_DATA, data)?;
    set_limit(Resource::RLIMIT_CORE, 0)?;
    set_limit(Resource::RLIMIT_NOFILE, MAX_FDS)?;
    // SAFETY: prctl with constant arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error()).context("PR_SET_NO_NEW_PRIVS");
    }
    seccompiler::apply_filter(program()?).context("installing the seccomp filter")?;
    Ok(())
}

/// `hyperlight-js-guest --jail-self-test <operation>`: jail, then try
/// something the jail must stop. Reaching the end is a failure (exit 3).
#[cfg(feature = "jail-selftest")]
pub fn self_test(operation: &str) -> ! {
    prepare().expect("prepare");
    lock_down(&hyperlight_js_wire::SandboxConfig::default()).expect("lock down");
    // SAFETY: each branch is a plain libc call whose failure is the point.
    let outcome = unsafe {
        match operation {
            "allowed" => {
                // What a sandbox does all day must still work.
                let mut fds = [0; 2];
                let mut cpu: libc::c_uint = 0;
                let ok = libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr()) == 0
                    && libc::write(fds[0], b"x".as_ptr().cast(), 1) == 1
                    // The system call itself, as where glibc has neither rseq nor the vDSO.
                    && libc::syscall(libc::SYS_getcpu, &mut cpu, std::ptr::null_mut::<libc::c_uint>(), std::ptr::null_mut::<libc::c_void>()) == 0;
                let v: Vec<u8> = vec![7; 64 << 20];
                libc::_exit(if ok && v[12345] == 7 { 0 } else { 4 })
            }
            "open" => libc::open(c"/etc/hostname".as_ptr(), libc::O_RDONLY),
            "socket" => libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0),
            "fork-shell" => {
                let pid = libc::fork();
                if pid == 0 {
                    let argv = [c"/bin/sh".as_ptr(), c"-c".as_ptr(), c"exit 0".as_ptr(), std::ptr::null()];
                    libc::execv(c"/bin/sh".as_ptr(), argv.as_ptr());
                    libc::_exit(0);
                }
                pid
            }
            "exec" => {
                let argv = [c"/bin/true".as_ptr(), std::ptr::null()];
                libc::execv(c"/bin/true".as_ptr(), argv.as_ptr())
            }
            "kill-parent" => libc::kill(libc::getppid(), libc::SIGTERM),
            "exec-memory" => {
                let p = libc::mmap(
                    std::ptr::null_mut(),
                    4096,
                    libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                );
                p as i32
            }
            other => {
                eprintln!("unknown self-test operation {other}");
                libc::_exit(5)
            }
        }
    };
    eprintln!("jail self-test: '{operation}' was not stopped (returned {outcome})");
    std::process::exit(3)
}

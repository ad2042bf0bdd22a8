//! One live guest process as the host holds it: its socket, and a pidfd that
//! names it without the races of a bare pid (signals, CPU clock, reaping).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::sync::Arc;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use hyperlight_js_wire::ring::{Ring, SharedMemory, Side};
use hyperlight_js_wire::{Channel, ProtocolError, Reply};

pub struct GuestProcess {
    pub pid: i32,
    /// Shared with interrupt targets, so a kill from another thread can never
    /// hit a recycled descriptor number.
    pidfd: Arc<OwnedFd>,
    pub chan: Channel,
    /// Its CPU clock, fixed for its life (the pid cannot be reused until we reap it).
    pub cpu_clock: Option<crate::monitor::GuestClock>,
    /// Its `/proc/<pid>/stat`, opened on first use (see `waits_on_this_cpu`).
    stat: Option<std::fs::File>,
}

impl GuestProcess {
    /// Takes over a freshly forked guest from the socket its parent sent us,
    /// once it reports `Ready`. Its pid comes from the kernel (SCM_CREDENTIALS),
    /// not from anything a guest says, and must be a child of this process:
    /// a compromised guest cannot make us signal or reap a stranger.
    /// After `Ready`, both ends switch to the shared memory.
    pub fn adopt((sock, memory): (OwnedFd, SharedMemory), max_frame: usize) -> Result<Self> {
        let mut chan = Channel::new(UnixStream::from(sock), max_frame);
        // A trivial handler answers within tens of microseconds.
        chan.set_host_spin(hyperlight_js_wire::spin::HOST_SPIN);
        chan.pass_credentials()
            .map_err(|e| Error::internal(format!("could not enable SO_PASSCRED: {e}")))?;
        match chan.recv::<Reply>() {
            Ok(Reply::Ready) => {}
            Ok(Reply::Failed(f)) => return Err(Error::internal(format!("the guest failed to start: {}", f.message))),
            Ok(other) => return Err(Error::internal(format!("the guest sent {other:?} instead of Ready"))),
            Err(e) => return Err(Error::internal(format!("the guest failed to start: {e}"))),
        }
        let pid = chan
            .peer_pid()
            .filter(|pid| *pid > 0)
            .ok_or_else(|| Error::internal("the guest's credentials did not arrive with its first frame"))?;
        let pidfd = pidfd_open(pid).map_err(|e| Error::internal(format!("pidfd_open({pid}): {e}")))?;
        if let Err(e) = waitid_pidfd(pidfd.as_raw_fd(), libc::WEXITED | libc::WNOHANG | libc::WNOWAIT) {
            return Err(Error::internal(format!("guest pid {pid} is not a child of this process: {e}")));
        }
        let cpu_clock = crate::monitor::GuestClock::of_process(pid).ok();
        chan.attach_ring(Ring::new(memory, Side::Host));
        // Credentials were for the first frame; doorbells need none.
        chan.stop_credentials()
            .map_err(|e| Error::internal(format!("could not disable SO_PASSCRED: {e}")))?;
        Ok(Self { pid, pidfd: Arc::new(pidfd), chan, cpu_clock, stat: None })
    }

    /// Whether the guest is queued to run on the CPU this thread runs on:
    /// the kernel's word (`/proc/<pid>/stat`'s `processor`), a few
    /// microseconds to ask. Polling for its answer then only holds it up.
    pub fn waits_on_this_cpu(&mut self) -> bool {
        use std::os::unix::fs::FileExt;
        if self.stat.is_none() {
            self.stat = std::fs::File::open(format!("/proc/{}/stat", self.pid)).ok();
        }
        let Some(stat) = &self.stat else { return false };
        let mut buf = [0u8; 1024];
        let Ok(n) = stat.read_at(&mut buf, 0) else { return false };
        processor_in_stat(&buf[..n]).is_some_and(|cpu| Some(cpu) == hyperlight_js_wire::ring::this_cpu())
    }

    /// Moves the guest off this thread's CPU (see [`move_off_this_cpu`]).
    pub fn move_off_this_cpu(&self) -> bool {
        move_off_this_cpu(self.pid)
    }

    pub fn pidfd(&self) -> RawFd {
        self.pidfd.as_raw_fd()
    }

    /// Kills this process when called, from any thread, for as long as the closure lives.
    pub fn killer(&self) -> Arc<dyn Fn() + Send + Sync> {
        let pidfd = self.pidfd.clone();
        Arc::new(move || kill_pidfd(pidfd.as_raw_fd()))
    }

    pub fn kill(&self) {
        kill_pidfd(self.pidfd());
    }

    /// Whether the process has exited (without reaping it).
    pub fn has_exited(&self) -> bool {
        let mut pfd = libc::pollfd { fd: self.pidfd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd, zero timeout.
        let n = unsafe { libc::poll(&mut pfd, 1, 0) };
        n > 0 && pfd.revents & libc::POLLIN != 0
    }

    /// The signal that ended the process (waiting for it to end), if one did.
    pub fn exit_signal(&self) -> Option<i32> {
        let info = waitid_pidfd(self.pidfd(), libc::WEXITED | libc::WNOWAIT).ok()?;
        // SAFETY: waitid filled a SIGCHLD siginfo.
        matches!(info.si_code, libc::CLD_KILLED | libc::CLD_DUMPED).then(|| unsafe { info.si_status() })
    }

    /// How the process ended, waiting for it to do so, without reaping it.
    pub fn exit_description(&self) -> String {
        match waitid_pidfd(self.pidfd(), libc::WEXITED | libc::WNOWAIT) {
            Ok(info) => describe_exit(&info),
            Err(e) => format!("could not be waited for ({e})"),
        }
    }
}

impl Drop for GuestProcess {
    fn drop(&mut self) {
        self.kill();
        // Reaping waits for the kernel to tear the process down; do that off
        // the caller's thread, which may be a JS finalizer.
        reap_later(self.pidfd.clone());
    }
}

fn reap_later(pidfd: Arc<OwnedFd>) {
    static REAPER: OnceLock<std::sync::Mutex<mpsc::Sender<Arc<OwnedFd>>>> = OnceLock::new();
    let tx = REAPER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Arc<OwnedFd>>();
        std::thread::Builder::new()
            .name("hyperlight-js-reaper".into())
            .spawn(move || {
                for fd in rx {
                    let _ = waitid_pidfd(fd.as_raw_fd(), libc::WEXITED);
                }
            })
            .expect("start reaper thread");
        std::sync::Mutex::new(tx)
    });
    let _ = tx.lock().unwrap_or_else(|p| p.into_inner()).send(pidfd);
}

pub fn pidfd_open(pid: i32) -> io::Result<OwnedFd> {
    // SAFETY: plain syscall; the result is a new descriptor we own.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

pub fn kill_pidfd(pidfd: RawFd) {
    // SAFETY: plain syscall on a descriptor we own; failure (already dead) is fine.
    unsafe {
        libc::syscall(libc::SYS_pidfd_send_signal, pidfd, libc::SIGKILL, std::ptr::null::<libc::siginfo_t>(), 0);
    }
}

fn waitid_pidfd(pidfd: RawFd, options: libc::c_int) -> io::Result<libc::siginfo_t> {
    loop {
        // SAFETY: zeroed siginfo is a valid out-parameter.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::waitid(libc::P_PIDFD, pidfd as libc::id_t, &mut info, options) };
        if rc == 0 {
            return Ok(info);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

fn describe_exit(info: &libc::siginfo_t) -> String {
    // SAFETY: waitid filled a SIGCHLD siginfo.
    let status = unsafe { info.si_status() };
    match info.si_code {
        libc::CLD_EXITED => format!("exited with status {status}"),
        libc::CLD_KILLED | libc::CLD_DUMPED => {
            let name = nix::sys::signal::Signal::try_from(status).map(|s| s.as_str()).unwrap_or("unknown");
            if status == libc::SIGSYS {
                format!("was killed by signal {status} ({name}): it broke the sandbox's system-call policy")
            } else {
                format!("was killed by signal {status} ({name})")
            }
        }
        _ => "is still running".to_string(),
    }
}

/// Turns a failure to talk to a guest into the user's error.
pub fn guest_gone(guest: &GuestProcess, during: &str, err: &ProtocolError) -> Error {
    match err {
        // Nothing in the guest raises SIGKILL, and our own kills are reported
        // as cancellations by the caller: this one came from outside (kill -9,
        // the OOM killer), possibly while the guest was idle.
        ProtocolError::Closed if guest.exit_signal() == Some(libc::SIGKILL) => {
            Error::poisoned_because(&format!("its guest process was killed from outside {during} (SIGKILL)"))
        }
        ProtocolError::Closed => Error::guest_abort(format!(
            "the guest process died {during}: it {}",
            guest.exit_description()
        )),
        other => Error::guest_abort(format!(
            "the guest broke the protocol {during} ({other}); it was stopped"
        )),
    }
}

/// Moves process `pid` to another CPU it may run on, if the CPU this thread
/// runs on is in its affinity mask and another one is too, and leaves the
/// mask as it was: the kernel migrates a task that runs or waits to run when
/// its mask excludes its CPU (before `sched_setaffinity` returns), and later
/// wake-ups prefer the CPU it ran on last. A sleeping task only has its mask
/// changed, so this is for one that is queued. Two system calls (a few
/// microseconds). False where nothing was changed.
fn move_off_this_cpu(pid: i32) -> bool {
    let Some(cpu) = hyperlight_js_wire::ring::this_cpu() else { return false };
    let cpu = cpu as usize;
    let Some(mask) = affinity(pid) else { return false };
    // SAFETY: `cpu` is checked against CPU_SETSIZE before the CPU_* calls
    // index the set with it.
    unsafe {
        if cpu >= libc::CPU_SETSIZE as usize || !libc::CPU_ISSET(cpu, &mask) || libc::CPU_COUNT(&mask) < 2 {
            return false;
        }
        let mut elsewhere = mask;
        libc::CPU_CLR(cpu, &mut elsewhere);
        if !set_affinity(pid, &elsewhere) {
            return false;
        }
    }
    // Always put the mask back: snapshots and restores fork this process and
    // inherit it, and the guest may use every CPU again.
    if !set_affinity(pid, &mask) {
        tracing::warn!(pid, "could not restore a guest's CPU affinity");
    }
    true
}

/// The CPUs process `pid` may run on.
fn affinity(pid: i32) -> Option<libc::cpu_set_t> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; the kernel writes at most its size.
    let mut mask: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::sched_getaffinity(pid, std::mem::size_of::<libc::cpu_set_t>(), &mut mask) } == 0;
    ok.then_some(mask)
}

fn set_affinity(pid: i32, mask: &libc::cpu_set_t) -> bool {
    // SAFETY: the kernel reads at most the set's size.
    unsafe { libc::sched_setaffinity(pid, std::mem::size_of::<libc::cpu_set_t>(), mask) == 0 }
}

/// The `processor` field of a `/proc/<pid>/stat` line: the CPU the task last
/// ran on, or is queued on. The fields after the command name (which may
/// hold anything, and ends at the last ')') start at the 3rd; it is the 39th.
fn processor_in_stat(stat: &[u8]) -> Option<u32> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    let field = stat[close + 1..].split(|b| b.is_ascii_whitespace()).filter(|f| !f.is_empty()).nth(39 - 3)?;
    std::str::from_utf8(field).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_processor_is_read_past_a_command_name_that_holds_anything() {
        let own = std::fs::read(format!("/proc/{}/stat", std::process::id())).unwrap();
        let cpu = processor_in_stat(&own).expect("a processor in our own stat line");
        assert!((0..1024).contains(&cpu));
        // A guest names itself: spaces and parentheses in the name must not shift the fields.
        let tail: String = (3..=52).map(|i| format!(" {i}")).collect();
        let line = format!("1234 (a) b (c) d){tail}\n");
        assert_eq!(processor_in_stat(line.as_bytes()), Some(39));
        assert_eq!(processor_in_stat(b"1234 (short) R 1 2"), None);
    }

    /// The CPU process `pid` last ran on or is queued on.
    fn cpu_of(pid: i32) -> u32 {
        processor_in_stat(&std::fs::read(format!("/proc/{pid}/stat")).unwrap()).unwrap()
    }

    fn set_of(cpus: &[usize]) -> libc::cpu_set_t {
        // SAFETY: a zeroed set is valid; the CPUs given are below CPU_SETSIZE.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        for &cpu in cpus {
            unsafe { libc::CPU_SET(cpu, &mut set) };
        }
        set
    }

    #[test]
    fn a_busy_process_is_moved_off_this_cpu_and_keeps_its_mask() {
        let all = affinity(0).unwrap();
        let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize).filter(|&c| unsafe { libc::CPU_ISSET(c, &all) }).collect();
        if cpus.len() < 2 {
            eprintln!("SKIPPED a_busy_process_is_moved_off_this_cpu_and_keeps_its_mask: this test thread may use {} CPU; it needs 2", cpus.len());
            return;
        }
        let (here, there) = (cpus[0], cpus[1]);
        // This test's thread stays on one CPU, and the busy child is queued or running there.
        assert!(set_affinity(0, &set_of(&[here])));
        // Killed when the test ends, failed assertions included.
        struct Busy(std::process::Child);
        impl Drop for Busy {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
        let child = Busy(std::process::Command::new("sh").args(["-c", "while :; do :; done"]).spawn().unwrap());
        let pid = child.0.id() as i32;
        assert!(set_affinity(pid, &set_of(&[here])));
        assert_eq!(cpu_of(pid), here as u32);
        // It may only use this CPU: it stays.
        assert!(!move_off_this_cpu(pid));
        assert_eq!(cpu_of(pid), here as u32);
        // It may use another: it is moved there, and may use both again.
        assert!(set_affinity(pid, &set_of(&[here, there])));
        assert!(move_off_this_cpu(pid));
        assert_eq!(cpu_of(pid), there as u32, "moved before the call returned");
        let mask = affinity(pid).unwrap();
        assert!(unsafe { libc::CPU_EQUAL(&mask, &set_of(&[here, there])) }, "its mask is as it was");
        drop(child);
        assert!(set_affinity(0, &all));
    }
}

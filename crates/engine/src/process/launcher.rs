//! Where guest processes come from.
//!
//! The guest executable is started once per host process, as a template that
//! has initialised the JavaScript runtime. New sandboxes are forks of it.
//!
//! Every guest must die with the host. `PR_SET_PDEATHSIG` fires when the
//! *thread* that created a process exits, and the forks inherit the
//! template's creator as their parent (CLONE_PARENT), so the template is
//! started from a dedicated thread that lives as long as the host process.

use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex, OnceLock};

use crate::error::{Error, Result};
use crate::process::guest_process::GuestProcess;
use hyperlight_js_wire::frame::FRAME_OVERHEAD;
use hyperlight_js_wire::ring::SharedMemory;
use hyperlight_js_wire::{host_max_frame, Channel, Reply, Request, SandboxInit};

/// How the host finds the guest executable.
pub enum GuestImage {
    /// The executable's bytes, built into the addon; run from a memfd.
    Embedded(&'static [u8]),
    /// An executable on disk.
    Path(PathBuf),
}

static IMAGE: OnceLock<GuestImage> = OnceLock::new();

/// Called once by the embedding addon. Without it, the guest is looked for
/// beside the running executable (how `cargo test` finds it).
pub fn set_guest_image(image: GuestImage) {
    let _ = IMAGE.set(image);
}

/// The path to exec, resolved once: `HYPERLIGHT_JS_GUEST_PATH` wins, then the
/// embedded image, then a `hyperlight-js-guest` next to (or one directory
/// above) the current executable.
fn guest_program() -> Result<PathBuf> {
    static PROGRAM: OnceLock<std::result::Result<(PathBuf, Option<OwnedFd>), String>> = OnceLock::new();
    let resolved = PROGRAM.get_or_init(|| {
        if let Some(p) = std::env::var_os("HYPERLIGHT_JS_GUEST_PATH") {
            return Ok((PathBuf::from(p), None));
        }
        match IMAGE.get() {
            Some(GuestImage::Embedded(bytes)) => {
                let fd = memfd_with(bytes).map_err(|e| format!("could not stage the embedded guest in a memfd: {e}"))?;
                Ok((PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd())), Some(fd)))
            }
            Some(GuestImage::Path(p)) => Ok((p.clone(), None)),
            None => {
                let exe = std::env::current_exe().map_err(|e| e.to_string())?;
                let dir = exe.parent().ok_or("current executable has no directory")?;
                [dir.join("hyperlight-js-guest"), dir.join("../hyperlight-js-guest")]
                    .into_iter()
                    .find(|p| p.is_file())
                    .map(|p| (p, None))
                    .ok_or_else(|| format!("no hyperlight-js-guest executable next to {}", exe.display()))
            }
        }
    });
    resolved
        .as_ref()
        .map(|(p, _)| p.clone())
        .map_err(|e| Error::internal(format!("the process backend's guest executable is missing: {e}")))
}

fn memfd_with(bytes: &[u8]) -> std::io::Result<OwnedFd> {
    // SAFETY: memfd_create with a static name; the result is ours.
    let fd = unsafe { libc::memfd_create(c"hyperlight-js-guest".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut file = std::fs::File::from(fd.try_clone()?);
    std::io::Write::write_all(&mut file, bytes)?;
    Ok(fd)
}

type SpawnJob = Box<dyn FnOnce() + Send>;

/// Runs `f` on the long-lived spawner thread (see the module docs).
fn on_spawner_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Result<R> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnJob>>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnJob>();
        std::thread::Builder::new()
            .name("hyperlight-js-spawner".into())
            .spawn(move || {
                for job in rx {
                    job();
                }
            })
            .expect("start the guest spawner thread");
        Mutex::new(tx)
    });
    let (done_tx, done_rx) = mpsc::channel();
    tx.lock()
        .unwrap_or_else(|p| p.into_inner())
        .send(Box::new(move || {
            let _ = done_tx.send(f());
        }))
        .map_err(|_| Error::internal("the guest spawner thread has stopped"))?;
    done_rx.recv().map_err(|_| Error::internal("the guest spawner thread has stopped"))
}

struct Template {
    child: Child,
    chan: Channel,
}

impl Drop for Template {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_template() -> Result<Template> {
    let program = guest_program()?;
    let (ours, theirs) = UnixStream::pair().map_err(|e| Error::internal(format!("socketpair: {e}")))?;
    let child = on_spawner_thread(move || {
        let theirs_fd = theirs.as_raw_fd();
        // SAFETY: getpid cannot fail.
        let host_pid = unsafe { libc::getpid() };
        let mut cmd = Command::new(&program);
        // No stdio: what a guest prints travels over its socket.
        cmd.arg0("hyperlight-js-guest")
            .env_clear()
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if theirs_fd == 3 {
                    let flags = libc::fcntl(3, libc::F_GETFD);
                    libc::fcntl(3, libc::F_SETFD, flags & !libc::FD_CLOEXEC);
                } else if libc::dup2(theirs_fd, 3) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // Whatever else Node had open must not reach the guest. CLOEXEC
                // rather than close keeps std's exec-error pipe working.
                libc::syscall(libc::SYS_close_range, 4u32, u32::MAX, libc::CLOSE_RANGE_CLOEXEC);
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0);
                if libc::getppid() != host_pid {
                    libc::_exit(0);
                }
                Ok(())
            });
        }
        let child = cmd.spawn();
        drop(theirs);
        child
    })?
    .map_err(|e| Error::internal(format!("could not start the guest process: {e}")))?;
    let mut template = Template { child, chan: Channel::new(ours, FRAME_OVERHEAD) };
    match template.chan.recv::<Reply>() {
        Ok(Reply::Ready) => Ok(template),
        Ok(Reply::Failed(f)) => Err(Error::internal(format!("the guest template failed to start: {}", f.message))),
        Ok(other) => Err(Error::internal(format!("the guest template sent {other:?} instead of Ready"))),
        Err(e) => {
            let status = template.child.wait().map(|s| s.to_string()).unwrap_or_default();
            Err(Error::internal(format!("the guest template failed to start ({e}; {status})")))
        }
    }
}

static TEMPLATE: Mutex<Option<Template>> = Mutex::new(None);

/// A fresh sandbox process: a fork of the template, set up with `init`.
pub fn spawn_sandbox(init: &SandboxInit) -> Result<GuestProcess> {
    let forked = {
        let mut slot = TEMPLATE.lock().unwrap_or_else(|p| p.into_inner());
        let mut last_err = None;
        let mut sock = None;
        // One retry: the template may have been killed since it was last used.
        for _ in 0..2 {
            if slot.is_none() {
                *slot = Some(start_template()?);
            }
            let template = slot.as_mut().expect("just set");
            match fork(&mut template.chan, Some(init.clone())) {
                Ok(s) => {
                    sock = Some(s);
                    break;
                }
                Err(e) => {
                    last_err = Some(e);
                    *slot = None;
                }
            }
        }
        match sock {
            Some(s) => s,
            None => return Err(last_err.expect("an error when no socket")),
        }
    };
    GuestProcess::adopt(forked, host_max_frame(&init.config))
}

/// Asks the process behind `chan` to fork; returns the copy's socket and
/// the memory it will share with us once it is `Ready` (see hyperlight_js_wire::ring).
pub fn fork(chan: &mut Channel, init: Option<SandboxInit>) -> Result<(OwnedFd, SharedMemory)> {
    let (memory, memory_fd) =
        SharedMemory::create().map_err(|e| Error::internal(format!("could not create a sandbox's shared memory: {e}")))?;
    chan.send_with_fd(&Request::Fork { init }, memory_fd.as_fd())
        .map_err(|e| Error::internal(format!("could not ask the guest to fork: {e}")))?;
    match chan.recv::<Reply>() {
        Ok(Reply::Forked) => chan
            .take_fd()
            .map(|sock| (sock, memory))
            .ok_or_else(|| Error::internal("the guest forked but sent no socket")),
        Ok(Reply::Failed(f)) => Err(Error::internal(format!("the guest could not fork: {}", f.message))),
        Ok(other) => Err(Error::internal(format!("the guest sent {other:?} instead of Forked"))),
        Err(e) => Err(Error::internal(format!("the guest did not answer a fork request: {e}"))),
    }
}

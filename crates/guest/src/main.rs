//! The process backend's guest.
//!
//! The host starts this executable once, as a template: it initialises the
//! JavaScript runtime and then waits on fd 3 for requests. Every sandbox is a
//! fork of an initialised process (the template for a new sandbox, a paused
//! copy for a snapshot), so the start-up cost of the runtime is paid once.
//! Forks use `CLONE_PARENT`: every copy is a direct child of the host, which
//! can then reap it, read its CPU clock and have it die with the host.

use std::cell::RefCell;
use std::os::fd::{AsFd, FromRawFd};
use std::os::unix::net::UnixStream;

use anyhow::anyhow;
use hyperlight_js_wire::messages::{output_fits, unregistered_module};
use hyperlight_js_wire::load;
use hyperlight_js_wire::ring::{Ring, SharedMemory, Side};
use hyperlight_js_wire::{
    guest_error, guest_max_frame, Channel, FailureKind, GuestFailure, Level, ProtocolError, Reply, Request, SandboxConfig, SandboxInit,
};
use hyperlight_js_runtime::rquickjs;
use hyperlight_js_guest_env::Collection;
use hyperlight_js_runtime::JsRuntime;

mod jail;

hyperlight_js_runtime::native_modules! {}
hyperlight_js_runtime::custom_globals! { hyperlight_js_guest_env::capture_runtime, install_env }

/// The standard globals both guests share, `console` among them, and
/// `print`. This guest's stdout is `/dev/null`: each console call goes to the
/// host as one message, while the host waits on a request (guest code runs
/// only then), and no message exceeds what the host accepts in a frame.
///
/// Timers sleep in this process (the host's monitors kill it on time); their
/// call ends when `run_handler` returns, so nothing needs telling.
fn install_env(ctx: &rquickjs::Ctx<'_>) -> rquickjs::Result<()> {
    hyperlight_js_guest_env::print_to(ctx, console)?;
    let sleep = |micros| std::thread::sleep(std::time::Duration::from_micros(micros));
    hyperlight_js_guest_env::install(ctx, hyperlight_js_guest_env::GuestHost { console, sleep, timers_used: || {}, host_call: ask_host })
}

fn console(level: &str, text: &str) {
    send(&Reply::Console(Level::parse(level), text.to_string()))
}

/// Module imports that are not user, host or built-in modules would be
/// resolved against the filesystem by the runtime; a sandbox has none.
struct NoFilesystem;

impl hyperlight_js_runtime::host::Host for NoFilesystem {
    fn resolve_module(&self, _base: String, name: String) -> anyhow::Result<String> {
        Err(anyhow!(unregistered_module(&name)))
    }
    fn load_module(&self, name: String) -> anyhow::Result<String> {
        Err(anyhow!(unregistered_module(&name)))
    }
}

thread_local! {
    // The runtime calls host functions from deep inside `run_handler`; they
    // reach the host through this, the one socket this process talks on.
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

fn with_channel<R>(f: impl FnOnce(&mut Channel) -> R) -> R {
    CHANNEL.with(|c| f(c.borrow_mut().as_mut().expect("channel installed at start")))
}

/// Anything but an orderly request means the host is gone or confused:
/// a guest has nobody else to report to, so it leaves.
fn fatal(err: ProtocolError) -> ! {
    let code = if matches!(err, ProtocolError::Closed) { 0 } else { 2 };
    // SAFETY: _exit is always safe to call; skipping atexit handlers is the point.
    unsafe { libc::_exit(code) }
}

fn send(reply: &Reply) {
    if let Err(e) = with_channel(|c| c.send(reply)) {
        fatal(e)
    }
}

fn failure(kind: FailureKind, message: impl Into<String>) -> Reply {
    Reply::Failed(GuestFailure { kind, message: message.into(), name: None })
}

/// A handler of the guest's own, run once after each load (see `Guest::load`).
/// Callers never reach it: the host calls only handlers the user loaded (and
/// a user handler of this very name just turns the warm-up off).
const WARM_UP: &str = "hyperlight-js warm-up";
const WARM_UP_SOURCE: &str = "function handler(e) { const copy = { ...e, ok: true }; return copy.ok && e.a.length ? null : 0; }";
const WARM_UP_EVENT: &str = r#"{"a":[1,2.5,"x"],"b":{"c":null}}"#;

struct Guest {
    runtime: JsRuntime,
    config: SandboxConfig,
    host_pid: libc::pid_t,
    /// A call with `gc` left a collection to run when the guest is idle.
    collection_due: bool,
}

fn main() {
    #[cfg(feature = "jail-selftest")]
    {
        let args: Vec<String> = std::env::args().collect();
        if args.get(1).map(String::as_str) == Some("--jail-self-test") {
            jail::self_test(args.get(2).map(String::as_str).unwrap_or(""));
        }
    }
    // SAFETY: the host hands us exactly one socket, as fd 3, before exec.
    let sock = unsafe { UnixStream::from_raw_fd(3) };
    let config = SandboxConfig::default();
    CHANNEL.with(|c| *c.borrow_mut() = Some(Channel::new(sock, guest_max_frame(&config))));
    let runtime = match JsRuntime::new(NoFilesystem) {
        Ok(rt) => rt,
        Err(e) => {
            send(&failure(FailureKind::Internal, format!("JavaScript runtime failed to start: {e:#}")));
            std::process::exit(1);
        }
    };
    if let Err(e) = jail::prepare() {
        send(&failure(FailureKind::Internal, format!("could not prepare the jail: {e:#}")));
        std::process::exit(1);
    }
    // SAFETY: getppid cannot fail.
    let host_pid = unsafe { libc::getppid() };
    let mut guest = Guest { runtime, config, host_pid, collection_due: false };
    // Booting QuickJS counts as allocation, enough to make a collection
    // overdue. Copies of this process (every sandbox) inherit that count, so
    // without this each one's first call with `gc` would start a collection
    // right after its answer, over a heap it still shares copy-on-write
    // (copying every page the collector touches), and its second call would
    // wait for it. Collected once here, every copy starts with nothing due.
    if let Err(e) = guest.runtime.register_handler(WARM_UP, WARM_UP_SOURCE, "/") {
        send(&failure(FailureKind::Internal, format!("could not compile the warm-up handler: {e:#}")));
        std::process::exit(1);
    }
    guest.collect();
    send(&Reply::Ready);
    loop {
        let request = guest.next_request();
        let reply = guest.handle(request);
        if let Some(reply) = reply {
            send(&reply);
        }
    }
}

impl Guest {
    /// The host's next request. A collection that is due runs first unless
    /// a request comes within the guest's spin (the time it polls anyway
    /// after an answer): a caller that calls again at once is not made to
    /// wait for it, and the collection runs once the guest is idle, or when
    /// it is overdue (`Collection::Now`).
    fn next_request(&mut self) -> Request {
        if self.collection_due {
            let early = with_channel(|c| {
                c.note_idle_cpu();
                c.recv_by::<Request>(std::time::Instant::now() + c.polls_for())
            });
            match early {
                Ok(Some(request)) => return request,
                Ok(None) => self.collect(),
                Err(e) => fatal(e),
            }
        }
        with_channel(|c| c.recv::<Request>()).unwrap_or_else(|e| fatal(e))
    }

    fn collect(&mut self) {
        hyperlight_js_guest_env::collect_now(collect_garbage);
        self.collection_due = false;
    }

    fn handle(&mut self, request: Request) -> Option<Reply> {
        match request {
            Request::Fork { init } => self.fork(init),
            Request::Load { modules, handlers, spin_us } => {
                let reply = self.load(modules, handlers);
                // Poll for the first call, as after a call for the next one.
                with_channel(|c| c.set_spin(hyperlight_js_wire::spin::guest_spin(spin_us)));
                Some(reply)
            }
            Request::Call { handler, event, gc, spin_us } => {
                // The host asks us to poll for what comes next (a host result,
                // the next call) when it is lightly loaded: cheaper than waking.
                let spin = hyperlight_js_wire::spin::guest_spin(spin_us);
                with_channel(|c| c.set_spin(spin));
                // Unless the host went to sleep for the answer (see `send_answer`).
                let reply = self.call(handler, event);
                if let Err(e) = with_channel(|c| c.send_answer(&reply)) {
                    fatal(e)
                }
                // The collection `gc` asks for runs after the answer is sent,
                // off the call's critical path: when the guest is next idle
                // (see `next_request`), or at once when it is overdue. This
                // guest has one thread, so a request that comes meanwhile
                // waits until it is done: no call starts during a collection.
                if gc {
                    match hyperlight_js_guest_env::collection_after_call() {
                        Collection::NotYet => {}
                        Collection::WhenIdle => self.collection_due = true,
                        Collection::Now => self.collect(),
                    }
                }
                None
            }
            Request::HostResult(_) => fatal(ProtocolError::Malformed("host result outside a host call".into())),
        }
    }

    fn load(&mut self, modules: Vec<(String, String)>, handlers: Vec<(String, String)>) -> Reply {
        let own_name = handlers.iter().any(|(name, _)| name == WARM_UP);
        let reply = self.register(modules, handlers);
        if matches!(reply, Reply::Loaded) && !own_name {
            // A call's first run in a fresh copy of the template writes pages
            // the copy still shares with it (each a copy-on-write fault) and
            // maps code it has not run yet: about 100 us in the VMs measured,
            // most of a fresh sandbox's first call. Paid here instead, where a
            // pool pays it ahead of the request. What it does is a call's
            // usual work (parsing an event, numbers and strings, copying an
            // object); it returns `null`, so no user code runs (not even a `toJSON`).
            let _ = self.runtime.run_handler(WARM_UP.to_string(), WARM_UP_EVENT.to_string(), false);
            // And the clock a waiting guest reads (the vDSO's pages).
            let _ = std::time::Instant::now();
        }
        // Timers the top-level code left pending never fire.
        hyperlight_js_guest_env::end_call();
        reply
    }

    fn register(&mut self, modules: Vec<(String, String)>, handlers: Vec<(String, String)>) -> Reply {
        for planned in load::plan(&modules, &handlers) {
            let done = match planned.step.clone() {
                load::Step::Module { name, source } => self.runtime.register_module(name, source),
                load::Step::Handler { name, source, dir } => self.runtime.register_handler(name, source, dir),
            };
            if let Err(e) = done {
                return failure(FailureKind::Load, planned.failure(&describe(&e).text));
            }
        }
        Reply::Loaded
    }

    fn call(&mut self, handler: String, event: String) -> Reply {
        let result = self.runtime.run_handler(handler, event, false);
        // Timers the call left pending never fire.
        hyperlight_js_guest_env::end_call();
        match result {
            Ok(result) => match output_fits(&result, self.config.output_buffer_size) {
                Ok(()) => Reply::Returned(result),
                Err(message) => failure(FailureKind::OutputTooLarge, message),
            },
            Err(e) => {
                let described = describe(&e);
                Reply::Failed(GuestFailure {
                    kind: FailureKind::Exception,
                    message: guest_error::with_heap_limit(described.text, self.config.heap_size),
                    name: described.name,
                })
            }
        }
    }

    fn fork(&mut self, init: Option<SandboxInit>) -> Option<Reply> {
        // The memory the copy will share with the host came with the request.
        let Some(memory_fd) = with_channel(|c| c.take_fd()) else {
            return Some(failure(FailureKind::Internal, "the fork request came without its shared memory"));
        };
        let (ours, theirs) = match UnixStream::pair() {
            Ok(p) => p,
            Err(e) => return Some(failure(FailureKind::Internal, format!("socketpair failed: {e}"))),
        };
        // The host learns the copy's pid from the kernel's credentials on its
        // first frame; they are only attached if the receiving end asked before
        // that frame was sent, so ask now, before the copy exists.
        if let Err(e) = nix::sys::socket::setsockopt(&theirs, nix::sys::socket::sockopt::PassCred, &true) {
            return Some(failure(FailureKind::Internal, format!("SO_PASSCRED failed: {e}")));
        }
        // SAFETY: a raw clone without a new stack behaves as fork(); this
        // process is single-threaded, so the copy inherits a consistent state.
        let pid = unsafe {
            libc::syscall(libc::SYS_clone, libc::CLONE_PARENT | libc::SIGCHLD, 0, 0, 0, 0)
        };
        if pid < 0 {
            let e = std::io::Error::last_os_error();
            return Some(failure(FailureKind::Internal, format!("fork failed: {e}")));
        }
        if pid > 0 {
            drop(ours);
            if let Err(e) = with_channel(|c| c.send_with_fd(&Reply::Forked, theirs.as_fd())) {
                fatal(e)
            }
            return None;
        }
        // The copy: forget the parent's socket and memory, answer on our own.
        drop(theirs);
        // A copy of the parent's random state would repeat its numbers: every
        // copy (a new sandbox, a restored snapshot) starts from fresh entropy.
        if let Err(e) = reseed_from_os() {
            return Some(failure(FailureKind::Internal, format!("getrandom failed: {e}")));
        }
        // SAFETY: prctl/getppid have no memory-safety preconditions.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0);
            if libc::getppid() != self.host_pid {
                // The host died between clone and prctl.
                libc::_exit(0);
            }
        }
        CHANNEL.with(|c| *c.borrow_mut() = Some(Channel::new(ours, guest_max_frame(&self.config))));
        let memory = match SharedMemory::map(&memory_fd) {
            Ok(m) => m,
            Err(e) => return Some(failure(FailureKind::Internal, format!("could not map the shared memory: {e}"))),
        };
        drop(memory_fd);
        if let Some(init) = init {
            if let Err(e) = self.become_sandbox(init) {
                return Some(failure(FailureKind::Internal, format!("{e:#}")));
            }
        }
        // `Ready` is the last frame on the bare socket (the host reads our
        // credentials from it); both ends use the ring from the next one.
        send(&Reply::Ready);
        with_channel(|c| c.attach_ring(Ring::new(memory, Side::Guest)));
        None
    }

    fn become_sandbox(&mut self, init: SandboxInit) -> anyhow::Result<()> {
        self.config = init.config;
        hyperlight_js_guest_env::set_message_limit(self.config.output_buffer_size as usize);
        with_channel(|c| c.set_max_frame(guest_max_frame(&self.config)));
        let rt = hyperlight_js_guest_env::runtime().ok_or_else(|| anyhow!("QuickJS runtime pointer was not captured"))?;
        // SAFETY: `rt` is this process's live QuickJS runtime, used from its only thread.
        unsafe {
            rquickjs::qjs::JS_SetMemoryLimit(rt, self.config.heap_size as _);
            rquickjs::qjs::JS_SetMaxStackSize(rt, self.config.scratch_size as _);
        }
        raise_stack_limit(self.config.scratch_size)?;
        for module in init.host_modules {
            for function in module.functions {
                let (m, f) = (module.name.clone(), function.clone());
                self.runtime.register_binary_host_function(
                    format!("host:{}", module.name),
                    function,
                    move |args: String, _binaries: Vec<u8>| call_host(&m, &f, args),
                )?;
            }
        }
        // Last: from here on user code may run.
        jail::lock_down(&self.config)?;
        Ok(())
    }
}

fn reseed_from_os() -> std::io::Result<()> {
    hyperlight_js_guest_env::reseed(hyperlight_js_wire::entropy::os_seed()?);
    Ok(())
}

unsafe extern "C" {
    fn __real_malloc_usable_size(ptr: *mut libc::c_void) -> usize;
}

/// QuickJS measures every allocation and every free with this (the build
/// script wraps it): the guest's heap activity, for `gc` (crates/guest-env).
#[unsafe(no_mangle)]
extern "C" fn __wrap_malloc_usable_size(ptr: *mut libc::c_void) -> usize {
    // SAFETY: the caller's contract is libc's: `ptr` is null or from malloc.
    let n = unsafe { __real_malloc_usable_size(ptr) };
    hyperlight_js_guest_env::note_heap_activity(n);
    n
}

fn collect_garbage() {
    if let Some(rt) = hyperlight_js_guest_env::runtime() {
        // SAFETY: `rt` is this process's live QuickJS runtime, used from its only thread.
        unsafe { rquickjs::qjs::JS_RunGC(rt) }
    }
}

/// The QuickJS stack limit only helps if the OS lets the stack grow that far.
fn raise_stack_limit(scratch: u64) -> anyhow::Result<()> {
    let want = scratch.saturating_add(1 << 20);
    let (soft, hard) = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_STACK)?;
    if soft != libc::RLIM_INFINITY && soft < want {
        if hard != libc::RLIM_INFINITY && hard < want {
            return Err(anyhow!("scratch size {scratch} exceeds the stack hard limit of {hard} bytes"));
        }
        nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_STACK, want, hard)?;
    }
    Ok(())
}

/// A guest-side host function, as the runtime calls it.
fn call_host(module: &str, function: &str, args: String) -> anyhow::Result<Vec<u8>> {
    match ask_host(module, function, args) {
        Ok(json) => Ok(hyperlight_js_common::encode_json_return(&json)),
        Err(message) => Err(anyhow!(message)),
    }
}

/// Asks the host to run a host function and waits for its JSON answer.
fn ask_host(module: &str, function: &str, args: String) -> Result<String, String> {
    let reply = Reply::HostCall { module: module.to_string(), function: function.to_string(), args };
    let answer = with_channel(|c| c.send(&reply).and_then(|_| c.recv::<Request>()));
    match answer {
        Ok(Request::HostResult(result)) => result,
        Ok(_) => fatal(ProtocolError::Malformed("expected a host result".into())),
        Err(e) => fatal(e),
    }
}

fn describe(err: &anyhow::Error) -> guest_error::Described {
    guest_error::describe(&format!("{err:#}"))
}

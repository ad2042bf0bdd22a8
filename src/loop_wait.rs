//! A call whose answer did not come within the fast path's spin waits for
//! its guest in Node's own event loop: a libuv poll handle on the guest's
//! doorbell socket, which the guest rings when it writes (see the wire
//! crate's `Channel::arm_doorbell`). When it rings, this thread reads the
//! answer and settles the call. Before, the sandbox's thread waited, so such
//! a call cost three thread wake-ups (that thread, the guest, then Node
//! through the completion handler); now it costs the one the guest's answer
//! needs. Many sandboxes' doorbells are served by the loop at once.
//!
//! What the loop cannot do goes to the sandbox's thread as before (`finish`):
//! a guest that cannot be waited on so (a micro-VM runs on a vCPU thread), a
//! host function call (these run through the threadsafe function path, as no
//! JS may run inside a libuv callback), a call that wakes the loop more than
//! `MAX_WAKES` times, and a libuv failure.

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::os::fd::RawFd;
use std::sync::Arc;

use hyperlight_js_engine::backend::Doorbell;
use hyperlight_js_engine::telemetry::{record_call_wait, CallWait};
use hyperlight_js_engine::worker::{Later, Parked};
use hyperlight_js_engine::{Error, Outcome, Sandbox};
use napi::{sys, Env};

// libuv, as the Node binary exports it to addons.
extern "C" {
    fn uv_handle_size(kind: c_int) -> usize;
    fn uv_poll_init(event_loop: *mut sys::uv_loop_s, handle: *mut c_void, fd: c_int) -> c_int;
    fn uv_poll_start(handle: *mut c_void, events: c_int, cb: unsafe extern "C" fn(*mut c_void, c_int, c_int)) -> c_int;
    fn uv_poll_stop(handle: *mut c_void) -> c_int;
    fn uv_close(handle: *mut c_void, cb: Option<unsafe extern "C" fn(*mut c_void)>);
    fn uv_handle_set_data(handle: *mut c_void, data: *mut c_void);
    fn uv_handle_get_data(handle: *const c_void) -> *mut c_void;
}
const UV_POLL: c_int = 8;
const UV_READABLE: c_int = 1;

/// How often one call's doorbell may wake the loop before the rest of the
/// call goes to the sandbox's thread. Each wake costs this thread a few
/// microseconds; a guest that logs line by line, or rings without writing,
/// must not be able to take Node's thread for itself.
const MAX_WAKES: u32 = 64;

thread_local! {
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside a doorbell callback, where no JS may run
/// (host functions then take the threadsafe function path).
pub fn in_callback() -> bool {
    IN_CALLBACK.get()
}

/// How a call that goes on past the fast path's spin ends, wherever it waits.
pub struct CallEnds {
    /// Settles it with its outcome; run while the call still holds its
    /// sandbox, so before anything queued behind it begins.
    pub end: Box<dyn FnMut(Outcome)>,
    /// Settles it with an error, if the sandbox fails it while it waits
    /// (`dispose()`); from any thread. `end` and `fail` settle it once between them.
    pub fail: Arc<dyn Fn(Error) + Send + Sync>,
    /// Gives the rest of it to the sandbox's thread.
    pub hand_over: Box<dyn Fn(&Later<'_>)>,
}

/// Where a call goes after a look at its guest that did not see it end.
pub enum Step {
    Answered(Outcome),
    /// Parked on its guest's doorbell: [`wait`] must be given it.
    Parked(Waiting),
    /// Given to the sandbox's thread.
    HandedOver,
}

/// A call parked on its guest's doorbell, before it is waited for.
pub struct Waiting {
    parked: Parked,
    fd: RawFd,
    ends: CallEnds,
}

/// After a look that did not see the call end: park it on its guest's
/// doorbell if the guest can be waited on so, else give it to the sandbox's thread.
pub fn go_on(sb: &mut Sandbox, later: &Later<'_>, ends: CallEnds) -> Step {
    match look(sb, later, &ends) {
        Look::Answered(outcome) => Step::Answered(outcome),
        Look::Parked(parked, fd) => Step::Parked(Waiting { parked, fd, ends }),
        Look::HandedOver => Step::HandedOver,
    }
}

enum Look {
    Answered(Outcome),
    Parked(Parked, RawFd),
    HandedOver,
}

fn look(sb: &mut Sandbox, later: &Later<'_>, ends: &CallEnds) -> Look {
    // An answer that raced the arming is read at once; a few rounds at most.
    for _ in 0..if enabled() { 4 } else { 0 } {
        match sb.doorbell() {
            Doorbell::Armed(fd) => {
                let fail = ends.fail.clone();
                return Look::Parked(later.park(move |e| fail(e)), fd);
            }
            Doorbell::Ready => {
                if let Some(outcome) = sb.woken() {
                    return Look::Answered(outcome);
                }
            }
            Doorbell::Unavailable => break,
        }
    }
    (ends.hand_over)(later);
    Look::HandedOver
}

/// `HYPERLIGHT_JS_LOOP_WAIT=0` turns waiting in the event loop off (every
/// call past the spin then waits on the sandbox's thread): for comparing the
/// two, and a way out should an embedding's libuv misbehave.
fn enabled() -> bool {
    static ON: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| std::env::var("HYPERLIGHT_JS_LOOP_WAIT").map_or(true, |v| v.trim() != "0"));
    *ON
}

/// One call waiting in the loop; the poll handle's data.
struct InLoop {
    env: sys::napi_env,
    /// Memory for the `uv_poll_t`, of the size libuv says.
    handle: *mut c_void,
    parked: Option<Parked>,
    wakes: u32,
    ends: CallEnds,
}

/// Waits for a parked call in `env`'s event loop, where its `end` settles
/// it, unless it is handed to the sandbox's thread. If libuv refuses, it
/// is handed over at once.
pub fn wait(env: &Env, waiting: Waiting) {
    let Waiting { parked, fd, ends } = waiting;
    let mut event_loop = std::ptr::null_mut();
    // SAFETY: a valid env on its own thread.
    if unsafe { sys::napi_get_uv_event_loop(env.raw(), &mut event_loop) } != sys::Status::napi_ok || event_loop.is_null() {
        return give_over(parked, &ends);
    }
    let handle = new_handle();
    // SAFETY: `handle` is zeroed memory of the size libuv asked for, 8-aligned;
    // `fd` is the guest's socket, open until the call ends. libuv makes the
    // descriptor non-blocking, which the sandbox's thread, blocking on it
    // once a call goes there, does not expect: its flags are put back.
    let rc = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        let mut rc = uv_poll_init(event_loop, handle, fd);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags);
        }
        if rc == 0 {
            rc = uv_poll_start(handle, UV_READABLE, on_readable);
            if rc != 0 {
                // Its data is still null: closing it frees only the handle.
                uv_close(handle, Some(free_handle));
            }
        } else {
            free_handle_now(handle);
        }
        rc
    };
    if rc != 0 {
        return give_over(parked, &ends);
    }
    let in_loop = Box::into_raw(Box::new(InLoop { env: env.raw(), handle, parked: Some(parked), wakes: 0, ends }));
    // SAFETY: the handle is started; `in_loop` lives until `free_handle`. If
    // Node tears this environment down (a Worker ends) first, the hook
    // closes the handle and the call goes to the sandbox's thread.
    unsafe {
        uv_handle_set_data(handle, in_loop as *mut c_void);
        sys::napi_add_env_cleanup_hook(env.raw(), Some(on_teardown), in_loop as *mut c_void);
    }
}

/// Resumes a parked call only to hand it to the sandbox's thread.
fn give_over(parked: Parked, ends: &CallEnds) {
    let _ = parked.resume(|_, later| (ends.hand_over)(later));
}

/// The guest rang (wrote, or died: its socket closed), or libuv failed.
unsafe extern "C" fn on_readable(handle: *mut c_void, status: c_int, _events: c_int) {
    // SAFETY: set in `wait`; freed only by `free_handle`, after `close` below.
    let in_loop = unsafe { &mut *(uv_handle_get_data(handle) as *mut InLoop) };
    let Some(parked) = in_loop.parked.take() else { return };
    in_loop.wakes += 1;
    let give_up = status < 0 || in_loop.wakes > MAX_WAKES;
    let ends = &mut in_loop.ends;
    IN_CALLBACK.set(true);
    let rang = parked.resume(|sb, later| {
        let look = match sb.woken() {
            Some(outcome) => Look::Answered(outcome),
            None if give_up => {
                (ends.hand_over)(later);
                Look::HandedOver
            }
            None => look(sb, later, ends),
        };
        match look {
            // Settled while the call still holds its sandbox: its console
            // output and stats are taken before a call queued behind it
            // begins (else that call's output could go to this one's end,
            // and its own sink be reset to the sandbox's).
            Look::Answered(outcome) => {
                record_call_wait(CallWait::EventLoop);
                (ends.end)(outcome);
                None
            }
            Look::Parked(parked, _) => Some(parked),
            Look::HandedOver => None,
        }
    });
    IN_CALLBACK.set(false);
    match rang {
        Some(Some(parked)) => in_loop.parked = Some(parked),
        Some(None) => unsafe { close(in_loop) },
        // The sandbox is gone: cannot happen while a parked call holds a handle on it.
        None => {
            (in_loop.ends.fail)(Error::internal("the sandbox ended while a call waited for it"));
            unsafe { close(in_loop) };
        }
    }
}

/// Node is tearing the environment down with the call still waiting.
unsafe extern "C" fn on_teardown(arg: *mut c_void) {
    // SAFETY: the hook is removed in `close`, so `arg` is a live `InLoop`.
    let in_loop = unsafe { &mut *(arg as *mut InLoop) };
    if let Some(parked) = in_loop.parked.take() {
        give_over(parked, &in_loop.ends);
    }
    unsafe { close(in_loop) };
}

/// Stops and closes the handle; it and `in_loop` are freed once libuv is done with them.
unsafe fn close(in_loop: &mut InLoop) {
    // SAFETY: the hook was added in `wait`; the handle is initialised and not closed yet.
    unsafe {
        sys::napi_remove_env_cleanup_hook(in_loop.env, Some(on_teardown), in_loop as *mut InLoop as *mut c_void);
        uv_poll_stop(in_loop.handle);
        uv_close(in_loop.handle, Some(free_handle));
    }
}

fn handle_words() -> usize {
    // SAFETY: a libuv query with a valid handle type.
    unsafe { uv_handle_size(UV_POLL) }.div_ceil(8)
}

/// Zeroed memory for a `uv_poll_t`, 8-aligned, of the size libuv says.
fn new_handle() -> *mut c_void {
    Box::into_raw(vec![0u64; handle_words()].into_boxed_slice()) as *mut c_void
}

/// Frees a handle from `new_handle` that libuv no longer knows.
unsafe fn free_handle_now(handle: *mut c_void) {
    // SAFETY: from `new_handle`, of this length.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(handle as *mut u64, handle_words())) });
}

/// libuv has closed the handle: free it, and its call's `InLoop` if it has one.
unsafe extern "C" fn free_handle(handle: *mut c_void) {
    // SAFETY: its data is null or an `InLoop` from `Box::into_raw` in `wait`.
    unsafe {
        let in_loop = uv_handle_get_data(handle) as *mut InLoop;
        if !in_loop.is_null() {
            drop(Box::from_raw(in_loop));
        }
        free_handle_now(handle);
    }
}

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

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
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

/// One call waiting in the loop; its poll handle's data while it waits.
struct InLoop {
    /// Its descriptor's handle in `HANDLES`.
    handle: *mut c_void,
    parked: Option<Parked>,
    wakes: u32,
    ends: CallEnds,
}

thread_local! {
    /// The poll handles of this thread's event loops (a Node thread has one),
    /// one per guest descriptor a call has waited on, by loop and descriptor;
    /// stopped between calls. Setting a handle up and closing it cost a call
    /// five system calls more than starting and stopping a kept one (libuv
    /// checks the descriptor with an epoll add and delete, makes it
    /// non-blocking, then adds and deletes it again; the flags are put back).
    /// A handle outlives its descriptor harmlessly: stopped, it is not
    /// watched, and a later guest whose descriptor has the same number uses
    /// it (libuv adds the descriptor to epoll again on start). Closed when
    /// Node tears the environment down (`on_teardown`).
    static HANDLES: RefCell<HashMap<(usize, RawFd), *mut c_void>> = RefCell::new(HashMap::new());
}

/// Waits for a parked call in `env`'s event loop, where its `end` settles
/// it, unless it is handed to the sandbox's thread. If libuv refuses, it
/// is handed over at once.
pub fn wait(env: &Env, waiting: Waiting) {
    let Waiting { parked, fd, ends } = waiting;
    let Some(handle) = handle_for(env, fd) else { return give_over(parked, &ends) };
    let in_loop = Box::into_raw(Box::new(InLoop { handle, parked: Some(parked), wakes: 0, ends }));
    // SAFETY: an initialised, stopped handle of this thread's loop; `in_loop`
    // lives until `release` takes it back.
    let rc = unsafe {
        uv_handle_set_data(handle, in_loop as *mut c_void);
        uv_poll_start(handle, UV_READABLE, on_readable)
    };
    if rc != 0 {
        // SAFETY: as above; the handle is not started.
        let in_loop = unsafe { release(in_loop, true) };
        if let Some(parked) = in_loop.parked {
            give_over(parked, &in_loop.ends);
        }
    }
}

/// This thread's poll handle for `fd` in `env`'s loop, set up at its first use.
fn handle_for(env: &Env, fd: RawFd) -> Option<*mut c_void> {
    let mut event_loop = std::ptr::null_mut();
    // SAFETY: a valid env on its own thread.
    if unsafe { sys::napi_get_uv_event_loop(env.raw(), &mut event_loop) } != sys::Status::napi_ok || event_loop.is_null() {
        return None;
    }
    let key = (event_loop as usize, fd);
    if let Some(handle) = HANDLES.with_borrow(|h| h.get(&key).copied()) {
        return Some(handle);
    }
    let first_of_loop = HANDLES.with_borrow(|h| !h.keys().any(|(l, _)| *l == key.0));
    let handle = new_handle();
    // SAFETY: `handle` is zeroed memory of the size libuv asked for, 8-aligned;
    // `fd` is the guest's socket, open while the call waits. libuv makes the
    // descriptor non-blocking, which the sandbox's thread, blocking on it
    // once a call goes there, does not expect: its flags are put back.
    let rc = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        let rc = uv_poll_init(event_loop, handle, fd);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags);
        }
        rc
    };
    if rc != 0 {
        // SAFETY: libuv refused it, so does not know it.
        unsafe { free_handle_now(handle) };
        return None;
    }
    if first_of_loop {
        // SAFETY: the hook runs on this thread when Node tears `env` down
        // (a Worker ends), while the loop can still close handles.
        unsafe { sys::napi_add_env_cleanup_hook(env.raw(), Some(on_teardown), event_loop as *mut c_void) };
    }
    HANDLES.with_borrow_mut(|h| h.insert(key, handle));
    Some(handle)
}

/// Resumes a parked call only to hand it to the sandbox's thread.
fn give_over(parked: Parked, ends: &CallEnds) {
    let _ = parked.resume(|_, later| (ends.hand_over)(later));
}

/// The guest rang (wrote, or died: its socket closed), or libuv failed.
unsafe extern "C" fn on_readable(handle: *mut c_void, status: c_int, _events: c_int) {
    let ptr = uv_handle_get_data(handle) as *mut InLoop;
    if ptr.is_null() {
        return;
    }
    // SAFETY: set in `wait`; taken back only by `release`, below.
    let in_loop = unsafe { &mut *ptr };
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
        // SAFETY: the call is done with its handle; libuv's failure closes it.
        Some(None) => drop(unsafe { release(ptr, status < 0) }),
        // The sandbox is gone: cannot happen while a parked call holds a handle on it.
        None => {
            (in_loop.ends.fail)(Error::internal("the sandbox ended while a call waited for it"));
            drop(unsafe { release(ptr, status < 0) });
        }
    }
}

/// Stops a call's handle and gives its `InLoop` back; with `close`, also
/// closes the handle (libuv failed on it) and forgets it.
///
/// # Safety
/// `in_loop` is from `wait`, not released yet, on its loop's thread.
unsafe fn release(in_loop: *mut InLoop, close: bool) -> InLoop {
    // SAFETY: as the caller promises.
    let in_loop = unsafe { *Box::from_raw(in_loop) };
    unsafe {
        uv_poll_stop(in_loop.handle);
        uv_handle_set_data(in_loop.handle, std::ptr::null_mut());
    }
    if close {
        HANDLES.with_borrow_mut(|h| h.retain(|_, handle| *handle != in_loop.handle));
        unsafe { uv_close(in_loop.handle, Some(free_handle)) };
    }
    in_loop
}

/// Node is tearing down the environment of `arg`'s loop: a call still
/// waiting goes to the sandbox's thread, and the loop's handles are closed.
unsafe extern "C" fn on_teardown(arg: *mut c_void) {
    let event_loop = arg as usize;
    let handles: Vec<*mut c_void> = HANDLES.with_borrow_mut(|h| {
        let mine: Vec<_> = h.keys().filter(|(l, _)| *l == event_loop).copied().collect();
        mine.into_iter().filter_map(|k| h.remove(&k)).collect()
    });
    for handle in handles {
        // SAFETY: a handle of this loop, initialised and not closed; its data,
        // if any, is a waiting call's `InLoop`.
        unsafe {
            let in_loop = uv_handle_get_data(handle) as *mut InLoop;
            if !in_loop.is_null() {
                let in_loop = release(in_loop, false);
                if let Some(parked) = in_loop.parked {
                    give_over(parked, &in_loop.ends);
                }
            }
            uv_close(handle, Some(free_handle));
        }
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

/// libuv has closed the handle (its data is null by then): free it.
unsafe extern "C" fn free_handle(handle: *mut c_void) {
    // SAFETY: from `new_handle`.
    unsafe { free_handle_now(handle) }
}

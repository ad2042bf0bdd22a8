//! The micro-VM backend's guest.
//!
//! `hyperlight-js-runtime` brings the whole Hyperlight guest (its entry
//! point and the guest functions that register modules and handlers and run
//! them); this binary is an extender of it, as the runtime documents, adding
//! the standard globals both guests share (crates/guest-env), whose console
//! output goes to the host's `ConsoleWrite`, and three guest functions:
//! `SetLimits`, which gives QuickJS the sandbox's heap and stack limits
//! (without them a memory bomb or runaway recursion would exhaust the VM's
//! physical memory and abort the guest, where the process backend raises
//! a JavaScript error and the sandbox lives on), `Reseed`, through which
//! the host gives the guest fresh entropy after every boot and restore, and
//! `EndCall`, which drops the timers a call left pending.
#![cfg_attr(hyperlight, no_std)]
#![cfg_attr(hyperlight, no_main)]

hyperlight_js_runtime::native_modules! {}
hyperlight_js_runtime::custom_globals! { hyperlight_js_guest_env::capture_runtime, vm::install_env }

#[cfg(hyperlight)]
mod vm {
    extern crate alloc;

    use alloc::string::ToString;
    use hyperlight_common::flatbuffer_wrappers::guest_error::ErrorCode;
    use hyperlight_guest_bin::error::{HyperlightGuestError, Result};
    use hyperlight_guest_bin::{guest_function, host_function};
    use hyperlight_js_runtime::rquickjs;

    /// The standard globals, `console` among them. Each console call leaves
    /// as one call of the host's `ConsoleWrite`, level and text apart
    /// (libc's stdout would mix levels). `print` stays the runtime's: one
    /// host print call each, which the host takes as a `log` entry. Timers
    /// sleep on the host (`Sleep`, in short slices, so a kill lands between
    /// them), and a call that schedules one says so (`TimersUsed`): the host
    /// then ends it with `EndCall`, so that its pending timers never fire.
    pub fn install_env(ctx: &rquickjs::Ctx<'_>) -> rquickjs::Result<()> {
        #[host_function("ConsoleWrite")]
        fn console_write(level: alloc::string::String, text: alloc::string::String) -> Result<()>;
        #[host_function("Sleep")]
        fn host_sleep(micros: u64) -> Result<()>;
        #[host_function("TimersUsed")]
        fn host_timers_used() -> Result<()>;
        // The host function the runtime's own host modules go through.
        #[host_function("CallHostJsFunction")]
        fn call_host_js(module: alloc::string::String, function: alloc::string::String, args: alloc::string::String, binaries: alloc::vec::Vec<u8>) -> Result<alloc::vec::Vec<u8>>;

        hyperlight_js_guest_env::install(
            ctx,
            hyperlight_js_guest_env::GuestHost {
                // Nothing a guest could do about a failed write: the host has
                // already counted or dropped the message.
                console: |level, text| {
                    let _ = console_write(level.to_string(), text.to_string());
                },
                // A failed sleep only makes the timer loop poll sooner.
                sleep: |micros| {
                    let _ = host_sleep(micros);
                },
                timers_used: || {
                    let _ = host_timers_used();
                },
                host_call: |module, function, args| {
                    use hyperlight_js_common::{decode_return, FnReturn};
                    let answer = call_host_js(module.to_string(), function.to_string(), args, alloc::vec::Vec::new())
                        .map_err(|e| e.message)?;
                    match decode_return(&answer) {
                        Ok(FnReturn::Json(json)) => Ok(json),
                        _ => Err("the host answered a host call with something other than JSON".to_string()),
                    }
                },
            },
        )
    }

    /// The call (or load) is over: the timers it left pending never fire.
    #[guest_function("EndCall")]
    fn end_call() -> Result<()> {
        hyperlight_js_guest_env::end_call();
        Ok(())
    }

    /// The host's fresh entropy, after every boot and every restore: a
    /// restored VM would otherwise repeat the random numbers of its snapshot.
    #[guest_function("Reseed")]
    fn reseed(seed: alloc::vec::Vec<u8>) -> Result<()> {
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| HyperlightGuestError::new(ErrorCode::GuestError, "Reseed takes exactly 32 bytes".to_string()))?;
        hyperlight_js_guest_env::reseed(seed);
        Ok(())
    }

    /// Called once by the host before any user code runs: QuickJS's heap and
    /// stack limits, and the longest console message the host's buffers carry.
    /// The host snapshots the guest right after (the template every micro-VM
    /// starts from), so this also collects what booting left: otherwise every
    /// micro-VM would inherit a collection already due and run it in its first call.
    #[guest_function("SetLimits")]
    fn set_limits(heap_bytes: u64, stack_bytes: u64, message_bytes: u64) -> Result<()> {
        hyperlight_js_guest_env::set_message_limit(message_bytes as usize);
        let Some(rt) = hyperlight_js_guest_env::runtime() else {
            return Err(HyperlightGuestError::new(ErrorCode::GuestError, "the QuickJS runtime was not captured".to_string()));
        };
        // SAFETY: `rt` is the guest's live QuickJS runtime and the guest has
        // one thread. Guest calls start from the same stack top as this one,
        // so measuring the stack from here holds for every later call.
        unsafe {
            rquickjs::qjs::JS_SetMemoryLimit(rt, heap_bytes as _);
            rquickjs::qjs::JS_SetMaxStackSize(rt, stack_bytes as _);
            rquickjs::qjs::JS_UpdateStackTop(rt);
            hyperlight_js_guest_env::collect_now(|| __real_JS_RunGC(rt));
        }
        Ok(())
    }

    #[repr(C)]
    pub struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }

    #[repr(C)]
    pub struct Timeval {
        tv_sec: i64,
        tv_usec: i64,
    }

    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }

    /// QuickJS built with `__DJGPP` (see the engine's build script) reads its
    /// high-resolution clock through this; the runtime provides `clock_gettime`.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn gettimeofday(tv: *mut Timeval, _tz: *mut core::ffi::c_void) -> i32 {
        // picolibc's value (Linux uses 0).
        const CLOCK_REALTIME: i32 = 1;
        let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid out-parameter; `tv` is the caller's, checked for null.
        unsafe {
            if clock_gettime(CLOCK_REALTIME, &mut ts) != 0 || tv.is_null() {
                return -1;
            }
            *tv = Timeval { tv_sec: ts.tv_sec, tv_usec: ts.tv_nsec / 1000 };
        }
        0
    }

    /// QuickJS counts its heap with this (see the engine's build script,
    /// which compiles QuickJS so that it calls it); without it every
    /// allocation counts as 8 bytes and the heap limit never fires.
    ///
    /// `hyperlight-guest-bin`'s `malloc` (pinned to 0.17.0 in Cargo.toml)
    /// stores the allocation's `Layout` immediately before the pointer it
    /// returns, with the data at the header's size rounded up to the
    /// alignment; the usable size is what lies after that offset.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn malloc_usable_size(ptr: *const core::ffi::c_void) -> usize {
        use core::alloc::Layout;
        use core::mem::size_of;
        if ptr.is_null() {
            return 0;
        }
        // SAFETY: `ptr` came from that `malloc`, so a `Layout` sits just before it.
        let layout = unsafe { (ptr as *const u8).sub(size_of::<Layout>()).cast::<Layout>().read_unaligned() };
        let usable = layout.size() - size_of::<Layout>().next_multiple_of(layout.align());
        // QuickJS asks this for every allocation and every free: the heap's
        // activity, which decides whether `gc` collects (crates/guest-env).
        hyperlight_js_guest_env::note_heap_activity(usable);
        usable
    }

    unsafe extern "C" {
        fn __real_JS_RunGC(rt: *mut rquickjs::qjs::JSRuntime);
    }

    /// The collection the runtime runs after a call with `gc` (the build
    /// script wraps `JS_RunGC`), only once the heap has churned enough.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn __wrap_JS_RunGC(rt: *mut rquickjs::qjs::JSRuntime) {
        // SAFETY: the runtime's own call, with its live runtime.
        hyperlight_js_guest_env::collect_if_worthwhile(|| unsafe { __real_JS_RunGC(rt) })
    }

    // The runtime's guest module provides the entry point; reference it so
    // the linker keeps that module.
    unsafe extern "C" {
        fn hyperlight_main();
    }

    #[used]
    static _KEEP_GUEST_ENTRY: unsafe extern "C" fn() = hyperlight_main;
}

#[cfg(not(hyperlight))]
mod vm {
    use hyperlight_js_runtime::rquickjs;

    pub fn install_env(_ctx: &rquickjs::Ctx<'_>) -> rquickjs::Result<()> {
        Ok(())
    }
}

#[cfg(not(hyperlight))]
fn main() {
    eprintln!("hyperlight-js-vm-guest runs inside a Hyperlight micro-VM; the engine embeds it");
    std::process::exit(2);
}

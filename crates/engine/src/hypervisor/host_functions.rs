//! The host functions a micro-VM's guest calls, answering for one sandbox:
//! its console, clock, timers, module resolution and the user's host
//! functions (and the guest's fetch, which is one of those).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hyperlight_host::func::Registerable;
use hyperlight_host::HyperlightError;
use hyperlight_js_wire::messages::unregistered_module;

use super::map_err;
use crate::backend::HostDispatch;
use crate::console::{Console, Level as ConsoleLevel};
use crate::error::{Error, Result};
use crate::host_wait::HostWaiter;

/// The longest one `Sleep` from the guest blocks the sandbox's thread (the
/// guest asks for at most this much at a time anyway).
const MAX_SLEEP_MICROS: u64 = 10_000;

/// The host functions the guest calls, answering for one sandbox.
pub(super) fn register_host_side(
    funcs: &mut impl Registerable,
    host: &Arc<dyn HostDispatch>,
    host_wait: &HostWaiter,
    console: Console,
    timers_used: &Arc<AtomicBool>,
) -> Result<()> {
    // The guest's console, one call per console call (crates/vm-guest).
    let out = console.clone();
    funcs
        .register_host_function("ConsoleWrite", move |level: String, text: String| -> hyperlight_host::Result<()> {
            out.write(ConsoleLevel::parse(&level), &text);
            Ok(())
        })
        .map_err(map_err)?;
    // `print` (the runtime's: one call each, flushed) and anything else the
    // guest writes to libc's stdout are `log` entries.
    funcs
        .register_host_function("HostPrint", move |text: String| -> hyperlight_host::Result<i32> {
            console.write(ConsoleLevel::Log, text.strip_suffix('\n').unwrap_or(&text));
            Ok(text.len() as i32)
        })
        .map_err(map_err)?;
    // The guest's clock (Date.now(), performance.now()).
    funcs
        .register_host_function("CurrentTimeMicros", || -> hyperlight_host::Result<u64> {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            Ok(now.as_micros() as u64)
        })
        .map_err(map_err)?;
    // Timers: the guest waits here, a slice at a time (crates/guest-env caps
    // each at 10 ms, so a kill lands before the next), and says when a call
    // scheduled one, so that the call is ended with `EndCall` afterwards.
    funcs
        .register_host_function("Sleep", |micros: u64| -> hyperlight_host::Result<()> {
            std::thread::sleep(std::time::Duration::from_micros(micros.min(MAX_SLEEP_MICROS)));
            Ok(())
        })
        .map_err(map_err)?;
    let used = timers_used.clone();
    funcs
        .register_host_function("TimersUsed", move || -> hyperlight_host::Result<()> {
            used.store(true, Ordering::Relaxed);
            Ok(())
        })
        .map_err(map_err)?;
    // Imports that are not user, host or built-in modules would be looked up
    // on the host's file system: a sandbox has none.
    funcs
        .register_host_function("ResolveModule", |_base: String, name: String| -> hyperlight_host::Result<String> {
            Err(HyperlightError::Error(unregistered_module(&name)))
        })
        .map_err(map_err)?;
    funcs
        .register_host_function("LoadModule", |name: String| -> hyperlight_host::Result<String> {
            Err(HyperlightError::Error(unregistered_module(&name)))
        })
        .map_err(map_err)?;
    let (dispatch, waiter) = (host.clone(), host_wait.clone());
    funcs
        .register_host_function(
            "CallHostJsFunction",
            move |module: String, function: String, args: String, _binaries: Vec<u8>| -> hyperlight_host::Result<Vec<u8>> {
                let module = module.strip_prefix("host:").unwrap_or(&module);
                match waiter.call(dispatch.as_ref(), module, &function, args) {
                    Some(Ok(json)) => Ok(hyperlight_js_common::encode_json_return(&json)),
                    Some(Err(message)) => Err(HyperlightError::Error(message)),
                    None => Err(HyperlightError::Error("the call was cancelled while it waited on the host".into())),
                }
            },
        )
        .map_err(map_err)
}

/// The host's modules as the guest's `RegisterHostModules` takes them: guest
/// code imports them as `host:<name>`, as on the process backend.
pub(super) fn host_modules_json(host: &dyn HostDispatch) -> Result<String> {
    let modules: HashMap<String, Vec<String>> =
        host.modules().into_iter().map(|m| (format!("host:{}", m.name), m.functions)).collect();
    serde_json::to_string(&modules).map_err(|e| Error::internal(format!("host modules as JSON: {e}")))
}


//! `GuestSandbox` for the process backend: requests over the socket, host
//! calls answered in place, and a dead or misbehaving guest turned into a
//! poisoned sandbox rather than a host failure.

use std::any::Any;
use std::sync::{Arc, Mutex};

use crate::backend::{check_event_size, check_handler_known, next_sandbox_id, own_snapshot, poisoned_error, GuestSandbox, GuestSnapshot, HostDispatch};
use crate::host_wait::HostWaiter;
use crate::call::InterruptTarget;
use crate::monitor::GuestClock;
use crate::error::{Error, Result};
use crate::process::guest_process::{guest_gone, GuestProcess};
use crate::process::launcher::{fork, spawn_sandbox};
use crate::protocol::{host_max_frame, FailureKind, GuestFailure, Reply, Request, SandboxInit};

pub struct ProcessSandbox {
    /// Ties snapshots to the sandbox they came from.
    id: u64,
    guest: GuestProcess,
    init: SandboxInit,
    host: Arc<dyn HostDispatch>,
    /// Why the sandbox is poisoned, if it is.
    poison: Option<String>,
    /// Names of the handlers the guest compiled, to refuse unknown ones here.
    handlers: Vec<String>,
    /// Lets an interrupt end a call that is waiting on a host function.
    host_wait: HostWaiter,
}

impl ProcessSandbox {
    pub fn new(init: SandboxInit, host: Arc<dyn HostDispatch>) -> Result<Self> {
        let guest = spawn_sandbox(&init)?;
        Ok(Self {
            id: next_sandbox_id(),
            guest,
            init,
            host,
            poison: None,
            handlers: Vec::new(),
            host_wait: HostWaiter::default(),
        })
    }

    pub fn guest_pid(&self) -> i32 {
        self.guest.pid
    }

    fn check_usable(&mut self) -> Result<()> {
        if self.poison.is_none() && self.guest.has_exited() {
            self.poison = Some(format!("its guest process {}", self.guest.exit_description()));
        }
        match &self.poison {
            Some(why) => Err(poisoned_error(why)),
            None => Ok(()),
        }
    }

    /// Stops the guest after it died or misbehaved, and remembers why.
    fn poison_with(&mut self, err: Error) -> Error {
        self.guest.kill();
        self.poison = Some(err.message.clone());
        err
    }

    fn request(&mut self, req: &Request, during: &str) -> Result<Reply> {
        let sent = self.guest.chan.send(req);
        let reply = sent.and_then(|_| loop {
            match self.guest.chan.recv::<Reply>()? {
                Reply::Log(text) => print_guest_output(&text),
                other => break Ok(other),
            }
        });
        reply.map_err(|e| {
            let err = guest_gone(&self.guest, during, &e);
            self.poison_with(err)
        })
    }
}

/// Guests have no stdout of their own (see the jail); what they print is
/// written to the host's, as the micro-VM backend's print function does.
pub(crate) fn print_guest_output(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn failure_error(f: GuestFailure) -> Error {
    match f.kind {
        FailureKind::Exception => Error::guest_abort(f.message),
        FailureKind::Load | FailureKind::UnknownHandler | FailureKind::OutputTooLarge => Error::invalid_arg(f.message),
        FailureKind::Internal => Error::internal(f.message),
    }
}

impl GuestSandbox for ProcessSandbox {
    fn load(&mut self, modules: &[(String, String)], handlers: &[(String, String)]) -> Result<()> {
        self.check_usable()?;
        let req = Request::Load { modules: modules.to_vec(), handlers: handlers.to_vec() };
        let result = match self.request(&req, "while loading handlers")? {
            Reply::Loaded => {
                self.handlers = handlers.iter().map(|(name, _)| name.clone()).collect();
                Ok(())
            }
            Reply::Failed(f) => Err(failure_error(f)),
            other => Err(self.poison_with(Error::guest_abort(format!("the guest answered Load with {other:?}")))),
        };
        if result.is_err() {
            // Half-registered handlers must not linger into the next attempt.
            self.unload()?;
        }
        result
    }

    fn call(&mut self, handler: &str, event_json: &str, gc: bool) -> Result<String> {
        check_handler_known(&self.handlers, handler)?;
        self.check_usable()?;
        check_event_size(&self.init.config, event_json)?;
        self.host_wait.reset();
        let during = format!("while running handler '{handler}'");
        let spin_us = crate::spin::budget(crate::spin::GUEST_SPIN).as_micros() as u32;
        let req = Request::Call { handler: handler.to_string(), event: event_json.to_string(), gc, spin_us };
        let mut reply = self.request(&req, &during)?;
        loop {
            match reply {
                Reply::Returned(json) => return Ok(json),
                Reply::Failed(f) => return Err(failure_error(f)),
                Reply::HostCall { module, function, args } => {
                    let Some(answer) = self.host_wait.call(self.host.as_ref(), &module, &function, args) else {
                        // Interrupted: the guest is already being killed.
                        return Err(self.poison_with(Error::cancelled(format!(
                            "handler '{handler}' was interrupted while waiting on host function {module}.{function}"
                        ))));
                    };
                    reply = self.request(&Request::HostResult(answer), &during)?;
                }
                other => {
                    return Err(self.poison_with(Error::guest_abort(format!(
                        "the guest answered a call with {other:?}; it was stopped"
                    ))))
                }
            }
        }
    }

    fn unload(&mut self) -> Result<()> {
        let fresh = spawn_sandbox(&self.init)?;
        // The old guest is killed and reaped when it drops.
        self.guest = fresh;
        self.poison = None;
        self.handlers.clear();
        Ok(())
    }

    fn poisoned(&self) -> bool {
        self.poison.is_some()
    }

    fn mark_poisoned(&mut self, why: String) {
        self.guest.kill();
        self.poison = Some(why);
    }

    fn interrupt_target(&self) -> InterruptTarget {
        let kill = self.guest.killer();
        let host_wait = self.host_wait.clone();
        Arc::new(move || {
            kill();
            host_wait.interrupt();
        })
    }

    fn cpu_clock(&self) -> Option<GuestClock> {
        self.guest.cpu_clock
    }

    fn snapshot(&mut self) -> Result<Arc<dyn GuestSnapshot>> {
        self.check_usable()?;
        // A paused fork of the guest is the snapshot: a copy-on-write image of
        // its whole memory, handlers and module state included.
        let sock = fork(&mut self.guest.chan, None).map_err(|e| {
            let err = Error::internal(format!("could not snapshot the sandbox: {}", e.message));
            self.poison_with(err)
        })?;
        let copy = GuestProcess::adopt(sock, host_max_frame(&self.init.config))?;
        Ok(Arc::new(ProcessSnapshot { owner: self.id, guest: Mutex::new(copy), handlers: self.handlers.clone() }))
    }

    fn restore(&mut self, snapshot: &dyn GuestSnapshot) -> Result<()> {
        let snap: &ProcessSnapshot = own_snapshot(snapshot, self.id)?;
        let mut frozen = snap.guest.lock().unwrap_or_else(|p| p.into_inner());
        if frozen.has_exited() {
            return Err(Error::internal(format!(
                "restore(): the snapshot's process {}; take a new snapshot",
                frozen.exit_description()
            )));
        }
        let sock = fork(&mut frozen.chan, None)
            .map_err(|e| Error::internal(format!("restore(): could not copy the snapshot: {}", e.message)))?;
        let fresh = GuestProcess::adopt(sock, host_max_frame(&self.init.config))?;
        drop(frozen);
        self.guest = fresh;
        self.poison = None;
        self.handlers = snap.handlers.clone();
        Ok(())
    }
}

/// A paused copy of a guest process; each restore forks it again.
struct ProcessSnapshot {
    owner: u64,
    guest: Mutex<GuestProcess>,
    handlers: Vec<String>,
}

impl GuestSnapshot for ProcessSnapshot {
    fn owner(&self) -> u64 {
        self.owner
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}


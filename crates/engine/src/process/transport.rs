//! The process backend's [`Transport`]: requests over the socket, host
//! calls answered in place, and a dead or misbehaving guest turned into a
//! broken transport (a poisoned sandbox) rather than a host failure. How a
//! call waits for its guest on the caller's thread is `waiting.rs`'s.

use std::any::Any;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use crate::backend::{downcast_snapshot, Doorbell, HostDispatch, HostHere, HostResult, Transport};
use crate::host_wait::HostWaiter;
use crate::call::InterruptTarget;
use crate::console::Console;
use crate::monitor::GuestClock;
use crate::error::{Error, Result};
use crate::process::guest_process::{guest_gone, GuestProcess};
use crate::process::launcher::{fork, spawn_sandbox};
use crate::process::waiting::{Wait, WaitPolicy};
use hyperlight_js_wire::guest_error::Described;
use hyperlight_js_wire::{host_max_frame, FailureKind, GuestFailure, ProtocolError, Reply, Request, SandboxInit};

/// About what a fork of the template holds once loaded.
const FORK_BYTES: u64 = 5 * 1024 * 1024 / 2;

pub struct ProcessGuest {
    guest: GuestProcess,
    init: SandboxInit,
    host: Arc<dyn HostDispatch>,
    /// Where the guest's console output goes.
    console: Console,
    /// Why the guest cannot be used any more (it died or misbehaved), if so.
    broken: Option<String>,
    /// Lets an interrupt end a call that is waiting on a host function.
    host_wait: HostWaiter,
    /// How a call waits for this guest on the caller's thread.
    waiting: WaitPolicy,
    /// The call `start` sent: its handler, and what `poll` left for `finish`.
    current: Option<(String, Option<Parked>)>,
}

/// A host call the fast path could not finish on the caller's thread.
enum Parked {
    /// Not answered: `finish` runs it.
    Reply(Reply),
    /// Running: its outcome is on its way (a promise).
    Host { module: String, function: String, tx: mpsc::Sender<HostResult>, rx: mpsc::Receiver<HostResult> },
}

impl ProcessGuest {
    pub fn new(init: SandboxInit, host: Arc<dyn HostDispatch>, console: Console) -> Result<Self> {
        let guest = spawn_sandbox(&init)?;
        Ok(Self {
            guest,
            init,
            host,
            console,
            broken: None,
            host_wait: HostWaiter::default(),
            waiting: WaitPolicy::default(),
            current: None,
        })
    }

    /// Stops the guest after it died or misbehaved, and remembers why.
    fn break_with(&mut self, err: Error) -> Error {
        self.guest.kill();
        self.broken = Some(err.message.clone());
        err
    }

    fn request(&mut self, req: &Request, during: &str) -> Result<Reply> {
        self.send(req, during)?;
        self.reply(during)
    }

    fn send(&mut self, req: &Request, during: &str) -> Result<()> {
        self.guest.chan.send(req).map_err(|e| self.gone(during, e))
    }

    /// The guest's next answer, handing what it logs meanwhile to the console.
    fn reply(&mut self, during: &str) -> Result<Reply> {
        loop {
            match self.guest.chan.recv::<Reply>() {
                Ok(Reply::Console(level, text)) => self.console.write(level, &text),
                Ok(other) => return Ok(other),
                Err(e) => return Err(self.gone(during, e)),
            }
        }
    }

    /// How the guest process ended, if it has (a system call).
    fn exited(&self) -> Option<String> {
        self.guest.has_exited().then(|| format!("its guest process {}", self.guest.exit_description()))
    }

    /// Whether the kernel has the woken guest queued on this thread's CPU.
    fn asked_here(&mut self) -> bool {
        let here = self.guest.waits_on_this_cpu();
        self.waiting.kernel_says(here)
    }

    /// Moves a guest found on this thread's CPU to another one, when the
    /// policy says it is time (see `WaitPolicy::move_now`).
    fn move_guest_off(&mut self) -> bool {
        if !self.waiting.move_now() {
            return false;
        }
        let moved = self.guest.move_off_this_cpu();
        if moved {
            self.waiting.moved();
        }
        moved
    }

    /// A poll's waiting, as `wait` begins it: replies are read, host calls
    /// answered where `call_here` can, until the call's result (`Some`), or
    /// `None` once the guest has been given until `until` (or left a host call for `finish`).
    fn receive(&mut self, wait: Wait, spin: Duration, cap: Instant) -> Option<Result<String>> {
        let Wait { here, woken_until, mut until, mut ask_where } = wait;
        let mut moved = false;
        let deadline = || (Instant::now() + spin).min(cap);
        loop {
            let reply = match self.guest.chan.recv_by::<Reply>(until) {
                Ok(Some(Reply::Console(level, text))) => {
                    self.console.write(level, &text);
                    continue;
                }
                Ok(Some(reply)) => reply,
                Ok(None) if std::mem::take(&mut ask_where) => {
                    let on_this_cpu = moved || here || self.asked_here();
                    if on_this_cpu && !moved && self.move_guest_off() {
                        // Give it a moment to answer from there; if it does
                        // not, sleep as below.
                        moved = true;
                        ask_where = true;
                        until = WaitPolicy::after_move(woken_until);
                    } else if on_this_cpu {
                        if let Err(e) = self.guest.chan.nap_until(woken_until) {
                            let handler = self.take_handler();
                            return Some(Err(self.gone(&during_call(&handler), e)));
                        }
                        until = Instant::now();
                    } else {
                        until = woken_until;
                    }
                    continue;
                }
                Ok(None) => return None,
                Err(e) => {
                    let handler = self.take_handler();
                    return Some(Err(self.gone(&during_call(&handler), e)));
                }
            };
            let Reply::HostCall { module, function, args } = reply else {
                self.current = None;
                return Some(self.result_of(reply));
            };
            let parked = match self.host.call_here(&module, &function, args) {
                HostHere::Done(answer) => {
                    if let Err(e) = self.guest.chan.send_nowait(&Request::HostResult(answer)) {
                        let handler = self.take_handler();
                        return Some(Err(self.gone(&during_call(&handler), e)));
                    }
                    until = deadline();
                    continue;
                }
                HostHere::Later(tx, rx) => Parked::Host { module, function, tx, rx },
                HostHere::NotHere(args) => Parked::Reply(Reply::HostCall { module, function, args }),
            };
            if let Some((_, left)) = &mut self.current {
                *left = Some(parked);
            }
            return None;
        }
    }

    /// Ends the current call, for its error message: the handler it ran.
    fn take_handler(&mut self) -> String {
        self.current.take().map(|(handler, _)| handler).unwrap_or_default()
    }

    fn gone(&mut self, during: &str, e: ProtocolError) -> Error {
        let err = guest_gone(&self.guest, during, &e);
        self.break_with(err)
    }
}

impl ProcessGuest {
    /// A call's last reply as its result.
    fn result_of(&mut self, reply: Reply) -> Result<String> {
        match reply {
            Reply::Returned(json) => Ok(json),
            Reply::Failed(f) => Err(failure_error(f)),
            other => Err(self.break_with(Error::guest_abort(format!(
                "the guest answered a call with {other:?}; it was stopped"
            )))),
        }
    }
}

fn during_call(handler: &str) -> String {
    format!("while running handler '{handler}'")
}

fn failure_error(f: GuestFailure) -> Error {
    match f.kind {
        FailureKind::Exception => Error::thrown(Described { name: f.name, text: f.message }),
        FailureKind::Load | FailureKind::UnknownHandler | FailureKind::OutputTooLarge => Error::invalid_arg(f.message),
        FailureKind::Internal => Error::internal(f.message),
    }
}

impl Transport for ProcessGuest {
    fn load(&mut self, modules: &[(String, String)], handlers: &[(String, String)]) -> Result<()> {
        // A sandbox just loaded is mostly called next, and again after that:
        // the guest polls for its first call (`LOAD_SPIN`, within the budget),
        // and counted as the guest last talked to, its first call asks it to
        // poll for the second (see `guest_budget`).
        let _ = hyperlight_js_wire::spin::guest_budget(self.guest.pid as u64);
        let spin_us = hyperlight_js_wire::spin::budget(hyperlight_js_wire::spin::LOAD_SPIN).as_micros() as u32;
        let req = Request::Load { modules: modules.to_vec(), handlers: handlers.to_vec(), spin_us };
        match self.request(&req, "while loading handlers")? {
            Reply::Loaded => Ok(()),
            Reply::Failed(f) => Err(failure_error(f)),
            other => Err(self.break_with(Error::guest_abort(format!("the guest answered Load with {other:?}")))),
        }
    }

    fn start(&mut self, handler: &str, event_json: &str, gc: bool) -> Result<()> {
        self.host_wait.reset();
        // Keyed by the guest process: the one this request goes to.
        let spin_us = hyperlight_js_wire::spin::guest_budget(self.guest.pid as u64).as_micros() as u32;
        let req = Request::Call { handler: handler.to_string(), event: event_json.to_string(), gc, spin_us };
        // Not `send`: what the guest has no room for yet goes with the next
        // receive, as the fast path runs on Node's thread, which must not wait on a guest.
        if let Err(e) = self.guest.chan.send_nowait(&req) {
            // Its doorbell found the guest dead: it died while idle. Said as
            // `failure` says it, which the sandbox asks after a send.
            if let Some(why) = self.exited() {
                self.broken = Some(why.clone());
                return Err(Error::poisoned_because(&why));
            }
            return Err(self.gone(&during_call(handler), e));
        }
        self.waiting.sent(self.guest.chan.woke_peer());
        self.current = Some((handler.to_string(), None));
        Ok(())
    }

    fn poll(&mut self, spin: Duration, cap: Instant) -> Option<Result<String>> {
        if !matches!(self.current, Some((_, None))) {
            return None;
        }
        let chan = &self.guest.chan;
        let wait = self.waiting.begin(spin, cap, || chan.peer_idle_on_this_cpu());
        self.receive(wait, spin, cap)
    }

    fn doorbell(&mut self) -> Doorbell {
        if !matches!(self.current, Some((_, None))) {
            return Doorbell::Unavailable;
        }
        // A failure here shows again, and is reported, in `finish`.
        self.guest.chan.arm_doorbell().unwrap_or(Doorbell::Unavailable)
    }

    fn woken(&mut self) -> Option<Result<String>> {
        if !matches!(self.current, Some((_, None))) {
            return None;
        }
        if let Err(e) = self.guest.chan.disarm_doorbell() {
            let handler = self.take_handler();
            return Some(Err(self.gone(&during_call(&handler), e)));
        }
        let now = Instant::now();
        self.receive(Wait { here: false, woken_until: now, until: now, ask_where: false }, Duration::ZERO, now)
    }

    fn finish(&mut self) -> Result<String> {
        let Some((handler, parked)) = self.current.take() else {
            return Err(Error::internal("finish() without a call in progress"));
        };
        let during = during_call(&handler);
        let interrupted = |module: &str, function: &str| {
            Error::cancelled(format!("handler '{handler}' was interrupted while waiting on host function {module}.{function}"))
        };
        let mut reply = match parked {
            Some(Parked::Reply(reply)) => reply,
            Some(Parked::Host { module, function, tx, rx }) => {
                let Some(answer) = self.host_wait.wait_for(tx, rx) else {
                    return Err(self.break_with(interrupted(&module, &function)));
                };
                self.request(&Request::HostResult(answer), &during)?
            }
            None => self.reply(&during)?,
        };
        while let Reply::HostCall { module, function, args } = reply {
            let Some(answer) = self.host_wait.call(self.host.as_ref(), &module, &function, args) else {
                // Interrupted: the guest is already being killed.
                return Err(self.break_with(interrupted(&module, &function)));
            };
            reply = self.request(&Request::HostResult(answer), &during)?;
        }
        self.result_of(reply)
    }

    fn reset(&mut self) -> Result<()> {
        let fresh = spawn_sandbox(&self.init)?;
        // The old guest is killed and reaped when it drops.
        self.guest = fresh;
        self.broken = None;
        Ok(())
    }

    /// The guest is another process: about what one holds once loaded
    /// (a fork of the template, measured near 2.4 MiB resident), plus the
    /// buffers it exchanges with this process.
    fn memory_bytes(&self) -> u64 {
        FORK_BYTES + self.init.config.input_buffer_size + self.init.config.output_buffer_size
    }

    /// A snapshot is a paused fork: what it has not written since is shared
    /// with its parent (1.9 MiB resident measured by `bench/backends.js`).
    fn snapshot_bytes(&self) -> u64 {
        FORK_BYTES
    }

    fn failure(&self, look: bool) -> Option<String> {
        self.broken.clone().or_else(|| if look { self.exited() } else { None })
    }

    fn stop(&mut self) {
        self.guest.kill();
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

    fn pid(&self) -> Option<i32> {
        Some(self.guest.pid)
    }

    fn snapshot(&mut self) -> Result<Box<dyn Any + Send + Sync>> {
        // A paused fork of the guest is the snapshot: a copy-on-write image of
        // its whole memory, handlers and module state included.
        let forked = fork(&mut self.guest.chan, None).map_err(|e| {
            let err = Error::internal(format!("could not snapshot the sandbox: {}", e.message));
            self.break_with(err)
        })?;
        let copy = GuestProcess::adopt(forked, host_max_frame(&self.init.config))?;
        Ok(Box::new(ProcessSnapshot(Mutex::new(copy))))
    }

    fn restore(&mut self, snapshot: &(dyn Any + Send + Sync)) -> Result<()> {
        let snap: &ProcessSnapshot = downcast_snapshot(snapshot)?;
        let mut frozen = snap.0.lock().unwrap_or_else(|p| p.into_inner());
        if frozen.has_exited() {
            return Err(Error::internal(format!(
                "restore(): the snapshot's process {}; take a new snapshot",
                frozen.exit_description()
            )));
        }
        let forked = fork(&mut frozen.chan, None)
            .map_err(|e| Error::internal(format!("restore(): could not copy the snapshot: {}", e.message)))?;
        let fresh = GuestProcess::adopt(forked, host_max_frame(&self.init.config))?;
        drop(frozen);
        self.guest = fresh;
        self.broken = None;
        Ok(())
    }
}

/// A paused copy of a guest process; each restore forks it again.
struct ProcessSnapshot(Mutex<GuestProcess>);

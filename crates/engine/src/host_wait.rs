//! Waiting on a host function, in a way an interrupt can cut short.
//!
//! While a guest waits on a host function, the thread that drives it waits
//! on a channel, not on the guest, so killing the guest alone would not end
//! the call. Both backends run host calls through a `HostWaiter`, and their
//! interrupt targets call `interrupt()`.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use crate::backend::{HostDispatch, HostReply, HostResult};

#[derive(Default)]
struct State {
    interrupted: bool,
    waker: Option<mpsc::Sender<HostResult>>,
}

#[derive(Clone, Default)]
pub struct HostWaiter(Arc<Mutex<State>>);

impl HostWaiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// At the start of each call: earlier interrupts are spent.
    pub fn reset(&self) {
        self.lock().interrupted = false;
    }

    /// Ends the current (or next) wait of this call.
    pub fn interrupt(&self) {
        let mut s = self.lock();
        s.interrupted = true;
        if let Some(waker) = s.waker.take() {
            let _ = waker.send(Err("interrupted".into()));
        }
    }

    /// Runs a host function; `None` when the call was interrupted meanwhile.
    pub fn call(&self, host: &dyn HostDispatch, module: &str, function: &str, args: String) -> Option<HostResult> {
        let (tx, rx) = mpsc::channel();
        if !self.arm(tx.clone()) {
            return None;
        }
        host.call(module, function, args, HostReply(tx));
        self.wait(rx)
    }

    /// Waits for an outcome already on its way to `rx` (`tx` is its sender);
    /// `None` when the call was interrupted meanwhile.
    pub fn wait_for(&self, tx: mpsc::Sender<HostResult>, rx: mpsc::Receiver<HostResult>) -> Option<HostResult> {
        if !self.arm(tx) {
            return None;
        }
        self.wait(rx)
    }

    /// Lets `interrupt()` wake the wait through `waker`; false if already interrupted.
    fn arm(&self, waker: mpsc::Sender<HostResult>) -> bool {
        let mut s = self.lock();
        if s.interrupted {
            return false;
        }
        s.waker = Some(waker);
        true
    }

    fn wait(&self, rx: mpsc::Receiver<HostResult>) -> Option<HostResult> {
        // A synchronous host function answers within tens of microseconds:
        // poll that long before sleeping (a wake-up costs about as much).
        let result = hyperlight_js_wire::spin::poll(hyperlight_js_wire::spin::HOST_SPIN, || rx.try_recv().ok()).or_else(|| rx.recv().ok());
        let mut s = self.lock();
        s.waker = None;
        if s.interrupted {
            None
        } else {
            result
        }
    }
}

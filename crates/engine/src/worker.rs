//! One thread per sandbox. Jobs run in the order they were submitted, so
//! calls on one sandbox never interleave, and the Node event loop only ever
//! waits on a channel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;

use crate::backend::GuestSandbox;
use crate::error::{Error, Result};

type Job = Box<dyn FnOnce(&mut dyn GuestSandbox) + Send>;

pub struct SandboxWorker {
    jobs: mpsc::Sender<Job>,
    poisoned: Arc<AtomicBool>,
}

impl SandboxWorker {
    pub fn spawn(mut sandbox: Box<dyn GuestSandbox>) -> Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let poisoned = Arc::new(AtomicBool::new(sandbox.poisoned()));
        let flag = poisoned.clone();
        thread::Builder::new()
            .name("hyperlight-js-sandbox".into())
            .spawn(move || {
                for job in queue {
                    job(sandbox.as_mut());
                    flag.store(sandbox.poisoned(), Ordering::Release);
                }
                // The last handle is gone: dropping the sandbox ends its guest.
            })
            .map_err(|e| Error::internal(format!("could not start a sandbox thread: {e}")))?;
        Ok(Self { jobs, poisoned })
    }

    /// Queues `f` behind every job submitted before it.
    pub fn run<R, F>(&self, f: F) -> impl std::future::Future<Output = Result<R>> + Send + 'static
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn GuestSandbox) -> Result<R> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let queued = self.jobs.send(Box::new(move |sb: &mut dyn GuestSandbox| {
            let _ = tx.send(f(sb));
        }));
        async move {
            queued.map_err(|_| Error::internal("the sandbox thread has stopped"))?;
            rx.await.map_err(|_| Error::internal("the sandbox thread stopped during the operation"))?
        }
    }

    /// As of the last finished job; never waits for the queue.
    pub fn poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }
}

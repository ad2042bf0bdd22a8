//! One thread per sandbox. Jobs run in the order they were submitted, so
//! calls on one sandbox never interleave, and the Node event loop never waits
//! on a guest: it hands a job over and is told the result later.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use crate::backend::{BackendKind, GuestSandbox};
use crate::call::CallControl;
use crate::error::{Error, Result};

/// A job sees the sandbox, or why the sandbox could not be created. It
/// returns what tells the submitter, run once the sandbox is free again: so
/// whoever learns the result can use the sandbox at once (`try_now`).
type Job = Box<dyn FnOnce(std::result::Result<&mut dyn GuestSandbox, &Error>) -> Report + Send>;
type Report = Box<dyn FnOnce() + Send>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Calls often come back to back: poll the queue briefly before sleeping.
fn next_job(queue: &mpsc::Receiver<Job>) -> Option<Job> {
    let mut closed = false;
    let polled = crate::spin::poll(crate::spin::HOST_SPIN, || match queue.try_recv() {
        Ok(job) => Some(Some(job)),
        Err(mpsc::TryRecvError::Empty) => None,
        Err(mpsc::TryRecvError::Disconnected) => {
            closed = true;
            Some(None)
        }
    });
    match polled {
        Some(job) => job,
        None if closed => None,
        None => queue.recv().ok(),
    }
}

#[derive(Clone)]
pub struct SandboxWorker {
    jobs: mpsc::Sender<Job>,
    poisoned: Arc<AtomicBool>,
    /// Stops the call in progress from any thread (monitors, `kill()`).
    control: Arc<CallControl>,
    /// The sandbox, once created. Its thread holds the lock while a job runs.
    slot: Arc<Mutex<Option<Box<dyn GuestSandbox>>>>,
    /// Jobs submitted and not yet finished: while any are, `try_now` waits its turn.
    pending: Arc<AtomicUsize>,
    /// Some while `try_now` runs: jobs submitted meanwhile (a host function
    /// it ran may use the sandbox again) wait here, to go behind the call's
    /// own continuation.
    held: Arc<Mutex<Option<Vec<Job>>>>,
}

/// Given to `try_now`'s work: queues the rest of that work on the sandbox's
/// thread, ahead of anything submitted while it ran.
pub struct Later<'w>(&'w SandboxWorker);

impl Later<'_> {
    pub fn submit<R, F, D>(&self, f: F, done: D)
    where
        F: FnOnce(&mut dyn GuestSandbox) -> Result<R> + Send + 'static,
        D: FnOnce(Result<R>) + Send + 'static,
        R: Send + 'static,
    {
        self.0.pending.fetch_add(1, Ordering::Relaxed);
        self.0.send(self.0.job(f, done));
    }
}

impl SandboxWorker {
    /// Starts the thread, which first creates its sandbox with `factory`
    /// (so even that slow step is off the caller's thread). If the factory
    /// fails, every job submitted gets its error.
    pub fn start<F>(kind: BackendKind, factory: F) -> Result<Self>
    where
        F: FnOnce() -> Result<Box<dyn GuestSandbox>> + Send + 'static,
    {
        let (jobs, queue) = mpsc::channel::<Job>();
        let slot: Arc<Mutex<Option<Box<dyn GuestSandbox>>>> = Arc::default();
        let pending = Arc::new(AtomicUsize::new(0));
        let (thread_slot, thread_pending) = (slot.clone(), pending.clone());
        thread::Builder::new()
            .name("hyperlight-js-sandbox".into())
            .spawn(move || match factory() {
                Ok(sandbox) => {
                    let alive = crate::telemetry::Alive::new(kind);
                    *lock(&thread_slot) = Some(sandbox);
                    while let Some(job) = next_job(&queue) {
                        let report = {
                            let mut slot = lock(&thread_slot);
                            let sandbox = slot.as_mut().expect("the sandbox lives until its thread ends");
                            job(Ok(sandbox.as_mut()))
                        };
                        thread_pending.fetch_sub(1, Ordering::Release);
                        report();
                    }
                    // Every handle is gone: dropping the sandbox ends its guest.
                    drop(lock(&thread_slot).take());
                    drop(alive);
                }
                Err(e) => {
                    for job in queue {
                        job(Err(&e))();
                    }
                }
            })
            .map_err(|e| Error::internal(format!("could not start a sandbox thread: {e}")))?;
        Ok(Self {
            jobs,
            poisoned: Arc::new(AtomicBool::new(false)),
            control: Arc::new(CallControl::default()),
            slot,
            pending,
            held: Arc::default(),
        })
    }

    /// Queues `f` behind every job submitted before it; `done` gets its result
    /// on the sandbox thread.
    pub fn submit<R, F, D>(&self, f: F, done: D)
    where
        F: FnOnce(&mut dyn GuestSandbox) -> Result<R> + Send + 'static,
        D: FnOnce(Result<R>) + Send + 'static,
        R: Send + 'static,
    {
        let job = self.job(f, done);
        self.pending.fetch_add(1, Ordering::Relaxed);
        let mut held = lock(&self.held);
        match held.as_mut() {
            Some(held) => held.push(job),
            None => {
                drop(held);
                self.send(job);
            }
        }
    }

    fn job<R, F, D>(&self, f: F, done: D) -> Job
    where
        F: FnOnce(&mut dyn GuestSandbox) -> Result<R> + Send + 'static,
        D: FnOnce(Result<R>) + Send + 'static,
        R: Send + 'static,
    {
        let flag = self.poisoned.clone();
        let in_flight = crate::spin::InFlight::enter();
        Box::new(move |sb| {
            let _in_flight = in_flight;
            let result = match sb {
                Ok(sb) => {
                    let result = f(&mut *sb);
                    // Before `done`: whoever learns the result must see the flag that goes with it.
                    flag.store(sb.poisoned(), Ordering::Release);
                    result
                }
                Err(e) => Err(e.clone()),
            };
            Box::new(move || done(result))
        })
    }

    /// Hands a counted job to the thread.
    fn send(&self, job: Job) {
        if let Err(mpsc::SendError(job)) = self.jobs.send(job) {
            self.pending.fetch_sub(1, Ordering::Release);
            job(Err(&Error::internal("the sandbox thread has stopped")))();
        }
    }

    /// Runs `f` on the calling thread, now, if the sandbox exists and no job
    /// is queued or running; `None` (and `f` not run) otherwise. Calls stay
    /// in order: `f` runs only when everything submitted before has finished,
    /// what it leaves to `Later` runs next, and jobs submitted while it runs
    /// after that. `f` must return quickly: it holds up the caller and the sandbox.
    pub fn try_now<R>(&self, f: impl FnOnce(&mut dyn GuestSandbox, &Later<'_>) -> R) -> Option<R> {
        if self.pending.load(Ordering::Acquire) != 0 {
            return None;
        }
        let mut slot = self.slot.try_lock().ok()?;
        let sandbox = slot.as_mut()?;
        *lock(&self.held) = Some(Vec::new());
        let in_flight = crate::spin::InFlight::enter();
        let result = f(sandbox.as_mut(), &Later(self));
        self.poisoned.store(sandbox.poisoned(), Ordering::Release);
        drop((in_flight, slot));
        let held = lock(&self.held).take().unwrap_or_default();
        for job in held {
            self.send(job);
        }
        Some(result)
    }

    /// `submit`, blocking until the result is in.
    #[cfg(test)]
    pub fn run_blocking<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn GuestSandbox) -> Result<R> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel();
        self.submit(f, move |r| {
            let _ = tx.send(r);
        });
        rx.recv().map_err(|_| Error::internal("the sandbox thread stopped during the operation"))?
    }

    pub fn control(&self) -> &Arc<CallControl> {
        &self.control
    }

    /// As of the last finished job; never waits for the queue.
    pub fn poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Fake(Arc<Mutex<Vec<String>>>);

    impl GuestSandbox for Fake {
        fn load(&mut self, _: &[(String, String)], _: &[(String, String)]) -> Result<()> {
            Ok(())
        }
        fn call(&mut self, handler: &str, event: &str, _: bool) -> Result<String> {
            self.0.lock().unwrap().push(event.to_string());
            if handler == "poison" {
                return Err(Error::poisoned("x"));
            }
            Ok(event.to_string())
        }
        fn unload(&mut self) -> Result<()> {
            Ok(())
        }
        fn poisoned(&self) -> bool {
            self.0.lock().unwrap().last().map(|s| s == "p").unwrap_or(false)
        }
        fn mark_poisoned(&mut self, _: String) {}
        fn interrupt_target(&self) -> crate::call::InterruptTarget {
            Arc::new(|| {})
        }
        fn cpu_clock(&self) -> Option<crate::monitor::GuestClock> {
            None
        }
        fn snapshot(&mut self) -> Result<Arc<dyn crate::backend::GuestSnapshot>> {
            Err(Error::internal("none"))
        }
        fn restore(&mut self, _: &dyn crate::backend::GuestSnapshot) -> Result<()> {
            Err(Error::internal("none"))
        }
    }

    #[test]
    fn jobs_run_in_submission_order() {
        let log = Arc::new(Mutex::new(vec![]));
        let l = log.clone();
        let w = SandboxWorker::start(BackendKind::Process, move || Ok(Box::new(Fake(l)) as Box<dyn GuestSandbox>)).unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..100 {
            let tx = tx.clone();
            w.submit(move |sb| sb.call("h", &i.to_string(), true), move |r| tx.send(r.unwrap()).unwrap());
        }
        let got: Vec<String> = (0..100).map(|_| rx.recv().unwrap()).collect();
        let want: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        assert_eq!(got, want);
        assert_eq!(*log.lock().unwrap(), want);
    }

    #[test]
    fn try_now_runs_only_when_nothing_is_queued_or_running() {
        let log = Arc::new(Mutex::new(vec![]));
        let l = log.clone();
        let w = SandboxWorker::start(BackendKind::Process, move || Ok(Box::new(Fake(l)) as Box<dyn GuestSandbox>)).unwrap();
        // Block the sandbox thread inside a job until told to go on.
        let (go, wait) = mpsc::channel::<()>();
        let (started, is_started) = mpsc::channel::<()>();
        w.submit(
            move |sb| {
                started.send(()).unwrap();
                wait.recv().unwrap();
                sb.call("h", "slow", true)
            },
            |_| {},
        );
        is_started.recv().unwrap();
        assert!(w.try_now(|sb, _| sb.call("h", "jumped the queue", true)).is_none(), "a job is running");
        go.send(()).unwrap();
        w.run_blocking(|_| Ok(())).unwrap();
        assert_eq!(w.try_now(|sb, _| sb.call("h", "now", true)).unwrap().unwrap(), "now");
        assert_eq!(*log.lock().unwrap(), ["slow", "now"]);
        // Its result's poisoning is visible at once, as after a job.
        w.try_now(|sb, _| sb.call("h", "p", true)).unwrap().unwrap();
        assert!(w.poisoned());
    }

    #[test]
    fn what_try_now_leaves_for_later_runs_before_jobs_submitted_meanwhile() {
        let log = Arc::new(Mutex::new(vec![]));
        let l = log.clone();
        let w = SandboxWorker::start(BackendKind::Process, move || Ok(Box::new(Fake(l)) as Box<dyn GuestSandbox>)).unwrap();
        w.run_blocking(|_| Ok(())).unwrap();
        let (tx, rx) = mpsc::channel();
        let (tx2, tx3) = (tx.clone(), tx.clone());
        w.try_now(|sb, later| {
            sb.call("h", "now", true).unwrap();
            // As a host function calling the sandbox again would.
            w.submit(|sb| sb.call("h", "submitted meanwhile", true), move |r| tx2.send(r.unwrap()).unwrap());
            later.submit(|sb| sb.call("h", "continuation", true), move |r| tx3.send(r.unwrap()).unwrap());
        })
        .unwrap();
        drop(tx);
        let order: Vec<String> = rx.iter().collect();
        assert_eq!(order, ["continuation", "submitted meanwhile"]);
        assert_eq!(*log.lock().unwrap(), ["now", "continuation", "submitted meanwhile"]);
    }

    #[test]
    fn a_failed_factory_fails_every_job() {
        let w = SandboxWorker::start(BackendKind::Process, || Err(Error::internal("no guest"))).unwrap();
        let err = w.run_blocking(|sb| sb.call("h", "1", true)).unwrap_err();
        assert_eq!(err.message, "no guest");
        assert!(w.run_blocking(|sb| sb.unload()).is_err());
    }

    #[test]
    fn poisoned_flag_follows_the_sandbox() {
        let log = Arc::new(Mutex::new(vec![]));
        let l = log.clone();
        let w = SandboxWorker::start(BackendKind::Process, move || Ok(Box::new(Fake(l)) as Box<dyn GuestSandbox>)).unwrap();
        assert!(!w.poisoned());
        w.run_blocking(|sb| sb.call("h", "p", true)).unwrap();
        assert!(w.poisoned());
    }
}

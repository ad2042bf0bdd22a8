//! One thread per sandbox. Jobs run in the order they were submitted, so
//! calls on one sandbox never interleave, and the Node event loop never waits
//! on a guest: it hands a job over and is told the result later.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::call::CallControl;
use crate::config::BackendKind;
use crate::error::{Error, Result};
use crate::lock;
use crate::sandbox::Sandbox;

/// A job sees the sandbox, or why the sandbox could not be created. It
/// returns what tells the submitter, run once the sandbox is free again: so
/// whoever learns the result can use the sandbox at once (`try_now`).
type Job = Box<dyn FnOnce(std::result::Result<&mut Sandbox, &Error>) -> Report + Send>;
type Report = Box<dyn FnOnce() + Send>;

/// Calls often come back to back: poll the queue briefly before sleeping.
fn next_job(queue: &mpsc::Receiver<Job>) -> Option<Job> {
    let mut closed = false;
    let polled = hyperlight_js_wire::spin::poll(hyperlight_js_wire::spin::HOST_SPIN, || match queue.try_recv() {
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

/// The jobs whose submitters have not been told yet. A guest that is stuck
/// for good (a vCPU that does not stop when killed, a boot that never ends)
/// holds its thread forever, and every job behind it with it; `fail_all` then
/// tells them all, and every later submitter at once, instead of leaving
/// their promises pending for ever.
#[derive(Default)]
pub struct Outstanding {
    state: Mutex<OutstandingState>,
}

type Fail = Box<dyn FnOnce(Error) + Send>;

#[derive(Default)]
struct OutstandingState {
    next: u64,
    waiting: HashMap<u64, Fail>,
    stuck: Option<Error>,
}

impl Outstanding {
    /// Registers a job's failure path; `Err` (and `fail` back) when already stuck.
    fn add(&self, fail: Fail) -> std::result::Result<u64, (Error, Fail)> {
        let mut s = lock(&self.state);
        if let Some(e) = &s.stuck {
            return Err((e.clone(), fail));
        }
        s.next += 1;
        let id = s.next;
        s.waiting.insert(id, fail);
        Ok(id)
    }

    fn remove(&self, id: u64) {
        lock(&self.state).waiting.remove(&id);
    }

    /// The sandbox is unusable for good (stuck, or disposed): fail every job
    /// not yet reported, and every later one. Only the first call counts.
    pub fn fail_all(&self, err: Error) {
        let waiting = {
            let mut s = lock(&self.state);
            if s.stuck.is_some() {
                return;
            }
            s.stuck = Some(err.clone());
            std::mem::take(&mut s.waiting)
        };
        for (_, fail) in waiting {
            fail(err.clone());
        }
    }

    fn stuck(&self) -> Option<Error> {
        lock(&self.state).stuck.clone()
    }
}

#[derive(Clone)]
pub struct SandboxWorker {
    jobs: mpsc::Sender<Job>,
    /// What [`Sandbox::poisoned`] said after the last job, published for
    /// the JS thread, which must not wait for the sandbox's lock to read it.
    poisoned_after_last_job: Arc<AtomicBool>,
    /// Stops the call in progress from any thread (monitors, `kill()`).
    control: Arc<CallControl>,
    /// The sandbox, once created. Its thread holds the lock while a job runs.
    slot: Arc<Mutex<Option<Sandbox>>>,
    /// Jobs submitted and not yet finished: while any are, `try_now` waits its turn.
    pending: Arc<AtomicUsize>,
    /// Some while `try_now` runs: jobs submitted meanwhile (a host function
    /// it ran may use the sandbox again) wait here, to go behind the call's
    /// own continuation.
    held: Arc<Mutex<Option<Vec<Job>>>>,
    outstanding: Arc<Outstanding>,
    /// Calls parked in their caller's event loop on this sandbox's guest
    /// (see `Later::park`): its thread, ending early (stuck, disposed), does
    /// not drop the guest, and with it the descriptor the loop polls, under them.
    parked: Arc<(Mutex<usize>, std::sync::Condvar)>,
}

/// Given to `try_now`'s work (and a parked call's `resume`): goes on with
/// that work on the sandbox's thread, ahead of anything submitted while it
/// ran, or parks it.
pub struct Later<'w> {
    worker: &'w SandboxWorker,
    parked: std::cell::Cell<bool>,
}

impl<'w> Later<'w> {
    fn new(worker: &'w SandboxWorker) -> Self {
        Self { worker, parked: std::cell::Cell::new(false) }
    }

    pub fn submit<R, F, D>(&self, f: F, done: D)
    where
        F: FnOnce(&mut Sandbox) -> Result<R> + Send + 'static,
        D: FnOnce(Result<R>) + Send + 'static,
        R: Send + 'static,
    {
        self.worker.pending.fetch_add(1, Ordering::Relaxed);
        self.worker.send(self.worker.job(f, done));
    }

    /// The work goes on later on the caller's own thread (an event loop
    /// waiting for the guest's doorbell): until [`Parked::resume`] ends
    /// without parking again, the sandbox stays the caller's, and jobs
    /// submitted meanwhile wait behind it. `fail` is told, as a queued job
    /// would be, if the sandbox becomes unusable for good meanwhile
    /// (`dispose()`, a stuck guest); the caller must not tell its caller twice.
    pub fn park(&self, fail: impl FnOnce(Error) + Send + 'static) -> Parked {
        self.parked.set(true);
        *lock(&self.worker.parked.0) += 1;
        let id = match self.worker.outstanding.add(Box::new(fail)) {
            Ok(id) => Some(id),
            Err((stuck, fail)) => {
                fail(stuck);
                None
            }
        };
        Parked { worker: Some(self.worker.clone()), id }
    }
}

/// A call parked by [`Later::park`]. It must be resumed; dropped instead,
/// it at least lets the jobs behind it run. Not counted in flight (see
/// `spin::budget`): nothing polls for it, and its guest has mostly answered
/// long before the loop gets to it, so counting it would only stop the
/// other sandboxes' guests polling for their next calls.
pub struct Parked {
    worker: Option<SandboxWorker>,
    /// Its entry in `Outstanding`.
    id: Option<u64>,
}

impl Parked {
    /// Runs `f` on the parked call's sandbox, on this thread; what `f`
    /// leaves to `Later` runs next on the sandbox's thread, then the jobs
    /// submitted while it was parked, unless `f` parks it again. `None` if
    /// the sandbox is gone (its thread ended), with `f` not run.
    pub fn resume<R>(mut self, f: impl FnOnce(&mut Sandbox, &Later<'_>) -> R) -> Option<R> {
        let worker = self.worker.take()?;
        if let Some(id) = self.id {
            // A `park` in `f` registers anew.
            worker.outstanding.remove(id);
        }
        let later = Later::new(&worker);
        let result = {
            let mut slot = lock(&worker.slot);
            let sandbox = slot.as_mut();
            sandbox.map(|sb| {
                let result = f(sb, &later);
                worker.poisoned_after_last_job.store(sb.poisoned(), Ordering::Release);
                result
            })
        };
        if !later.parked.get() {
            worker.release_parked();
        }
        result
    }
}

impl Drop for Parked {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.take() {
            if let Some(id) = self.id {
                worker.outstanding.remove(id);
            }
            worker.release_parked();
        }
    }
}

impl SandboxWorker {
    /// Starts the thread, which first creates its sandbox with `factory`
    /// (so even that slow step is off the caller's thread). If the factory
    /// fails, every job submitted gets its error; if it has not finished
    /// within `boot_limit`, every job fails (see [`Outstanding`]).
    pub fn start<F>(kind: BackendKind, boot_limit: Duration, factory: F) -> Result<Self>
    where
        F: FnOnce() -> Result<Sandbox> + Send + 'static,
    {
        Self::start_with_grace(kind, boot_limit, crate::call::kill_grace(), factory)
    }

    /// `start`, with the kill grace given (tests use a short one).
    fn start_with_grace<F>(kind: BackendKind, boot_limit: Duration, kill_grace: Duration, factory: F) -> Result<Self>
    where
        F: FnOnce() -> Result<Sandbox> + Send + 'static,
    {
        let (jobs, queue) = mpsc::channel::<Job>();
        let slot: Arc<Mutex<Option<Sandbox>>> = Arc::default();
        let pending = Arc::new(AtomicUsize::new(0));
        let outstanding = Arc::new(Outstanding::default());
        let boot_watch = {
            let outstanding = outstanding.clone();
            crate::call::after(boot_limit, move || {
                outstanding.fail_all(Error::internal(format!(
                    "the sandbox's guest did not start within {} ms (setLoadTimeoutMs); it was left behind and this sandbox cannot be used",
                    boot_limit.as_millis()
                )))
            })?
        };
        let wedge = outstanding.clone();
        let control = Arc::new(CallControl::with_stuck_handler(
            Arc::new(move |e: Error| {
                tracing::error!(error = %e.message, "a sandbox is stuck");
                wedge.fail_all(e)
            }),
            kill_grace,
        ));
        let parked: Arc<(Mutex<usize>, std::sync::Condvar)> = Arc::default();
        let (thread_slot, thread_pending, thread_outstanding, thread_control, thread_parked) =
            (slot.clone(), pending.clone(), outstanding.clone(), control.clone(), parked.clone());
        thread::Builder::new()
            .name("hyperlight-js-sandbox".into())
            .spawn(move || match (factory(), boot_watch.abort()) {
                (Ok(mut sandbox), ()) => {
                    sandbox.set_control(thread_control);
                    let alive = crate::telemetry::Alive::new(kind, sandbox.memory_bytes());
                    *lock(&thread_slot) = Some(sandbox);
                    while let Some(job) = next_job(&queue) {
                        if let Some(stuck) = thread_outstanding.stuck() {
                            // Told already; a guest that came back late runs nothing more.
                            job(Err(&stuck))();
                            break;
                        }
                        let report = {
                            let mut slot = lock(&thread_slot);
                            let sandbox = slot.as_mut().expect("the sandbox lives until its thread ends");
                            job(Ok(sandbox))
                        };
                        thread_pending.fetch_sub(1, Ordering::Release);
                        report();
                    }
                    // Every handle is gone, or the sandbox is stuck or disposed:
                    // dropping the sandbox ends its guest, once no call waits in
                    // an event loop on it. Those end soon: a stuck or disposed
                    // sandbox's guest has been killed, which is what they wait for.
                    let (count, gone) = &*thread_parked;
                    drop(gone.wait_while(lock(count), |n| *n > 0).unwrap_or_else(|p| p.into_inner()));
                    drop(lock(&thread_slot).take());
                    drop(alive);
                }
                (Err(e), ()) => {
                    for job in queue {
                        job(Err(&e))();
                    }
                }
            })
            .map_err(|e| Error::internal(format!("could not start a sandbox thread: {e}")))?;
        Ok(Self {
            jobs,
            poisoned_after_last_job: Arc::new(AtomicBool::new(false)),
            control,
            slot,
            pending,
            held: Arc::default(),
            outstanding,
            parked,
        })
    }

    /// Queues `f` behind every job submitted before it; `done` gets its result
    /// on the sandbox thread.
    pub fn submit<R, F, D>(&self, f: F, done: D)
    where
        F: FnOnce(&mut Sandbox) -> Result<R> + Send + 'static,
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
        F: FnOnce(&mut Sandbox) -> Result<R> + Send + 'static,
        D: FnOnce(Result<R>) + Send + 'static,
        R: Send + 'static,
    {
        let flag = self.poisoned_after_last_job.clone();
        let in_flight = hyperlight_js_wire::spin::InFlight::enter();
        // `done` runs once: when the job ends, or when the sandbox fails them all first.
        let done = Arc::new(Mutex::new(Some(done)));
        let early = done.clone();
        let fail: Fail = Box::new(move |e| {
            if let Some(done) = lock(&early).take() {
                done(Err(e))
            }
        });
        let id = match self.outstanding.add(fail) {
            Ok(id) => Some(id),
            Err((stuck, fail)) => {
                fail(stuck);
                None
            }
        };
        let outstanding = self.outstanding.clone();
        Box::new(move |sb| {
            let _in_flight = in_flight;
            let result = match sb {
                Ok(sb) if id.is_some() => {
                    let result = f(&mut *sb);
                    // Before `done`: whoever learns the result must see the flag that goes with it.
                    flag.store(sb.poisoned(), Ordering::Release);
                    result
                }
                Ok(_) => Err(Error::internal("the sandbox is stuck")),
                Err(e) => Err(e.clone()),
            };
            Box::new(move || {
                if let Some(id) = id {
                    outstanding.remove(id);
                }
                if let Some(done) = lock(&done).take() {
                    done(result)
                }
            })
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
    pub fn try_now<R>(&self, f: impl FnOnce(&mut Sandbox, &Later<'_>) -> R) -> Option<R> {
        if self.pending.load(Ordering::Acquire) != 0 {
            return None;
        }
        let mut slot = self.slot.try_lock().ok()?;
        let sandbox = slot.as_mut()?;
        *lock(&self.held) = Some(Vec::new());
        let in_flight = hyperlight_js_wire::spin::InFlight::enter();
        let later = Later::new(self);
        let result = f(sandbox, &later);
        self.poisoned_after_last_job.store(sandbox.poisoned(), Ordering::Release);
        if later.parked.get() {
            // Counted as a job, so `try_now` waits, and `held` stays in place
            // so jobs submitted meanwhile wait, until `Parked::resume` releases it.
            self.pending.fetch_add(1, Ordering::Relaxed);
            drop((in_flight, slot));
            return Some(result);
        }
        drop((in_flight, slot));
        self.flush_held();
        Some(result)
    }

    /// The jobs submitted while `try_now`'s work (or a parked call) held the
    /// sandbox go to its thread.
    fn flush_held(&self) {
        let held = lock(&self.held).take().unwrap_or_default();
        for job in held {
            self.send(job);
        }
    }

    /// A parked call ended (or was given up): what waited behind it may run.
    fn release_parked(&self) {
        self.pending.fetch_sub(1, Ordering::Release);
        self.flush_held();
        let (count, gone) = &*self.parked;
        *lock(count) -= 1;
        gone.notify_all();
    }

    /// `submit`, blocking until the result is in.
    #[cfg(test)]
    pub fn run_blocking<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Sandbox) -> Result<R> + Send + 'static,
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

    /// Frees the guest now (`dispose()`): the running call is stopped, it
    /// and every queued or later job fail with `ERR_CONSUMED`, and the
    /// sandbox's thread ends, dropping its guest, without waiting for the
    /// handle to be garbage-collected.
    pub fn dispose(&self, what: &str) {
        self.outstanding.fail_all(Error::consumed(format!("this {what} was disposed (dispose())")));
        self.control.terminate(crate::call::DISPOSED);
        // An idle thread sleeps on its queue: wake it, so it sees the end now.
        let _ = self.jobs.send(Box::new(|_| Box::new(|| ())));
    }

    /// As of the last finished job; never waits for the queue.
    pub fn poisoned(&self) -> bool {
        self.poisoned_after_last_job.load(Ordering::Acquire) || self.outstanding.stuck().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Scripted;
    use std::sync::Mutex;

    /// Logs each call's event and answers with it; the event "p" leaves it broken (poisoned).
    fn fake(log: Arc<Mutex<Vec<String>>>) -> impl FnOnce() -> Result<Sandbox> {
        move || {
            let broken = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let breaks = broken.clone();
            let run = move |event: &str| {
                log.lock().unwrap().push(event.to_string());
                breaks.store(event == "p", Ordering::Relaxed);
                Ok(event.to_string())
            };
            let mut guest = Scripted::new(run, Arc::new(|| {}));
            guest.broken = broken;
            Ok(guest.sandbox())
        }
    }

    /// Calls handler "h" with `event`, unmonitored.
    fn call(sb: &mut Sandbox, event: &str) -> Result<String> {
        sb.call("h", event, &crate::CallOptions::default()).0
    }

    #[test]
    fn jobs_run_in_submission_order() {
        let log = Arc::new(Mutex::new(vec![]));
        let l = log.clone();
        let w = SandboxWorker::start(BackendKind::Process, Duration::from_secs(60), fake(l)).unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..100 {
            let tx = tx.clone();
            w.submit(move |sb| call(sb, &i.to_string()), move |r| tx.send(r.unwrap()).unwrap());
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
        let w = SandboxWorker::start(BackendKind::Process, Duration::from_secs(60), fake(l)).unwrap();
        // Block the sandbox thread inside a job until told to go on.
        let (go, wait) = mpsc::channel::<()>();
        let (started, is_started) = mpsc::channel::<()>();
        w.submit(
            move |sb| {
                started.send(()).unwrap();
                wait.recv().unwrap();
                call(sb, "slow")
            },
            |_| {},
        );
        is_started.recv().unwrap();
        assert!(w.try_now(|sb, _| call(sb, "jumped the queue")).is_none(), "a job is running");
        go.send(()).unwrap();
        w.run_blocking(|_| Ok(())).unwrap();
        assert_eq!(w.try_now(|sb, _| call(sb, "now")).unwrap().unwrap(), "now");
        assert_eq!(*log.lock().unwrap(), ["slow", "now"]);
        // Its result's poisoning is visible at once, as after a job.
        w.try_now(|sb, _| call(sb, "p")).unwrap().unwrap();
        assert!(w.poisoned());
    }

    #[test]
    fn what_try_now_leaves_for_later_runs_before_jobs_submitted_meanwhile() {
        let log = Arc::new(Mutex::new(vec![]));
        let l = log.clone();
        let w = SandboxWorker::start(BackendKind::Process, Duration::from_secs(60), fake(l)).unwrap();
        w.run_blocking(|_| Ok(())).unwrap();
        let (tx, rx) = mpsc::channel();
        let (tx2, tx3) = (tx.clone(), tx.clone());
        w.try_now(|sb, later| {
            call(sb, "now").unwrap();
            // As a host function calling the sandbox again would.
            w.submit(|sb| call(sb, "submitted meanwhile"), move |r| tx2.send(r.unwrap()).unwrap());
            later.submit(|sb| call(sb, "continuation"), move |r| tx3.send(r.unwrap()).unwrap());
        })
        .unwrap();
        drop(tx);
        let order: Vec<String> = rx.iter().collect();
        assert_eq!(order, ["continuation", "submitted meanwhile"]);
        assert_eq!(*log.lock().unwrap(), ["now", "continuation", "submitted meanwhile"]);
    }

    #[test]
    fn a_parked_call_keeps_the_sandbox_until_it_is_resumed_without_parking_again() {
        let log = Arc::new(Mutex::new(vec![]));
        let l = log.clone();
        let w = SandboxWorker::start(BackendKind::Process, Duration::from_secs(60), fake(l)).unwrap();
        w.run_blocking(|_| Ok(())).unwrap();
        let parked = w.try_now(|sb, later| {
            call(sb, "started").unwrap();
            later.park(|_| {})
        })
        .unwrap();
        let (tx, rx) = mpsc::channel();
        let tx2 = tx.clone();
        w.submit(|sb| call(sb, "submitted while parked"), move |r| tx.send(r.unwrap()).unwrap());
        assert!(w.try_now(|_, _| ()).is_none(), "the parked call holds the sandbox");
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err(), "nothing runs behind a parked call");
        // Resumed and parked again: still held.
        let parked = parked.resume(|sb, later| {
            call(sb, "resumed").unwrap();
            later.park(|_| {})
        })
        .unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        // Resumed for good: its continuation first, then what waited.
        parked
            .resume(|_, later| later.submit(|sb| call(sb, "continuation"), move |r| tx2.send(r.unwrap()).unwrap()))
            .unwrap();
        let order: Vec<String> = (0..2).map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap()).collect();
        assert_eq!(order, ["continuation", "submitted while parked"]);
        assert_eq!(*log.lock().unwrap(), ["started", "resumed", "continuation", "submitted while parked"]);
        assert!(w.try_now(|sb, _| call(sb, "free again")).is_some());
        // dispose() fails a parked call as it fails a queued one.
        let (tx, rx) = mpsc::channel();
        let parked = w.try_now(|_, later| later.park(move |e| tx.send(e).unwrap())).unwrap();
        w.dispose("LoadedJSSandbox");
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap().code, crate::ErrorCode::Consumed);
        drop(parked);
        let w = SandboxWorker::start(BackendKind::Process, Duration::from_secs(60), fake(Arc::default())).unwrap();
        w.run_blocking(|_| Ok(())).unwrap();
        // A parked call dropped without a resume still lets the queue run.
        let parked = w.try_now(|_, later| later.park(|_| {})).unwrap();
        let (tx, rx) = mpsc::channel();
        w.submit(|sb| call(sb, "after a dropped park"), move |r| tx.send(r.unwrap()).unwrap());
        drop(parked);
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), "after a dropped park");
    }

    #[test]
    fn a_failed_factory_fails_every_job() {
        let w = SandboxWorker::start(BackendKind::Process, Duration::from_secs(60), || Err(Error::internal("no guest"))).unwrap();
        let err = w.run_blocking(|sb| call(sb, "1")).unwrap_err();
        assert_eq!(err.message, "no guest");
        assert!(w.run_blocking(|sb| sb.unload()).is_err());
    }

    #[test]
    fn poisoned_flag_follows_the_sandbox() {
        let log = Arc::new(Mutex::new(vec![]));
        let l = log.clone();
        let w = SandboxWorker::start(BackendKind::Process, Duration::from_secs(60), fake(l)).unwrap();
        assert!(!w.poisoned());
        w.run_blocking(|sb| call(sb, "p")).unwrap();
        assert!(w.poisoned());
    }

    /// A guest whose "hang" call waits for `release`; with `release` its
    /// interrupt target releases it, else it ignores every kill, as a vCPU
    /// stuck in the kernel does.
    fn stuck(hold: mpsc::Receiver<()>, release: Option<mpsc::Sender<()>>) -> impl FnOnce() -> Result<Sandbox> {
        move || {
            let run = move |event: &str| {
                if event == "hang" {
                    let _ = hold.recv();
                }
                Ok(event.to_string())
            };
            let release = release.map(Mutex::new);
            let interrupt = Arc::new(move || {
                if let Some(release) = &release {
                    let _ = lock(release).send(());
                }
            });
            Ok(Scripted::new(run, interrupt).sandbox())
        }
    }

    fn kill_while_hanging(w: &SandboxWorker) -> mpsc::Receiver<Result<String>> {
        kill_while_hanging_after(w, |w| assert!(w.control().kill()))
    }

    /// Starts a "hang" call, then runs `stop` once it is running.
    fn kill_while_hanging_after(w: &SandboxWorker, stop: impl FnOnce(&SandboxWorker)) -> mpsc::Receiver<Result<String>> {
        let (tx, rx) = mpsc::channel();
        w.submit(move |sb| call(sb, "hang"), move |r| tx.send(r).unwrap());
        while !w.control().is_running() {
            std::thread::sleep(Duration::from_millis(1));
        }
        stop(w);
        rx
    }

    #[test]
    fn a_killed_guest_that_does_not_stop_fails_its_call_and_everything_after_it() {
        let (release, hold) = mpsc::channel();
        let w = SandboxWorker::start_with_grace(BackendKind::Hypervisor, Duration::from_secs(60), Duration::from_millis(100), stuck(hold, None))
        .unwrap();
        w.run_blocking(|_| Ok(())).unwrap();
        let (tx, rx) = mpsc::channel();
        let (t1, t2) = (tx.clone(), tx.clone());
        w.submit(move |sb| call(sb, "hang"), move |r| t1.send(("hung", r)).unwrap());
        w.submit(|sb| call(sb, "queued"), move |r| t2.send(("queued", r)).unwrap());
        // Let the first call start, then kill it: the guest ignores the kill.
        while !w.control().is_running() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let killed_at = std::time::Instant::now();
        assert!(w.control().kill());
        let mut got: Vec<_> = (0..2).map(|_| rx.recv_timeout(Duration::from_secs(10)).expect("told within the grace")).collect();
        assert!(killed_at.elapsed() < Duration::from_secs(5));
        got.sort_by_key(|(what, _)| *what);
        for (what, r) in got {
            let e = r.expect_err(what);
            assert_eq!(e.code, crate::ErrorCode::Internal, "{what}");
            assert!(e.message.contains("did not stop within 100 ms of being stopped by kill"), "{}", e.message);
            assert!(e.message.contains("cannot be used again"), "{}", e.message);
        }
        assert!(w.poisoned());
        // A later job is told at once, not queued behind the stuck guest.
        let (tx, rx) = mpsc::channel();
        w.submit(|sb| call(sb, "later"), move |r| tx.send(r).unwrap());
        assert_eq!(rx.recv_timeout(Duration::from_secs(1)).unwrap().unwrap_err().code, crate::ErrorCode::Internal);
        // If the guest comes back after all, nothing runs and nobody is told twice.
        release.send(()).unwrap();
        let (tx, rx) = mpsc::channel();
        w.submit(|sb| call(sb, "after release"), move |r| tx.send(r).unwrap());
        assert!(rx.recv_timeout(Duration::from_secs(1)).unwrap().is_err());
    }

    #[test]
    fn a_guest_that_never_boots_fails_its_jobs_after_the_boot_limit() {
        let (_release, hold) = mpsc::channel::<()>();
        let w = SandboxWorker::start(BackendKind::Hypervisor, Duration::from_millis(100), move || {
            let _ = hold.recv();
            Err(Error::internal("never"))
        })
        .unwrap();
        let err = w.run_blocking(|_| Ok(())).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Internal);
        assert!(err.message.contains("did not start within 100 ms") && err.message.contains("setLoadTimeoutMs"), "{}", err.message);
        assert!(w.poisoned());
    }

    #[test]
    fn a_guest_that_stops_when_killed_is_not_reported_stuck() {
        let (release, hold) = mpsc::channel();
        let w = SandboxWorker::start_with_grace(BackendKind::Process, Duration::from_secs(60), Duration::from_millis(50), stuck(hold, Some(release)))
        .unwrap();
        let err = kill_while_hanging(&w).recv_timeout(Duration::from_secs(5)).unwrap().unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Cancelled, "{}", err.message);
        // Well past the grace: the watch was disarmed when the call ended.
        std::thread::sleep(Duration::from_millis(200));
        let reloaded = |sb: &mut Sandbox| {
            assert!(sb.poisoned(), "a killed call poisons its sandbox");
            sb.unload()?;
            sb.load(&[], &[("h".into(), String::new())], Duration::from_secs(60))?;
            call(sb, "2")
        };
        assert_eq!(w.run_blocking(reloaded).unwrap(), "2");
        assert!(!w.outstanding.stuck().is_some());
    }

    #[test]
    fn dispose_fails_the_running_call_and_the_queue_and_ends_the_thread() {
        let (release, hold) = mpsc::channel();
        let w = SandboxWorker::start(BackendKind::Process, Duration::from_secs(60), stuck(hold, Some(release)))
        .unwrap();
        let running = kill_while_hanging_after(&w, |w| w.dispose("LoadedJSSandbox"));
        let (tx, rx) = mpsc::channel();
        w.submit(|sb| call(sb, "after"), move |r| tx.send(r).unwrap());
        for r in [running.recv_timeout(Duration::from_secs(5)).unwrap(), rx.recv_timeout(Duration::from_secs(5)).unwrap()] {
            let e = r.unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::Consumed);
            assert!(e.message.contains("LoadedJSSandbox was disposed"), "{}", e.message);
        }
        // The thread dropped its guest: the slot empties.
        let until = std::time::Instant::now() + Duration::from_secs(5);
        while lock(&w.slot).is_some() {
            assert!(std::time::Instant::now() < until, "the guest was not dropped");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

//! How a call waits for its guest on the caller's thread (the fast path):
//! how long to poll, when to ask the kernel where the guest waits, when to
//! sleep at once, and when to move the guest off this CPU. The transport
//! (`transport.rs`) does the waiting; this holds the decisions and what they
//! remember from one call to the next.

use std::time::{Duration, Instant};

/// How many times the usual spin the caller's thread waits for a guest its
/// call had to wake (see `poll`), within `spin::MAX_CALLER_SPIN`.
const WOKEN_GUEST_SPIN_FACTOR: u32 = 4;
/// How long a woken guest is polled for before asking where it waits: on
/// another CPU it has mostly answered by then (a wake-up costs 10-30 us).
const WOKEN_GUEST_ASK_AFTER: Duration = Duration::from_micros(20);
/// Once the kernel said a woken guest waited on the caller's CPU, how many
/// calls after that sleep at once, without asking, while the guest keeps
/// going to sleep on that CPU. Then one asks again: on an idle machine the
/// kernel moves a guest that waits behind a polling thread to a free CPU,
/// and only a poll gives it the chance.
const ASK_AGAIN_AFTER: u8 = 8;
/// How many calls that find the guest on the caller's CPU go by before the
/// next one moves it elsewhere (see `move_guest_off`). On an idle machine one
/// move ends the mode where the two take turns on one CPU; on a busy one the
/// guest comes back, and each move costs a short poll and two system calls.
const MOVE_AGAIN_AFTER: u8 = 64;

/// What a sandbox's waits remember between calls.
#[derive(Debug, Default)]
pub(super) struct WaitPolicy {
    /// The call just sent had to wake the guest.
    woke_guest: bool,
    /// Calls left that may sleep at once for a woken guest (see `ASK_AGAIN_AFTER`).
    trust_here: u8,
    /// Calls that find the guest on this CPU before the next move (see `MOVE_AGAIN_AFTER`).
    move_in: u8,
}

/// How one poll begins.
#[derive(Debug)]
pub(super) struct Wait {
    /// The guest is (most likely) queued on this thread's CPU: sleep, do not poll.
    pub here: bool,
    /// How long a woken guest is waited for in all.
    pub woken_until: Instant,
    /// The end of the first poll.
    pub until: Instant,
    /// Ask where the guest waits once the first poll finds no answer.
    pub ask_where: bool,
}

impl WaitPolicy {
    /// A request left; `woke_peer`: it had to wake a sleeping guest.
    pub fn sent(&mut self, woke_peer: bool) {
        self.woke_guest = woke_peer;
    }

    /// The first wait of a call's poll. `peer_idle_here` says whether the
    /// guest went idle on this thread's CPU (read only when it can matter).
    pub fn begin(&mut self, spin: Duration, cap: Instant, peer_idle_here: impl FnOnce() -> bool) -> Wait {
        // A guest that had gone to sleep answers a wake-up later: worth a
        // longer first wait than handing the call over, which costs three.
        let woke = std::mem::take(&mut self.woke_guest);
        let now = Instant::now();
        let woken_until = (now + spin * WOKEN_GUEST_SPIN_FACTOR).min(cap);
        // But a woken guest the kernel queued on this thread's own CPU cannot
        // run while this thread polls (under load that is most calls, about
        // 400 us each): after a short poll, ask the kernel where it waits.
        // Once it said here, while the guest goes to sleep on this CPU it is
        // most likely queued here again: sleep at once, for a while.
        // A guest that was polling on this very CPU has been preempted by
        // this thread: sleep at once too, or it waits out the whole spin and
        // the hand-over (a mode seen on idle machines, about 70 us a call).
        let here = (!woke || self.trust_here > 0) && peer_idle_here();
        if here && woke {
            self.trust_here -= 1;
        }
        let until = if here {
            now
        } else if woke {
            (now + WOKEN_GUEST_ASK_AFTER).min(woken_until)
        } else {
            (now + spin).min(cap)
        };
        Wait { here, woken_until, until, ask_where: woke || here }
    }

    /// The kernel's word on whether the woken guest waits on this CPU: if it
    /// does, the next calls need not ask (see `ASK_AGAIN_AFTER`).
    pub fn kernel_says(&mut self, here: bool) -> bool {
        self.trust_here = if here { ASK_AGAIN_AFTER } else { 0 };
        here
    }

    /// Whether a guest found on this CPU is to be moved now: the first time,
    /// then once every `MOVE_AGAIN_AFTER` such calls.
    pub fn move_now(&mut self) -> bool {
        if self.move_in > 0 {
            self.move_in -= 1;
            return false;
        }
        self.move_in = MOVE_AGAIN_AFTER;
        true
    }

    /// The guest was moved: where it waits is no longer known.
    pub fn moved(&mut self) {
        self.trust_here = 0;
    }

    /// How long a moved guest is given to answer from its new CPU.
    pub fn after_move(woken_until: Instant) -> Instant {
        (Instant::now() + WOKEN_GUEST_ASK_AFTER).min(woken_until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPIN: Duration = Duration::from_micros(50);

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(1)
    }

    #[test]
    fn a_guest_awake_elsewhere_is_polled_for_the_spin() {
        let mut p = WaitPolicy::default();
        p.sent(false);
        let w = p.begin(SPIN, far(), || false);
        assert!(!w.here && !w.ask_where);
        assert!(w.until > Instant::now() + SPIN / 2);
    }

    #[test]
    fn a_woken_guest_is_polled_briefly_then_asked_about_and_trusted_for_a_while() {
        let mut p = WaitPolicy::default();
        p.sent(true);
        let w = p.begin(SPIN, far(), || panic!("not asked for a woken guest the kernel has not placed"));
        assert!(!w.here && w.ask_where);
        assert!(w.until <= Instant::now() + WOKEN_GUEST_ASK_AFTER);
        assert!(p.kernel_says(true));
        for _ in 0..ASK_AGAIN_AFTER {
            p.sent(true);
            let w = p.begin(SPIN, far(), || true);
            assert!(w.here, "trusted: sleeps at once");
        }
        p.sent(true);
        assert!(!p.begin(SPIN, far(), || true).here, "asks again after {ASK_AGAIN_AFTER} calls");
    }

    #[test]
    fn a_guest_idle_on_this_cpu_is_slept_for_at_once() {
        let mut p = WaitPolicy::default();
        p.sent(false);
        let w = p.begin(SPIN, far(), || true);
        assert!(w.here && w.ask_where && w.until <= Instant::now());
    }

    #[test]
    fn moves_come_first_then_every_64th_time_and_forget_where_the_guest_was() {
        let mut p = WaitPolicy::default();
        assert!(p.move_now());
        assert!((0..MOVE_AGAIN_AFTER).all(|_| !p.move_now()));
        assert!(p.move_now());
        p.kernel_says(true);
        p.moved();
        p.sent(true);
        assert!(!p.begin(SPIN, far(), || true).here);
    }
}

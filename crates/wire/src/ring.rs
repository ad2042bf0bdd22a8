//! Shared memory between the host and one guest process: a byte ring each
//! way, so a call to a guest that is polling costs no system call at all.
//!
//! The socket stays, for three things memory cannot do: waking a peer that
//! sleeps (a one-byte "doorbell"), carrying descriptors, and telling the
//! host that a guest died (the socket closes with the process).
//!
//! The host creates the memory (a sealed memfd that cannot shrink, so a
//! guest cannot make the host fault on it) and treats everything in it as
//! hostile: it keeps its own copy of its positions, checks the guest's
//! against them, and copies bytes out before decoding them.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{fence, AtomicU32, Ordering};

/// Bytes each way. A frame larger than this streams through in pieces.
pub const RING_CAPACITY: u32 = 64 * 1024;
/// Room for the positions and flags, each on its own cache line.
const HEADER: usize = 4096;
const MAP_LEN: usize = HEADER + 2 * RING_CAPACITY as usize;

/// Cache-line slots in the header, per direction: the writer's position,
/// the reader's position, "the reader sleeps", "the writer sleeps".
const TAIL: usize = 0;
const HEAD: usize = 1;
const READER_ASLEEP: usize = 2;
const WRITER_ASLEEP: usize = 3;
/// Past both directions' slots, one per side: the CPU it last went idle
/// on (to poll or to sleep), plus one (zero: not known). A hint for the
/// peer, nothing more.
const IDLE_ON: usize = 8;

/// One mapping of the shared memory; unmapped on drop.
pub struct SharedMemory {
    base: *mut u8,
}

// SAFETY: the mapping is plain memory; every access to the shared parts goes
// through atomics or copies checked against positions this side owns.
unsafe impl Send for SharedMemory {}

impl SharedMemory {
    /// The host's side: new memory, and the descriptor to send to the guest.
    pub fn create() -> io::Result<(Self, OwnedFd)> {
        // SAFETY: memfd_create with a static name; the descriptor is ours.
        let fd = unsafe { libc::memfd_create(c"hyperlight-js-ring".as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: just created, owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let seals = libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_SEAL;
        // SAFETY: plain calls on a descriptor we own.
        unsafe {
            if libc::ftruncate(fd.as_raw_fd(), MAP_LEN as libc::off_t) != 0
                || libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, seals) != 0
            {
                return Err(io::Error::last_os_error());
            }
        }
        Ok((Self::map(&fd)?, fd))
    }

    /// Maps memory made by `create` (the guest's side, from the descriptor
    /// it was sent). The guest trusts its host's size, and its jail has no fstat.
    pub fn map(fd: &OwnedFd) -> io::Result<Self> {
        // SAFETY: a fresh shared mapping of a descriptor we hold, not executable.
        let base = unsafe {
            libc::mmap(std::ptr::null_mut(), MAP_LEN, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd.as_raw_fd(), 0)
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Self { base: base.cast() })
    }
}

impl Drop for SharedMemory {
    fn drop(&mut self) {
        // SAFETY: our own mapping, of this length; nothing borrows it past the Ring.
        unsafe { libc::munmap(self.base.cast(), MAP_LEN) };
    }
}

/// Which end of the memory this process is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Host,
    Guest,
}

/// One direction of the ring as one side sees it, with that side's own
/// position (never read back from the shared memory, which the peer can write).
struct Half {
    dir: usize,
    pos: u32,
}

/// Both directions, as one side uses them.
pub struct Ring {
    mem: SharedMemory,
    tx: Half,
    rx: Half,
}

/// Data that came or went, and whether the peer now waits for a doorbell.
pub struct Moved {
    pub bytes: usize,
    pub ring_doorbell: bool,
    /// The peer that asked for the doorbell is a thread asleep for this
    /// (not an event loop, which has other work and no need of this CPU).
    pub woke_sleeper: bool,
}

/// What a side writes into its "asleep" slot: a thread asleep on the
/// socket, or an event loop that polls the socket among other things.
const ASLEEP: u32 = 1;
const WAITING_IN_LOOP: u32 = 2;

#[derive(Debug)]
pub struct Corrupt;

/// What a side waits for: data to read, or room to write.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Need {
    Data,
    Room,
}

impl Ring {
    pub fn new(mem: SharedMemory, side: Side) -> Self {
        // Direction 0 carries host → guest, direction 1 guest → host.
        let (tx, rx) = match side {
            Side::Host => (0, 1),
            Side::Guest => (1, 0),
        };
        Self { mem, tx: Half { dir: tx, pos: 0 }, rx: Half { dir: rx, pos: 0 } }
    }

    fn slot(&self, dir: usize, which: usize) -> &AtomicU32 {
        let offset = (dir * 4 + which) * 64;
        // SAFETY: inside the header page, 64-byte aligned, shared for the mapping's life.
        unsafe { &*(self.mem.base.add(offset) as *const AtomicU32) }
    }

    fn idle_on(&self, dir: usize) -> &AtomicU32 {
        // SAFETY: as for `slot`: inside the header page (two slots past the eight above).
        unsafe { &*(self.mem.base.add((IDLE_ON + dir) * 64) as *const AtomicU32) }
    }

    fn data(&self, dir: usize) -> *mut u8 {
        // SAFETY: the data areas follow the header inside the mapping.
        unsafe { self.mem.base.add(HEADER + dir * RING_CAPACITY as usize) }
    }

    /// Copies what fits of `src` in; `Corrupt` if the peer's position is impossible.
    pub fn write(&mut self, src: &[u8]) -> Result<Moved, Corrupt> {
        let dir = self.tx.dir;
        let n = src.len().min(self.writable()? as usize);
        if n > 0 {
            copy_in(self.data(dir), self.tx.pos, &src[..n]);
            self.tx.pos = self.tx.pos.wrapping_add(n as u32);
            self.slot(dir, TAIL).store(self.tx.pos, Ordering::Release);
        }
        Ok(moved(n, self.peer_sleeps(dir, READER_ASLEEP)))
    }

    /// Copies what has arrived into `dst`, as much as fits.
    pub fn read(&mut self, dst: &mut [u8]) -> Result<Moved, Corrupt> {
        let dir = self.rx.dir;
        let avail = self.readable()?;
        let n = dst.len().min(avail as usize);
        if n > 0 {
            copy_out(self.data(dir), self.rx.pos, &mut dst[..n]);
            self.rx.pos = self.rx.pos.wrapping_add(n as u32);
            self.slot(dir, HEAD).store(self.rx.pos, Ordering::Release);
        }
        Ok(moved(n, self.peer_sleeps(dir, WRITER_ASLEEP)))
    }

    fn readable(&self) -> Result<u32, Corrupt> {
        let tail = self.slot(self.rx.dir, TAIL).load(Ordering::Acquire);
        let avail = tail.wrapping_sub(self.rx.pos);
        if avail > RING_CAPACITY {
            return Err(Corrupt);
        }
        Ok(avail)
    }

    fn writable(&self) -> Result<u32, Corrupt> {
        let head = self.slot(self.tx.dir, HEAD).load(Ordering::Acquire);
        let used = self.tx.pos.wrapping_sub(head);
        if used > RING_CAPACITY {
            return Err(Corrupt);
        }
        Ok(RING_CAPACITY - used)
    }

    /// After moving data: does the peer sleep, waiting for it? The fence
    /// pairs with the one in `sleep`, so one side always sees the other:
    /// either the sleeper sees the data, or we see the sleeper.
    fn peer_sleeps(&self, dir: usize, which: usize) -> u32 {
        fence(Ordering::SeqCst);
        self.slot(dir, which).load(Ordering::Relaxed)
    }

    /// Whether what `need` waits for is there now.
    pub fn ready(&self, need: Need) -> Result<bool, Corrupt> {
        Ok(match need {
            Need::Data => self.readable()?,
            Need::Room => self.writable()?,
        } > 0)
    }

    /// The flag this side raises while it sleeps for `need`.
    fn asleep_flag(&self, need: Need) -> &AtomicU32 {
        match need {
            Need::Data => self.slot(self.rx.dir, READER_ASLEEP),
            Need::Room => self.slot(self.tx.dir, WRITER_ASLEEP),
        }
    }

    /// Announces that this side will sleep until `need` is met, unless it
    /// already is (then it must not sleep: true).
    pub fn sleep(&self, need: Need) -> Result<bool, Corrupt> {
        self.note_idle_cpu();
        self.announce(need, ASLEEP)
    }

    /// `sleep`, for an event loop that waits for data among other things:
    /// the peer rings as for a sleeper but keeps polling after it (see `Moved::woke_sleeper`).
    pub fn wait_in_loop(&self) -> Result<bool, Corrupt> {
        self.announce(Need::Data, WAITING_IN_LOOP)
    }

    fn announce(&self, need: Need, how: u32) -> Result<bool, Corrupt> {
        self.asleep_flag(need).store(how, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        let ready = self.ready(need)?;
        if ready {
            self.woke(need);
        }
        Ok(ready)
    }

    pub fn woke(&self, need: Need) {
        self.asleep_flag(need).store(0, Ordering::Relaxed);
    }

    /// Notes the CPU this side is about to wait on, polling or asleep, for
    /// the peer (see `peer_idle_on_this_cpu`).
    pub fn note_idle_cpu(&self) {
        self.idle_on(self.tx.dir).store(this_cpu().map_or(0, |cpu| cpu + 1), Ordering::Relaxed);
    }

    /// Whether the peer last went idle on the CPU this thread runs on now.
    /// If it went to sleep there, it is most likely queued there once
    /// woken (the kernel prefers the CPU a task last ran on, and the
    /// waker's); if it was polling there, this thread now holds that CPU,
    /// so it has been preempted (or moved). Either way it cannot run while
    /// this thread polls for its answer. The peer could lie: that only
    /// changes how its own answers are waited for.
    pub fn peer_idle_on_this_cpu(&self) -> bool {
        let cpu = self.idle_on(self.rx.dir).load(Ordering::Relaxed);
        cpu != 0 && this_cpu() == Some(cpu - 1)
    }

    /// What a hostile peer might do: claim to have written more than fits.
    #[cfg(test)]
    pub(crate) fn corrupt_for_test(&self) {
        self.slot(self.tx.dir, TAIL).store(self.tx.pos.wrapping_add(RING_CAPACITY + 1), Ordering::Release);
    }
}

fn moved(bytes: usize, asleep: u32) -> Moved {
    Moved { bytes, ring_doorbell: bytes > 0 && asleep != 0, woke_sleeper: bytes > 0 && asleep == ASLEEP }
}

/// The CPU this thread runs on (glibc answers from rseq or the vDSO: no
/// system call), if known.
pub fn this_cpu() -> Option<u32> {
    // SAFETY: no arguments; -1 on failure.
    u32::try_from(unsafe { libc::sched_getcpu() }).ok()
}

fn copy_in(data: *mut u8, pos: u32, src: &[u8]) {
    let at = (pos % RING_CAPACITY) as usize;
    let first = src.len().min(RING_CAPACITY as usize - at);
    // SAFETY: both ranges lie inside the data area (at + first <= capacity,
    // and the rest wraps to its start, no longer than capacity - first).
    unsafe {
        std::ptr::copy_nonoverlapping(src.as_ptr(), data.add(at), first);
        std::ptr::copy_nonoverlapping(src.as_ptr().add(first), data, src.len() - first);
    }
}

fn copy_out(data: *const u8, pos: u32, dst: &mut [u8]) {
    let at = (pos % RING_CAPACITY) as usize;
    let first = dst.len().min(RING_CAPACITY as usize - at);
    let len = dst.len();
    // SAFETY: as in copy_in. The peer may scribble on these bytes meanwhile;
    // they are only decoded from our private copy, so that is its loss.
    unsafe {
        std::ptr::copy_nonoverlapping(data.add(at), dst.as_mut_ptr(), first);
        std::ptr::copy_nonoverlapping(data, dst.as_mut_ptr().add(first), len - first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Ring, Ring) {
        let (host, fd) = SharedMemory::create().unwrap();
        let guest = SharedMemory::map(&fd).unwrap();
        (Ring::new(host, Side::Host), Ring::new(guest, Side::Guest))
    }

    #[test]
    fn bytes_wrap_around_and_arrive_in_order() {
        let (mut host, mut guest) = pair();
        let mut sent = 0u32;
        let mut got = Vec::new();
        let mut buf = vec![0u8; 50_000];
        // Several laps around the ring, in chunks that do not divide its size.
        while got.len() < 5 * RING_CAPACITY as usize {
            let chunk: Vec<u8> = (0..40_000u32).map(|i| (sent.wrapping_add(i) % 251) as u8).collect();
            let n = host.write(&chunk).unwrap().bytes;
            sent = sent.wrapping_add(n as u32);
            let m = guest.read(&mut buf).unwrap().bytes;
            got.extend_from_slice(&buf[..m]);
        }
        assert!(got.iter().enumerate().all(|(i, b)| *b == (i as u32 % 251) as u8));
    }

    #[test]
    fn a_full_ring_takes_nothing_more() {
        let (mut host, _guest) = pair();
        assert_eq!(host.write(&vec![1; RING_CAPACITY as usize + 10]).unwrap().bytes, RING_CAPACITY as usize);
        assert_eq!(host.write(&[1]).unwrap().bytes, 0);
        assert!(!host.ready(Need::Room).unwrap());
    }

    #[test]
    fn a_sleeping_reader_asks_for_a_doorbell_and_a_late_one_does_not_sleep() {
        let (mut host, guest) = pair();
        assert!(!guest.sleep(Need::Data).unwrap(), "nothing to read yet");
        assert!(host.write(b"x").unwrap().ring_doorbell);
        guest.woke(Need::Data);
        assert!(!host.write(b"y").unwrap().ring_doorbell);
        assert!(guest.sleep(Need::Data).unwrap(), "data arrived: no sleeping");
    }

    #[test]
    fn impossible_positions_from_the_peer_are_refused() {
        let (mut host, guest) = pair();
        // A guest claims to have written more than the ring holds.
        guest.slot(1, TAIL).store(RING_CAPACITY + 1, Ordering::Relaxed);
        assert!(host.read(&mut [0; 8]).is_err());
        // Or to have read what was never written.
        guest.slot(0, HEAD).store(5, Ordering::Relaxed);
        assert!(host.write(b"x").is_err());
    }
}

//! One end of a host↔guest socket: frames (`frame.rs`) over the socket, or
//! through a shared ring (`ring.rs`) with the socket left for doorbells and
//! descriptors. The exchange is strictly request/response, driven by the
//! host: the guest only speaks when answering, or to call a host function
//! while it answers a `Call`. The host treats every byte from the guest as
//! hostile (see `frame.rs`).

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::frame::{self, ProtocolError, HEADER_LEN};
use crate::ring::{Corrupt, Need, Ring};
use crate::{socket, spin};

/// One end of a host↔guest socket, with the buffering and limits of the framing.
pub struct Channel {
    sock: UnixStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    max_frame: usize,
    /// Descriptors that arrived with data (SCM_RIGHTS) and were not claimed yet.
    fds: Vec<OwnedFd>,
    /// The sender of the most recent data, when SO_PASSCRED is on.
    peer_pid: Option<i32>,
    /// Encoded frames; bytes before `out_sent` have gone. Only a ring can
    /// leave some unsent (see `send_nowait`).
    out: Vec<u8>,
    out_sent: usize,
    /// Shared memory with the peer, once both sides switched to it.
    ring: Option<Ring>,
    /// How long to poll for data before sleeping in the kernel (see `set_spin`).
    spin: Duration,
    /// A host end polls only within the process-wide budget (`spin.rs`).
    host_side: bool,
    /// A doorbell went to a sleeping peer since `woke_peer` last looked.
    woke: bool,
}

impl Channel {
    /// `max_frame` bounds every frame this end will accept.
    pub fn new(sock: UnixStream, max_frame: usize) -> Self {
        Self {
            sock,
            buf: vec![0; 16 * 1024],
            start: 0,
            end: 0,
            max_frame,
            fds: Vec::new(),
            peer_pid: None,
            out: Vec::with_capacity(1024),
            out_sent: 0,
            ring: None,
            spin: Duration::ZERO,
            host_side: false,
            woke: false,
        }
    }

    /// Whether what was sent since the last look had to wake the peer (it
    /// had stopped polling and slept): its answer will take a wake-up longer.
    pub fn woke_peer(&mut self) -> bool {
        std::mem::take(&mut self.woke)
    }

    /// Whether the peer went idle (polling or asleep) on the CPU this thread
    /// runs on (see [`crate::ring::Ring::peer_idle_on_this_cpu`]); false without a ring.
    pub fn peer_idle_on_this_cpu(&self) -> bool {
        self.ring.as_ref().is_some_and(|ring| ring.peer_idle_on_this_cpu())
    }

    /// Tells the peer which CPU this side polls on from now (see above).
    pub fn note_idle_cpu(&self) {
        if let Some(ring) = &self.ring {
            ring.note_idle_cpu();
        }
    }

    /// Waking a thread that sleeps in `recvmsg` costs more than a trivial
    /// guest call on a virtual machine; a reply that comes within `spin` is
    /// picked up by polling instead. Zero (the default) never polls.
    pub fn set_spin(&mut self, spin: Duration) {
        self.spin = spin;
    }

    /// How long a read that may sleep polls first (what `set_spin` set).
    pub fn polls_for(&self) -> Duration {
        self.spin
    }

    /// Polls for up to `spin`, but only while few calls are in flight in this process.
    pub fn set_host_spin(&mut self, spin: Duration) {
        self.spin = spin;
        self.host_side = true;
    }

    pub fn set_max_frame(&mut self, max_frame: usize) {
        self.max_frame = max_frame;
    }

    pub fn socket(&self) -> &UnixStream {
        &self.sock
    }

    /// Ask the kernel to tag what the peer sends with its real pid.
    pub fn pass_credentials(&self) -> io::Result<()> {
        socket::pass_credentials(&self.sock, true)
    }

    pub fn stop_credentials(&self) -> io::Result<()> {
        socket::pass_credentials(&self.sock, false)
    }

    /// The pid the kernel vouched for on the last data received (needs `pass_credentials`).
    pub fn peer_pid(&self) -> Option<i32> {
        self.peer_pid
    }

    /// A descriptor that came with the last frame. With a ring it travelled
    /// ahead of its frame on the socket, which nothing may have read yet.
    pub fn take_fd(&mut self) -> Option<OwnedFd> {
        if self.fds.is_empty() && self.ring.is_some() {
            let _ = self.socket_doorbells(false);
        }
        if self.fds.is_empty() {
            None
        } else {
            Some(self.fds.remove(0))
        }
    }

    /// From now on frames travel through `ring`, and the socket carries only
    /// doorbells and descriptors. Both ends switch at the same frame.
    pub fn attach_ring(&mut self, ring: Ring) {
        self.ring = Some(ring);
    }

    pub fn send<T: Serialize>(&mut self, msg: &T) -> Result<(), ProtocolError> {
        self.encode(msg)?;
        self.flush(Wait::Yes).map(|_| ())
    }

    /// Sends a call's answer. If the peer had gone to sleep for it, this
    /// side stops polling for what comes next (until `set_spin` again): the
    /// peer needs a CPU to wake on, under load often this very one, where
    /// polling would keep it from running until the spin ran out.
    pub fn send_answer<T: Serialize>(&mut self, msg: &T) -> Result<(), ProtocolError> {
        self.woke = false;
        self.send(msg)?;
        if std::mem::take(&mut self.woke) {
            self.spin = Duration::ZERO;
        }
        Ok(())
    }

    /// Sends what fits in the ring now and keeps the rest for the next
    /// `recv` or `recv_by`, so a caller that must not block (Node's thread)
    /// never waits on a guest that does not read. Blocks like `send` without a ring.
    pub fn send_nowait<T: Serialize>(&mut self, msg: &T) -> Result<(), ProtocolError> {
        self.encode(msg)?;
        self.flush(if self.ring.is_some() { Wait::No } else { Wait::Yes }).map(|_| ())
    }

    pub fn send_with_fd<T: Serialize>(&mut self, msg: &T, fd: BorrowedFd<'_>) -> Result<(), ProtocolError> {
        self.encode(msg)?;
        if self.ring.is_some() {
            // The descriptor goes ahead of its frame, so it has arrived by the time the frame is read.
            self.ring_doorbell(Some(fd.as_raw_fd()))?;
            return self.flush(Wait::Yes).map(|_| ());
        }
        let result = socket::send_all(&self.sock, &self.out[self.out_sent..], Some(fd.as_raw_fd()));
        self.out_sent = self.out.len();
        result
    }

    /// Appends one frame to what is waiting to be sent.
    fn encode<T: Serialize>(&mut self, msg: &T) -> Result<(), ProtocolError> {
        if self.out_sent == self.out.len() {
            self.out.clear();
            self.out_sent = 0;
        }
        frame::encode(msg, &mut self.out)
    }

    /// Sends what is waiting: all of it (`Wait::Yes`), or what the ring
    /// takes now (`Wait::No`, returning whether everything went).
    fn flush(&mut self, wait: Wait) -> Result<bool, ProtocolError> {
        if self.ring.is_none() {
            let result = socket::send_all(&self.sock, &self.out[self.out_sent..], None);
            self.out_sent = self.out.len();
            return result.map(|_| true);
        }
        while self.out_sent < self.out.len() {
            let ring = self.ring.as_mut().expect("checked above");
            let moved = ring.write(&self.out[self.out_sent..]).map_err(corrupt)?;
            self.out_sent += moved.bytes;
            if moved.ring_doorbell {
                self.woke |= moved.woke_sleeper;
                self.ring_doorbell(None)?;
            }
            if moved.bytes == 0 {
                if wait == Wait::No {
                    return Ok(false);
                }
                self.wait_on_ring(Need::Room)?;
            }
        }
        Ok(true)
    }

    /// Receives one frame, waiting as long as it takes (a kill closes the socket).
    pub fn recv<T: DeserializeOwned>(&mut self) -> Result<T, ProtocolError> {
        self.flush(Wait::Yes)?;
        self.fill_to(HEADER_LEN)?;
        let mut header = [0u8; HEADER_LEN];
        header.copy_from_slice(&self.buf[self.start..self.start + HEADER_LEN]);
        let len = frame::payload_len(header);
        if len > self.max_frame {
            return Err(ProtocolError::TooLarge { len, max: self.max_frame });
        }
        self.fill_to(HEADER_LEN + len)?;
        let payload = &self.buf[self.start + HEADER_LEN..self.start + HEADER_LEN + len];
        let msg = postcard::from_bytes(payload).map_err(|e| ProtocolError::Malformed(e.to_string()));
        self.start += HEADER_LEN + len;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        msg
    }

    /// Receives one frame if it has arrived by `until`, polling the socket
    /// and never sleeping; `None` if not (what did arrive stays buffered).
    pub fn recv_by<T: DeserializeOwned>(&mut self, until: Instant) -> Result<Option<T>, ProtocolError> {
        loop {
            if !self.flush(Wait::No)? {
                // The peer has not taken the whole request yet: no answer can have come.
                if Instant::now() >= until {
                    return Ok(None);
                }
                std::hint::spin_loop();
                continue;
            }
            let need = match self.buffered_header() {
                Some(len) if len > self.max_frame => return Err(ProtocolError::TooLarge { len, max: self.max_frame }),
                Some(len) => HEADER_LEN + len,
                None => HEADER_LEN,
            };
            if self.end - self.start >= need {
                return self.recv().map(Some);
            }
            self.make_room(need);
            match self.read_more(Wait::No)? {
                Some(0) => return Err(ProtocolError::Closed),
                Some(_) => {}
                None if Instant::now() >= until => return Ok(None),
                None => std::hint::spin_loop(),
            }
        }
    }

    /// Sleeps on the socket, without polling, until the peer rings (it has
    /// written) or `until` passes; `recv_by` then picks up what came. For a
    /// waiter whose peer waits for this very CPU, where polling only holds the
    /// peer up.
    pub fn nap_until(&mut self, until: Instant) -> Result<(), ProtocolError> {
        if self.ring.is_none() {
            return Ok(());
        }
        self.sleep_on_socket(Need::Data, Some(until))
    }

    /// For a waiter that sleeps elsewhere (Node's event loop) rather than in
    /// this channel: sends what is left of the request, then asks the peer
    /// to ring when it writes, as a sleeping reader would. `Armed`: wait for
    /// the descriptor to become readable, then `disarm_doorbell` and read.
    pub fn arm_doorbell(&mut self) -> Result<Doorbell, ProtocolError> {
        if self.ring.is_none() || !self.flush(Wait::No)? {
            // Without a ring every frame rings; with part of the request unsent
            // the wait would be for room, which the peer does not ring for.
            return Ok(Doorbell::Unavailable);
        }
        if self.buffered_header().is_some_and(|len| self.end - self.start >= HEADER_LEN + len) {
            return Ok(Doorbell::Ready);
        }
        let ring = self.ring.as_ref().expect("checked above");
        if ring.wait_in_loop().map_err(corrupt)? {
            return Ok(Doorbell::Ready);
        }
        Ok(Doorbell::Armed(self.sock.as_raw_fd()))
    }

    /// After an armed wait ends: no more doorbells wanted, and those that
    /// rang are read off the socket. `Closed` when the peer has gone and left
    /// nothing unread in the ring, so that a dead peer is never waited on again.
    pub fn disarm_doorbell(&mut self) -> Result<(), ProtocolError> {
        let Some(ring) = &self.ring else { return Ok(()) };
        ring.woke(Need::Data);
        match self.socket_doorbells(false) {
            Err(ProtocolError::Closed) if self.ring.as_ref().expect("checked above").ready(Need::Data).map_err(corrupt)? => Ok(()),
            other => other,
        }
    }

    /// The length in the next frame's header, once the header is buffered.
    fn buffered_header(&self) -> Option<usize> {
        let header = self.buf.get(self.start..self.start + HEADER_LEN).filter(|_| self.end - self.start >= HEADER_LEN)?;
        Some(frame::payload_len(header.try_into().ok()?))
    }

    /// Makes at least `need` unread bytes available in the buffer.
    fn fill_to(&mut self, need: usize) -> Result<(), ProtocolError> {
        if self.end - self.start >= need {
            return Ok(());
        }
        self.make_room(need);
        while self.end - self.start < need {
            let n = self.read_more(Wait::Yes)?.unwrap_or_default();
            if n == 0 {
                return Err(ProtocolError::Closed);
            }
        }
        Ok(())
    }

    /// Room in the buffer for a frame of `need` bytes from `start`.
    fn make_room(&mut self, need: usize) {
        if self.buf.len() - self.start < need {
            // Compact, then grow only as far as this frame needs (already bounded by max_frame).
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.buf.len() < need {
                self.buf.resize(need, 0);
            }
        }
    }

    /// How long a read that may sleep polls first.
    fn spin(&self, wait: Wait) -> Duration {
        match wait {
            Wait::No => Duration::ZERO,
            Wait::Yes if self.host_side => spin::budget(self.spin),
            Wait::Yes => self.spin,
        }
    }

    /// One read into the buffer: `None` only with `Wait::No` when nothing has arrived.
    fn read_more(&mut self, wait: Wait) -> Result<Option<usize>, ProtocolError> {
        if self.ring.is_none() {
            return self.recv_some(wait);
        }
        loop {
            let end = self.end;
            let ring = self.ring.as_mut().expect("checked above");
            let moved = ring.read(&mut self.buf[end..]).map_err(corrupt)?;
            if moved.ring_doorbell {
                self.ring_doorbell(None)?;
            }
            if moved.bytes > 0 {
                self.end += moved.bytes;
                return Ok(Some(moved.bytes));
            }
            if wait == Wait::No {
                return Ok(None);
            }
            self.wait_on_ring(Need::Data)?;
        }
    }

    /// Polls the ring for a while, then sleeps on the socket until the
    /// peer rings (or dies: the socket closes). Returns when it may be worth looking again.
    fn wait_on_ring(&mut self, need: Need) -> Result<(), ProtocolError> {
        let ring = self.ring.as_ref().expect("only with a ring");
        let spin = self.spin(Wait::Yes);
        if !spin.is_zero() {
            ring.note_idle_cpu();
            let until = Instant::now() + spin;
            while Instant::now() < until {
                if ring.ready(need).map_err(corrupt)? {
                    return Ok(());
                }
                std::hint::spin_loop();
            }
        }
        self.sleep_on_socket(need, None)
    }

    /// Announces on the ring that this side sleeps for `need`, then sleeps
    /// on the socket until the peer rings (or dies: the socket closes), or
    /// until `until` if given. Not at all if `need` is met already.
    fn sleep_on_socket(&mut self, need: Need, until: Option<Instant>) -> Result<(), ProtocolError> {
        let ring = self.ring.as_ref().expect("only with a ring");
        if ring.sleep(need).map_err(corrupt)? {
            return Ok(());
        }
        let woken = match until {
            None => self.socket_doorbells(true),
            Some(until) => socket::wait_readable(&self.sock, until.saturating_duration_since(Instant::now()))
                .and_then(|()| self.socket_doorbells(false)),
        };
        let ring = self.ring.as_ref().expect("only with a ring");
        ring.woke(need);
        match woken {
            // A peer may write its last frame, ring and exit: what it left
            // in the ring is read before its death is reported.
            Err(ProtocolError::Closed) if ring.ready(need).map_err(corrupt)? => Ok(()),
            other => other,
        }
    }

    /// Wakes the peer if it sleeps on its socket; `fd` travels along.
    fn ring_doorbell(&mut self, fd: Option<RawFd>) -> Result<(), ProtocolError> {
        socket::ring_doorbell(&self.sock, fd)
    }

    /// Reads doorbells (and the descriptors they carry) off the socket:
    /// waiting for one if `block`, else only those already there.
    fn socket_doorbells(&mut self, block: bool) -> Result<(), ProtocolError> {
        let mut bells = [0u8; 64];
        let mut block = block;
        loop {
            match self.recvmsg_into(&mut bells, if block { Wait::Yes } else { Wait::No })? {
                Some(0) => return Err(ProtocolError::Closed),
                Some(_) if block => {
                    // Drain whatever else rang meanwhile, without waiting.
                    block = false;
                }
                Some(_) => {}
                None => return Ok(()),
            }
        }
    }

    /// One read from the socket (plain frames, or doorbells with a ring):
    /// `None` only with `Wait::No` when nothing has arrived.
    fn recv_some(&mut self, wait: Wait) -> Result<Option<usize>, ProtocolError> {
        let mut buf = std::mem::take(&mut self.buf);
        let end = self.end;
        let result = self.recvmsg_into(&mut buf[end..], wait);
        self.buf = buf;
        if let Ok(Some(n)) = result {
            self.end += n;
        }
        result
    }

    fn recvmsg_into(&mut self, into: &mut [u8], wait: Wait) -> Result<Option<usize>, ProtocolError> {
        // With a ring, `wait_on_ring` has already polled.
        let spin = if self.ring.is_some() { Duration::ZERO } else { self.spin(wait) };
        let spin_until = (!spin.is_zero()).then(|| Instant::now() + spin);
        let received = loop {
            let polling = wait == Wait::No || spin_until.is_some_and(|t| Instant::now() < t);
            match socket::recv_into(&self.sock, into, polling)? {
                Some(received) => break received,
                None if wait == Wait::No => return Ok(None),
                None => std::hint::spin_loop(),
            }
        };
        self.fds.extend(received.fds);
        if received.pid.is_some() {
            self.peer_pid = received.pid;
        }
        Ok(Some(received.bytes))
    }
}

fn corrupt(_: Corrupt) -> ProtocolError {
    ProtocolError::Malformed("the peer wrote impossible positions into the shared ring".into())
}

/// What `arm_doorbell` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doorbell {
    /// Data has arrived already: read it now.
    Ready,
    /// The peer rings this descriptor when it writes (or dies: it closes).
    Armed(RawFd),
    /// This channel cannot be waited on so: read with a blocking `recv`.
    Unavailable,
}

/// Whether a read may sleep until data comes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wait {
    Yes,
    No,
}

#[cfg(test)]
impl std::io::Write for Channel {
    // Only so tests can inject raw bytes through the same socket handling.
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        socket::send_all(&self.sock, data, None).map_err(|e| match e {
            ProtocolError::Io(e) => e,
            other => io::Error::other(other.to_string()),
        })?;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::messages::*;

    fn pair(max: usize) -> (Channel, Channel) {
        let (a, b) = UnixStream::pair().unwrap();
        (Channel::new(a, max), Channel::new(b, max))
    }

    #[test]
    fn requests_and_replies_round_trip() {
        let (mut host, mut guest) = pair(1 << 20);
        let reqs = vec![
            Request::Fork { init: Some(SandboxInit { config: SandboxConfig::default(), host_modules: vec![HostModuleDecl { name: "math".into(), functions: vec!["add".into()] }] }) },
            Request::Load { modules: vec![("user:a".into(), "export const x = 1".into())], handlers: vec![("h".into(), "function handler(e) { return e }".into())], spin_us: 1000 },
            Request::Call { handler: "h".into(), event: "{\"a\":[1,2,3]}".into(), gc: false, spin_us: 100 },
            Request::HostResult(Err("boom".into())),
        ];
        for r in &reqs {
            host.send(r).unwrap();
        }
        for r in &reqs {
            assert_eq!(&guest.recv::<Request>().unwrap(), r);
        }
        let reply = Reply::Failed(GuestFailure { kind: FailureKind::Exception, message: "x".repeat(100_000), name: None });
        guest.send(&reply).unwrap();
        assert_eq!(host.recv::<Reply>().unwrap(), reply);
    }

    #[test]
    fn oversized_frame_is_refused_before_allocation() {
        let (mut host, mut guest) = pair(1024);
        guest.write_all(&(u32::MAX).to_le_bytes()).unwrap();
        match host.recv::<Reply>() {
            Err(ProtocolError::TooLarge { len, max }) => {
                assert_eq!(len, u32::MAX as usize);
                assert_eq!(max, 1024);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert!(host.buf.len() <= 16 * 1024, "buffer grew to {}", host.buf.len());
    }

    #[test]
    fn malformed_payload_is_an_error() {
        let (mut host, mut guest) = pair(1024);
        guest.write_all(&3u32.to_le_bytes()).unwrap();
        guest.write_all(&[0xff, 0xff, 0xff]).unwrap();
        assert!(matches!(host.recv::<Reply>(), Err(ProtocolError::Malformed(_))));
    }

    #[test]
    fn truncated_frame_then_close_is_closed() {
        let (mut host, mut guest) = pair(1024);
        guest.write_all(&100u32.to_le_bytes()).unwrap();
        guest.write_all(&[1, 2, 3]).unwrap();
        drop(guest);
        assert!(matches!(host.recv::<Reply>(), Err(ProtocolError::Closed)));
    }

    #[test]
    fn descriptor_travels_with_frame() {
        let (mut host, mut guest) = pair(1024);
        let (x, mut y) = UnixStream::pair().unwrap();
        guest.send_with_fd(&Reply::Forked, std::os::fd::AsFd::as_fd(&x)).unwrap();
        assert_eq!(host.recv::<Reply>().unwrap(), Reply::Forked);
        let fd = host.take_fd().expect("descriptor");
        let mut z = UnixStream::from(fd);
        z.write_all(b"hi").unwrap();
        let mut got = [0u8; 2];
        std::io::Read::read_exact(&mut y, &mut got).unwrap();
        assert_eq!(&got, b"hi");
    }

    #[test]
    fn credentials_name_the_sender() {
        let (mut host, mut guest) = pair(1024);
        host.pass_credentials().unwrap();
        guest.send(&Reply::Ready).unwrap();
        assert_eq!(host.recv::<Reply>().unwrap(), Reply::Ready);
        assert_eq!(host.peer_pid(), Some(std::process::id() as i32));
    }

    #[test]
    fn recv_by_gives_up_at_its_deadline_and_keeps_a_partial_frame() {
        use std::io::Write;
        use std::time::{Duration, Instant};
        let (mut host, mut guest) = pair(1 << 20);
        assert_eq!(host.recv_by::<Reply>(Instant::now()).unwrap(), None);
        // A frame cut in two: the first half is kept, the second completes it.
        let mut frame = Vec::new();
        let payload = postcard::to_stdvec(&Reply::Returned("half and half".into())).unwrap();
        frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        frame.extend_from_slice(&payload);
        let (a, b) = frame.split_at(HEADER_LEN + 3);
        guest.write_all(a).unwrap();
        assert_eq!(host.recv_by::<Reply>(Instant::now() + Duration::from_millis(5)).unwrap(), None);
        guest.write_all(b).unwrap();
        let got = host.recv_by::<Reply>(Instant::now() + Duration::from_secs(10)).unwrap();
        assert_eq!(got, Some(Reply::Returned("half and half".into())));
        drop(guest);
        assert!(matches!(host.recv_by::<Reply>(Instant::now() + Duration::from_secs(10)), Err(ProtocolError::Closed)));
    }

    /// Two ends that talk through shared memory, as a host and its guest do after `Ready`.
    fn ring_pair(max: usize) -> (Channel, Channel) {
        use crate::ring::{Ring, SharedMemory, Side};
        let (mut host, mut guest) = pair(max);
        let (memory, fd) = SharedMemory::create().unwrap();
        host.attach_ring(Ring::new(memory, Side::Host));
        guest.attach_ring(Ring::new(SharedMemory::map(&fd).unwrap(), Side::Guest));
        (host, guest)
    }

    #[test]
    fn an_armed_doorbell_rings_when_the_peer_writes_and_a_dead_peer_is_not_waited_on() {
        let readable = |fd: RawFd, ms: i32| {
            let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
            // SAFETY: one valid pollfd.
            unsafe { libc::poll(&mut pfd, 1, ms) > 0 }
        };
        let (mut host, mut guest) = ring_pair(1 << 20);
        host.send_nowait(&Request::HostResult(Ok("x".into()))).unwrap();
        let Doorbell::Armed(fd) = host.arm_doorbell().unwrap() else { panic!("nothing has come yet") };
        assert!(!readable(fd, 20), "no doorbell before the peer writes");
        assert_eq!(guest.recv::<Request>().unwrap(), Request::HostResult(Ok("x".into())));
        guest.send(&Reply::Loaded).unwrap();
        assert!(readable(fd, 10_000), "the peer saw the host asleep and rang");
        host.disarm_doorbell().unwrap();
        assert!(!readable(fd, 0), "the doorbell was read off the socket");
        assert_eq!(host.recv_by::<Reply>(Instant::now()).unwrap(), Some(Reply::Loaded));
        // What has come already needs no wait; disarmed, the peer does not ring.
        guest.send(&Reply::Ready).unwrap();
        assert!(!readable(fd, 0));
        assert_eq!(host.arm_doorbell().unwrap(), Doorbell::Ready);
        host.disarm_doorbell().unwrap();
        assert_eq!(host.recv_by::<Reply>(Instant::now()).unwrap(), Some(Reply::Ready));
        // A peer that dies: the descriptor turns readable, and disarming says so.
        assert!(matches!(host.arm_doorbell().unwrap(), Doorbell::Armed(_)));
        drop(guest);
        assert!(readable(fd, 10_000));
        assert!(matches!(host.disarm_doorbell(), Err(ProtocolError::Closed)));
        // Without a ring there is nothing to arm.
        let (mut plain, _peer) = pair(1024);
        assert_eq!(plain.arm_doorbell().unwrap(), Doorbell::Unavailable);
    }

    #[test]
    fn a_nap_ends_when_the_peer_writes_or_at_its_deadline() {
        let (mut host, mut guest) = ring_pair(1 << 20);
        // Nothing comes: the nap lasts until its deadline, and no longer.
        let t = Instant::now();
        host.nap_until(t + Duration::from_millis(50)).unwrap();
        let napped = t.elapsed();
        assert!(napped >= Duration::from_millis(50), "woke after {napped:?}, before its deadline");
        assert!(host.recv_by::<Reply>(Instant::now()).unwrap().is_none());
        // A reply that comes meanwhile ends it (the peer rings, seeing it asleep).
        let answer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            guest.send(&Reply::Loaded).unwrap();
            guest
        });
        let t = Instant::now();
        host.nap_until(t + Duration::from_secs(20)).unwrap();
        assert!(t.elapsed() < Duration::from_secs(10), "the reply did not end the nap");
        assert_eq!(host.recv_by::<Reply>(Instant::now()).unwrap(), Some(Reply::Loaded));
        // A peer that is gone ends it too.
        drop(answer.join().unwrap());
        host.nap_until(Instant::now() + Duration::from_secs(20)).unwrap_err();
    }

    #[test]
    fn woke_peer_says_whether_a_send_had_to_wake_a_sleeping_peer() {
        let (mut host, mut guest) = ring_pair(1 << 20);
        // The guest sleeps on its socket, as one that stopped polling does.
        let echo = std::thread::spawn(move || {
            let request = guest.recv::<Request>().unwrap();
            guest.send(&Reply::Returned(format!("{request:?}"))).unwrap();
            guest
        });
        // Until it sleeps, a send may find it still polling: wait for that.
        std::thread::sleep(std::time::Duration::from_millis(100));
        host.send_nowait(&Request::HostResult(Ok("1".into()))).unwrap();
        assert!(host.woke_peer(), "the guest was asleep");
        assert!(!host.woke_peer(), "told once");
        host.recv::<Reply>().unwrap();
        let mut guest = echo.join().unwrap();
        // A guest that polls (spin set) takes the next request without a doorbell.
        guest.set_spin(std::time::Duration::from_secs(10));
        let echo = std::thread::spawn(move || {
            let request = guest.recv::<Request>().unwrap();
            guest.send(&Reply::Returned(format!("{request:?}"))).unwrap();
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        host.send_nowait(&Request::HostResult(Ok("2".into()))).unwrap();
        assert!(!host.woke_peer(), "the guest was polling");
        host.recv::<Reply>().unwrap();
        echo.join().unwrap();
    }

    #[test]
    fn an_answer_to_a_sleeping_peer_ends_the_polling_after_it() {
        let (mut host, mut guest) = ring_pair(1 << 20);
        for host_sleeps in [false, true] {
            guest.set_spin(std::time::Duration::from_secs(10));
            let answer = std::thread::spawn(move || {
                // Long enough for the host to have gone to sleep, when it does.
                std::thread::sleep(std::time::Duration::from_millis(100));
                guest.send_answer(&Reply::Loaded).unwrap();
                guest
            });
            let got = if host_sleeps {
                host.recv::<Reply>().unwrap()
            } else {
                // Polling for the whole wait: the guest finds the host awake.
                loop {
                    if let Some(reply) = host.recv_by::<Reply>(Instant::now()).unwrap() {
                        break reply;
                    }
                }
            };
            assert_eq!(got, Reply::Loaded);
            guest = answer.join().unwrap();
            let polls = !guest.polls_for().is_zero();
            assert_eq!(polls, !host_sleeps, "host slept: {host_sleeps}");
        }
    }

    #[test]
    fn a_peer_is_seen_to_poll_on_the_cpu_it_polls_on() {
        let (host, mut guest) = ring_pair(1 << 20);
        let allowed = allowed_cpus();
        let (first, other) = (allowed[0], allowed.get(1).copied());
        let sleeper = std::thread::spawn(move || {
            pin(first);
            // Polls, not sleeps, for far longer than the test takes.
            guest.set_spin(std::time::Duration::from_secs(30));
            guest.recv::<Request>().unwrap()
        });
        let mut host = host;
        std::thread::spawn(move || {
            pin(first);
            // The poller notes its CPU before its first look at the ring.
            let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !host.peer_idle_on_this_cpu() {
                assert!(std::time::Instant::now() < until, "the polling peer never said it polls on CPU {first}");
                std::thread::yield_now();
            }
            if let Some(other) = other {
                pin(other);
                assert!(!host.peer_idle_on_this_cpu(), "the peer polls on CPU {first}, this thread runs on {other}");
            }
            host.send(&Request::HostResult(Ok("done".into()))).unwrap();
        })
        .join()
        .unwrap();
        sleeper.join().unwrap();
    }

    /// The CPUs this test may run on (a container may not have CPU 0).
    fn allowed_cpus() -> Vec<usize> {
        // SAFETY: a zeroed cpu_set_t is a valid empty set for the kernel to fill.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            assert_eq!(libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set), 0);
            (0..libc::CPU_SETSIZE as usize).filter(|&cpu| libc::CPU_ISSET(cpu, &set)).collect()
        }
    }

    fn pin(cpu: usize) {
        // SAFETY: a zeroed cpu_set_t is empty; CPU_SET stays in its bounds.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            assert_eq!(libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set), 0, "pin to CPU {cpu}");
        }
    }

    #[test]
    fn a_peer_is_seen_to_sleep_on_the_cpu_it_slept_on() {
        let (host, mut guest) = ring_pair(1 << 20);
        assert!(!host.peer_idle_on_this_cpu(), "it has not slept yet");
        let allowed = allowed_cpus();
        let (first, other) = (allowed[0], allowed.get(1).copied());
        let (asleep_tx, asleep) = std::sync::mpsc::channel();
        let sleeper = std::thread::spawn(move || {
            pin(first);
            asleep_tx.send(()).unwrap();
            guest.recv::<Request>().unwrap()
        });
        asleep.recv().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        let mut host = host;
        std::thread::spawn(move || {
            pin(first);
            assert!(host.peer_idle_on_this_cpu(), "both on CPU {first}");
            if let Some(other) = other {
                pin(other);
                assert!(!host.peer_idle_on_this_cpu(), "the peer slept on CPU {first}, this thread runs on {other}");
            }
            host.send(&Request::HostResult(Ok("wake".into()))).unwrap();
        })
        .join()
        .unwrap();
        sleeper.join().unwrap();
    }

    #[test]
    fn frames_larger_than_the_ring_stream_through_it_both_ways() {
        let (mut host, mut guest) = ring_pair(4 << 20);
        let big = "e".repeat(3 * crate::ring::RING_CAPACITY as usize + 123);
        let echo = std::thread::spawn(move || {
            for _ in 0..3 {
                match guest.recv::<Request>().unwrap() {
                    Request::HostResult(Ok(text)) => guest.send(&Reply::Returned(text)).unwrap(),
                    other => panic!("unexpected {other:?}"),
                }
            }
        });
        for text in ["small".to_string(), big.clone(), "after".to_string()] {
            host.send(&Request::HostResult(Ok(text.clone()))).unwrap();
            assert_eq!(host.recv::<Reply>().unwrap(), Reply::Returned(text));
        }
        echo.join().unwrap();
    }

    #[test]
    fn send_nowait_never_blocks_and_the_next_receive_finishes_the_frame() {
        use std::time::{Duration, Instant};
        let (mut host, mut guest) = ring_pair(4 << 20);
        let big = "n".repeat(2 * crate::ring::RING_CAPACITY as usize);
        // Nobody reads yet: this must return at once with the ring full.
        host.send_nowait(&Request::HostResult(Ok(big.clone()))).unwrap();
        assert_eq!(host.recv_by::<Reply>(Instant::now() + Duration::from_millis(5)).unwrap(), None);
        let echo = std::thread::spawn(move || {
            let Request::HostResult(Ok(text)) = guest.recv::<Request>().unwrap() else { panic!("unexpected request") };
            guest.send(&Reply::Returned(text.len().to_string())).unwrap();
            guest
        });
        assert_eq!(host.recv::<Reply>().unwrap(), Reply::Returned(big.len().to_string()));
        drop(echo.join().unwrap());
        // A guest that is gone is noticed by a receive that sleeps: its socket closed.
        assert!(matches!(host.recv::<Reply>(), Err(ProtocolError::Closed)));
    }

    #[test]
    fn a_last_frame_left_in_the_ring_is_read_before_the_peer_s_death() {
        let (mut host, mut guest) = ring_pair(1024);
        let last = std::thread::spawn(move || {
            // Let the host fall asleep first, then answer and close at once.
            std::thread::sleep(std::time::Duration::from_millis(20));
            guest.send(&Reply::Returned("last".into())).unwrap();
        });
        assert_eq!(host.recv::<Reply>().unwrap(), Reply::Returned("last".into()));
        last.join().unwrap();
        assert!(matches!(host.recv::<Reply>(), Err(ProtocolError::Closed)));
    }

    #[test]
    fn a_descriptor_travels_ahead_of_its_frame_through_the_ring() {
        let (mut host, mut guest) = ring_pair(1024);
        let (x, mut y) = UnixStream::pair().unwrap();
        guest.send_with_fd(&Reply::Forked, std::os::fd::AsFd::as_fd(&x)).unwrap();
        assert_eq!(host.recv::<Reply>().unwrap(), Reply::Forked);
        let mut z = UnixStream::from(host.take_fd().expect("descriptor"));
        z.write_all(b"ok").unwrap();
        let mut got = [0u8; 2];
        std::io::Read::read_exact(&mut y, &mut got).unwrap();
        assert_eq!(&got, b"ok");
    }

    #[test]
    fn a_guest_that_scribbles_on_the_ring_positions_is_a_protocol_error() {
        let (mut host, guest) = ring_pair(1024);
        // The guest's "written up to" position, moved past anything possible.
        let ring = guest.ring.as_ref().unwrap();
        ring.corrupt_for_test();
        assert!(matches!(host.recv::<Reply>(), Err(ProtocolError::Malformed(_))));
    }

    #[test]
    fn many_frames_in_one_read_are_split() {
        let (mut host, mut guest) = pair(1 << 20);
        // Each small frame costs a socket buffer slot; send from a thread so it never blocks the reader.
        let sender = std::thread::spawn(move || {
            for i in 0..1000 {
                guest.send(&Reply::Returned(i.to_string())).unwrap();
            }
        });
        for i in 0..1000 {
            assert_eq!(host.recv::<Reply>().unwrap(), Reply::Returned(i.to_string()));
        }
        sender.join().unwrap();
    }
}

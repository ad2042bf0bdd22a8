//! The framed protocol between the host and a guest process.
//!
//! A frame is a little-endian `u32` payload length followed by a postcard
//! payload. The exchange is strictly request/response, driven by the host:
//! the guest only speaks when answering, or to call a host function while
//! it answers a `Call`. The host treats every byte from the guest as hostile:
//! a length above the receiver's limit is refused before anything is
//! allocated for it, and a payload that does not decode is an error for that
//! sandbox alone.

use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use nix::sys::socket::{
    recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags, UnixCredentials,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::SandboxConfig;

pub const HEADER_LEN: usize = 4;

/// Room for everything in a frame besides the user's event or result bytes.
pub const FRAME_OVERHEAD: usize = 64 * 1024;

/// One host module as the guest must expose it: `import * as m from "host:<name>"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostModuleDecl {
    pub name: String,
    pub functions: Vec<String>,
}

/// What turns a forked copy of the template into a sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxInit {
    pub config: SandboxConfig,
    pub host_modules: Vec<HostModuleDecl>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Fork a copy of this process. The copy answers on a new socket whose
    /// other end comes back with `Reply::Forked`; with `init`, the copy first
    /// turns itself into a fresh sandbox. A paused copy is a snapshot.
    Fork { init: Option<SandboxInit> },
    /// Register modules (lazily compiled) then compile the handlers.
    Load { modules: Vec<(String, String)>, handlers: Vec<(String, String)> },
    /// `spin_us`: how long the guest should poll for the next request after
    /// answering (zero: sleep at once); the host decides, knowing its load.
    Call { handler: String, event: String, gc: bool, spin_us: u32 },
    /// The answer to a `Reply::HostCall`: JSON text, or the error message.
    HostResult(Result<String, String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// A new guest process is up and waiting for requests.
    Ready,
    /// The new copy's socket travels with this frame (SCM_RIGHTS).
    Forked,
    Loaded,
    /// The handler's result as JSON text.
    Returned(String),
    HostCall { module: String, function: String, args: String },
    Failed(GuestFailure),
    /// Text the guest printed (`console.log`, `print`) while answering a
    /// request; the host writes it to its stdout and keeps waiting.
    Log(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    /// The handler threw, or returned something JSON cannot carry.
    Exception,
    /// A handler or module did not compile or its top level threw.
    Load,
    /// No handler by that name.
    UnknownHandler,
    /// The result was larger than the output buffer.
    OutputTooLarge,
    /// The guest could not do what was asked (fork failed, bad init).
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestFailure {
    pub kind: FailureKind,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("the guest closed its connection")]
    Closed,
    #[error("frame of {len} bytes is larger than the limit of {max} bytes")]
    TooLarge { len: usize, max: usize },
    #[error("frame does not decode: {0}")]
    Malformed(String),
    #[error("frame could not be encoded: {0}")]
    Encode(String),
    #[error("socket error: {0}")]
    Io(#[from] io::Error),
}

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
    out: Vec<u8>,
    /// How long to poll for data before sleeping in the kernel (see `set_spin`).
    spin: std::time::Duration,
    /// A host end polls only within the process-wide budget (crate::spin).
    host_side: bool,
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
            spin: std::time::Duration::ZERO,
            host_side: false,
        }
    }

    /// Waking a thread that sleeps in `recvmsg` costs more than a trivial
    /// guest call on a virtual machine; a reply that comes within `spin` is
    /// picked up by polling instead. Zero (the default) never polls.
    pub fn set_spin(&mut self, spin: std::time::Duration) {
        self.spin = spin;
    }

    /// Polls for up to `spin`, but only while few calls are in flight in this process.
    pub fn set_host_spin(&mut self, spin: std::time::Duration) {
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
        nix::sys::socket::setsockopt(&self.sock, nix::sys::socket::sockopt::PassCred, &true)
            .map_err(io::Error::from)
    }

    /// The pid the kernel vouched for on the last data received (needs `pass_credentials`).
    pub fn peer_pid(&self) -> Option<i32> {
        self.peer_pid
    }

    pub fn take_fd(&mut self) -> Option<OwnedFd> {
        if self.fds.is_empty() {
            None
        } else {
            Some(self.fds.remove(0))
        }
    }

    pub fn send<T: Serialize>(&mut self, msg: &T) -> Result<(), ProtocolError> {
        self.send_inner(msg, None)
    }

    pub fn send_with_fd<T: Serialize>(&mut self, msg: &T, fd: BorrowedFd<'_>) -> Result<(), ProtocolError> {
        self.send_inner(msg, Some(fd.as_raw_fd()))
    }

    fn send_inner<T: Serialize>(&mut self, msg: &T, fd: Option<RawFd>) -> Result<(), ProtocolError> {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        out.extend_from_slice(&[0; HEADER_LEN]);
        let mut out = postcard::to_extend(msg, out).map_err(|e| ProtocolError::Encode(e.to_string()))?;
        let len = out.len() - HEADER_LEN;
        let result = if len > u32::MAX as usize {
            Err(ProtocolError::TooLarge { len, max: u32::MAX as usize })
        } else {
            out[..HEADER_LEN].copy_from_slice(&(len as u32).to_le_bytes());
            self.write_all_with_fd(&out, fd)
        };
        self.out = out;
        result
    }

    fn write_all_with_fd(&mut self, mut data: &[u8], fd: Option<RawFd>) -> Result<(), ProtocolError> {
        if let Some(fd) = fd {
            let fds = [fd];
            let cmsg = [ControlMessage::ScmRights(&fds)];
            let n = loop {
                match sendmsg::<()>(self.sock.as_raw_fd(), &[IoSlice::new(data)], &cmsg, MsgFlags::MSG_NOSIGNAL, None) {
                    Ok(n) => break n,
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(e) => return Err(io::Error::from(e).into()),
                }
            };
            data = &data[n..];
        }
        // MSG_NOSIGNAL matters: a dead peer must be an error, not a SIGPIPE for Node.
        while !data.is_empty() {
            match nix::sys::socket::send(self.sock.as_raw_fd(), data, MsgFlags::MSG_NOSIGNAL) {
                Ok(0) => return Err(ProtocolError::Closed),
                Ok(n) => data = &data[n..],
                Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::EPIPE) | Err(nix::errno::Errno::ECONNRESET) => {
                    return Err(ProtocolError::Closed)
                }
                Err(e) => return Err(io::Error::from(e).into()),
            }
        }
        Ok(())
    }

    /// Receives one frame, waiting as long as it takes (a kill closes the socket).
    pub fn recv<T: DeserializeOwned>(&mut self) -> Result<T, ProtocolError> {
        self.fill_to(HEADER_LEN)?;
        let mut header = [0u8; HEADER_LEN];
        header.copy_from_slice(&self.buf[self.start..self.start + HEADER_LEN]);
        let len = u32::from_le_bytes(header) as usize;
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
    pub fn recv_by<T: DeserializeOwned>(&mut self, until: std::time::Instant) -> Result<Option<T>, ProtocolError> {
        loop {
            let need = match self.buffered_header() {
                Some(len) if len > self.max_frame => return Err(ProtocolError::TooLarge { len, max: self.max_frame }),
                Some(len) => HEADER_LEN + len,
                None => HEADER_LEN,
            };
            if self.end - self.start >= need {
                return self.recv().map(Some);
            }
            self.make_room(need);
            match self.recv_some(Wait::No)? {
                Some(0) => return Err(ProtocolError::Closed),
                Some(_) => {}
                None if std::time::Instant::now() >= until => return Ok(None),
                None => std::hint::spin_loop(),
            }
        }
    }

    /// The length in the next frame's header, once the header is buffered.
    fn buffered_header(&self) -> Option<usize> {
        let header = self.buf.get(self.start..self.start + HEADER_LEN).filter(|_| self.end - self.start >= HEADER_LEN)?;
        Some(u32::from_le_bytes(header.try_into().ok()?) as usize)
    }

    /// Makes at least `need` unread bytes available in the buffer.
    fn fill_to(&mut self, need: usize) -> Result<(), ProtocolError> {
        if self.end - self.start >= need {
            return Ok(());
        }
        self.make_room(need);
        while self.end - self.start < need {
            let n = self.recv_some(Wait::Yes)?.unwrap_or_default();
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

    /// One read: `None` only with `Wait::No` when nothing has arrived.
    fn recv_some(&mut self, wait: Wait) -> Result<Option<usize>, ProtocolError> {
        let mut cmsg_space = nix::cmsg_space!([RawFd; 4], UnixCredentials);
        let fd = self.sock.as_raw_fd();
        let end = self.end;
        let mut iov = [IoSliceMut::new(&mut self.buf[end..])];
        let spin = match wait {
            Wait::No => std::time::Duration::ZERO,
            Wait::Yes if self.host_side => crate::spin::budget(self.spin),
            Wait::Yes => self.spin,
        };
        let spin_until = (!spin.is_zero()).then(|| std::time::Instant::now() + spin);
        let msg = loop {
            let polling = wait == Wait::No || spin_until.is_some_and(|t| std::time::Instant::now() < t);
            let flags = if polling { MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_DONTWAIT } else { MsgFlags::MSG_CMSG_CLOEXEC };
            match recvmsg::<()>(fd, &mut iov, Some(&mut cmsg_space), flags) {
                Ok(m) => break m,
                Err(nix::errno::Errno::EAGAIN) if wait == Wait::No => return Ok(None),
                Err(nix::errno::Errno::EAGAIN) if polling => std::hint::spin_loop(),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::ECONNRESET) => return Err(ProtocolError::Closed),
                Err(e) => return Err(io::Error::from(e).into()),
            }
        };
        let n = msg.bytes;
        let mut received = Vec::new();
        let mut pid = None;
        if let Ok(cmsgs) = msg.cmsgs() {
            for cmsg in cmsgs {
                match cmsg {
                    ControlMessageOwned::ScmRights(raw) => {
                        // SAFETY: the kernel just installed these descriptors in our table for us.
                        received.extend(raw.into_iter().map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }))
                    }
                    ControlMessageOwned::ScmCredentials(c) => pid = Some(c.pid()),
                    _ => {}
                }
            }
        }
        if msg.flags.contains(MsgFlags::MSG_CTRUNC) {
            // More descriptors than we allow for: whatever came is dropped (closed) here.
            return Err(ProtocolError::Malformed("too many descriptors sent".into()));
        }
        self.fds.extend(received);
        if pid.is_some() {
            self.peer_pid = pid;
        }
        self.end += n;
        Ok(Some(n))
    }
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
        self.write_all_with_fd(data, None).map_err(|e| match e {
            ProtocolError::Io(e) => e,
            other => io::Error::other(other.to_string()),
        })?;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The largest frame a host accepts from a guest with these sizes.
pub fn host_max_frame(config: &SandboxConfig) -> usize {
    (config.output_buffer_size as usize).saturating_add(FRAME_OVERHEAD)
}

/// The largest frame a guest accepts from the host: events, and handler and module sources.
pub fn guest_max_frame(config: &SandboxConfig) -> usize {
    // Sources are not bounded by the input buffer (they are loaded once), but
    // still by something, so a confused host cannot make the guest allocate wildly.
    (config.input_buffer_size as usize).max(64 << 20).saturating_add(FRAME_OVERHEAD)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn pair(max: usize) -> (Channel, Channel) {
        let (a, b) = UnixStream::pair().unwrap();
        (Channel::new(a, max), Channel::new(b, max))
    }

    #[test]
    fn requests_and_replies_round_trip() {
        let (mut host, mut guest) = pair(1 << 20);
        let reqs = vec![
            Request::Fork { init: Some(SandboxInit { config: SandboxConfig::default(), host_modules: vec![HostModuleDecl { name: "math".into(), functions: vec!["add".into()] }] }) },
            Request::Load { modules: vec![("user:a".into(), "export const x = 1".into())], handlers: vec![("h".into(), "function handler(e) { return e }".into())] },
            Request::Call { handler: "h".into(), event: "{\"a\":[1,2,3]}".into(), gc: false, spin_us: 100 },
            Request::HostResult(Err("boom".into())),
        ];
        for r in &reqs {
            host.send(r).unwrap();
        }
        for r in &reqs {
            assert_eq!(&guest.recv::<Request>().unwrap(), r);
        }
        let reply = Reply::Failed(GuestFailure { kind: FailureKind::Exception, message: "x".repeat(100_000) });
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

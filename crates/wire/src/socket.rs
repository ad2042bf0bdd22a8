//! The raw socket calls under a channel: data with descriptors attached
//! (SCM_RIGHTS), the sender's pid vouched for by the kernel (SCM_CREDENTIALS),
//! and one-byte doorbells. Every send uses MSG_NOSIGNAL: a dead peer must be
//! an error, not a SIGPIPE for Node.

use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use nix::errno::Errno;
use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags, UnixCredentials};

use crate::frame::ProtocolError;

/// Sends all of `data`, with `fd` attached to its first bytes.
pub fn send_all(sock: &UnixStream, mut data: &[u8], fd: Option<RawFd>) -> Result<(), ProtocolError> {
    if let Some(fd) = fd {
        let fds = [fd];
        let cmsg = [ControlMessage::ScmRights(&fds)];
        let n = loop {
            match sendmsg::<()>(sock.as_raw_fd(), &[IoSlice::new(data)], &cmsg, MsgFlags::MSG_NOSIGNAL, None) {
                Ok(n) => break n,
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(io::Error::from(e).into()),
            }
        };
        data = &data[n..];
    }
    while !data.is_empty() {
        match nix::sys::socket::send(sock.as_raw_fd(), data, MsgFlags::MSG_NOSIGNAL) {
            Ok(0) => return Err(ProtocolError::Closed),
            Ok(n) => data = &data[n..],
            Err(Errno::EINTR) => continue,
            Err(Errno::EPIPE) | Err(Errno::ECONNRESET) => return Err(ProtocolError::Closed),
            Err(e) => return Err(io::Error::from(e).into()),
        }
    }
    Ok(())
}

/// Rings the peer's doorbell: one byte, with `fd` attached if given. A
/// descriptor must not be dropped for a full socket; a doorbell may: a peer
/// with unread doorbells is awake anyway.
pub fn ring_doorbell(sock: &UnixStream, fd: Option<RawFd>) -> Result<(), ProtocolError> {
    let fds: Vec<RawFd> = fd.into_iter().collect();
    let cmsg: Vec<ControlMessage> = if fds.is_empty() { vec![] } else { vec![ControlMessage::ScmRights(&fds)] };
    let flags = if fd.is_some() { MsgFlags::MSG_NOSIGNAL } else { MsgFlags::MSG_NOSIGNAL | MsgFlags::MSG_DONTWAIT };
    loop {
        match sendmsg::<()>(sock.as_raw_fd(), &[IoSlice::new(&[1])], &cmsg, flags, None) {
            Ok(_) | Err(Errno::EAGAIN) => return Ok(()),
            Err(Errno::EINTR) => continue,
            Err(Errno::EPIPE) | Err(Errno::ECONNRESET) => return Err(ProtocolError::Closed),
            Err(e) => return Err(io::Error::from(e).into()),
        }
    }
}

/// Blocks until `sock` has something to read (a doorbell, or the peer's
/// end closed) or `limit` has passed, whichever is first.
pub fn wait_readable(sock: &UnixStream, limit: std::time::Duration) -> Result<(), ProtocolError> {
    let mut pfd = libc::pollfd { fd: sock.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    let ts = libc::timespec { tv_sec: limit.as_secs() as libc::time_t, tv_nsec: limit.subsec_nanos() as libc::c_long };
    // SAFETY: one valid pollfd, a valid timespec, no signal mask.
    if unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) } < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e.into());
        }
    }
    Ok(())
}

/// What one `recv_into` got.
pub struct Received {
    pub bytes: usize,
    /// Descriptors that came with the data (now ours).
    pub fds: Vec<OwnedFd>,
    /// The sender's pid, when SO_PASSCRED is on.
    pub pid: Option<i32>,
}

/// One read into `into`; with `dont_wait`, `None` when nothing has arrived.
pub fn recv_into(sock: &UnixStream, into: &mut [u8], dont_wait: bool) -> Result<Option<Received>, ProtocolError> {
    let mut cmsg_space = nix::cmsg_space!([RawFd; 4], UnixCredentials);
    let mut iov = [IoSliceMut::new(into)];
    let flags = if dont_wait { MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_DONTWAIT } else { MsgFlags::MSG_CMSG_CLOEXEC };
    let msg = loop {
        match recvmsg::<()>(sock.as_raw_fd(), &mut iov, Some(&mut cmsg_space), flags) {
            Ok(m) => break m,
            Err(Errno::EAGAIN) if dont_wait => return Ok(None),
            Err(Errno::EINTR) => continue,
            Err(Errno::ECONNRESET) => return Err(ProtocolError::Closed),
            Err(e) => return Err(io::Error::from(e).into()),
        }
    };
    let mut received = Received { bytes: msg.bytes, fds: Vec::new(), pid: None };
    if let Ok(cmsgs) = msg.cmsgs() {
        for cmsg in cmsgs {
            match cmsg {
                ControlMessageOwned::ScmRights(raw) => {
                    // SAFETY: the kernel just installed these descriptors in our table for us.
                    received.fds.extend(raw.into_iter().map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }))
                }
                ControlMessageOwned::ScmCredentials(c) => received.pid = Some(c.pid()),
                _ => {}
            }
        }
    }
    if msg.flags.contains(MsgFlags::MSG_CTRUNC) {
        // More descriptors than we allow for: whatever came is dropped (closed) here.
        return Err(ProtocolError::Malformed("too many descriptors sent".into()));
    }
    Ok(Some(received))
}

/// Whether the kernel tags what the peer sends with its real pid.
pub fn pass_credentials(sock: &UnixStream, on: bool) -> io::Result<()> {
    nix::sys::socket::setsockopt(sock, nix::sys::socket::sockopt::PassCred, &on).map_err(io::Error::from)
}

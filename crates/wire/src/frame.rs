//! A frame is a little-endian `u32` payload length followed by a postcard
//! payload. A receiver refuses a length above its limit before it allocates
//! anything for it, and a payload that does not decode is an error for that
//! sandbox alone. The limits follow from the sandbox's sizes.

use std::io;

use serde::Serialize;

use crate::messages::SandboxConfig;

pub const HEADER_LEN: usize = 4;

/// Room for everything in a frame besides the user's event or result bytes.
pub const FRAME_OVERHEAD: usize = 64 * 1024;

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


/// Appends `msg` as one frame to `out`; on failure `out` is as it was.
pub fn encode<T: Serialize>(msg: &T, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER_LEN]);
    if let Err(e) = postcard::to_extend(msg, Append(out)) {
        out.truncate(start);
        return Err(ProtocolError::Encode(e.to_string()));
    }
    let len = out.len() - start - HEADER_LEN;
    if len > u32::MAX as usize {
        out.truncate(start);
        return Err(ProtocolError::TooLarge { len, max: u32::MAX as usize });
    }
    out[start..start + HEADER_LEN].copy_from_slice(&(len as u32).to_le_bytes());
    Ok(())
}

/// The payload length a frame's header announces.
pub fn payload_len(header: [u8; HEADER_LEN]) -> usize {
    u32::from_le_bytes(header) as usize
}

/// Lets postcard append to a buffer it does not own.
struct Append<'a>(&'a mut Vec<u8>);

impl Extend<u8> for Append<'_> {
    fn extend<I: IntoIterator<Item = u8>>(&mut self, iter: I) {
        self.0.extend(iter)
    }
}

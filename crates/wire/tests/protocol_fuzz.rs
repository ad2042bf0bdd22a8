//! The host-side decoder against a hostile guest: arbitrary bytes on the
//! socket must yield frames or errors, never a panic, a hang, or an
//! allocation beyond the frame limit. `PROPTEST_CASES=100000 cargo test -p hyperlight-js-wire
//! --test protocol_fuzz` runs it longer than `npm test` does.

use std::io::Write;
use std::os::unix::net::UnixStream;

use hyperlight_js_wire::{Channel, ProtocolError, Reply};
use proptest::prelude::*;

const MAX_FRAME: usize = 4096;

/// Feeds `bytes` to a host-side channel, then closes the guest end; returns
/// how many frames decoded before the first error.
fn decode_all(bytes: Vec<u8>) -> usize {
    let (host, mut guest) = UnixStream::pair().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = guest.write_all(&bytes);
    });
    let mut chan = Channel::new(host, MAX_FRAME);
    let mut frames = 0;
    loop {
        match chan.recv::<Reply>() {
            Ok(_) => frames += 1,
            Err(ProtocolError::Closed | ProtocolError::Malformed(_) | ProtocolError::TooLarge { .. }) => break,
            Err(other) => panic!("unexpected error kind: {other}"),
        }
        assert!(frames <= 10_000, "more frames than bytes could hold");
    }
    writer.join().unwrap();
    frames
}

fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..8192)) {
        decode_all(bytes);
    }

    #[test]
    fn well_framed_garbage_is_malformed_not_fatal(payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..512), 0..16)) {
        let bytes: Vec<u8> = payloads.iter().flat_map(|p| frame(p)).collect();
        decode_all(bytes);
    }

    #[test]
    fn any_declared_length_above_the_limit_is_refused(len in (MAX_FRAME as u32 + 1)..=u32::MAX, tail in proptest::collection::vec(any::<u8>(), 0..64)) {
        let (host, mut guest) = UnixStream::pair().unwrap();
        let mut bytes = len.to_le_bytes().to_vec();
        bytes.extend(tail);
        guest.write_all(&bytes).unwrap();
        let mut chan = Channel::new(host, MAX_FRAME);
        let refused = matches!(chan.recv::<Reply>(), Err(ProtocolError::TooLarge { .. }));
        prop_assert!(refused);
    }

    #[test]
    fn real_replies_survive_any_split(cut in 1usize..200) {
        // A valid stream split into arbitrary write sizes decodes the same.
        let replies: Vec<Reply> = (0..20).map(|i| Reply::Returned("x".repeat(i * 7))).collect();
        let (a, b) = UnixStream::pair().unwrap();
        let mut encoder = Channel::new(a, 1 << 20);
        for r in &replies { encoder.send(r).unwrap(); }
        drop(encoder);
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut { b }, &mut raw).unwrap();
        let (host, mut guest) = UnixStream::pair().unwrap();
        let writer = std::thread::spawn(move || {
            for chunk in raw.chunks(cut) { guest.write_all(chunk).unwrap(); }
        });
        let mut chan = Channel::new(host, 1 << 20);
        for r in &replies { prop_assert_eq!(&chan.recv::<Reply>().unwrap(), r); }
        writer.join().unwrap();
    }
}

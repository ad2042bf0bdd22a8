//! OS entropy for a guest's CSPRNG (crates/guest-env): the process guest
//! draws it itself after every fork, the micro-VM host draws it for its guest
//! after every boot and restore.

/// 32 bytes of OS entropy (`getrandom`), for a guest's CSPRNG: the process
/// guest draws them itself after each fork, the micro-VM host for its guest.
pub fn os_seed() -> std::io::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    let mut filled = 0;
    while filled < seed.len() {
        // SAFETY: the pointer and length describe the unfilled part of `seed`.
        let n = unsafe { libc::getrandom(seed[filled..].as_mut_ptr().cast(), seed.len() - filled, 0) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        filled += n as usize;
    }
    Ok(seed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn seeds_differ() {
        assert_ne!(super::os_seed().unwrap(), super::os_seed().unwrap());
    }
}

//! Micro-VM snapshots kept in files rather than in this process's memory.
//!
//! Hyperlight 0.17 copies a VM's every mapped page into a snapshot (about
//! 113 MiB at default sizes, however little the guest changed), and offers
//! no dirty-page or zero-page tracking. But it can write a snapshot to an
//! OCI layout on disk and map one back read-only (`Snapshot::save`, `load`,
//! `checked_load`); VMs restored from a mapped snapshot read its pages from
//! the page cache, shared and reclaimable, and only the pages they touch
//! count in this process. So:
//!
//! - every snapshot (a template, `snapshot()`, a pool's) is written to a
//!   private directory, mapped back, and the directory removed at once
//!   (`file_backed`): the mapping keeps the data for as long as it lives,
//!   nothing is left on disk when it goes, and no other process can reach
//!   it meanwhile (mode 0700, a fresh name);
//! - with `setTemplateCache(dir)`, templates are written to `dir` under a
//!   name that binds them to the guest binary, its sizes and the Hyperlight
//!   version (`cached_template`), and other processes load them from there,
//!   checking their digests, instead of booting a guest.
//!
//! A file is never rewritten in place (a mapped file that changes would
//! change guest memory under a running VM): a bad template is moved aside
//! and unlinked, and a new one renamed into place.

use std::hash::{Hash, Hasher};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hyperlight_host::sandbox::snapshot::{OciTag, Snapshot};

use crate::config::SandboxConfig;
use crate::error::{Error, Result};
use crate::telemetry::{record_template, TemplateOutcome};
use crate::warnings::warn;

/// The `hyperlight-host` version pinned in crates/engine/Cargo.toml (a test
/// checks the two agree): its snapshot files load on that version only.
const HYPERLIGHT_HOST_VERSION: &str = "0.17.0";

/// The one tag each layout written here holds.
fn tag() -> OciTag {
    OciTag::new("snapshot").expect("a valid OCI tag")
}

/// Where snapshots are written for the moment it takes to map them back:
/// the template cache if there is one (its filesystem is the one the user
/// chose for such files), else `TMPDIR`, else `/var/tmp` (on disk on the
/// usual distributions, where `/tmp` may be memory).
pub(super) fn scratch_dir(cache: Option<&Path>) -> PathBuf {
    match (cache, std::env::var_os("TMPDIR")) {
        (Some(dir), _) => dir.to_path_buf(),
        (None, Some(tmp)) if !tmp.is_empty() => PathBuf::from(tmp),
        _ => PathBuf::from("/var/tmp"),
    }
}

/// A new directory in `dir` that only this user can enter, under a name
/// nobody else has used (creation fails rather than reuse one).
fn private_dir(dir: &Path, what: &str) -> std::io::Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
        let name = format!(".hyperlight-js-{what}-{}-{}-{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let path = dir.join(name);
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            other => return other.map(|()| path),
        }
    }
}

/// `snapshot`'s data, mapped from a file that is unlinked at once (see the
/// module's comment). If the file cannot be written (a full or read-only
/// disk), the snapshot stays in memory, as it was, with a warning.
pub(super) fn file_backed(snapshot: Arc<Snapshot>, dir: &Path) -> Arc<Snapshot> {
    match write_and_map(&snapshot, dir) {
        Ok(mapped) => Arc::new(mapped),
        Err(e) => {
            warn(Error::internal(format!(
                "a micro-VM snapshot could not be moved to a file in {} ({e}); it stays in memory",
                dir.display(),
            )));
            snapshot
        }
    }
}

fn write_and_map(snapshot: &Snapshot, dir: &Path) -> std::result::Result<Snapshot, String> {
    let path = private_dir(dir, "snapshot").map_err(|e| e.to_string())?;
    let mapped = snapshot.save(&path, &tag()).and_then(|_| Snapshot::load(&path, tag()));
    // The mapping holds the data now; the names go.
    let _ = std::fs::remove_dir_all(&path);
    mapped.map_err(|e| e.to_string())
}

/// Identifies the guest binary (with the crate's version, which pins it):
/// a template of another guest is never found under this name. Not a
/// digest against tampering; `checked_load` checks the file's own digests.
pub(super) fn guest_id(guest: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    guest.hash(&mut h);
    h.finish()
}

/// The template layout's name for `config`'s sizes.
fn template_name(guest_id: u64, config: &SandboxConfig) -> String {
    format!(
        "template-{}-hl{HYPERLIGHT_HOST_VERSION}-{guest_id:016x}-heap{}-scratch{}-in{}-out{}",
        env!("CARGO_PKG_VERSION"),
        config.heap_size,
        config.scratch_size,
        config.input_buffer_size,
        config.output_buffer_size
    )
}

/// The template for `config` from the cache in `dir`, or `boot`ed and
/// written there for the next process. A file that cannot be used is
/// reported (`ERR_INVALID_ARG`, naming it) and replaced; a cache that
/// cannot be written is reported and the template kept in a file of its
/// own as any snapshot. Only `boot` failing fails this.
pub(super) fn cached_template(dir: &Path, guest_id: u64, config: &SandboxConfig, boot: impl FnOnce() -> Result<Arc<Snapshot>>) -> Result<Arc<Snapshot>> {
    let path = dir.join(template_name(guest_id, config));
    let found = path.try_exists().unwrap_or(false);
    if found {
        match Snapshot::checked_load(&path, tag()) {
            Ok(snapshot) => {
                record_template(TemplateOutcome::Loaded);
                return Ok(Arc::new(snapshot));
            }
            Err(e) => {
                record_template(TemplateOutcome::Rejected);
                warn(Error::invalid_arg(format!(
                    "setTemplateCache(): the template {} cannot be used ({e}); booting the guest instead, and replacing it",
                    path.display()
                )));
            }
        }
    }
    let booted = boot()?;
    record_template(TemplateOutcome::Booted);
    match publish(&booted, dir, &path, found) {
        Ok(mapped) => Ok(Arc::new(mapped)),
        Err(e) => {
            warn(Error::invalid_arg(format!(
                "setTemplateCache(): could not write the template {} ({e}); this process boots its own",
                path.display()
            )));
            Ok(file_backed(booted, &scratch_dir(None)))
        }
    }
}

/// Writes `booted` to `path` (moving a bad one there aside first) and maps
/// it from there; if another process put one there meanwhile, maps ours
/// from where it was written and leaves theirs.
fn publish(booted: &Snapshot, dir: &Path, path: &Path, replace: bool) -> std::result::Result<Snapshot, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let written = private_dir(dir, "template").map_err(|e| e.to_string())?;
    if let Err(e) = booted.save(&written, &tag()) {
        let _ = std::fs::remove_dir_all(&written);
        return Err(e.to_string());
    }
    if replace {
        // Renamed, then unlinked: a process that maps it keeps its pages.
        if let Ok(aside) = private_dir(dir, "rejected") {
            if std::fs::rename(path, aside.join("t")).is_ok() {
                let _ = std::fs::remove_dir_all(&aside);
            } else {
                let _ = std::fs::remove_dir(&aside);
            }
        }
    }
    match std::fs::rename(&written, path) {
        Ok(()) => Snapshot::load(path, tag()).map_err(|e| e.to_string()),
        Err(_) => {
            let mapped = Snapshot::load(&written, tag()).map_err(|e| e.to_string());
            let _ = std::fs::remove_dir_all(&written);
            mapped
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_hyperlight_version_is_the_one_template_names_carry() {
        let manifest = include_str!("../../Cargo.toml");
        assert!(manifest.contains(&format!("hyperlight-host = {{ version = \"={HYPERLIGHT_HOST_VERSION}\"")), "bump HYPERLIGHT_HOST_VERSION with the pin");
    }

    #[test]
    fn template_names_bind_the_guest_and_every_size() {
        let config = SandboxConfig::default();
        let guest = guest_id(b"guest");
        let name = template_name(guest, &config);
        assert!(name.contains(&format!("heap{}", config.heap_size)) && name.contains("hl0.17.0"), "{name}");
        assert_ne!(guest_id(b"guest"), guest_id(b"other guest"));
        let other = SandboxConfig { output_buffer_size: config.output_buffer_size * 2, ..config };
        assert_ne!(template_name(guest, &other), name);
        // What is not part of the guest is not part of the name.
        let host_only = SandboxConfig { load_timeout_ms: 1, max_console_bytes_per_call: 0, ..config };
        assert_eq!(template_name(guest, &host_only), name);
    }

    #[test]
    fn private_dirs_are_fresh_and_only_ours() {
        use std::os::unix::fs::PermissionsExt;
        let base = std::env::temp_dir();
        let (a, b) = (private_dir(&base, "t").unwrap(), private_dir(&base, "t").unwrap());
        assert_ne!(a, b);
        assert_eq!(std::fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o700);
        std::fs::remove_dir(a).unwrap();
        std::fs::remove_dir(b).unwrap();
    }

    #[test]
    fn scratch_goes_to_the_cache_then_tmpdir() {
        assert_eq!(scratch_dir(Some(Path::new("/c"))), PathBuf::from("/c"));
        let default = scratch_dir(None);
        assert!(std::env::var_os("TMPDIR").map_or(default == Path::new("/var/tmp"), |t| default == Path::new(&t)));
    }
}

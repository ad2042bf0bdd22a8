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
//! - a snapshot (`snapshot()`, a pool's shared one) is written to a
//!   private directory, mapped back, and the directory removed at once
//!   (`file_backed`): the mapping keeps the data for as long as it lives,
//!   nothing is left on disk when it goes, and no other process can reach
//!   it meanwhile (mode 0700, a fresh name); a template booted without a
//!   cache stays in memory (see `template.rs`);
//! - with `setTemplateCache(dir)`, templates are written to `dir` under a
//!   name that binds them to the guest binary, its sizes and the Hyperlight
//!   version, sealed with a digest of their contents (`cached_template`),
//!   and other processes check the seal and map them from there instead of
//!   booting a guest.
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
    // A process killed while it wrote one left a file of the guest's size
    // behind; swept once a process for each directory used.
    static SWEPT: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let first = {
        let mut swept = crate::lock(&SWEPT);
        let first = !swept.iter().any(|d| d == dir);
        if first {
            swept.push(dir.to_path_buf());
        }
        first
    };
    if first {
        sweep_abandoned(dir, ABANDONED_AFTER);
    }
    let path = private_dir(dir, "snapshot").map_err(|e| e.to_string())?;
    let mapped = snapshot.save(&path, &tag()).and_then(|_| Snapshot::load(&path, tag()));
    // The mapping holds the data now; the names go.
    let _ = std::fs::remove_dir_all(&path);
    mapped.map_err(|e| e.to_string())
}

/// Identifies the guest binary (with the crate's version, which pins it):
/// a template of another guest is never found under this name. Not a
/// digest against tampering: the seal (`check_seal`) checks the contents.
pub(super) fn guest_id(guest: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    guest.hash(&mut h);
    h.finish()
}

/// The template layout's name for `config`'s sizes, on this CPU.
fn template_name(guest_id: u64, config: &SandboxConfig) -> String {
    format!(
        "template-{}-hl{HYPERLIGHT_HOST_VERSION}-{guest_id:016x}-{}-heap{}-scratch{}-in{}-out{}",
        env!("CARGO_PKG_VERSION"),
        cpu_id(),
        config.heap_size,
        config.scratch_size,
        config.input_buffer_size,
        config.output_buffer_size
    )
}

/// The CPU a template was booted on: vendor, family-model-stepping
/// signature, and the size of the register state its enabled features save.
/// A template holds a vCPU's state as that CPU gave it (its saved register
/// area's layout, what the guest saw of the CPU at boot), so a cache
/// directory shared by a fleet of mixed machines keeps one per kind of CPU
/// rather than hand one machine's to another.
fn cpu_id() -> String {
    #[cfg(target_arch = "x86_64")]
    #[allow(unused_unsafe)]
    // SAFETY: CPUID exists on every x86-64 CPU; leaf 0xD exists where XSAVE does, which x86-64 KVM hosts have.
    let (vendor, signature, xsave) = unsafe {
        use std::arch::x86_64::{__cpuid, __cpuid_count};
        let v = __cpuid(0);
        let vendor: Vec<u8> = [v.ebx, v.edx, v.ecx].iter().flat_map(|r| r.to_le_bytes()).collect();
        let xsave = if v.eax >= 0xd { __cpuid_count(0xd, 0).ebx } else { 0 };
        (String::from_utf8_lossy(&vendor).into_owned(), __cpuid(1).eax, xsave)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (vendor, signature, xsave) = (std::env::consts::ARCH.to_string(), 0u32, 0u32);
    let vendor: String = vendor.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("cpu{vendor}{signature:x}x{xsave}")
}

/// The template for `config` from the cache in `dir`, or `boot`ed and
/// written there for the next process. A file that cannot be used is
/// reported (`ERR_INVALID_ARG`, naming it) and replaced; a cache that
/// cannot be written is reported and the template kept in memory. Only
/// `boot` failing fails this.
pub(super) fn cached_template(dir: &Path, guest_id: u64, config: &SandboxConfig, boot: impl FnOnce() -> Result<Arc<Snapshot>>) -> Result<Arc<Snapshot>> {
    let path = dir.join(template_name(guest_id, config));
    let found = path.try_exists().unwrap_or(false);
    if found {
        match check_seal(&path).and_then(|()| Snapshot::load(&path, tag()).map_err(|e| e.to_string())) {
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
    // Written behind the start, not during it: writing and sealing take
    // seconds under emulation (the test VM), which a boot's time limit must
    // not count. This process uses the template from memory meanwhile, and
    // lib/api.js keeps Node alive until the write is done (`writes_pending`).
    // What cannot even begin (no directory) is said now.
    sweep_abandoned(dir, ABANDONED_AFTER);
    match std::fs::create_dir_all(dir).and_then(|()| private_dir(dir, "template")) {
        Ok(written) => write_behind(booted.clone(), written, path, found),
        Err(e) => warn(cannot_write(&path, &e.to_string())),
    }
    Ok(booted)
}

/// How long a private directory of an ended process stays before it is
/// swept. Its pid says only that no process of this pid namespace has it: a
/// process in another container sharing the directory (a template cache on
/// a shared volume) may still be writing, for seconds; none writes for an hour.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes what processes that ended mid-write left in `dir` (their
/// private directories, named with their pid: see `private_dir`), once
/// unchanged for `older_than`.
fn sweep_abandoned(dir: &Path, older_than: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(".hyperlight-js-")) else { continue };
        let pid = rest.split('-').nth(1).and_then(|p| p.parse::<u32>().ok());
        let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age >= older_than));
        if old && pid.is_some_and(|pid| pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn cannot_write(path: &Path, why: &str) -> Error {
    Error::invalid_arg(format!("setTemplateCache(): could not write the template {} ({why}); this process keeps its own in memory", path.display()))
}

/// Template writes under way (see `cached_template`).
static WRITES: AtomicU64 = AtomicU64::new(0);

/// How many template writes are under way, which Node waits for before it
/// exits (lib/api.js), so that a short-lived first process still leaves its
/// template for the next.
pub fn writes_pending() -> u64 {
    WRITES.load(Ordering::Acquire)
}

fn write_behind(booted: Arc<Snapshot>, written: PathBuf, path: PathBuf, replace: bool) {
    WRITES.fetch_add(1, Ordering::AcqRel);
    let spawned = std::thread::Builder::new().name("hyperlight-js-template-write".into()).spawn(move || {
        if let Err(e) = publish(&booted, &written, &path, replace) {
            let _ = std::fs::remove_dir_all(&written);
            warn(cannot_write(&path, &e));
        }
        WRITES.fetch_sub(1, Ordering::AcqRel);
    });
    if let Err(e) = spawned {
        WRITES.fetch_sub(1, Ordering::AcqRel);
        warn(Error::internal(format!("could not start a thread to write a template: {e}")));
    }
}

/// Writes and seals `booted` in `written` (a private directory beside
/// `path`), then renames it to `path`, first moving a bad one there aside
/// (`replace`); if another process put one there meanwhile, theirs stays.
fn publish(booted: &Snapshot, written: &Path, path: &Path, replace: bool) -> std::result::Result<(), String> {
    booted.save(written, &tag()).map_err(|e| e.to_string())?;
    seal(written, None)?;
    let dir = path.parent().unwrap_or(Path::new("."));
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
    if std::fs::rename(written, path).is_err() {
        let _ = std::fs::remove_dir_all(written);
    }
    Ok(())
}

/// The file in a template layout that holds its seal.
const SEAL: &str = "hyperlight-js.blake3";

/// A layout's blobs, in name order.
fn blobs(path: &Path) -> std::result::Result<Vec<PathBuf>, String> {
    let dir = path.join("blobs").join("sha256");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| e.to_string())?;
    files.sort();
    Ok(files)
}

/// A BLAKE3 digest of the blobs (names, lengths and bytes, in name order).
/// In place of `checked_load`'s sha256 pass, which is slow where the CPU
/// has no SHA instructions (the test VM's emulation).
fn layout_digest(files: &[PathBuf]) -> std::result::Result<String, String> {
    let mut hasher = blake3::Hasher::new();
    for file in files {
        let len = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?.len();
        hasher.update(file.file_name().unwrap_or_default().as_encoded_bytes()).update(&len.to_le_bytes());
        let read = std::fs::File::open(file).and_then(|f| hasher.update_reader(f).map(|_| ()));
        read.map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(hasher.finalize().to_hex().to_string())
}

/// What the kernel changes whenever a file's contents change: its identity,
/// size and status-change time (`ctime`, which no user can set back).
fn stamps(files: &[PathBuf]) -> std::result::Result<String, String> {
    use std::os::unix::fs::MetadataExt;
    let mut out = String::new();
    for file in files {
        let m = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?;
        out.push_str(&format!("{} {} {} {} {}\n", m.dev(), m.ino(), m.len(), m.ctime(), m.ctime_nsec()));
    }
    Ok(out)
}

/// Writes the layout's seal: the digest of its blobs, then their stamps.
/// Replaced by rename, never rewritten in place (another process may read it).
fn seal(path: &Path, digest: Option<String>) -> std::result::Result<(), String> {
    let files = blobs(path)?;
    let digest = match digest {
        Some(d) => d,
        None => layout_digest(&files)?,
    };
    let text = format!("{digest}\n{}", stamps(&files)?);
    let fresh = path.join(format!("{SEAL}.{}", std::process::id()));
    std::fs::write(&fresh, text).and_then(|()| std::fs::rename(&fresh, path.join(SEAL))).map_err(|e| e.to_string())
}

/// Whether the layout is exactly what `seal` sealed: not truncated, not
/// altered, not something else put under the name. Blobs whose stamps are
/// those sealed have not changed since and are not read again (reading
/// 113 MiB costs about what booting a guest does in the test VM); others (a
/// copied directory, say) are hashed, and if they match, the seal's stamps
/// are brought up to date. Against corruption and mistakes, not against
/// someone who may write the directory, who could reseal what they wrote
/// (README, Templates on disk).
fn check_seal(path: &Path) -> std::result::Result<(), String> {
    let text = std::fs::read_to_string(path.join(SEAL)).map_err(|e| format!("no seal {SEAL}: {e}"))?;
    let (want, sealed_stamps) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let files = blobs(path)?;
    let now = stamps(&files)?;
    if now == sealed_stamps {
        return Ok(());
    }
    if layout_digest(&files)? != want {
        return Err("its contents do not match its seal (truncated or altered)".into());
    }
    // The same contents in other files: stamp them, for the next process.
    let _ = seal(path, Some(want.to_string()));
    Ok(())
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
        // And the CPU: one of each kind in a cache a mixed fleet shares.
        assert!(name.contains(&cpu_id()) && cpu_id().len() > "cpux".len(), "{name}");
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'), "{name}");
        assert_ne!(guest_id(b"guest"), guest_id(b"other guest"));
        let other = SandboxConfig { output_buffer_size: config.output_buffer_size * 2, ..config };
        assert_ne!(template_name(guest, &other), name);
        // What is not part of the guest is not part of the name.
        let host_only = SandboxConfig { load_timeout_ms: 1, max_console_bytes_per_call: 0, ..config };
        assert_eq!(template_name(guest, &host_only), name);
    }

    #[test]
    fn a_seal_fails_for_a_truncated_altered_or_missing_layout() {
        let layout = private_dir(&std::env::temp_dir(), "seal-test").unwrap();
        let blobs = layout.join("blobs").join("sha256");
        std::fs::create_dir_all(&blobs).unwrap();
        std::fs::write(blobs.join("a"), vec![7u8; 100_000]).unwrap();
        std::fs::write(blobs.join("b"), b"config").unwrap();
        assert!(check_seal(&layout).unwrap_err().contains("no seal"));
        seal(&layout, None).unwrap();
        check_seal(&layout).unwrap();
        std::fs::write(blobs.join("a"), vec![7u8; 50_000]).unwrap();
        assert!(check_seal(&layout).unwrap_err().contains("do not match"));
        std::fs::write(blobs.join("a"), [vec![7u8; 99_999], vec![8u8]].concat()).unwrap();
        assert!(check_seal(&layout).is_err(), "one byte changed");
        // The same bytes in a new file (a copied cache): hashed, accepted, restamped.
        std::fs::write(blobs.join("a.new"), vec![7u8; 100_000]).unwrap();
        std::fs::rename(blobs.join("a.new"), blobs.join("a")).unwrap();
        let before = std::fs::read_to_string(layout.join(SEAL)).unwrap();
        check_seal(&layout).unwrap();
        let after = std::fs::read_to_string(layout.join(SEAL)).unwrap();
        assert_ne!(before, after, "restamped");
        assert_eq!(before.lines().next(), after.lines().next(), "same digest");
        check_seal(&layout).unwrap();
        std::fs::write(blobs.join("c"), b"extra").unwrap();
        assert!(check_seal(&layout).is_err(), "a blob added");
        std::fs::remove_dir_all(&layout).unwrap();
    }

    #[test]
    fn what_ended_processes_left_is_swept_and_ours_is_kept() {
        let base = private_dir(&std::env::temp_dir(), "sweep-test").unwrap();
        let ours = private_dir(&base, "template").unwrap();
        // No process has pid 4194304 (above Linux's largest).
        let theirs = base.join(".hyperlight-js-template-4194304-0-1");
        let unrelated = base.join("template-something");
        std::fs::create_dir_all(theirs.join("blobs")).unwrap();
        std::fs::create_dir(&unrelated).unwrap();
        // Not while it may still be written by a process of another pid namespace.
        sweep_abandoned(&base, ABANDONED_AFTER);
        assert!(ours.exists() && unrelated.exists() && theirs.exists());
        sweep_abandoned(&base, std::time::Duration::ZERO);
        assert!(ours.exists() && unrelated.exists() && !theirs.exists());
        std::fs::remove_dir_all(&base).unwrap();
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

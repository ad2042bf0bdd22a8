//! Sandbox sizes and the validation of every name and number a user hands us.
//! Both backends and the NAPI layer share these rules, so an error reads the
//! same whichever path found it.

use crate::error::{Error, Result};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

pub use hyperlight_js_wire::messages::{SandboxConfig, DEFAULT_LOAD_TIMEOUT_MS};

/// The part of a sandbox's configuration that is built into its guest: the
/// four sizes. Time limits and console budgets are enforced by the host, so
/// sandboxes that differ only in those share templates and snapshots.
pub fn guest_sizes(config: &SandboxConfig) -> SandboxConfig {
    SandboxConfig { load_timeout_ms: 0, max_console_bytes_per_call: 0, ..*config }
}

/// A duration in whole milliseconds from the environment variable `name`,
/// else `default`. A value that does not parse or lies outside 1..=`max` is
/// reported once on stderr and the default used: a typo in a tuning knob
/// must not take a server down.
pub fn env_millis(name: &str, default: std::time::Duration, max: std::time::Duration) -> std::time::Duration {
    let Ok(value) = std::env::var(name) else { return default };
    match value.trim().parse::<u64>() {
        Ok(ms) if ms >= 1 && u128::from(ms) <= max.as_millis() => std::time::Duration::from_millis(ms),
        _ => {
            eprintln!(
                "@hyperlight/js-host-api: {name}={value:?} is not a whole number of milliseconds from 1 to {}; using {}",
                max.as_millis(),
                default.as_millis()
            );
            default
        }
    }
}

/// `setTemplateCache(dir)`'s directory, made absolute now (a later change
/// of the current directory must not move the cache). Whether it exists or
/// can be written is found out when a template is first needed: a cache
/// that cannot be used slows a start down, never fails it.
pub fn template_cache_dir(dir: &str) -> Result<std::path::PathBuf> {
    if dir.trim().is_empty() {
        return Err(Error::invalid_arg("setTemplateCache(): the directory is empty; pass a path such as '/var/cache/my-service/templates'"));
    }
    if dir.contains('\0') {
        return Err(Error::invalid_arg(format!("setTemplateCache(): the directory {dir:?} contains a NUL character")));
    }
    std::path::absolute(dir).map_err(|e| Error::invalid_arg(format!("setTemplateCache(): {dir:?} cannot be made an absolute path: {e}")))
}

/// Which size a setter is validating; it names the setter in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeKind {
    Heap,
    Scratch,
    InputBuffer,
    OutputBuffer,
    /// Not a guest size, but checked like one (zero allowed: no output).
    ConsolePerCall,
}

impl SizeKind {
    fn setter(self) -> &'static str {
        match self {
            SizeKind::Heap => "setHeapSize",
            SizeKind::Scratch => "setScratchSize",
            SizeKind::InputBuffer => "setInputBufferSize",
            SizeKind::OutputBuffer => "setOutputBufferSize",
            SizeKind::ConsolePerCall => "setMaxConsoleBytesPerCall",
        }
    }

    /// Above these the request is surely a mistake (and on the process
    /// backend, larger values could not be honoured anyway).
    pub fn max(self) -> u64 {
        match self {
            SizeKind::Heap => 16 * GIB,
            SizeKind::Scratch => 256 * MIB,
            SizeKind::InputBuffer | SizeKind::OutputBuffer | SizeKind::ConsolePerCall => GIB,
        }
    }
}

/// Numbers in messages read as JS would print them (`Infinity`, not `inf`).
pub fn js_number(n: f64) -> String {
if n.is_nan() {
    "NaN".into()
} else if n.is_infinite() {
    if n > 0.0 { "Infinity".into() } else { "-Infinity".into() }
} else {
    n.to_string()
}
}


/// Validates a size as it arrives from JS (a double) and stores it in `config`.
pub fn set_size(config: &mut SandboxConfig, kind: SizeKind, bytes: f64) -> Result<()> {
    let setter = kind.setter();
    let max = kind.max();
    if !bytes.is_finite() || bytes.fract() != 0.0 {
        return Err(Error::invalid_arg(format!(
            "{setter}: size must be a whole number of bytes, got {}", js_number(bytes)
        )));
    }
    // Only the console budget may be zero (no output at all).
    let (positive, rule) = if kind == SizeKind::ConsolePerCall { (bytes >= 0.0, ">= 0") } else { (bytes > 0.0, "> 0") };
    if !positive {
        return Err(Error::invalid_arg(format!("{setter}: size must be {rule}, got {}", js_number(bytes))));
    }
    if bytes > max as f64 {
        return Err(Error::invalid_arg(format!(
            "{setter}: size {} is larger than the maximum of {max} bytes", js_number(bytes)
        )));
    }
    let bytes = bytes as u64;
    match kind {
        SizeKind::Heap => config.heap_size = bytes,
        SizeKind::Scratch => config.scratch_size = bytes,
        SizeKind::InputBuffer => config.input_buffer_size = bytes,
        SizeKind::OutputBuffer => config.output_buffer_size = bytes,
        SizeKind::ConsolePerCall => config.max_console_bytes_per_call = bytes,
    }
    Ok(())
}

/// Handler routing keys, module names and namespaces, host module and
/// function names: non-empty, and (where they become part of an import
/// specifier) free of the ':' that separates namespace from name.
pub fn validate_name(what: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid_arg(format!("{what} must not be empty")));
    }
    Ok(())
}

/// Time limits (`callHandler` options, the load timeout): whole milliseconds, 1 ms to 1 hour.
pub fn validate_timeout(option: &str, ms: f64) -> Result<std::time::Duration> {
    const MAX_MS: f64 = 3_600_000.0;
    if !ms.is_finite() || ms.fract() != 0.0 || !(1.0..=MAX_MS).contains(&ms) {
        return Err(Error::invalid_arg(format!(
            "{option} must be a whole number of milliseconds from 1 to {MAX_MS} (1 hour), got {}", js_number(ms)
        )));
    }
    Ok(std::time::Duration::from_millis(ms as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_must_be_positive_whole_and_bounded() {
        let mut c = SandboxConfig::default();
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, 1e30] {
            let err = set_size(&mut c, SizeKind::Heap, bad).unwrap_err();
            assert_eq!(err.code, crate::ErrorCode::InvalidArg, "{bad}");
            assert!(err.message.starts_with("setHeapSize"), "{}", err.message);
        }
        set_size(&mut c, SizeKind::OutputBuffer, 4096.0).unwrap();
        assert_eq!(c.output_buffer_size, 4096);
        assert_eq!(c, SandboxConfig { output_buffer_size: 4096, ..Default::default() });
    }

    #[test]
    fn the_console_budget_may_be_zero_but_not_negative_or_fractional() {
        let mut c = SandboxConfig::default();
        assert_eq!(c.max_console_bytes_per_call, 1024 * 1024);
        set_size(&mut c, SizeKind::ConsolePerCall, 0.0).unwrap();
        assert_eq!(c.max_console_bytes_per_call, 0);
        for bad in [-1.0, 0.5, f64::NAN, 2e9] {
            let err = set_size(&mut c, SizeKind::ConsolePerCall, bad).unwrap_err();
            assert!(err.message.starts_with("setMaxConsoleBytesPerCall"), "{}", err.message);
        }
    }

    #[test]
    fn timeouts_are_whole_milliseconds_up_to_an_hour() {
        assert_eq!(validate_timeout("cpuTimeoutMs", 1.0).unwrap().as_millis(), 1);
        assert_eq!(validate_timeout("cpuTimeoutMs", 3_600_000.0).unwrap().as_secs(), 3600);
        for bad in [0.0, -5.0, 1.5, 3_600_001.0, f64::NAN, f64::INFINITY] {
            let err = validate_timeout("wallClockTimeoutMs", bad).unwrap_err();
            assert!(err.message.contains("wallClockTimeoutMs"), "{}", err.message);
        }
    }

    #[test]
    fn empty_names_are_refused() {
        assert!(validate_name("handler name", "").is_err());
        assert!(validate_name("handler name", "  ").is_err());
        assert!(validate_name("handler name", "ok").is_ok());
    }
}

/// Which isolation technology runs a sandbox's guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// A jailed child process running the runtime natively.
    Process,
    /// A Hyperlight micro-VM.
    Hypervisor,
}

impl BackendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Process => "process",
            BackendKind::Hypervisor => "hypervisor",
        }
    }
}

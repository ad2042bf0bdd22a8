//! What both guests add to `hyperlight-js-runtime`, in one place: the
//! standard globals that server-side JavaScript expects (see the README's
//! table) and the per-sandbox CSPRNG behind `crypto` and `Math.random`.
//!
//! The globals themselves are JavaScript (`src/prelude/`, one file per global,
//! joined by the build script), evaluated once when
//! a guest's runtime starts; what JavaScript cannot do well or safely is
//! native and handed to it as one `native` object: randomness, digests, UTF-8
//! and WHATWG URL parsing (the `url` crate), base64, and the number formatting
//! and collation behind `Intl` (ICU4X, see `intl.rs`). `no_std` + `alloc`, so the
//! micro-VM guest can use it.
//!
//! Randomness: a sandbox is a copy (a fork of a template, a restored
//! snapshot), and a copy of a PRNG's state is a copy of every number it will
//! ever give. So no random state lives in JavaScript, and each guest calls
//! [`reseed`] with fresh OS entropy whenever it becomes a new sandbox: after
//! every fork (process backend) and after every boot and restore (micro-VM
//! backend, with entropy from the host). Until then there is no generator
//! and asking for randomness is an error, never a predictable answer.
#![no_std]

extern crate alloc;

mod intl;

use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use hyperlight_js_runtime::rquickjs::{self, ArrayBuffer, Ctx, Exception, Function, Object, TypedArray, Value};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// The prelude: a function of `(globalThis, native)`, joined from
/// `src/prelude/` by the build script.
const PRELUDE: &str = include_str!(concat!(env!("OUT_DIR"), "/prelude.js"));

/// The most `crypto.getRandomValues` hands out at once (as in Web Crypto).
const MAX_RANDOM_BYTES: usize = 65536;

/// The QuickJS runtime inside the guest's `JsRuntime`, which does not
/// expose it (see [`capture_runtime`]).
static QJS_RUNTIME: AtomicPtr<rquickjs::qjs::JSRuntime> = AtomicPtr::new(core::ptr::null_mut());

/// Keeps the QuickJS runtime for [`runtime`]: each guest lists this in its
/// `custom_globals!`, which runs it as the runtime starts.
pub fn capture_runtime(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    // SAFETY: the context pointer is live for the duration of this call.
    let rt = unsafe { rquickjs::qjs::JS_GetRuntime(ctx.as_raw().as_ptr()) };
    QJS_RUNTIME.store(rt, Ordering::Relaxed);
    Ok(())
}

/// The guest's QuickJS runtime (to set its limits, to collect garbage), once
/// [`capture_runtime`] has run. A guest has one thread, which uses it.
pub fn runtime() -> Option<*mut rquickjs::qjs::JSRuntime> {
    let rt = QJS_RUNTIME.load(Ordering::Relaxed);
    (!rt.is_null()).then_some(rt)
}

/// A guest has one thread; the lock only makes the static sound.
static RNG: spin::Mutex<Option<ChaCha20Rng>> = spin::Mutex::new(None);

/// Starts the generator afresh from `seed`: call it with 32 bytes of OS
/// entropy each time this guest becomes a new sandbox.
pub fn reseed(seed: [u8; 32]) {
    *RNG.lock() = Some(ChaCha20Rng::from_seed(seed));
}

fn random_bytes(n: usize) -> Option<Vec<u8>> {
    let mut rng = RNG.lock();
    let rng = rng.as_mut()?;
    let mut bytes = vec![0u8; n];
    rng.fill_bytes(&mut bytes);
    Some(bytes)
}

/// Where one console call's formatted text goes: `(level, text)`, the text
/// without its final newline.
pub type ConsoleSink = fn(&str, &str);

/// What a guest gives the globals from its host.
#[derive(Clone, Copy)]
pub struct GuestHost {
    /// The console's output.
    pub console: ConsoleSink,
    /// Blocks this guest for about this many microseconds (timers wait with
    /// it, in slices of at most [`SLEEP_SLICE_MICROS`], so a kill lands).
    pub sleep: fn(u64),
    /// Called once in a call that schedules a timer, before it does: the
    /// micro-VM's host then calls [`end_call`] after the call (the process
    /// guest calls it after every call anyway).
    pub timers_used: fn(),
    /// Calls a host function, `(module, function, JSON array of arguments)`,
    /// and waits for its JSON result or its error message: what `fetch`
    /// reaches the host's policy through ([`FETCH_MODULE`]).
    pub host_call: fn(&str, &str, String) -> Result<String, String>,
}

/// The host module that answers the guest's `fetch`. Its name has a `:`,
/// which no user's host module may have, and the host does not offer it as
/// an import: only the prelude's `fetch` calls it.
pub const FETCH_MODULE: &str = "hyperlight:fetch";

/// The longest a timer sleeps at once.
pub const SLEEP_SLICE_MICROS: u64 = 10_000;

/// Which call this is, as far as timers know: timers belong to the call (or
/// the load) that made them, and [`end_call`] drops them all.
static CALL: AtomicUsize = AtomicUsize::new(0);

/// The call (or load) is over: its pending timers never fire.
pub fn end_call() {
    CALL.fetch_add(1, Ordering::Relaxed);
}

/// How much allocation makes a collection after a call (`gc: true`) worth
/// its cost. QuickJS frees garbage without cycles the moment it is dropped
/// (it counts references); its cycle collector walks every live object,
/// which costs tens of microseconds even when there is nothing to find. So
/// a call asks for it only once the guest has allocated or freed this many
/// bytes since the last collection: no cyclic garbage can have appeared
/// without allocation.
pub const COLLECT_AFTER_BYTES: usize = 256 * 1024;

/// Bytes QuickJS allocated or freed since the last collection.
static CHURN: AtomicUsize = AtomicUsize::new(0);

/// Both guests call this from the hook through which QuickJS measures each
/// allocation it makes and each one it frees (`malloc_usable_size`).
pub fn note_heap_activity(bytes: usize) {
    CHURN.fetch_add(bytes, Ordering::Relaxed);
}

/// Runs `collect` (QuickJS's cycle collector) if the guest allocated
/// [`COLLECT_AFTER_BYTES`] since the last time: what `gc: true` asks after a call.
pub fn collect_if_worthwhile(collect: impl FnOnce()) {
    if CHURN.load(Ordering::Relaxed) >= COLLECT_AFTER_BYTES {
        collect_now(collect);
    }
}

/// A guest that can tell when it is idle may put off a due collection until
/// then, but not past this much churn: then it collects before it takes the
/// next call, however busy it is, so that memory stays bounded.
pub const COLLECT_BY_BYTES: usize = 4 * COLLECT_AFTER_BYTES;

/// What `gc: true` asks of the guest after a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// Not worth it yet.
    NotYet,
    /// Due: run it when nothing is waiting for the guest.
    WhenIdle,
    /// Overdue: run it before the next call.
    Now,
}

pub fn collection_after_call() -> Collection {
    match CHURN.load(Ordering::Relaxed) {
        n if n >= COLLECT_BY_BYTES => Collection::Now,
        n if n >= COLLECT_AFTER_BYTES => Collection::WhenIdle,
        _ => Collection::NotYet,
    }
}

/// Runs `collect` (QuickJS's cycle collector) and starts counting afresh.
pub fn collect_now(collect: impl FnOnce()) {
    collect();
    CHURN.store(0, Ordering::Relaxed);
}

/// The longest console message a guest hands to its host, in bytes (the
/// host's buffers must carry it: the sandbox's output buffer size).
static MESSAGE_LIMIT: AtomicUsize = AtomicUsize::new(64 * 1024);

/// Sets the longest console message; a longer one is cut, saying so.
pub fn set_message_limit(bytes: usize) {
    MESSAGE_LIMIT.store(bytes.max(1024), Ordering::Relaxed);
}

fn write_console(console: ConsoleSink, level: &str, mut text: String) {
    let limit = MESSAGE_LIMIT.load(Ordering::Relaxed);
    if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let dropped = text.len() - cut;
        text.truncate(cut);
        text.push_str(&format!("…[{dropped} bytes cut: one console message may be at most {limit} bytes]"));
    }
    console(level, &text)
}

/// `print(text)` as a console entry at level `log`: a final newline of
/// `text` is the line's end. For a guest whose libc stdout goes nowhere (the
/// micro-VM guest keeps the runtime's `print`, whose output the host receives
/// as one print call each).
pub fn print_to(ctx: &Ctx<'_>, console: ConsoleSink) -> rquickjs::Result<()> {
    use rquickjs::convert::Coerced;
    let print = Function::new(ctx.clone(), move |text: Coerced<String>| {
        let mut text = text.0;
        if text.ends_with('\n') {
            text.pop();
        }
        write_console(console, "log", text)
    })?;
    ctx.globals().set("print", print)
}

/// Installs the globals on `ctx`. Call it from the runtime's
/// `custom_globals!`, which runs before the runtime freezes `console`.
pub fn install(ctx: &Ctx<'_>, host: GuestHost) -> rquickjs::Result<()> {
    let native = Object::new(ctx.clone())?;
    let console = host.console;
    native.set("write", Function::new(ctx.clone(), move |level: String, text: String| write_console(console, &level, text))?)?;
    native.set("callId", Function::new(ctx.clone(), || CALL.load(Ordering::Relaxed) as f64)?)?;
    native.set("timersUsed", Function::new(ctx.clone(), move || (host.timers_used)())?)?;
    let sleep = host.sleep;
    native.set(
        "sleep",
        Function::new(ctx.clone(), move |ms: f64| {
            let micros = (ms * 1000.0).clamp(0.0, SLEEP_SLICE_MICROS as f64) as u64;
            sleep(micros)
        })?,
    )?;
    native.set("jobsPending", Function::new(ctx.clone(), |ctx: Ctx<'_>| {
        // SAFETY: the context, and so its runtime, is live during this call.
        unsafe { rquickjs::qjs::JS_IsJobPending(rquickjs::qjs::JS_GetRuntime(ctx.as_raw().as_ptr())) }
    })?)?;
    native.set("randomBytes", Function::new(ctx.clone(), native_random_bytes)?)?;
    native.set("digest", Function::new(ctx.clone(), native_digest)?)?;
    native.set("utf8Encode", Function::new(ctx.clone(), native_utf8_encode)?)?;
    native.set("utf8Decode", Function::new(ctx.clone(), native_utf8_decode)?)?;
    native.set("urlParse", Function::new(ctx.clone(), native_url_parse)?)?;
    native.set("urlSet", Function::new(ctx.clone(), native_url_set)?)?;
    native.set("intlFormatNumber", Function::new(ctx.clone(), intl::format_number)?)?;
    native.set("intlCompare", Function::new(ctx.clone(), intl::compare)?)?;
    native.set("base64Encode", Function::new(ctx.clone(), native_base64_encode)?)?;
    native.set("base64Decode", Function::new(ctx.clone(), native_base64_decode)?)?;
    let host_call = host.host_call;
    native.set(
        "fetch",
        Function::new(ctx.clone(), move |ctx: Ctx<'_>, request: String| -> rquickjs::Result<String> {
            // The policy's bridge spreads a JSON array of arguments.
            host_call(FETCH_MODULE, "fetch", format!("[{request}]")).map_err(|message| Exception::throw_type(&ctx, &message))
        })?,
    )?;
    let prelude: Function = ctx.eval(PRELUDE)?;
    prelude.call::<_, ()>((ctx.globals(), native))
}

fn native_random_bytes<'js>(ctx: Ctx<'js>, n: f64) -> rquickjs::Result<ArrayBuffer<'js>> {
    if !(0.0..=MAX_RANDOM_BYTES as f64).contains(&n) || n as usize as f64 != n {
        return Err(Exception::throw_range(&ctx, &format!("randomBytes: {n} is not a byte count from 0 to {MAX_RANDOM_BYTES}")));
    }
    match random_bytes(n as usize) {
        Some(bytes) => ArrayBuffer::new(ctx, bytes),
        None => Err(Exception::throw_internal(&ctx, "this sandbox has not been given its entropy yet")),
    }
}

fn bytes_of<'a>(ctx: &Ctx<'_>, array: &'a TypedArray<'_, u8>) -> rquickjs::Result<&'a [u8]> {
    array.as_bytes().ok_or_else(|| Exception::throw_type(ctx, "the buffer behind this array is detached"))
}

fn native_digest<'js>(ctx: Ctx<'js>, algorithm: String, data: TypedArray<'js, u8>) -> rquickjs::Result<ArrayBuffer<'js>> {
    use sha2::Digest;
    let data = bytes_of(&ctx, &data)?;
    let digest = match algorithm.as_str() {
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        other => return Err(Exception::throw_type(&ctx, &format!("digest: unknown algorithm '{other}'"))),
    };
    ArrayBuffer::new(ctx, digest)
}

/// The prelude makes the text well-formed first (lone surrogates become U+FFFD).
fn native_utf8_encode<'js>(ctx: Ctx<'js>, text: String) -> rquickjs::Result<ArrayBuffer<'js>> {
    ArrayBuffer::new(ctx, text.into_bytes())
}

/// WHATWG UTF-8 decoding: `from_utf8_lossy` replaces each maximal invalid
/// subpart with one U+FFFD, as the Encoding Standard does.
fn native_utf8_decode<'js>(ctx: Ctx<'js>, data: TypedArray<'js, u8>, fatal: bool) -> rquickjs::Result<String> {
    let bytes = bytes_of(&ctx, &data)?;
    if fatal {
        return match core::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(_) => Err(Exception::throw_type(&ctx, "The encoded data was not valid for encoding utf-8")),
        };
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// Standard padded base64. Decoding ignores the bits past the last whole
/// byte, as the forgiving decoding of `atob` does (`YR==` is `a`).
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

fn native_base64_encode<'js>(ctx: Ctx<'js>, data: TypedArray<'js, u8>) -> rquickjs::Result<String> {
    use base64::Engine;
    Ok(BASE64.encode(bytes_of(&ctx, &data)?))
}

/// Padded base64 (the prelude applies the rest of atob's forgiving rules
/// first); `null` when it is not.
fn native_base64_decode<'js>(ctx: Ctx<'js>, text: String) -> rquickjs::Result<Value<'js>> {
    use base64::Engine;
    match BASE64.decode(text.as_bytes()) {
        Ok(bytes) => ArrayBuffer::new(ctx, bytes).map(|b| b.into_value()),
        Err(_) => Ok(Value::new_null(ctx)),
    }
}

fn url_components<'js>(ctx: &Ctx<'js>, url: &url::Url) -> rquickjs::Result<Object<'js>> {
    use url::quirks;
    let o = Object::new(ctx.clone())?;
    o.set("href", quirks::href(url))?;
    o.set("protocol", quirks::protocol(url))?;
    o.set("username", quirks::username(url))?;
    o.set("password", quirks::password(url))?;
    o.set("host", quirks::host(url))?;
    o.set("hostname", quirks::hostname(url))?;
    o.set("port", quirks::port(url))?;
    o.set("pathname", quirks::pathname(url))?;
    o.set("search", quirks::search(url))?;
    o.set("hash", quirks::hash(url))?;
    o.set("origin", quirks::origin(url))?;
    Ok(o)
}

fn parse_url(input: &str, base: Option<&str>) -> Option<url::Url> {
    match base {
        Some(base) => url::Url::parse(base).ok()?.join(input).ok(),
        None => url::Url::parse(input).ok(),
    }
}

/// The components, or `null` (rquickjs would make `None` undefined).
fn components_or_null<'js>(ctx: &Ctx<'js>, url: Option<url::Url>) -> rquickjs::Result<Value<'js>> {
    match url {
        Some(url) => url_components(ctx, &url).map(Object::into_value),
        None => Ok(Value::new_null(ctx.clone())),
    }
}

fn native_url_parse<'js>(ctx: Ctx<'js>, input: String, base: Value<'js>) -> rquickjs::Result<Value<'js>> {
    let base = if base.is_undefined() { None } else { Some(base.get::<String>()?) };
    components_or_null(&ctx, parse_url(&input, base.as_deref()))
}

/// The WHATWG setters, on a URL the prelude holds as its `href`.
fn native_url_set<'js>(ctx: Ctx<'js>, href: String, property: String, value: String) -> rquickjs::Result<Value<'js>> {
    use url::quirks;
    let Some(mut url) = parse_url(&href, None) else { return components_or_null(&ctx, None) };
    // Each setter ignores a value it cannot apply, as the standard says;
    // only a failed `href` is the caller's to report.
    match property.as_str() {
        "href" => {
            if quirks::set_href(&mut url, &value).is_err() {
                return components_or_null(&ctx, None);
            }
        }
        "protocol" => { let _ = quirks::set_protocol(&mut url, &value); }
        "username" => { let _ = quirks::set_username(&mut url, &value); }
        "password" => { let _ = quirks::set_password(&mut url, &value); }
        "host" => { let _ = quirks::set_host(&mut url, &value); }
        "hostname" => { let _ = quirks::set_hostname(&mut url, &value); }
        "port" => { let _ = quirks::set_port(&mut url, &value); }
        "pathname" => quirks::set_pathname(&mut url, &value),
        "search" => quirks::set_search(&mut url, &value),
        "hash" => quirks::set_hash(&mut url, &value),
        other => return Err(Exception::throw_type(&ctx, &format!("urlSet: unknown URL property '{other}'"))),
    }
    components_or_null(&ctx, Some(url))
}

//! The runtime library expects its binary to wrap `clock_gettime` (its guest
//! module supplies `__wrap_clock_gettime` on top of Hyperlight's clock), and a
//! library's build script cannot pass link arguments to someone else's binary.
//! This guest also wraps `JS_RunGC`, which the runtime calls after every call
//! with `gc`, to collect only when worthwhile (crates/guest-env); QuickJS's own
//! automatic collections call it inside quickjs.c, where the wrap does not reach.
fn main() {
    println!("cargo:rustc-check-cfg=cfg(hyperlight)");
    if std::env::var_os("CARGO_CFG_HYPERLIGHT").is_some() {
        println!("cargo::rustc-link-arg=-wrap=clock_gettime");
        println!("cargo::rustc-link-arg=-wrap=JS_RunGC");
    }
}

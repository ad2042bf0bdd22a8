//! With the `hypervisor` feature, builds the micro-VM guest (crates/vm-guest)
//! for Hyperlight's target and hands its path to the engine, which embeds it.
//!
//! The guest's QuickJS is compiled with `__DJGPP` where hyperlight-js uses
//! `__wasi__`: both keep QuickJS off threads and atomics (the guest has none),
//! but `__wasi__` also turns off QuickJS's stack limit, which the engine relies
//! on to make deep recursion a catchable RangeError, as on the process backend.
//! (`__DJGPP`'s one other effect, a clock read through `gettimeofday`, is
//! supplied by the guest.)
//!
//! `__GLIBC__` makes QuickJS count each allocation's real size through
//! `malloc_usable_size` (which the guest also supplies); on an unknown libc
//! it counts every allocation as 8 bytes and the heap limit never fires. Of
//! the C code built for the guest, only QuickJS's allocation accounting and
//! `<malloc.h>` include look at it.

#![cfg_attr(not(feature = "hypervisor"), allow(dead_code, unused_imports))]

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "hypervisor")]
    build_vm_guest();
}

#[cfg(feature = "hypervisor")]
fn build_vm_guest() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let guest_dir = manifest_dir.join("../vm-guest").canonicalize().expect("crates/vm-guest is missing");
    println!("cargo:rerun-if-changed={}", guest_dir.display());
    // The globals both guests share are part of the micro-VM guest too.
    println!("cargo:rerun-if-changed={}", manifest_dir.join("../guest-env").display());
    // Always optimised: QuickJS unoptimised is painfully slow, and one guest
    // build then serves debug and release builds of the engine alike.
    let target_dir = target_dir().join("vm-guest");

    // The outer cargo holds a lock on its target directory: the guest gets its own.
    let mut cargo = cargo_hyperlight::cargo().expect("cargo-hyperlight could not find cargo");
    let cmd = cargo
        .arg("build")
        .arg("--release")
        .arg("--manifest-path")
        .arg(guest_dir.join("Cargo.toml"))
        .arg("--locked")
        .arg("--target-dir")
        .arg(&target_dir)
        .env_clear_cargo()
        .env("CARGO_TARGET_DIR", &target_dir)
        // The workspace's release profile asks for LTO, which cannot take
        // the guest's prebuilt C libraries.
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("HYPERLIGHT_CFLAGS", "-D_POSIX_MONOTONIC_CLOCK -D__DJGPP=1 -D__GLIBC__=2");
    cmd.status().unwrap_or_else(|e| panic!("building the micro-VM guest failed: {e:#}"));

    let binary = target_dir.join("x86_64-hyperlight-none").join("release").join("hyperlight-js-vm-guest");
    let binary = binary.canonicalize().unwrap_or_else(|_| panic!("the micro-VM guest was not built at {}", binary.display()));
    println!("cargo:rustc-env=HYPERLIGHT_JS_VM_GUEST={}", binary.display());
}

/// The workspace's target directory: OUT_DIR is <target>/<profile>/build/<pkg>/out,
/// or <target>/<triple>/<profile>/build/<pkg>/out when cross-compiling.
fn target_dir() -> PathBuf {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let dir: &Path = out.ancestors().nth(4).unwrap();
    let triple = std::env::var("TARGET").unwrap_or_default();
    match dir.file_name() {
        Some(name) if name == triple.as_str() && dir.parent().is_some_and(|p| p.join("CACHEDIR.TAG").exists()) => {
            dir.parent().unwrap().to_path_buf()
        }
        _ => dir.to_path_buf(),
    }
}

//! QuickJS measures every allocation and free with `malloc_usable_size`;
//! the guest wraps it (`__wrap_malloc_usable_size` in main.rs) to know how
//! much the heap has churned since the last collection (crates/guest-env).
fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--wrap=malloc_usable_size");
}

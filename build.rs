//! Links the addon for Node and, when `HYPERLIGHT_JS_GUEST_BIN` names a built
//! guest executable (scripts/build.js sets it), embeds that executable so the
//! addon is one self-contained file wherever npm puts it.

fn main() {
    napi_build::setup();
    println!("cargo:rustc-check-cfg=cfg(embedded_guest)");
    println!("cargo:rerun-if-env-changed=HYPERLIGHT_JS_GUEST_BIN");
    if let Some(path) = std::env::var_os("HYPERLIGHT_JS_GUEST_BIN") {
        let path = std::path::PathBuf::from(path);
        let path = path.canonicalize().unwrap_or_else(|e| panic!("HYPERLIGHT_JS_GUEST_BIN={}: {e}", path.display()));
        println!("cargo:rerun-if-changed={}", path.display());
        println!("cargo:rustc-env=HYPERLIGHT_JS_EMBEDDED_GUEST={}", path.display());
        println!("cargo:rustc-cfg=embedded_guest");
    }
}

//! Joins the prelude's files (`src/prelude/*.js`, one per global, in the
//! order of their numbers) into the one function expression the guest
//! evaluates: `$OUT_DIR/prelude.js`. Each file is a part of that function's
//! body, so the parts share its helpers; `tests/prelude.node.test.mjs` joins
//! them the same way.
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("src/prelude");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("src/prelude exists")
        .map(|e| e.expect("readable src/prelude").path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .collect();
    files.sort();
    let mut joined = String::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        if !joined.is_empty() {
            joined.push('\n');
        }
        joined.push_str(&fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display())));
    }
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("prelude.js");
    fs::write(&out, joined).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

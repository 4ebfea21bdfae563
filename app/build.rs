//! The browser build keeps the linker's relocations in the wasm (`--emit-relocs`):
//! `app/wasm-split.sh` needs them to split the rarely used pages into modules
//! loaded on demand (ARCHITECTURE.md, "Release profile").

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

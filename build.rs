//! Release links lay out the agent's steady-state functions together (see
//! scripts/gen-symbol-order): fewer executable pages stay resident in an idle agent.

#![allow(clippy::print_stdout)] // Cargo reads build-script output from stdout.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=packaging/symbol-order.txt");
    println!("cargo:rerun-if-env-changed=HIVEMIND_NO_SYMBOL_ORDER");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    // Only where the linker is known to be LLD: Rust's default for x86_64 Linux (GNU). Other
    // targets link with whatever `cc` uses, which may not know the option.
    let lld_default = var("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu";
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    // A linker chosen in Cargo's configuration (RUSTC_LINKER) or in the flags may not be LLD.
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let linker_changed = !var("RUSTC_LINKER").is_empty()
        || ["linker", "link-self-contained", "fuse-ld"]
            .iter()
            .any(|f| flags.contains(f));
    let wanted = var("PROFILE") == "release" && var("HIVEMIND_NO_SYMBOL_ORDER").is_empty();
    let order = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join("packaging/symbol-order.txt");
    if lld_default && !linker_changed && wanted && order.is_file() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        // Names that no longer exist (a toolchain or dependency update) are skipped.
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

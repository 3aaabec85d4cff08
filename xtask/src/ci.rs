//! `cargo xtask ci`: the static checks CI runs before the tests.

use crate::run::{cargo, root, step};
use crate::{guests, layers};

pub(crate) fn run() -> Result<(), String> {
    for krate in LAYERED {
        println!("==> {krate}: its modules form no circle");
        layers::check(&root().join("crates").join(krate).join("src"))?;
    }
    step(
        "checking formatting",
        cargo()
            .args(["fmt", "--all", "--check"])
            .current_dir(root()),
    )?;
    step(
        "checking guest formatting",
        cargo()
            .args(["fmt", "--all", "--check"])
            .current_dir(root().join("guest-examples")),
    )?;
    step(
        "clippy, warnings denied",
        cargo()
            .args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(root()),
    )?;
    for target in [guests::TARGET, guests::WASI_TARGET] {
        guests::ensure_target(target)?;
        step(
            &format!("clippy on the guests ({target}), warnings denied"),
            cargo()
                .args([
                    "clippy",
                    "--release",
                    "--locked",
                    "--target",
                    target,
                    "--",
                    "-D",
                    "warnings",
                ])
                .current_dir(root().join("guest-examples")),
        )?;
    }
    step(
        "docs, warnings denied",
        cargo()
            .args(["doc", "--workspace", "--no-deps", "--locked"])
            .env("RUSTDOCFLAGS", "-D warnings")
            .current_dir(root()),
    )?;
    step(
        "packaging: the library crates as they would be published",
        cargo()
            .args(["publish", "--dry-run", "--locked", "--allow-dirty"])
            .args(PUBLISHED.iter().flat_map(|name| ["-p", name]))
            .current_dir(root()),
    )
}

/// The crates published to crates.io, in dependency order; every other
/// crate of the workspace is `publish = false`.
const PUBLISHED: &[&str] = &[
    "slots-core",
    "host-wasmer-bindgen",
    "host-wasmer-macro",
    "host-wasmer",
    "slots-guest-sdk",
];

/// The crates whose modules are checked to form layers, with no circle.
const LAYERED: &[&str] = &["slots-core", "host-wasmer", "host-wasmer-bindgen"];

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
    forget_published_builds()?;
    step(
        "packaging: the library crates as they would be published",
        cargo()
            .args(["publish", "--dry-run", "--locked", "--allow-dirty"])
            .args(PUBLISHED.iter().flat_map(|name| ["-p", name]))
            .current_dir(root()),
    )
}

/// The version every published crate has (the workspace's).
const VERSION: &str = env!("CARGO_PKG_VERSION");

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

/// Makes cargo rebuild the published crates when it verifies their
/// packages. It builds them from a registry of its own in the workspace's
/// target directory, and a registry crate is never extracted nor rebuilt
/// again once it was: a second `cargo xtask ci` would check the first
/// one's code. Forgetting their sources (under cargo's home, where that
/// local registry has no name) and their fingerprints costs a rebuild of
/// these crates only.
fn forget_published_builds() -> Result<(), String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")));
    if let Some(sources) = home.map(|h| h.join("registry").join("src"))
        && let Ok(registries) = std::fs::read_dir(&sources)
    {
        for registry in registries.flatten() {
            // crates.io's sources are `index.crates.io-<hash>`; a local
            // registry's are `-<hash>`.
            if !registry.file_name().to_string_lossy().starts_with('-') {
                continue;
            }
            for krate in PUBLISHED {
                let extracted = registry.path().join(format!("{krate}-{VERSION}"));
                if extracted.exists() {
                    std::fs::remove_dir_all(&extracted)
                        .map_err(|e| format!("cannot remove {}: {e}", extracted.display()))?;
                }
            }
        }
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), std::path::PathBuf::from);
    let fingerprints = target.join("debug").join(".fingerprint");
    let Ok(entries) = std::fs::read_dir(&fingerprints) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let published = PUBLISHED.iter().any(|krate| {
            name.strip_prefix(krate)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|hash| hash.chars().all(|c| c.is_ascii_hexdigit()))
        });
        if published {
            std::fs::remove_dir_all(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

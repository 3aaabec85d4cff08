//! Building the guest examples for wasm32-unknown-unknown and for
//! wasm32-wasip1 (WASI, Rust `std`).

use std::path::PathBuf;
use std::process::Command;

use crate::run::{cargo, root, step};

/// The target of plain guests: a core module importing the world alone.
pub(crate) const TARGET: &str = "wasm32-unknown-unknown";

/// The WASI target: the same guests import `wasi_snapshot_preview1` too.
pub(crate) const WASI_TARGET: &str = "wasm32-wasip1";

/// Guests that only make sense on WASI (they print, read files, take
/// arguments): the host runs their wasm32-wasip1 build. Every other guest
/// is built for both targets and run from its wasm32-unknown-unknown build.
pub(crate) const WASI_GUESTS: &[&str] = &["files", "printing"];

/// One guest example, built.
pub(crate) struct Built {
    /// The guest's directory name.
    pub(crate) name: String,
    /// The build the host runs: wasip1 for a WASI guest.
    pub(crate) wasm: PathBuf,
    /// Whether it is a WASI guest.
    pub(crate) wasi: bool,
}

/// Where the guests built for `target` land.
pub(crate) fn out_dir_for(target: &str) -> PathBuf {
    root()
        .join("guest-examples/target")
        .join(target)
        .join("release")
}

/// Where the plain guests land.
pub(crate) fn out_dir() -> PathBuf {
    out_dir_for(TARGET)
}

/// Where the WASI guests land.
pub(crate) fn wasi_out_dir() -> PathBuf {
    out_dir_for(WASI_TARGET)
}

/// The guest examples: every directory of guest-examples/ with a Cargo.toml.
pub(crate) fn names() -> Result<Vec<String>, String> {
    let dir = root().join("guest-examples");
    let mut names = Vec::new();
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        if entry.path().join("Cargo.toml").is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Adds `target` when the toolchain lacks it: rustup does not add the
/// targets of rust-toolchain.toml to a toolchain already installed.
pub(crate) fn ensure_target(target: &str) -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == target)
    {
        return Ok(());
    }
    step(
        &format!("adding the {target} target (rustup target add)"),
        Command::new("rustup")
            .args(["target", "add", target])
            .current_dir(root()),
    )
}

/// Builds every guest example in release mode, for both targets.
pub(crate) fn build() -> Result<Vec<Built>, String> {
    for target in [TARGET, WASI_TARGET] {
        ensure_target(target)?;
        step(
            &format!("building the guest examples for {target}"),
            cargo()
                .args(["build", "--release", "--locked", "--target", target])
                // Where `out_dir_for` looks, whatever CARGO_TARGET_DIR says.
                .env("CARGO_TARGET_DIR", root().join("guest-examples/target"))
                .current_dir(root().join("guest-examples")),
        )?;
    }
    let mut built = Vec::new();
    for name in names()? {
        let file = format!("{}.wasm", name.replace('-', "_"));
        for dir in [out_dir(), wasi_out_dir()] {
            if !dir.join(&file).is_file() {
                return Err(format!(
                    "guest `{name}` built, but {} is missing",
                    dir.join(&file).display()
                ));
            }
        }
        let wasi = WASI_GUESTS.contains(&name.as_str());
        let dir = if wasi { wasi_out_dir() } else { out_dir() };
        built.push(Built {
            wasm: dir.join(&file),
            name,
            wasi,
        });
    }
    Ok(built)
}

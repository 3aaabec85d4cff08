//! Building the guest examples for wasm32-unknown-unknown.

use std::path::PathBuf;
use std::process::Command;

use crate::run::{cargo, root, step};

pub(crate) const TARGET: &str = "wasm32-unknown-unknown";

/// Where the built guests land.
pub(crate) fn out_dir() -> PathBuf {
    root()
        .join("guest-examples/target")
        .join(TARGET)
        .join("release")
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

/// Adds the wasm32 target when the toolchain lacks it: rustup does not add
/// the targets of rust-toolchain.toml to a toolchain already installed.
pub(crate) fn ensure_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == TARGET)
    {
        return Ok(());
    }
    step(
        &format!("adding the {TARGET} target (rustup target add)"),
        Command::new("rustup")
            .args(["target", "add", TARGET])
            .current_dir(root()),
    )
}

/// Builds every guest example in release mode.
pub(crate) fn build() -> Result<Vec<(String, PathBuf)>, String> {
    ensure_target()?;
    step(
        "building the guest examples for wasm32-unknown-unknown",
        cargo()
            .args(["build", "--release", "--locked", "--target", TARGET])
            .current_dir(root().join("guest-examples")),
    )?;
    let mut built = Vec::new();
    for name in names()? {
        let wasm = out_dir().join(format!("{}.wasm", name.replace('-', "_")));
        if !wasm.is_file() {
            return Err(format!(
                "guest `{name}` built, but {} is missing",
                wasm.display()
            ));
        }
        built.push((name, wasm));
    }
    Ok(built)
}

//! Building the guest examples for wasm32-unknown-unknown and for
//! wasm32-wasip1 (WASI, Rust `std`).

use std::path::PathBuf;
use std::process::Command;

use crate::run::{cargo, root, step};

pub(crate) use slots_test_support::guests::{TARGET, WASI_TARGET};
use slots_test_support::guests::{WASI_GUESTS, file_name, guest_workspace, names, out_dir_for};

/// One guest example, built.
pub(crate) struct Built {
    /// The guest's directory name.
    pub(crate) name: String,
    /// The build the host runs: wasip1 for a WASI guest.
    pub(crate) wasm: PathBuf,
    /// Whether it is a WASI guest.
    pub(crate) wasi: bool,
}

/// Where the plain guests land.
pub(crate) fn out_dir() -> PathBuf {
    out_dir_for(TARGET)
}

/// Where the WASI guests land.
pub(crate) fn wasi_out_dir() -> PathBuf {
    out_dir_for(WASI_TARGET)
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
                .env("CARGO_TARGET_DIR", guest_workspace().join("target"))
                .current_dir(guest_workspace()),
        )?;
    }
    let mut built = Vec::new();
    for name in names()? {
        let file = file_name(&name);
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

//! The guest examples: their names, where `cargo xtask` builds them, and
//! their bytes for the tests that run them.
//!
//! A test finds a guest in `$SLOTS_GUESTS_DIR` (`$SLOTS_WASI_GUESTS_DIR`
//! for the wasm32-wasip1 build), which `cargo xtask test` sets, or else
//! where `cargo xtask` builds it, so that a plain `cargo test` after one
//! `cargo xtask test` finds the guests too.

use std::path::{Path, PathBuf};

/// The target of plain guests: a core module importing the world alone.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// The WASI target: the same guests import `wasi_snapshot_preview1` too.
pub const WASI_TARGET: &str = "wasm32-wasip1";

/// Guests that only make sense on WASI (they print, read files, take
/// arguments): the host runs their wasm32-wasip1 build. Every other guest
/// is built for both targets and run from its wasm32-unknown-unknown build.
pub const WASI_GUESTS: &[&str] = &["files", "printing"];

/// The root of the workspace.
pub fn workspace() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or_else(|| manifest.join("../.."), Path::to_path_buf)
}

/// The guest examples' own workspace.
pub fn guest_workspace() -> PathBuf {
    workspace().join("guest-examples")
}

/// Where `cargo xtask` builds the guests for `target`.
pub fn out_dir_for(target: &str) -> PathBuf {
    guest_workspace()
        .join("target")
        .join(target)
        .join("release")
}

/// The file guest `name` builds to: Cargo writes `-` as `_`.
pub fn file_name(name: &str) -> String {
    format!("{}.wasm", name.replace('-', "_"))
}

/// The guest examples, sorted: every directory of guest-examples/ with a
/// Cargo.toml.
pub fn names() -> Result<Vec<String>, String> {
    let dir = guest_workspace();
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// The bytes of guest example `name` built for [`TARGET`], from
/// `$SLOTS_GUESTS_DIR` or [`out_dir_for`].
///
/// # Panics
///
/// When the guest is not built: the message says how to build it.
pub fn wasm(name: &str) -> Vec<u8> {
    read(name, "SLOTS_GUESTS_DIR", TARGET)
}

/// The bytes of guest example `name` built for [`WASI_TARGET`], from
/// `$SLOTS_WASI_GUESTS_DIR` or [`out_dir_for`].
///
/// # Panics
///
/// When the guest is not built: the message says how to build it.
pub fn wasi_wasm(name: &str) -> Vec<u8> {
    read(name, "SLOTS_WASI_GUESTS_DIR", WASI_TARGET)
}

fn read(name: &str, var: &str, target: &str) -> Vec<u8> {
    let dir = std::env::var_os(var).map_or_else(|| out_dir_for(target), PathBuf::from);
    let path = dir.join(file_name(name));
    std::fs::read(&path).unwrap_or_else(|e| {
        // A test reports a missing guest by panicking, with the way out.
        #[allow(clippy::panic)]
        {
            panic!(
                "guest `{name}` is not built for {target} ({}: {e}); `cargo xtask test` builds the guests first",
                path.display()
            )
        }
    })
}

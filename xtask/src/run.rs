//! Running commands from the workspace root, loudly.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root: the parent of xtask's own directory.
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// The cargo that runs xtask, so the pinned toolchain is used throughout.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Says what is about to happen, runs it, and fails with the command line.
pub(crate) fn step(what: &str, command: &mut Command) -> Result<(), String> {
    println!("\n==> {what}");
    let status = command
        .status()
        .map_err(|e| format!("{what}: cannot start {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

//! The guest examples, as `cargo xtask test` builds them.

use std::path::PathBuf;

/// The root of the workspace.
pub(crate) fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bytes of guest example `name`, from `$SLOTS_GUESTS_DIR` or the
/// guest workspace's release directory.
pub(crate) fn wasm(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("SLOTS_GUESTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace().join("guest-examples/target/wasm32-unknown-unknown/release")
        });
    let path = dir.join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "guest `{name}` is not built ({}: {e}); `cargo xtask test` builds the guests first",
            path.display()
        )
    })
}

/// The bytes of guest example `name` built for wasm32-wasip1, from
/// `$SLOTS_WASI_GUESTS_DIR` or the guest workspace's release directory.
pub(crate) fn wasi_wasm(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("SLOTS_WASI_GUESTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("guest-examples/target/wasm32-wasip1/release"));
    let path = dir.join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "guest `{name}` is not built for wasm32-wasip1 ({}: {e}); `cargo xtask test` builds the guests first",
            path.display()
        )
    })
}

//! Errors of WASI instances: setting one up, and a guest's exit.

use std::path::PathBuf;

use crate::InstantiateError;

/// A WASI instance could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WasiSetupError {
    /// The host's WASI runtime (a tokio runtime) could not start.
    #[error("cannot start the wasi runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A directory to preopen is missing or unreadable.
    #[error("cannot preopen `{}`: {reason}", .host.display())]
    Dir {
        /// The host directory.
        host: PathBuf,
        /// Why.
        reason: String,
    },
    /// A guest path of a preopen is not a plain absolute path below `/`.
    #[error("bad guest path `{guest}` for a preopen: use an absolute path without `..`")]
    GuestPath {
        /// The path given.
        guest: String,
    },
    /// wasmer-wasix refused the configuration (a nul byte in an argument,
    /// an `=` in a variable's name, ...).
    #[error("wasi setup failed: {0}")]
    Wasi(String),
    /// Validation or instantiation failed.
    #[error(transparent)]
    Instantiate(#[from] InstantiateError),
    /// The guest's WASI initialisation (`_initialize`) trapped or exited.
    #[error("the guest's `_initialize` failed: {0}")]
    Initialize(String),
}

/// The trap of a guest that called `proc_exit` (Rust's
/// `std::process::exit`): the instance has ended, with `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the guest exited with code {code}")]
pub struct GuestExit {
    /// The exit code the guest gave.
    pub code: u32,
}

//! Errors of WASI instances: setting one up, and a guest's exit.

use std::path::PathBuf;

use crate::InstantiateError;

/// A WASI instance could not be set up.
///
/// # Examples
///
/// A preopen of a directory that does not exist is refused, naming it:
///
/// ```
/// use host_wasmer::wasi::{WasiConfig, WasiHost, WasiSetupError};
/// use host_wasmer::{GuestWorld, HostConfig, Linker, SharedHost};
/// use wasmer::{Module, Store};
///
/// let world = GuestWorld::from_str("package demo:w@1.0.0; world guest {}", "guest")?;
/// let linker = Linker::<()>::new(world, SharedHost::new(HostConfig::default()));
/// let mut store = Store::default();
/// let module = Module::new(&store, wat::parse_str("(module)")?)?;
/// let config = WasiConfig::new("guest").dir("/no/such/dir", "/data");
/// let wasi = WasiHost::new()?;
/// let Err(error) = linker.instantiate_wasi(&mut store, &module, (), "t", &wasi, &config) else {
///     panic!("the directory does not exist");
/// };
/// assert!(matches!(error, WasiSetupError::Dir { .. }));
/// assert!(error.to_string().contains("/no/such/dir"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
/// `std::process::exit`): the instance has ended, with `code`
/// ([`WasiInstance::exit_code`](super::WasiInstance::exit_code)).
///
/// # Examples
///
/// ```
/// use host_wasmer::wasi::GuestExit;
///
/// assert_eq!(GuestExit { code: 3 }.to_string(), "the guest exited with code 3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the guest exited with code {code}")]
pub struct GuestExit {
    /// The exit code the guest gave.
    pub code: u32,
}

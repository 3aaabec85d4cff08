//! WASI guests: wasmer-wasix's imports beside the world's in one instance
//! (cargo feature `wasi`).
//!
//! A guest built for `wasm32-wasip1` with Rust `std` imports
//! `wasi_snapshot_preview1` beside the world. [`WasiHost`] holds what
//! wasmer-wasix lets a host build once (its task manager and runtime);
//! [`WasiConfig`] says what one instance is granted, and nothing is granted
//! by default: no preopened directory, no environment variable, no
//! argument but the program name, no stdin, and stdout and stderr
//! discarded unless inherited or captured (with a cap).
//! [`WasiState`] is the WASI side of one instance, from before it is
//! instantiated to its teardown: both
//! [`Linker::instantiate_wasi`](crate::Linker::instantiate_wasi) and a
//! world type `bindgen!` generated ([`WasiState::start_guest`], giving a
//! [`WasiGuest`]) set WASI up through it. Each instance has a WASI state
//! of its own; one tenant never sees another's preopens.
//!
//! # Examples
//!
//! ```no_run
//! use host_wasmer::wasi::{Output, WasiConfig, WasiHost};
//! use host_wasmer::{GuestWorld, HostConfig, Linker, SharedHost};
//! use wasmer::{Module, Store};
//!
//! let world = GuestWorld::load("wit", "guest")?;
//! let linker = Linker::<()>::new(world, SharedHost::new(HostConfig::default()));
//! let wasi = WasiHost::new()?; // once per host
//! let config = WasiConfig::new("guest")
//!     .dir("patterns", "/patterns")
//!     .env("LANG", "C")
//!     .stdout(Output::Capture { limit: 64 * 1024 });
//! let mut store = Store::default();
//! let module = Module::new(&store, std::fs::read("guest.wasm")?)?;
//! let instance = linker.instantiate_wasi(&mut store, &module, (), "tenant", &wasi, &config)?;
//! instance.call(&mut store, "run", &[])?;
//! let printed = instance.stdout().map(|out| out.bytes()).unwrap_or_default();
//! println!("{}", String::from_utf8_lossy(&printed));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod capture;
mod config;
mod error;
mod guest;
mod host;
mod instance;
mod state;

pub use capture::Captured;
pub use config::{Output, Preopen, WasiConfig};
pub use error::{GuestExit, WasiSetupError};
pub use guest::WasiGuest;
pub use host::WasiHost;
pub use instance::WasiInstance;
pub use state::WasiState;

/// Whether `module` imports WASI (any `wasi_*` module wasmer-wasix serves).
///
/// # Examples
///
/// ```
/// use wasmer::{Module, Store};
///
/// let store = Store::default();
/// let plain = Module::new(&store, wat::parse_str("(module)")?)?;
/// assert!(!host_wasmer::wasi::is_wasi_module(&plain));
/// let wasi = Module::new(&store, wat::parse_str(r#"(module
///     (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))"#)?)?;
/// assert!(host_wasmer::wasi::is_wasi_module(&wasi));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn is_wasi_module(module: &wasmer::Module) -> bool {
    wasmer_wasix::get_wasi_version(module, false).is_some()
}

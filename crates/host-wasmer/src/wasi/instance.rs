//! `WasiInstance`: a `Linker`'s guest instantiated with its own WASI state
//! beside the world's imports, and `Linker::instantiate_wasi`, which makes
//! one.

use std::sync::Arc;

use wasmer::{Module, Store};

use super::{WasiConfig, WasiGuest, WasiHost, WasiSetupError, WasiState};
use crate::{GuestInstance, InstantiateOptions, Linker};

/// A guest of a [`Linker`] with a WASI state of its own beside its handle
/// table: a [`WasiGuest`] over a [`GuestInstance`], whose exports it calls
/// by name (through `Deref`).
///
/// Tear it down with [`WasiGuest::teardown`] (or drop its store): its
/// handles are released as for any [`GuestInstance`], and its WASI files
/// are closed.
///
/// # Examples
///
/// ```no_run
/// use host_wasmer::wasi::{Output, WasiConfig, WasiHost};
/// # fn f(linker: &host_wasmer::Linker<()>, module: &wasmer::Module) -> Result<(), Box<dyn std::error::Error>> {
/// let wasi = WasiHost::new()?;
/// let config = WasiConfig::new("printing").args(["--exit", "3"]).stdout(Output::Inherit);
/// let mut store = wasmer::Store::default();
/// let instance = linker.instantiate_wasi(&mut store, module, (), "tenant", &wasi, &config)?;
/// let _trapped = instance.call(&mut store, "run", &[]);
/// assert_eq!(instance.exit_code(), Some(3));
/// instance.teardown(&mut store)?;
/// assert_eq!(wasi.live_environments(), 0);
/// # Ok(()) }
/// ```
pub type WasiInstance<D> = WasiGuest<GuestInstance<D>>;

impl<D: Send + 'static> Linker<D> {
    /// Instantiates a WASI guest (`wasm32-wasip1`): a [`WasiState`] of its
    /// own made from `config` on the shared `wasi` runtime, the WASI
    /// functions the module imports beside the world's, then WASI's
    /// initialisation ([`WasiState::start`]: `_initialize`, which runs the
    /// guest's constructors).
    ///
    /// A module that imports no WASI gets the same state (its output and
    /// preopens unused) and runs as with [`Linker::instantiate`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use host_wasmer::wasi::{Output, WasiConfig, WasiHost};
    /// # fn f(linker: &host_wasmer::Linker<()>, module: &wasmer::Module) -> Result<(), Box<dyn std::error::Error>> {
    /// let wasi = WasiHost::new()?;
    /// let config = WasiConfig::new("printer").stdout(Output::Capture { limit: 1 << 16 });
    /// let mut store = wasmer::Store::default();
    /// let instance = linker.instantiate_wasi(&mut store, module, (), "tenant", &wasi, &config)?;
    /// instance.call(&mut store, "run", &[])?;
    /// let printed = instance.stdout().map(|out| out.bytes()).unwrap_or_default();
    /// instance.teardown(&mut store)?;
    /// # Ok(()) }
    /// ```
    pub fn instantiate_wasi(
        &self,
        store: &mut Store,
        module: &Module,
        data: D,
        namespace: impl Into<Arc<str>>,
        wasi: &WasiHost,
        config: &WasiConfig,
    ) -> Result<WasiInstance<D>, WasiSetupError> {
        let mut state = WasiState::new(store, module, wasi, config)?;
        let options = InstantiateOptions::new().imports(state.take_imports());
        let guest = self.instantiate_with(store, module, data, namespace, options)?;
        state.start_guest(store, guest)
    }
}

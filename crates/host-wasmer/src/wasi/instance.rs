//! `WasiInstance`: a guest instantiated with its own WASI state beside the
//! world's imports, and `Linker::instantiate_wasi`, which makes one.

use std::sync::Arc;

use wasmer::{Module, Store};

use super::{Captured, WasiConfig, WasiHost, WasiSetupError, WasiState};
use crate::abi::Val;
use crate::{CallError, GuestInstance, HostError, InstantiateOptions, Linker};

/// A guest with a WASI state of its own beside its handle table.
///
/// Tear it down with [`WasiInstance::teardown`] (or drop its store): its
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
pub struct WasiInstance<D> {
    guest: GuestInstance<D>,
    state: WasiState,
}

impl<D: Send + 'static> WasiInstance<D> {
    /// The guest, as any instance of the world.
    pub fn guest(&self) -> &GuestInstance<D> {
        &self.guest
    }

    /// Calls the world export `name`, as [`GuestInstance::call`] does. A
    /// guest that exits (`std::process::exit`) traps with [`GuestExit`](super::GuestExit);
    /// [`WasiInstance::exit_code`] then has its code.
    pub fn call(
        &self,
        store: &mut Store,
        name: &str,
        params: &[Val],
    ) -> Result<Option<Val>, CallError> {
        self.guest.call(store, name, params)
    }

    /// The instance's WASI state.
    pub fn state(&self) -> &WasiState {
        &self.state
    }

    /// The code the guest exited with, if it called `proc_exit`.
    pub fn exit_code(&self) -> Option<u32> {
        self.state.exit_code()
    }

    /// The guest's stdout, when the configuration captures it.
    pub fn stdout(&self) -> Option<&Captured> {
        self.state.stdout()
    }

    /// The guest's stderr, when the configuration captures it.
    pub fn stderr(&self) -> Option<&Captured> {
        self.state.stderr()
    }

    /// Releases every handle the instance holds, as
    /// [`GuestInstance::teardown`] does, and closes its WASI files (its
    /// preopens among them). Tearing down twice does nothing more; a store
    /// the instance does not belong to is refused ([`HostError::WrongStore`]).
    pub fn teardown(&self, store: &mut Store) -> Result<(), HostError> {
        self.guest.teardown(store)?;
        self.state.teardown(store)
    }
}

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
        if let Err(error) = state.start(store, guest.wasmer()) {
            // The store is the instance's own: teardown cannot refuse it.
            let _ = guest.teardown(store);
            return Err(error);
        }
        Ok(WasiInstance { guest, state })
    }
}

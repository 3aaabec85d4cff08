//! `WasiGuest`: a world type `bindgen!` generated, paired with the WASI
//! state of its instance.

use std::ops::Deref;

use wasmer::Store;

use super::{Captured, WasiSetupError, WasiState};
use crate::HostError;
use crate::bindings::World;

/// A guest of a generated world type `W` with a [`WasiState`] of its own:
/// the typed exports of `W` (through `Deref`), the WASI state's exit code
/// and captured output, and one teardown for both.
///
/// Made by [`WasiState::start_guest`]; see [`WasiState`] for the steps.
pub struct WasiGuest<W> {
    guest: W,
    state: WasiState,
}

impl WasiState {
    /// Finishes setting up `guest`, instantiated with
    /// [`WasiState::imports`], as [`WasiState::start`] does, and pairs the
    /// two. On an error both the guest's handles and the WASI environment
    /// are released.
    pub fn start_guest<W: World>(
        self,
        store: &mut Store,
        guest: W,
    ) -> Result<WasiGuest<W>, WasiSetupError> {
        if let Err(error) = self.start(store, guest.instance().wasmer()) {
            // The guest was instantiated in `store`: neither refuses it.
            let _ = self.teardown(store);
            let _ = guest.instance().teardown(store);
            return Err(error);
        }
        Ok(WasiGuest { guest, state: self })
    }
}

impl<W: World> WasiGuest<W> {
    /// The generated world type.
    pub fn guest(&self) -> &W {
        &self.guest
    }

    /// The instance's WASI state.
    pub fn state(&self) -> &WasiState {
        &self.state
    }

    /// The code the guest exited with, if it called `proc_exit`; its call
    /// then failed with a trap holding [`GuestExit`](super::GuestExit).
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

    /// Releases every handle the instance holds and ends its WASI
    /// environment (its files closed). Tearing down twice does nothing
    /// more; a store the instance does not belong to is refused
    /// ([`HostError::WrongStore`]).
    pub fn teardown(&self, store: &mut Store) -> Result<(), HostError> {
        self.guest.instance().teardown(store)?;
        self.state.teardown(store)
    }
}

impl<W> Deref for WasiGuest<W> {
    type Target = W;

    fn deref(&self) -> &W {
        &self.guest
    }
}

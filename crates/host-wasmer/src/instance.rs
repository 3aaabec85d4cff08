//! `GuestInstance`: an instantiated guest, its exports called through the
//! canonical ABI.

use std::sync::Arc;

use slots_core::{AsHandle, Handle, Resource, Shared};
use wasmer::{AsStoreRef, Instance, Store};

use crate::abi::{Abi, Val, WasmerMemory};
use crate::bindings::{BoundInstance, World};
use crate::{CallError, Counters, GuestWorld, HostError, InstanceEnv};

/// A guest instantiated by a [`Linker`](crate::Linker).
///
/// Its handles live in its [`InstanceEnv`], inside the store: dropping the
/// store, or calling [`GuestInstance::teardown`], releases every handle it
/// still holds.
///
/// Every method takes the Wasmer `Store` the instance was made in. Those
/// that can fail return an error for another store
/// ([`CallError::WrongStore`], [`HostError::WrongStore`]); the accessors
/// [`env`](Self::env), [`env_mut`](Self::env_mut) and
/// [`counters`](Self::counters) panic, as Wasmer's own accessors do, and
/// [`belongs_to`](Self::belongs_to) tells beforehand.
pub struct GuestInstance<D> {
    /// The instance, its state, store and poisoning: what every guest has,
    /// however its imports were bound.
    bound: BoundInstance<D>,
    world: Arc<GuestWorld>,
    abi: Arc<Abi>,
}

impl<D: Send + 'static> GuestInstance<D> {
    pub(crate) fn new(bound: BoundInstance<D>, world: Arc<GuestWorld>, abi: Arc<Abi>) -> Self {
        Self { bound, world, abi }
    }

    /// The Wasmer instance.
    pub fn wasmer(&self) -> &Instance {
        self.bound.wasmer()
    }

    /// Whether the instance was made in `store`.
    pub fn belongs_to(&self, store: &impl AsStoreRef) -> bool {
        self.bound.belongs_to(store)
    }

    /// Whether the instance was torn down ([`GuestInstance::teardown`]).
    ///
    /// # Panics
    ///
    /// When `store` is not the instance's store.
    pub fn is_torn_down(&self, store: &Store) -> bool {
        self.bound.is_torn_down(store)
    }

    /// The instance's state: its table, namespace and the embedder's data.
    ///
    /// # Panics
    ///
    /// When `store` is not the instance's store.
    pub fn env<'s>(&self, store: &'s Store) -> &'s InstanceEnv<D> {
        self.bound.env(store)
    }

    /// The instance's state, mutably.
    ///
    /// # Panics
    ///
    /// When `store` is not the instance's store.
    pub fn env_mut<'s>(&self, store: &'s mut Store) -> &'s mut InstanceEnv<D> {
        self.bound.env_mut(store)
    }

    /// The instance's counters.
    ///
    /// # Panics
    ///
    /// When `store` is not the instance's store.
    pub fn counters(&self, store: &Store) -> Counters {
        self.bound.counters(store)
    }

    /// Calls the world export `name` with `params`, lowering them into the
    /// guest and lifting its result, then runs its post-return function.
    ///
    /// Once a call has trapped, the instance is poisoned: later calls fail
    /// with [`CallError::Poisoned`] without entering the guest, whose state
    /// the trap may have left half-changed. A host function that panics
    /// traps too, naming its import ([`HostError::Panicked`]). After
    /// [`teardown`](Self::teardown), calls fail with
    /// [`CallError::TornDown`].
    pub fn call(
        &self,
        store: &mut Store,
        name: &str,
        params: &[Val],
    ) -> Result<Option<Val>, CallError> {
        self.bound.enter(store, name)?;
        let result = self.call_unpoisoned(store, name, params);
        if let Err(CallError::Trap { .. }) = result {
            self.bound.poison();
        }
        result
    }

    /// Whether a call has trapped, so that the instance is not entered again.
    pub fn is_poisoned(&self) -> bool {
        self.bound.is_poisoned()
    }

    /// Lets a poisoned instance be entered again. Only for guests known to
    /// keep no state a trap could leave half-changed (hand-written test
    /// guests, say); a compiled guest may misbehave after a trap.
    pub fn clear_poison(&self) {
        self.bound.clear_poison();
    }

    fn call_unpoisoned(
        &self,
        store: &mut Store,
        name: &str,
        params: &[Val],
    ) -> Result<Option<Val>, CallError> {
        let export = self
            .world
            .export(name)
            .ok_or_else(|| CallError::NoExport(name.into()))?;
        let abi_error = |error| CallError::Abi {
            export: name.into(),
            error,
        };
        let function = self
            .wasmer()
            .exports
            .get_function(&export.name)
            .map_err(|_| CallError::NoExport(name.into()))?
            .clone();
        let (memory, realloc) = {
            let env = self.env(store);
            (env.memory.clone(), env.realloc.clone())
        };
        // While the host lowers arguments (which may run `cabi_realloc`) and
        // while `cabi_post_*` runs, the guest may not call imports.
        let args = self.bound.while_busy(store, |store| {
            let mut mem = WasmerMemory::optional(store, memory.clone(), realloc.clone());
            self.abi.lower_export_params(&export.func, params, &mut mem)
        });
        let args = args.map_err(abi_error)?;
        let results = function
            .call(store, &args)
            .map_err(|error| CallError::trapped(name, error))?;
        let result = {
            let mut mem = WasmerMemory::optional(store, memory, realloc);
            self.abi
                .lift_export_result(&export.func, &results, &mut mem)
                .map_err(abi_error)?
        };
        if let Ok(post_return) = self.wasmer().exports.get_function(&export.post_return) {
            let done = self
                .bound
                .while_busy(store, |store| post_return.call(store, &results));
            done.map_err(|error| CallError::trapped(&export.post_return, error))?;
        }
        Ok(result)
    }

    /// The [`Shared`] cell of the `T` behind the instance's `handle`: the
    /// first half of a grant by the host. An owned object becomes shared
    /// for good.
    pub fn share<T: Resource>(
        &self,
        store: &mut Store,
        handle: impl AsHandle<T>,
    ) -> Result<Arc<Shared<T>>, HostError> {
        self.bound.share(store, handle)
    }

    /// Gives the instance a handle of its own to `object`, with its own
    /// count: the second half of a grant by the host. A full table is
    /// [`HostError::Quota`].
    ///
    /// # Examples
    ///
    /// A host grants instance B the object instance A holds:
    ///
    /// ```no_run
    /// # use host_wasmer::{GuestInstance, HostError};
    /// # use slots_core::{Handle, Resource};
    /// # use wasmer::Store;
    /// # struct Bucket;
    /// # impl Resource for Bucket { const NAME: &'static str = "bucket"; }
    /// # fn grant(a: &GuestInstance<()>, store_a: &mut Store, b: &GuestInstance<()>,
    /// #          store_b: &mut Store, handle: Handle<Bucket>) -> Result<(), Box<dyn std::error::Error>> {
    /// let object = a.share(store_a, handle)?;
    /// let theirs = b.adopt(store_b, object)?;
    /// # let _ = theirs; Ok(()) }
    /// ```
    pub fn adopt<T: Resource>(
        &self,
        store: &mut Store,
        object: Arc<Shared<T>>,
    ) -> Result<Handle<T>, HostError> {
        self.bound.adopt(store, object)
    }

    /// Revokes the `T` behind the instance's `handle`: every handle to it,
    /// in every instance, fails from now on. Returns whether this call
    /// revoked it (`false` if it was revoked already).
    pub fn revoke<T: Resource>(
        &self,
        store: &mut Store,
        handle: impl AsHandle<T>,
    ) -> Result<bool, HostError> {
        self.bound.revoke(store, handle)
    }

    /// Releases every handle the instance still holds, as if it had ended,
    /// and folds its counters into the host's totals. Its objects are
    /// dropped, or stay warm in the host's cache. From then on the instance
    /// refuses calls ([`CallError::TornDown`]), and its host functions trap
    /// if the guest is entered some other way. Tearing down twice does
    /// nothing more.
    pub fn teardown(&self, store: &mut Store) -> Result<(), HostError> {
        self.bound.teardown(store)
    }
}

/// A `GuestInstance` is a world's instance like a generated world type's,
/// so that generic helpers (WASI's [`WasiGuest`](crate::wasi::WasiGuest),
/// with feature `wasi`) serve both.
impl<D: Send + 'static> World for GuestInstance<D> {
    type Data = D;

    fn instance(&self) -> &BoundInstance<D> {
        &self.bound
    }
}

//! `GuestInstance`: an instantiated guest, its exports called through the
//! canonical ABI.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use slots_core::{AsHandle, Handle, InsertError, Resource, Shared};
use wasmer::{FunctionEnv, Instance, Store};

use crate::abi::{Abi, Val, WasmerMemory};
use crate::{CallError, Counters, GuestTrap, GuestWorld, HostError, InstanceEnv};

/// A guest instantiated by a [`Linker`](crate::Linker).
///
/// Its handles live in its [`InstanceEnv`], inside the store: dropping the
/// store, or calling [`GuestInstance::teardown`], releases every handle it
/// still holds.
pub struct GuestInstance<D> {
    instance: Instance,
    /// Set by a trap: the guest's state may be half-changed.
    poisoned: AtomicBool,
    env: FunctionEnv<InstanceEnv<D>>,
    world: Arc<GuestWorld>,
    abi: Arc<Abi>,
}

impl<D: Send + 'static> GuestInstance<D> {
    pub(crate) fn new(
        instance: Instance,
        env: FunctionEnv<InstanceEnv<D>>,
        world: Arc<GuestWorld>,
        abi: Arc<Abi>,
    ) -> Self {
        Self {
            instance,
            poisoned: AtomicBool::new(false),
            env,
            world,
            abi,
        }
    }

    /// The Wasmer instance.
    pub fn wasmer(&self) -> &Instance {
        &self.instance
    }

    /// The instance's state: its table, namespace and the embedder's data.
    pub fn env<'s>(&self, store: &'s Store) -> &'s InstanceEnv<D> {
        self.env.as_ref(store)
    }

    /// The instance's state, mutably.
    pub fn env_mut<'s>(&self, store: &'s mut Store) -> &'s mut InstanceEnv<D> {
        self.env.as_mut(store)
    }

    /// The instance's counters.
    pub fn counters(&self, store: &Store) -> Counters {
        self.env(store).counters()
    }

    /// Calls the world export `name` with `params`, lowering them into the
    /// guest and lifting its result, then runs its post-return function.
    ///
    /// Once a call has trapped, the instance is poisoned: later calls fail
    /// with [`CallError::Poisoned`] without entering the guest, whose state
    /// the trap may have left half-changed.
    pub fn call(
        &self,
        store: &mut Store,
        name: &str,
        params: &[Val],
    ) -> Result<Option<Val>, CallError> {
        if self.is_poisoned() {
            return Err(CallError::Poisoned {
                export: name.into(),
            });
        }
        let result = self.call_unpoisoned(store, name, params);
        if let Err(CallError::Trap { .. }) = result {
            self.poisoned.store(true, Ordering::Relaxed);
        }
        result
    }

    /// Whether a call has trapped, so that the instance is not entered again.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Relaxed)
    }

    /// Lets a poisoned instance be entered again. Only for guests known to
    /// keep no state a trap could leave half-changed (hand-written test
    /// guests, say); a compiled guest may misbehave after a trap.
    pub fn clear_poison(&self) {
        self.poisoned.store(false, Ordering::Relaxed);
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
            .instance
            .exports
            .get_function(&export.name)
            .map_err(|_| CallError::NoExport(name.into()))?
            .clone();
        let (memory, realloc) = {
            let env = self.env.as_ref(store);
            (env.memory.clone(), env.realloc.clone())
        };
        let Some(memory) = memory else {
            return Err(CallError::NoExport("memory".into()));
        };
        // While the host lowers arguments (which may run `cabi_realloc`) and
        // while `cabi_post_*` runs, the guest may not call imports.
        self.env.as_mut(store).in_host_call = true;
        let args = {
            let mut mem = WasmerMemory::new(store, memory.clone(), realloc.clone());
            self.abi.lower_export_params(&export.func, params, &mut mem)
        };
        self.env.as_mut(store).in_host_call = false;
        let args = args.map_err(abi_error)?;
        let results = function
            .call(store, &args)
            .map_err(|error| trapped(name, error))?;
        let result = {
            let mut mem = WasmerMemory::new(store, memory, realloc);
            self.abi
                .lift_export_result(&export.func, &results, &mut mem)
                .map_err(abi_error)?
        };
        if let Ok(post_return) = self.instance.exports.get_function(&export.post_return) {
            self.env.as_mut(store).in_host_call = true;
            let done = post_return.call(store, &results);
            self.env.as_mut(store).in_host_call = false;
            done.map_err(|error| trapped(&export.post_return, error))?;
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
        self.env_mut(store)
            .table
            .share(handle)
            .map_err(|error| HostError::handle::<T>(error))
    }

    /// Gives the instance a handle of its own to `object`, with its own
    /// count: the second half of a grant by the host.
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
    ) -> Result<Handle<T>, InsertError> {
        let handle = self.env_mut(store).table.insert_shared(object)?;
        tracing::debug!(target: "slots::grant", resource = T::NAME, handle = %handle.raw(), "adopted from the host");
        Ok(handle)
    }

    /// Revokes the `T` behind the instance's `handle`: every handle to it,
    /// in every instance, fails from now on. Returns whether this call
    /// revoked it (`false` if it was revoked already).
    pub fn revoke<T: Resource>(
        &self,
        store: &mut Store,
        handle: impl AsHandle<T>,
    ) -> Result<bool, HostError> {
        let env = self.env_mut(store);
        let object = env
            .table
            .share(handle)
            .map_err(|error| HostError::handle::<T>(error))?;
        let revoked = object.revoke();
        tracing::info!(target: "slots::grant", resource = T::NAME, handle = %handle.as_raw(), namespace = %env.namespace, "revoked");
        Ok(revoked)
    }

    /// Releases every handle the instance still holds, as if it had ended.
    /// Its objects are dropped, or stay warm in the host's cache. Calls
    /// into the instance after this see no handles.
    pub fn teardown(&self, store: &mut Store) {
        self.env.as_mut(store).teardown();
    }
}

fn trapped(export: &str, error: wasmer::RuntimeError) -> CallError {
    let host = error
        .downcast_ref::<GuestTrap>()
        .map(|trap| trap.to_string());
    CallError::Trap {
        export: export.into(),
        message: error.message(),
        host,
    }
}

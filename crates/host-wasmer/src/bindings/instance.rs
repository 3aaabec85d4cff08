//! `BoundInstance`: a guest instantiated through generated bindings, and
//! the steps of a call of one of its exports.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use slots_core::{AsHandle, Handle, InsertError, Resource, Shared};
use wasmer::{AsStoreRef, Function, FunctionEnv, Imports, Instance, Module, RuntimeError, Store};

use super::canon::LiftCx;
use crate::abi::{AbiError, WasmerMemory};
use crate::instance::trapped;
use crate::{CallError, Counters, HostError, InstanceEnv, InstantiateError, SlotsHost};

/// A guest instantiated through the bindings `bindgen!` generates: the
/// Wasmer instance, its state, and whether a trap has poisoned it.
///
/// The generated world type wraps one and adds a typed method per export;
/// this type holds what every world shares. Its handles live in its
/// [`InstanceEnv`], in the store: dropping the store, or
/// [`BoundInstance::teardown`], releases every handle it still holds.
pub struct BoundInstance<D> {
    instance: Instance,
    env: FunctionEnv<InstanceEnv<D>>,
    /// Set by a trap: the guest's state may be half-changed.
    poisoned: AtomicBool,
    /// A function of the instance's store, to tell that store from others.
    marker: Function,
}

/// What every world type `bindgen!` generates is: typed exports over a
/// [`BoundInstance`]. Generic helpers (WASI's
/// `WasiState::start_guest`, with feature `wasi`) reach the instance
/// through it.
pub trait World {
    /// The embedder's per-instance data.
    type Data: Send + 'static;

    /// The instance the typed exports call.
    fn instance(&self) -> &BoundInstance<Self::Data>;
}

/// A fresh instance state for a guest of `host` in `namespace`, with `data`
/// as the embedder's, to define a world's imports against (a generated
/// `add_to_imports`) before instantiating (a generated `instantiate`).
///
/// # Examples
///
/// ```
/// use host_wasmer::{HostConfig, SlotsHost, bindings};
/// use wasmer::Store;
///
/// let host = SlotsHost::new(HostConfig::default());
/// let mut store = Store::default();
/// let env = bindings::new_env(&mut store, (), host.clone(), "tenant");
/// assert_eq!(&**env.as_ref(&store).namespace(), "tenant");
/// ```
pub fn new_env<D: Send + 'static>(
    store: &mut Store,
    data: D,
    host: Arc<SlotsHost>,
    namespace: impl Into<Arc<str>>,
) -> FunctionEnv<InstanceEnv<D>> {
    FunctionEnv::new(store, InstanceEnv::new(data, host, namespace.into()))
}

impl<D: Send + 'static> BoundInstance<D> {
    /// Instantiates `module` with `imports` (the generated ones, and any the
    /// embedder added beside them), for the instance state `env` they were
    /// defined against. The guest's `memory` and `cabi_realloc` are taken
    /// when it exports them.
    pub fn instantiate(
        store: &mut Store,
        module: &Module,
        imports: &Imports,
        env: FunctionEnv<InstanceEnv<D>>,
    ) -> Result<Self, InstantiateError> {
        let (instance, marker) = crate::env::start(store, module, imports, &env)?;
        Ok(Self {
            instance,
            env,
            poisoned: AtomicBool::new(false),
            marker,
        })
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

    /// Whether a call has trapped, so that the instance is not entered again.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Relaxed)
    }

    /// Lets a poisoned instance be entered again; only for guests known to
    /// keep no state a trap could leave half-changed.
    pub fn clear_poison(&self) {
        self.poisoned.store(false, Ordering::Relaxed);
    }

    /// Releases every handle the instance still holds, as if it had ended.
    pub fn teardown(&self, store: &mut Store) {
        self.env.as_mut(store).teardown();
    }

    /// The [`Shared`] cell of the `T` behind the instance's `handle`: the
    /// first half of a grant by the host.
    pub fn share<T: Resource>(
        &self,
        store: &mut Store,
        handle: impl AsHandle<T>,
    ) -> Result<Arc<Shared<T>>, HostError> {
        self.env_mut(store)
            .table
            .share(handle)
            .map_err(HostError::handle::<T>)
    }

    /// Gives the instance a handle of its own to `object`: the second half
    /// of a grant by the host.
    pub fn adopt<T: Resource>(
        &self,
        store: &mut Store,
        object: Arc<Shared<T>>,
    ) -> Result<Handle<T>, InsertError> {
        self.env_mut(store).table.insert_shared(object)
    }

    /// Revokes the `T` behind the instance's `handle` in every instance.
    /// Returns whether this call revoked it.
    pub fn revoke<T: Resource>(
        &self,
        store: &mut Store,
        handle: impl AsHandle<T>,
    ) -> Result<bool, HostError> {
        Ok(self.share(store, handle)?.revoke())
    }

    /// Whether `store` is the store the instance lives in.
    pub fn belongs_to(&self, store: &impl AsStoreRef) -> bool {
        self.marker.is_from_store(store)
    }

    /// Refuses a call with another store, into a torn-down instance, or
    /// into a poisoned one.
    #[doc(hidden)]
    pub fn enter(&self, store: &Store, export: &str) -> Result<(), CallError> {
        if !self.belongs_to(store) {
            return Err(CallError::WrongStore {
                export: export.into(),
            });
        }
        if self.env(store).is_torn_down() {
            return Err(CallError::TornDown {
                export: export.into(),
            });
        }
        if self.is_poisoned() {
            return Err(CallError::Poisoned {
                export: export.into(),
            });
        }
        Ok(())
    }

    /// Lowers an export's arguments with `lower`, the instance marked busy
    /// meanwhile (lowering may run the guest's `cabi_realloc`).
    #[doc(hidden)]
    pub fn lower<R>(
        &self,
        store: &mut Store,
        export: &str,
        lower: impl FnOnce(&mut WasmerMemory<'_, Store>) -> Result<R, HostError>,
    ) -> Result<R, CallError> {
        let (memory, realloc) = {
            let env = self.env.as_ref(store);
            (env.memory.clone(), env.realloc.clone())
        };
        self.env.as_mut(store).in_host_call = true;
        let lowered = lower(&mut WasmerMemory::optional(store, memory, realloc));
        self.env.as_mut(store).in_host_call = false;
        lowered.map_err(|error| abi_error(export, error))
    }

    /// The outcome of running the guest: a trap poisons the instance.
    #[doc(hidden)]
    pub fn ran<R>(&self, export: &str, result: Result<R, RuntimeError>) -> Result<R, CallError> {
        result.map_err(|error| {
            self.poisoned.store(true, Ordering::Relaxed);
            trapped(export, error)
        })
    }

    /// Lifts an export's result with `lift`.
    #[doc(hidden)]
    pub fn lift<R>(
        &self,
        store: &mut Store,
        export: &str,
        lift: impl FnOnce(&mut LiftCx<'_, WasmerMemory<'_, Store>>) -> Result<R, HostError>,
    ) -> Result<R, CallError> {
        let (memory, realloc, limit) = {
            let env = self.env.as_ref(store);
            (
                env.memory.clone(),
                env.realloc.clone(),
                env.host.config().lift_limit,
            )
        };
        let mem = WasmerMemory::optional(store, memory, realloc);
        lift(&mut LiftCx::new(&mem, None, limit)).map_err(|error| abi_error(export, error))
    }

    /// Runs an export's `cabi_post_*` function, the instance marked busy.
    #[doc(hidden)]
    pub fn post_return(
        &self,
        store: &mut Store,
        name: &str,
        post: impl FnOnce(&mut Store) -> Result<(), RuntimeError>,
    ) -> Result<(), CallError> {
        self.env.as_mut(store).in_host_call = true;
        let done = post(store);
        self.env.as_mut(store).in_host_call = false;
        self.ran(name, done)
    }
}

fn abi_error(export: &str, error: HostError) -> CallError {
    let error = match error {
        HostError::Abi(error) => error,
        other => AbiError::ValueMismatch {
            expected: "a value the guest can take".into(),
            found: other.to_string(),
        },
    };
    CallError::Abi {
        export: export.into(),
        error,
    }
}

//! `BoundInstance`: a guest instantiated through generated bindings, and
//! the steps of a call of one of its exports.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use slots_core::{AsHandle, Handle, Resource, Shared};
use wasmer::{AsStoreRef, Function, FunctionEnv, Imports, Instance, Module, RuntimeError, Store};

use super::WorldShape;
use super::canon::LiftCx;
use crate::abi::{AbiError, ViewMemory, WasmerMemory};
use crate::{CallError, Counters, HostError, InstanceEnv, InstantiateError, SharedHost};

/// A guest instantiated through the bindings `bindgen!` generates (or, with
/// its world, by a [`Linker`](crate::Linker): [`GuestInstance`] wraps one):
/// the Wasmer instance, its state, and whether a trap has poisoned it.
///
/// The generated world type wraps one and adds a typed method per export;
/// this type holds what every world shares. Its handles live in its
/// [`InstanceEnv`], in the store: dropping the store, or
/// [`BoundInstance::teardown`], releases every handle it still holds.
///
/// Every method takes the Wasmer `Store` the instance was made in. Those
/// that can fail return [`HostError::WrongStore`] for another store; the
/// accessors [`env`](Self::env), [`env_mut`](Self::env_mut) and
/// [`counters`](Self::counters) panic, as Wasmer's own accessors do, and
/// [`belongs_to`](Self::belongs_to) tells beforehand.
///
/// [`GuestInstance`]: crate::GuestInstance
pub struct BoundInstance<D> {
    instance: Instance,
    env: FunctionEnv<InstanceEnv<D>>,
    /// Set by a trap: the guest's state may be half-changed.
    poisoned: AtomicBool,
    /// A function made in the instance's store, to tell that store from
    /// another: Wasmer's `FunctionEnv` cannot.
    marker: Function,
}

/// A world's instance: a [`BoundInstance`] with exports over it, typed (every
/// world type `bindgen!` generates) or called by name
/// ([`GuestInstance`](crate::GuestInstance)). Generic helpers (WASI's
/// `WasiState::start_guest`, with feature `wasi`) reach the instance
/// through it.
pub trait World {
    /// The embedder's per-instance data.
    type Data: Send + 'static;

    /// The instance the typed exports call.
    fn instance(&self) -> &BoundInstance<Self::Data>;
}

/// A fresh instance state for a guest of `host` in `namespace`, holding
/// the embedder's `data`: what a generated world's `add_to_imports` defines
/// the imports against, and [`BoundInstance::instantiate`] takes, when the
/// embedder builds the `Imports` itself (to put other imports beside the
/// world's, or to instantiate a module that exports only part of the world).
///
/// # Examples
///
/// ```
/// use host_wasmer::bindings::{BoundInstance, new_env};
/// use host_wasmer::{HostConfig, SharedHost};
/// use wasmer::{Imports, Module, Store};
///
/// let mut store = Store::default();
/// let module = Module::new(&store, wat::parse_str("(module)")?)?;
/// let env = new_env(&mut store, (), SharedHost::new(HostConfig::default()), "tenant");
/// // A generated world's `add_to_imports(&mut store, &env, &mut imports)` goes here.
/// let imports = Imports::new();
/// let instance = BoundInstance::instantiate(&mut store, &module, &imports, env)?;
/// assert_eq!(instance.counters(&store).live_handles, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn new_env<D: Send + 'static>(
    store: &mut Store,
    data: D,
    host: Arc<SharedHost>,
    namespace: impl Into<Arc<str>>,
) -> FunctionEnv<InstanceEnv<D>> {
    FunctionEnv::new(store, InstanceEnv::new(data, host, namespace.into()))
}

impl<D: Send + 'static> BoundInstance<D> {
    /// Checks `module` against the world's `shape` and `imports`
    /// ([`validate_imports`](super::validate_imports)), then instantiates
    /// it as [`BoundInstance::instantiate`] does. A refused module leaves no
    /// instance behind: `env` is torn down. A generated world's
    /// `instantiate` calls this.
    pub fn instantiate_checked(
        store: &mut Store,
        module: &Module,
        imports: &Imports,
        env: FunctionEnv<InstanceEnv<D>>,
        shape: &WorldShape,
    ) -> Result<Self, InstantiateError> {
        if let Err(error) = super::validate_imports(&*store, module, imports, shape) {
            env.as_mut(store).teardown();
            return Err(error.into());
        }
        Self::instantiate(store, module, imports, env)
    }

    /// Instantiates `module` with `imports` (the generated ones, and any the
    /// embedder added beside them), for the instance state `env` they were
    /// defined against. The guest's `memory` and `cabi_realloc` are taken
    /// when it exports them.
    ///
    /// The module is not checked against a world first (Wasmer still
    /// refuses an import nobody defines): this is for a module that uses
    /// part of a world, a test or benchmark guest, say. A guest of the
    /// whole world goes through [`BoundInstance::instantiate_checked`].
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

    /// Whether the instance was made in `store`.
    pub fn belongs_to(&self, store: &impl AsStoreRef) -> bool {
        self.marker.is_from_store(store)
    }

    /// Whether the instance was torn down ([`BoundInstance::teardown`]).
    ///
    /// # Panics
    ///
    /// When `store` is not the instance's store.
    pub fn is_torn_down(&self, store: &Store) -> bool {
        self.env(store).is_torn_down()
    }

    /// The instance's state: its table, namespace and the embedder's data.
    ///
    /// # Panics
    ///
    /// When `store` is not the instance's store.
    pub fn env<'s>(&self, store: &'s Store) -> &'s InstanceEnv<D> {
        self.env.as_ref(store)
    }

    /// The instance's state, mutably.
    ///
    /// # Panics
    ///
    /// When `store` is not the instance's store.
    pub fn env_mut<'s>(&self, store: &'s mut Store) -> &'s mut InstanceEnv<D> {
        self.env.as_mut(store)
    }

    /// The instance's counters.
    ///
    /// # Panics
    ///
    /// When `store` is not the instance's store.
    pub fn counters(&self, store: &Store) -> Counters {
        self.env(store).counters()
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

    /// The instance's state, if `store` is its store and it is not torn
    /// down.
    fn live_env<'s>(&self, store: &'s mut Store) -> Result<&'s mut InstanceEnv<D>, HostError> {
        if !self.belongs_to(store) {
            return Err(HostError::WrongStore);
        }
        let env = self.env_mut(store);
        match env.is_torn_down() {
            true => Err(HostError::TornDown),
            false => Ok(env),
        }
    }

    /// The [`Shared`] cell of the `T` behind the instance's `handle`: the
    /// first half of a grant by the host. An owned object becomes shared
    /// for good.
    pub fn share<T: Resource>(
        &self,
        store: &mut Store,
        handle: impl AsHandle<T>,
    ) -> Result<Arc<Shared<T>>, HostError> {
        self.live_env(store)?
            .table
            .share(handle)
            .map_err(|error| HostError::handle::<T>(error))
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
    /// # use host_wasmer::HostError;
    /// # use host_wasmer::bindings::BoundInstance;
    /// # use slots_core::{Handle, Resource};
    /// # use wasmer::Store;
    /// # struct Bucket;
    /// # impl Resource for Bucket { const NAME: &'static str = "bucket"; }
    /// # fn grant(a: &BoundInstance<()>, store_a: &mut Store, b: &BoundInstance<()>,
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
        let handle = self
            .live_env(store)?
            .table
            .insert_shared(object)
            .map_err(|error| HostError::Quota {
                resource: T::NAME,
                error,
            })?;
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
        let env = self.live_env(store)?;
        let object = env
            .table
            .share(handle)
            .map_err(|error| HostError::handle::<T>(error))?;
        let revoked = object.revoke();
        tracing::info!(target: "slots::grant", resource = T::NAME, handle = %handle.as_raw(), namespace = %env.namespace, "revoked");
        Ok(revoked)
    }

    /// Releases every handle the instance still holds, as if it had ended,
    /// and folds its counters into the host's totals. Its objects are
    /// dropped, or stay warm in the host's cache. From then on the instance
    /// refuses calls ([`CallError::TornDown`]), and its host functions trap
    /// if the guest is entered some other way. Tearing down twice does
    /// nothing more.
    pub fn teardown(&self, store: &mut Store) -> Result<(), HostError> {
        if !self.belongs_to(store) {
            return Err(HostError::WrongStore);
        }
        self.env.as_mut(store).teardown();
        Ok(())
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
        let lowered = self.while_busy(store, |store| {
            lower(&mut WasmerMemory::optional(store, memory, realloc))
        });
        lowered.map_err(|error| abi_error(export, error))
    }

    /// The outcome of running the guest: a trap poisons the instance.
    #[doc(hidden)]
    pub fn ran<R>(&self, export: &str, result: Result<R, RuntimeError>) -> Result<R, CallError> {
        result.map_err(|error| {
            self.poison();
            CallError::trapped(export, error)
        })
    }

    /// Marks the instance poisoned: a call trapped.
    pub(crate) fn poison(&self) {
        self.poisoned.store(true, Ordering::Relaxed);
    }

    /// Lifts an export's result with `lift`.
    #[doc(hidden)]
    pub fn lift<R>(
        &self,
        store: &mut Store,
        export: &str,
        lift: impl FnOnce(&mut LiftCx<'_, ViewMemory<'_, Store>>) -> Result<R, HostError>,
    ) -> Result<R, CallError> {
        let (memory, limit) = {
            let env = self.env.as_ref(store);
            (env.memory.clone(), env.host.config().lift_limit)
        };
        // Lifting runs no guest code: one view of the memory serves it.
        let mem = ViewMemory::new(&*store, memory);
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
        let done = self.while_busy(store, post);
        self.ran(name, done)
    }

    /// Runs `run` (host work that may run guest code: `cabi_realloc`,
    /// `cabi_post_*`) with the instance marked busy, so that the guest
    /// calling an import meanwhile is refused; cleared when `run` returns.
    pub(crate) fn while_busy<R>(&self, store: &mut Store, run: impl FnOnce(&mut Store) -> R) -> R {
        self.env.as_mut(store).gate.set_busy(true);
        let result = run(store);
        self.env.as_mut(store).gate.set_busy(false);
        result
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

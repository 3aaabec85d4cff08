//! `Linker`: binds Rust closures to the functions of a WIT world known at
//! run time and instantiates guests of that world on Wasmer.
//!
//! The call paths sit side by side: [`typed_path`] (typed closures, a
//! typed Wasmer function per core signature), [`dynamic`] (untyped
//! closures and the signatures the typed path does not cover) with the
//! canonical ABI's handle rules for them in [`ownership`]; [`compose`]
//! instantiates beside the embedder's own imports. The generated bindings'
//! path is [`crate::bindings`].

use std::collections::HashMap;
use std::sync::Arc;

use slots_core::{RawHandle, Resource};
use wasmer::{FunctionEnv, Imports, Module, Store};

mod compose;
mod dynamic;
mod host_func;
mod ownership;
mod typed_path;

pub use compose::{InstantiateOptions, UndefinedImportCalled};
pub use host_func::HostFunc;

use self::dynamic::{Claims, DropFn, DynHostFn, drop_function, host_function};
use self::typed_path::DirectHostFn;
use crate::abi::{Abi, Val};
use crate::bindings::BoundInstance;
use crate::typed::{BoundResource, TypeCheck};
use crate::validate::validate_module;
use crate::world::ImportFunc;
use crate::{
    BindError, GuestInstance, GuestWorld, HostError, InstanceEnv, InstantiateError, SharedHost,
    ValidationError,
};

enum Binding<D> {
    Func {
        import: Arc<ImportFunc>,
        call: DynHostFn<D>,
        /// The same function on the direct path, for typed closures; `None`
        /// for untyped ones, whose handle parameters the linker claims
        /// before the call ([`ownership::claim`]).
        direct: Option<DirectHostFn<D>>,
    },
    Drop {
        call: DropFn<D>,
    },
}

impl<D> Clone for Binding<D> {
    fn clone(&self) -> Self {
        match self {
            Self::Func {
                import,
                call,
                direct,
            } => Self::Func {
                import: import.clone(),
                call: call.clone(),
                direct: direct.clone(),
            },
            Self::Drop { call } => Self::Drop { call: call.clone() },
        }
    }
}

/// Binds host functions to a WIT world and instantiates guests of it.
///
/// Import names and core signatures come from the world (wit-parser); each
/// closure's Rust types are checked against the WIT signature when it is
/// bound. Every instance gets its own handle table; keyed objects are
/// shared between instances through the [`SharedHost`]'s cache.
///
/// # Examples
///
/// ```
/// use host_wasmer::{Ctx, GuestWorld, HostConfig, HostError, Linker, SharedHost};
///
/// let world = GuestWorld::from_str(
///     "package demo:math@1.0.0;
///      interface api { add: func(a: u32, b: u32) -> u32; }
///      world guest { import api; }",
///     "guest",
/// )?;
/// let mut linker = Linker::<()>::new(world, SharedHost::new(HostConfig::default()));
/// linker.func("demo:math/api@1.0.0", "add", |_: &mut Ctx<'_, ()>, a: u32, b: u32| {
///     Ok::<_, HostError>(a.wrapping_add(b))
/// })?;
///
/// // A closure whose types do not fit is refused, naming both types.
/// let refused = linker.func("demo:math/api@1.0.0", "add", |_: &mut Ctx<'_, ()>, a: String, b: u32| {
///     Ok::<_, HostError>(b)
/// });
/// let Err(err) = refused else { panic!("a String is no u32") };
/// assert!(err.to_string().contains("parameter `a`"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Linker<D> {
    world: Arc<GuestWorld>,
    abi: Arc<Abi>,
    host: Arc<SharedHost>,
    resources: HashMap<wit_parser::TypeId, BoundResource>,
    bindings: HashMap<(String, String), Binding<D>>,
}

impl<D: Send + 'static> Linker<D> {
    /// A linker for guests of `world`, sharing `host`'s cache and limits.
    pub fn new(world: GuestWorld, host: Arc<SharedHost>) -> Self {
        let abi = Arc::new(Abi::new(world.resolve_arc()).with_lift_limit(host.config().lift_limit));
        let world = Arc::new(world);
        Self {
            world,
            abi,
            host,
            resources: HashMap::new(),
            bindings: HashMap::new(),
        }
    }

    /// The world guests are bound to.
    pub fn world(&self) -> &GuestWorld {
        &self.world
    }

    /// The host whose cache and limits instances share.
    pub fn host(&self) -> &Arc<SharedHost> {
        &self.host
    }

    /// The same world and bindings for instances of another host (its own
    /// cache, grants, limits and totals), without parsing the WIT or
    /// checking the closures again: binding a world costs far more than
    /// this copy of the bindings.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::{GuestWorld, HostConfig, Linker, SharedHost};
    ///
    /// let world = GuestWorld::from_str(
    ///     "package demo:w; world guest { export run: func(); }",
    ///     "guest",
    /// )?;
    /// let first = SharedHost::new(HostConfig::default());
    /// let linker = Linker::<()>::new(world, first.clone());
    /// let second = SharedHost::new(HostConfig::default());
    /// let other = linker.with_host(second.clone());
    /// assert!(std::sync::Arc::ptr_eq(other.host(), &second));
    /// assert!(std::sync::Arc::ptr_eq(linker.host(), &first));
    /// # Ok::<(), host_wasmer::WorldError>(())
    /// ```
    pub fn with_host(&self, host: Arc<SharedHost>) -> Self {
        let lift_limit = host.config().lift_limit;
        let abi = if lift_limit == self.host.config().lift_limit {
            self.abi.clone()
        } else {
            Arc::new(Abi::new(self.world.resolve_arc()).with_lift_limit(lift_limit))
        };
        Self {
            world: self.world.clone(),
            abi,
            host,
            resources: self.resources.clone(),
            bindings: self.bindings.clone(),
        }
    }

    /// Binds the Rust type `T` to the WIT resource `name` imported through
    /// core module `module`, and serves its `[resource-drop]`.
    ///
    /// `T::NAME` must be the WIT name, so that every message about a handle
    /// names the resource as the guest knows it.
    pub fn resource<T: Resource>(
        &mut self,
        module: &str,
        name: &str,
    ) -> Result<&mut Self, BindError> {
        let resource =
            self.world
                .resource(module, name)
                .ok_or_else(|| BindError::UnknownResource {
                    module: module.into(),
                    name: name.into(),
                })?;
        if T::NAME != name {
            return Err(BindError::ResourceName {
                wit: name.into(),
                rust: T::NAME,
            });
        }
        let drop_key = (resource.module.clone(), resource.drop_name.clone());
        if self.bindings.contains_key(&drop_key) {
            return Err(BindError::AlreadyBound {
                module: resource.module.clone(),
                name: resource.drop_name.clone(),
            });
        }
        self.resources.insert(
            resource.type_id,
            BoundResource {
                rust: std::any::TypeId::of::<T>(),
                rust_name: std::any::type_name::<T>(),
                name: T::NAME,
            },
        );
        let call: DropFn<D> = Arc::new(|env: &mut InstanceEnv<D>, bits: u32| {
            let raw = RawHandle::from_bits(bits)
                .ok_or(slots_core::HandleError::Reserved { bits })
                .map_err(HostError::handle::<T>)?;
            let freed = env
                .table
                .release::<T>(raw)
                .map_err(HostError::handle::<T>)?;
            tracing::trace!(target: "slots::handle", resource = T::NAME, handle = %raw, freed, "drop");
            Ok(())
        });
        self.bind(drop_key, Binding::Drop { call })?;
        Ok(self)
    }

    /// Binds the closure `f` to the WIT function imported as `module`/`name`
    /// (core names, e.g. `slots:host/buckets@0.1.0` and
    /// `[method]bucket.len`), after checking its types against the WIT.
    ///
    /// The closure is `Fn(&mut Ctx<'_, D>, A1, A2, ...) -> Result<R, HostError>`:
    /// annotate the context parameter's type (`cx: &mut Ctx<'_, D>`) so Rust
    /// can infer the closure's signature.
    pub fn func<M, F: HostFunc<D, M>>(
        &mut self,
        module: &str,
        name: &str,
        f: F,
    ) -> Result<&mut Self, BindError> {
        let import = self.import(module, name)?;
        F::check(
            &import.func,
            &TypeCheck::new(self.world.resolve(), &self.resources),
        )?;
        let f = Arc::new(f);
        let typed = f.clone();
        let call: DynHostFn<D> = Arc::new(move |env, params| f.call(env, params));
        let direct: DirectHostFn<D> = Arc::new(move |env, call| typed.call_direct(env, call));
        self.bind(
            (module.into(), name.into()),
            Binding::Func {
                import,
                call,
                direct: Some(direct),
            },
        )?;
        Ok(self)
    }

    /// Binds an untyped closure: it gets the lifted [`Val`]s and returns the
    /// result as a `Val`, which the ABI checks against the WIT type.
    ///
    /// Handles follow the canonical ABI before the closure runs: every
    /// `borrow` is checked to be a live handle of its resource type, and
    /// every `own` is taken out of the guest's table (its handle is stale
    /// from then on). The closure claims an `own` object with
    /// [`Ctx::take_own`](crate::Ctx::take_own); one it leaves is dropped
    /// when the call ends. A handle passed both as `borrow` and as `own` in
    /// one call traps before anything is taken.
    pub fn func_dynamic(
        &mut self,
        module: &str,
        name: &str,
        f: impl Fn(&mut crate::Ctx<'_, D>, Vec<Val>) -> Result<Option<Val>, HostError>
        + Send
        + Sync
        + 'static,
    ) -> Result<&mut Self, BindError> {
        let import = self.import(module, name)?;
        let call: DynHostFn<D> = Arc::new(move |env, params| f(&mut crate::Ctx::new(env), params));
        self.bind(
            (module.into(), name.into()),
            Binding::Func {
                import,
                call,
                direct: None,
            },
        )?;
        Ok(self)
    }

    /// Records `binding` for the import `key`, which must not be bound yet:
    /// a second binding is a mistake, not a replacement.
    fn bind(&mut self, key: (String, String), binding: Binding<D>) -> Result<(), BindError> {
        match self.bindings.entry(key) {
            std::collections::hash_map::Entry::Occupied(bound) => {
                let (module, name) = bound.key().clone();
                Err(BindError::AlreadyBound { module, name })
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(binding);
                Ok(())
            }
        }
    }

    fn import(&self, module: &str, name: &str) -> Result<Arc<ImportFunc>, BindError> {
        self.world
            .import(module, name)
            .map(|import| Arc::new(import.clone()))
            .ok_or_else(|| BindError::UnknownFunction {
                module: module.into(),
                name: name.into(),
            })
    }

    /// Checks `module` against the world and the bound functions, reporting
    /// every problem at once.
    pub fn validate(&self, module: &Module) -> Result<(), ValidationError> {
        validate_module(&self.world, module, |m, n| {
            self.bindings.contains_key(&(m.to_string(), n.to_string()))
        })
    }

    /// Validates `module` and instantiates it with `data` as its embedder
    /// data, in `namespace` (the tenant whose keyed objects it shares).
    pub fn instantiate(
        &self,
        store: &mut Store,
        module: &Module,
        data: D,
        namespace: impl Into<Arc<str>>,
    ) -> Result<GuestInstance<D>, InstantiateError> {
        self.validate(module)?;
        self.instantiate_validated(store, module, data, namespace.into(), Imports::new())
    }

    /// Whether a function is bound to the import `module`/`name`.
    pub(crate) fn is_bound(&self, module: &str, name: &str) -> bool {
        self.bindings
            .contains_key(&(module.to_string(), name.to_string()))
    }

    /// Instantiates a validated `module`, defining the world's imports into
    /// `imports` (the embedder's, which may hold WASI and others).
    pub(crate) fn instantiate_validated(
        &self,
        store: &mut Store,
        module: &Module,
        data: D,
        namespace: Arc<str>,
        mut imports: Imports,
    ) -> Result<GuestInstance<D>, InstantiateError> {
        let resources = Arc::new(self.resources.clone());
        let env = FunctionEnv::new(store, InstanceEnv::new(data, self.host.clone(), namespace));
        for import in module.imports() {
            let key = (import.module().to_string(), import.name().to_string());
            // Validation guarantees every import is bound.
            let Some(binding) = self.bindings.get(&key) else {
                continue;
            };
            let function = match binding.clone() {
                Binding::Func {
                    import,
                    direct: Some(direct),
                    ..
                } if typed_path::eligible(&import.signature) => {
                    typed_path::function(store, &env, import, self.abi.clone(), direct)
                }
                Binding::Func {
                    import,
                    call,
                    direct,
                } => {
                    // An untyped closure gets raw handles: the linker
                    // applies the ownership rules for it.
                    let claims = direct.is_none().then(|| Claims {
                        resolve: self.world.resolve_arc(),
                        resources: resources.clone(),
                    });
                    host_function(store, &env, import, self.abi.clone(), call, claims)
                }
                Binding::Drop { call } => {
                    drop_function(store, &env, key.0.clone(), key.1.clone(), call)
                }
            };
            imports.define(&key.0, &key.1, function);
        }
        let bound = BoundInstance::instantiate(store, module, &imports, env)?;
        Ok(GuestInstance::new(
            bound,
            self.world.clone(),
            self.abi.clone(),
        ))
    }
}

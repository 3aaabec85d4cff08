//! `Ctx`: what a host function sees of its instance while it runs.

use std::sync::Arc;

use slots_core::{
    AsHandle, GrantError, Handle, InsertError, Lookup, OpenError, RedeemError, Resource,
    ResourceTable, Shared, Token,
};

use crate::typed::Own;
use crate::{CacheKey, Counters, HostError, InstanceEnv, SharedHost, SharedObject};

/// The calling instance, as a host function sees it: the embedder's data,
/// the instance's handles, and the host's shared cache.
///
/// # Examples
///
/// ```
/// use host_wasmer::{Ctx, HostError};
/// use slots_core::{Handle, Resource};
///
/// struct Counter(u64);
/// impl Resource for Counter {
///     const NAME: &'static str = "counter";
/// }
///
/// // The body of a `[method]counter.bump` host function.
/// fn bump(cx: &mut Ctx<'_, ()>, this: Handle<Counter>) -> Result<u64, HostError> {
///     let counter = cx.get_mut(this)?;
///     counter.0 += 1;
///     Ok(counter.0)
/// }
/// # let _ = bump;
/// ```
pub struct Ctx<'a, D> {
    pub(crate) env: &'a mut InstanceEnv<D>,
}

impl<'a, D> Ctx<'a, D> {
    pub(crate) fn new(env: &'a mut InstanceEnv<D>) -> Self {
        Self { env }
    }

    /// The embedder's data for this instance.
    pub fn data(&self) -> &D {
        &self.env.data
    }

    /// The embedder's data for this instance, mutably.
    pub fn data_mut(&mut self) -> &mut D {
        &mut self.env.data
    }

    /// The instance's handle table, for operations `Ctx` does not wrap.
    pub fn table(&mut self) -> &mut ResourceTable<String> {
        &mut self.env.table
    }

    /// The instance's namespace (tenant).
    pub fn namespace(&self) -> &Arc<str> {
        &self.env.namespace
    }

    /// The instance's counters.
    pub fn counters(&self) -> Counters {
        self.env.counters()
    }

    /// The `T` behind `handle`.
    pub fn get<T: Resource>(&self, handle: impl AsHandle<T>) -> Result<&T, HostError> {
        self.env
            .table
            .get(handle)
            .map_err(|error| HostError::handle::<T>(error))
    }

    /// The `T` behind `handle`, mutably (owned objects only).
    pub fn get_mut<T: Resource>(&mut self, handle: impl AsHandle<T>) -> Result<&mut T, HostError> {
        self.env
            .table
            .get_mut(handle)
            .map_err(|error| HostError::handle::<T>(error))
    }

    /// The object the guest gave the host as the `own<T>` handle `bits` in
    /// the call being served, for functions bound with
    /// [`Linker::func_dynamic`](crate::Linker::func_dynamic), whose
    /// parameters arrive as [`Val`](crate::abi::Val)s.
    ///
    /// As the canonical ABI has it, the handle left the guest's table before
    /// the function ran; whatever the function does not take is dropped
    /// when the call ends. Typed closures take `own<T>` parameters as
    /// [`Own<T>`] instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::abi::Val;
    /// use host_wasmer::{Ctx, HostError};
    /// use slots_core::Resource;
    ///
    /// struct Bucket(Vec<u8>);
    /// impl Resource for Bucket {
    ///     const NAME: &'static str = "bucket";
    /// }
    ///
    /// // The body of a dynamic `drain: func(b: bucket) -> u32`.
    /// fn drain(cx: &mut Ctx<'_, ()>, params: Vec<Val>) -> Result<Option<Val>, HostError> {
    ///     let Some(&Val::Own(bits)) = params.first() else {
    ///         return Err(HostError::msg("drain takes a bucket"));
    ///     };
    ///     let bucket = cx.take_own::<Bucket>(bits)?;
    ///     Ok(Some(Val::U32(bucket.0.len() as u32)))
    /// }
    /// # let _ = drain;
    /// ```
    pub fn take_own<T: Resource>(&mut self, bits: u32) -> Result<Own<T>, HostError> {
        let taken = self.env.passed.take(bits).ok_or(HostError::NotPassed {
            resource: T::NAME,
            bits,
        })?;
        match taken.downcast::<T>() {
            Ok(Ok(value)) => Ok(Own::new(value)),
            Ok(Err(shared)) => Ok(Own::shared(shared)),
            Err(_) => Err(HostError::Shape {
                rust: std::any::type_name::<T>(),
                found: "an object of another resource type",
            }),
        }
    }

    /// Gives the instance a handle to a new `value`, owned by the instance:
    /// a constructor's result.
    #[inline]
    pub fn insert<T: Resource>(&mut self, value: T) -> Result<Handle<T>, InsertError> {
        let handle = self.env.table.insert(value)?;
        self.env.creations += 1;
        tracing::trace!(target: "slots::handle", resource = T::NAME, handle = %handle.raw(), "open (new object)");
        Ok(handle)
    }

    /// Opens the `T` for `key` in the instance's namespace: the handle the
    /// instance already holds for it (interned), else a new handle to the
    /// object from the host's cache (a hit), else to what `create` makes (a
    /// miss), which is then cached. The result says which
    /// ([`KeyedOpen::from`]). A revoked object is never reused: the cache
    /// forgets it and the key is created afresh.
    ///
    /// A keyed object is one object for every instance of the namespace
    /// that opens the key, so it lives in a [`Shared`] cell: host
    /// functions reach it with [`get`](Self::get) only (`get_mut` refuses
    /// it), and one that must change keeps its state behind a lock. Once
    /// the last handle goes, it stays warm in the cache *with its state*,
    /// for the next instance of the namespace to open. A type whose objects
    /// must not outlive an instance sets
    /// [`Resource::CACHED`](slots_core::Resource::CACHED) to `false`:
    /// each instance then creates its own, and no cache is consulted.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::{Ctx, HostError, OpenedFrom};
    /// use slots_core::{Handle, Resource};
    ///
    /// struct Pattern(String);
    /// impl Resource for Pattern {
    ///     const NAME: &'static str = "pattern";
    /// }
    ///
    /// // The body of a `[static]pattern.open` host function.
    /// fn open(cx: &mut Ctx<'_, ()>, source: String) -> Result<Handle<Pattern>, HostError> {
    ///     let opened = cx
    ///         .open(&source, |key| Ok::<_, HostError>(Pattern(key.to_string())))
    ///         .map_err(|e| HostError::msg(e.to_string()))?;
    ///     if opened.from == OpenedFrom::Created {
    ///         tracing::info!(%source, "compiled a new pattern");
    ///     }
    ///     Ok(opened.handle)
    /// }
    /// # let _ = open;
    /// ```
    pub fn open<T, E>(
        &mut self,
        key: &str,
        create: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<KeyedOpen<T>, OpenError<E>>
    where
        T: Resource,
    {
        self.open_with(key, |key, _| create(key))
    }

    /// [`open`](Self::open), with the embedder's data for this instance
    /// lent to `create`: what the object is made with need not be cloned
    /// out of the data before every open, though most opens find the key
    /// held or cached and create nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::{Ctx, HostError};
    /// use slots_core::{Handle, Resource};
    ///
    /// struct Pattern(String);
    /// impl Resource for Pattern {
    ///     const NAME: &'static str = "pattern";
    /// }
    ///
    /// /// The instance's data: what every new pattern gets.
    /// struct Data {
    ///     prefix: String,
    /// }
    ///
    /// fn open(cx: &mut Ctx<'_, Data>, source: &str) -> Result<Handle<Pattern>, HostError> {
    ///     let opened = cx
    ///         .open_with(source, |key, data: &Data| {
    ///             Ok::<_, HostError>(Pattern(format!("{}{key}", data.prefix)))
    ///         })
    ///         .map_err(|e| HostError::msg(e.to_string()))?;
    ///     Ok(opened.handle)
    /// }
    /// # let _ = open;
    /// ```
    pub fn open_with<T, E>(
        &mut self,
        key: &str,
        create: impl FnOnce(&str, &D) -> Result<T, E>,
    ) -> Result<KeyedOpen<T>, OpenError<E>>
    where
        T: Resource,
    {
        let env = &mut *self.env;
        // The common case, a key the instance holds, allocates nothing.
        if let Some(handle) = env.table.reopen::<T, str>(key)? {
            tracing::trace!(target: "slots::handle", resource = T::NAME, key, handle = %handle.raw(), "open: interned");
            return Ok(KeyedOpen {
                handle,
                from: OpenedFrom::Interned,
            });
        }
        let mut lookup = None;
        let opened = env.table.open::<T, OpenError<E>>(key.to_string(), |key| {
            if !T::CACHED {
                lookup = Some(Lookup::Created);
                return create(key, &env.data)
                    .map(Shared::new)
                    .map_err(OpenError::Create);
            }
            let cache_key = CacheKey::new::<T>(env.namespace.clone(), key.clone());
            let data = &env.data;
            let (object, how) = cached(&env.host, &cache_key, |key| create(key, data))?;
            lookup = Some(how);
            Ok(object)
        });
        let opened = opened.map_err(OpenError::flatten)?;
        let handle = opened.handle.raw();
        let from = match (opened.interned, lookup) {
            (true, _) => {
                tracing::trace!(target: "slots::handle", resource = T::NAME, key, %handle, "open: interned");
                OpenedFrom::Interned
            }
            (false, Some(Lookup::Hit)) => {
                env.cache_hits += 1;
                tracing::trace!(target: "slots::handle", resource = T::NAME, key, %handle, "open: cache hit");
                OpenedFrom::Cache
            }
            (false, _) => {
                env.cache_misses += 1;
                env.creations += 1;
                tracing::debug!(target: "slots::handle", resource = T::NAME, key, %handle, "open: cache miss, created");
                OpenedFrom::Created
            }
        };
        Ok(KeyedOpen {
            handle: opened.handle,
            from,
        })
    }

    /// Whether handles `a` and `b` name the same object: the same handle,
    /// or two handles to one shared object. Both must be live `T`s. Unlike
    /// comparing the references [`get`](Self::get) returns, this holds for
    /// zero-sized objects too.
    pub fn same_object<T: Resource>(
        &self,
        a: impl AsHandle<T>,
        b: impl AsHandle<T>,
    ) -> Result<bool, HostError> {
        self.env
            .table
            .same_object(a, b)
            .map_err(|error| HostError::handle::<T>(error))
    }

    /// The [`Shared`] cell of the `T` behind `handle`, for the host to keep,
    /// revoke or hand to another instance. An owned object becomes shared
    /// for good (see [`ResourceTable::share`]).
    pub fn share<T: Resource>(
        &mut self,
        handle: impl AsHandle<T>,
    ) -> Result<Arc<Shared<T>>, HostError> {
        self.env
            .table
            .share(handle)
            .map_err(|error| HostError::handle::<T>(error))
    }

    /// Gives the instance a handle of its own to a shared `object`.
    pub fn insert_shared<T: Resource>(
        &mut self,
        object: Arc<Shared<T>>,
    ) -> Result<Handle<T>, InsertError> {
        self.env.table.insert_shared(object)
    }

    /// Issues a token for the `T` behind `handle`, on behalf of this
    /// instance's namespace, in the host's [`GrantRegistry`].
    ///
    /// A bad handle is a [`HostError`] (the guest is trapped); a full
    /// registry is a [`GrantError`] the guest is told about.
    ///
    /// [`GrantRegistry`]: slots_core::GrantRegistry
    pub fn grant<T: Resource>(
        &mut self,
        handle: impl AsHandle<T>,
    ) -> Result<Result<Token, GrantError>, HostError> {
        let env = &mut *self.env;
        match env.table.grant(handle, env.host.grants(), &env.namespace) {
            Ok(token) => {
                tracing::debug!(target: "slots::grant", resource = T::NAME, handle = %handle.as_raw(), namespace = %env.namespace, "granted");
                Ok(Ok(token))
            }
            Err(GrantError::Handle(error)) => Err(HostError::handle::<T>(error)),
            Err(error) => Ok(Err(error)),
        }
    }

    /// Redeems `token` for a handle of this instance's own to the `T` it
    /// was issued for. Every failure is an error value for the guest.
    pub fn redeem<T: Resource>(&mut self, token: Token) -> Result<Handle<T>, RedeemError> {
        let env = &mut *self.env;
        let redeemed = env.table.redeem::<T>(env.host.grants(), token);
        match &redeemed {
            Ok(handle) => {
                tracing::debug!(target: "slots::grant", resource = T::NAME, handle = %handle.raw(), namespace = %env.namespace, "redeemed");
            }
            Err(error) => {
                tracing::debug!(target: "slots::grant", resource = T::NAME, namespace = %env.namespace, %error, "redemption refused");
            }
        }
        redeemed
    }
}

/// The `T` for `key` from the host's cache, or made by `create` and cached.
/// A revoked object found there is forgotten and made anew.
fn cached<T, E>(
    host: &SharedHost,
    key: &CacheKey,
    create: impl FnOnce(&str) -> Result<T, E>,
) -> Result<(Arc<Shared<T>>, Lookup), OpenError<E>>
where
    T: Resource,
{
    let mut create = Some(create);
    let mut make = || match create.take() {
        Some(create) => create(&key.key)
            .map(|value| Shared::new(value) as SharedObject)
            .map_err(OpenError::Create),
        // A revoked object was found after `create` ran: revoked while
        // being opened.
        None => Err(OpenError::Revoked { resource: T::NAME }),
    };
    for _ in 0..2 {
        let (object, how) = host.cache().get_or_create(key, &mut make)?;
        // The key holds T's TypeId, so this cannot fail; if it did, the
        // caller gets an error, not a panic.
        let object = object
            .downcast::<Shared<T>>()
            .map_err(|_| OpenError::TypeClash { resource: T::NAME })?;
        if !object.is_revoked() {
            return Ok((object, how));
        }
        host.cache().remove(key);
    }
    Err(OpenError::Revoked { resource: T::NAME })
}

/// A keyed open's handle, and where its object came from.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyedOpen<T> {
    /// The handle for the key.
    pub handle: Handle<T>,
    /// Where the object came from.
    pub from: OpenedFrom,
}

/// Where the object of a keyed open came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenedFrom {
    /// The instance held a handle for the key already: the same handle,
    /// its count raised.
    Interned,
    /// The host's cache held the object: another instance of the namespace
    /// holds it, or it was kept warm after its last handle went.
    Cache,
    /// The object was created.
    Created,
}

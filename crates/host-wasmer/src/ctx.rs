//! `Ctx`: what a host function sees of its instance while it runs.

use std::sync::Arc;

use slots_core::{AsHandle, Handle, InsertError, Lookup, Resource, ResourceTable};

use crate::{CacheKey, Counters, HostError, InstanceEnv, SharedObject};

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

    /// Gives the instance a handle to a new `value`, owned by the instance:
    /// a constructor's result.
    pub fn insert<T: Resource>(&mut self, value: T) -> Result<Handle<T>, InsertError> {
        let handle = self.env.table.insert(value)?;
        self.env.creations += 1;
        tracing::trace!(target: "slots::handle", resource = T::NAME, handle = %handle.raw(), "open (new object)");
        Ok(handle)
    }

    /// Opens the `T` for `key` in the instance's namespace: the handle the
    /// instance already holds for it (interned), else a new handle to the
    /// object from the host's cache (a hit), else to what `create` makes (a
    /// miss), which is then cached.
    pub fn open<T, E>(
        &mut self,
        key: &str,
        create: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Handle<T>, OpenError<E>>
    where
        T: Resource,
    {
        let env = &mut *self.env;
        let mut lookup = None;
        let opened = env.table.open::<T, OpenError<E>>(key.to_string(), |key| {
            let cache_key = CacheKey::new::<T>(env.namespace.clone(), key.clone());
            let (object, how) = env
                .host
                .cache()
                .get_or_create(&cache_key, || {
                    create(key).map(|value| Arc::new(value) as SharedObject)
                })
                .map_err(OpenError::Create)?;
            lookup = Some(how);
            // The key holds T's TypeId, so this cannot fail; if it did, the
            // caller gets an error, not a panic.
            object
                .downcast::<T>()
                .map_err(|_| OpenError::TypeClash { resource: T::NAME })
        });
        let opened = match opened {
            Ok(opened) => opened,
            Err(slots_core::OpenError::Create(error)) => return Err(error),
            Err(slots_core::OpenError::Insert(error)) => return Err(OpenError::Insert(error)),
            Err(_) => return Err(OpenError::TypeClash { resource: T::NAME }),
        };
        let handle = opened.handle.raw();
        match (opened.interned, lookup) {
            (true, _) => {
                tracing::trace!(target: "slots::handle", resource = T::NAME, key, %handle, "open: interned");
            }
            (false, Some(Lookup::Hit)) => {
                env.cache_hits += 1;
                tracing::trace!(target: "slots::handle", resource = T::NAME, key, %handle, "open: cache hit");
            }
            (false, _) => {
                env.cache_misses += 1;
                env.creations += 1;
                tracing::debug!(target: "slots::handle", resource = T::NAME, key, %handle, "open: cache miss, created");
            }
        }
        Ok(opened.handle)
    }
}

/// A keyed open that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError<E> {
    /// The object could not be created.
    #[error("creating the object failed")]
    Create(#[source] E),
    /// The instance's handle table refused a new handle.
    #[error(transparent)]
    Insert(#[from] InsertError),
    /// The cache holds an object of another Rust type under this key: two
    /// types were registered for one resource.
    #[error("the cache holds another type under a `{resource}` key")]
    TypeClash {
        /// The resource's WIT name.
        resource: &'static str,
    },
}

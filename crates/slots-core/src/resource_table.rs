//! `ResourceTable`: one instance's handles to objects of many resource types,
//! with keyed opens interned and reference counted.

use std::any::{Any, TypeId};
use std::hash::Hash;
use std::sync::Arc;

mod erased;
mod key_maps;
mod typed_object;
pub use erased::TakenObject;
use key_maps::KeyMaps;
use typed_object::{Object, TypedObject, downcast_failed, kind_changed};

use crate::{
    AsHandle, Borrowed, Handle, HandleError, InsertError, RawHandle, Resource, Shared, SlotTable,
    TableLimits,
};

/// The handles one guest instance holds, to objects of any [`Resource`] type.
///
/// The canonical ABI keeps one handle table per instance, so handles of all
/// resource types share this table and every lookup checks the type.
///
/// Objects come in two kinds:
/// - *owned*: made for this handle alone (a constructor's result); the table
///   owns the value and hands out `&mut` access;
/// - *shared*: a [`Shared`] cell that other tables, a cache or a grant may
///   hold too (a keyed open, a redeemed grant); the table hands out `&`
///   access only, and refuses the handle once the host revokes the cell.
///   Sharing an owned object ([`ResourceTable::share`]) turns it into a
///   shared one for good.
///
/// A keyed open ([`ResourceTable::open`]) is interned: while the instance
/// holds a handle for the key, opening it again returns the same handle and
/// raises its count; each release lowers the count, and the slot is freed at
/// zero. So within one instance, equal handles mean the same object.
///
/// # Examples
///
/// ```
/// use slots_core::{Resource, ResourceTable, Shared};
///
/// struct Pattern(String);
/// impl Resource for Pattern {
///     const NAME: &'static str = "pattern";
/// }
///
/// let mut table = ResourceTable::<String>::new();
/// let compile = |key: &String| Ok::<_, std::fmt::Error>(Shared::new(Pattern(key.clone())));
/// let a = table.open("a+".to_string(), compile)?;
/// let b = table.open("a+".to_string(), compile)?;
/// assert_eq!(a.handle, b.handle);
/// assert!(!a.interned && b.interned);
///
/// assert!(!table.release::<Pattern>(a.handle)?); // one reference left
/// assert!(table.release::<Pattern>(b.handle)?); // freed
/// assert!(table.get::<Pattern>(a.handle).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ResourceTable<K = String> {
    slots: SlotTable<Entry<K>>,
    /// The live handle of each interned key, per resource type.
    ///
    /// Invariant: `keys[t][k] == h` exactly when slot `h` is live, holds an
    /// object of type `t`, and its entry's `key` is `Some(k)`.
    keys: KeyMaps<K>,
    stats: ResourceStats,
}

struct Entry<K> {
    /// The object and the `TypeId` of its Rust type, so that a typed
    /// lookup checks the type with a comparison.
    object: TypedObject,
    /// Guest references to this slot: opens of its key not yet released.
    /// Always 1 for unkeyed entries; never 0 while the slot is live.
    refs: u32,
    key: Option<K>,
}

/// The result of a keyed open.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened<T> {
    /// The handle for the key: the one already held, or a new one.
    pub handle: Handle<T>,
    /// Whether the instance already held a handle for the key.
    pub interned: bool,
}

/// A keyed open that failed: of a [`ResourceTable`], or of a host that opens
/// through a cache of [`Shared`] objects in front of it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError<E> {
    /// The object could not be created.
    #[error("creating the object failed")]
    Create(#[source] E),
    /// The table refused a new handle.
    #[error(transparent)]
    Insert(#[from] InsertError),
    /// The object was revoked while it was being opened.
    #[error("the `{resource}` was revoked while it was being opened")]
    Revoked {
        /// The resource's WIT name.
        resource: &'static str,
    },
    /// The cache holds an object of another Rust type under this key: two
    /// types were registered for one resource.
    #[error("the cache holds another type under a `{resource}` key")]
    TypeClash {
        /// The resource's WIT name.
        resource: &'static str,
    },
}

impl<E> OpenError<OpenError<E>> {
    /// The error of an open whose creation is itself an open (from a
    /// cache, say), as one error.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::OpenError;
    ///
    /// let nested: OpenError<OpenError<String>> =
    ///     OpenError::Create(OpenError::Revoked { resource: "pattern" });
    /// assert!(matches!(nested.flatten(), OpenError::Revoked { resource: "pattern" }));
    /// ```
    pub fn flatten(self) -> OpenError<E> {
        match self {
            Self::Create(inner) => inner,
            Self::Insert(error) => OpenError::Insert(error),
            Self::Revoked { resource } => OpenError::Revoked { resource },
            Self::TypeClash { resource } => OpenError::TypeClash { resource },
        }
    }
}

/// What a [`ResourceTable`] has done since it was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceStats {
    /// Handles live now.
    pub live: u32,
    /// Inserts and keyed opens that returned a handle.
    pub opens: u64,
    /// Keyed opens answered with a handle already held.
    pub intern_hits: u64,
    /// References released (a freed slot, or a lowered count).
    pub drops: u64,
}

impl<K: Hash + Eq + Clone> ResourceTable<K> {
    /// An empty table with the default [`TableLimits`].
    pub fn new() -> Self {
        Self::with_limits(TableLimits::default())
    }

    /// An empty table enforcing `limits`.
    pub fn with_limits(limits: TableLimits) -> Self {
        Self {
            slots: SlotTable::with_limits(limits),
            keys: KeyMaps::new(),
            stats: ResourceStats::default(),
        }
    }

    /// Number of live handles.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no handle is live.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The underlying slot table's limits.
    pub fn limits(&self) -> TableLimits {
        self.slots.limits()
    }

    /// Slots allocated so far: the table's footprint.
    pub fn slots_allocated(&self) -> usize {
        self.slots.slots_allocated()
    }

    /// Counters of what the table has done.
    pub fn stats(&self) -> ResourceStats {
        ResourceStats {
            live: self.slots.len() as u32,
            ..self.stats
        }
    }

    /// Stores `value`, owned by this table alone, and returns its handle.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{Resource, ResourceTable};
    ///
    /// struct Bucket(u32);
    /// impl Resource for Bucket {
    ///     const NAME: &'static str = "bucket";
    /// }
    ///
    /// let mut table = ResourceTable::<String>::new();
    /// let h = table.insert(Bucket(1))?;
    /// table.get_mut(h)?.0 += 1;
    /// assert_eq!(table.get(h)?.0, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn insert<T: Resource>(&mut self, value: T) -> Result<Handle<T>, InsertError> {
        self.insert_entry(TypedObject::owned(value), None)
    }

    /// Stores a handle to an object others may hold too: a grant redeemed,
    /// or an object the host hands the instance.
    pub fn insert_shared<T: Resource>(
        &mut self,
        object: Arc<Shared<T>>,
    ) -> Result<Handle<T>, InsertError> {
        self.insert_entry(TypedObject::shared(object), None)
    }

    /// Opens the object for `key`: the handle already held for it, with its
    /// count raised, or a new handle to what `create` returns.
    ///
    /// `create` is where a host consults its shared cache. A handle the
    /// instance holds to a revoked object is not reused: the key is opened
    /// afresh, and the old handle stays revoked until the guest drops it.
    pub fn open<T, E>(
        &mut self,
        key: K,
        create: impl FnOnce(&K) -> Result<Arc<Shared<T>>, E>,
    ) -> Result<Opened<T>, OpenError<E>>
    where
        T: Resource,
    {
        if let Some(handle) = self.reopen::<T, K>(&key).map_err(OpenError::Insert)? {
            return Ok(Opened {
                handle,
                interned: true,
            });
        }
        self.open_new(TypeId::of::<T>(), key, create)
    }

    /// The handle the table holds for `key`, with its count raised: the
    /// interned half of [`ResourceTable::open`], looked up by a borrowed
    /// key, so that a hit allocates nothing. `None` when no live handle
    /// holds the key (a revoked one is let go of the key, as `open` does).
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{Resource, ResourceTable, Shared};
    ///
    /// struct Pattern;
    /// impl Resource for Pattern {
    ///     const NAME: &'static str = "pattern";
    /// }
    ///
    /// let mut table = ResourceTable::<String>::new();
    /// assert_eq!(table.reopen::<Pattern, str>("a+")?, None);
    /// let opened = table.open("a+".to_string(), |_| Ok::<_, ()>(Shared::new(Pattern)))
    ///     .map_err(|_| "open failed")?;
    /// assert_eq!(table.reopen::<Pattern, str>("a+")?, Some(opened.handle));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reopen<T, Q>(&mut self, key: &Q) -> Result<Option<Handle<T>>, InsertError>
    where
        T: Resource,
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let type_id = TypeId::of::<T>();
        let Some(&raw) = self.keys.of(type_id).and_then(|keys| keys.get(key)) else {
            return Ok(None);
        };
        let Ok(entry) = self.slots.get_raw_mut(raw) else {
            return Ok(None);
        };
        if entry.object.is_revoked() {
            entry.key = None;
            if let Some(keys) = self.keys.of_mut(type_id) {
                keys.remove(key);
            }
            return Ok(None);
        }
        // A count at u32::MAX cannot be raised: refuse rather than wrap.
        // The quota stops a guest long before.
        let refs = entry
            .refs
            .checked_add(1)
            .ok_or(InsertError::QuotaExceeded { limit: u32::MAX })?;
        entry.refs = refs;
        self.stats.opens += 1;
        self.stats.intern_hits += 1;
        Ok(Some(Handle::from_raw(raw)))
    }

    fn open_new<T, E>(
        &mut self,
        type_id: TypeId,
        key: K,
        create: impl FnOnce(&K) -> Result<Arc<Shared<T>>, E>,
    ) -> Result<Opened<T>, OpenError<E>>
    where
        T: Resource,
    {
        let object = create(&key).map_err(OpenError::Create)?;
        let handle = self.insert_entry(TypedObject::shared(object), Some(key.clone()))?;
        self.keys.of_or_new(type_id).insert(key, handle.raw());
        Ok(Opened {
            handle,
            interned: false,
        })
    }

    fn insert_entry<T: Resource>(
        &mut self,
        object: TypedObject,
        key: Option<K>,
    ) -> Result<Handle<T>, InsertError> {
        let raw = self.slots.insert(Entry {
            object,
            refs: 1,
            key,
        })?;
        self.stats.opens += 1;
        Ok(Handle::from_raw(raw.raw()))
    }

    /// The object behind `handle`, checked to be a `T`.
    #[inline]
    pub fn get<T: Resource>(&self, handle: impl AsHandle<T>) -> Result<&T, HandleError> {
        let raw = handle.as_raw();
        self.slots.get_raw(raw)?.object.get::<T>(raw)
    }

    /// The object behind `handle` mutably; only owned objects allow it.
    pub fn get_mut<T: Resource>(
        &mut self,
        handle: impl AsHandle<T>,
    ) -> Result<&mut T, HandleError> {
        let raw = handle.as_raw();
        let entry = self.slots.get_raw_mut(raw)?;
        if entry.object.is_owned() {
            entry.object.check_type::<T>(raw)?;
            return entry
                .object
                .owned_mut::<T>()
                .ok_or_else(|| kind_changed(raw));
        }
        // Shared: revoked, else another type, else a `T` lent only as `&`.
        entry.object.live(raw)?;
        entry.object.check_type::<T>(raw)?;
        Err(HandleError::Shared {
            handle: raw,
            resource: T::NAME,
        })
    }

    /// The object behind `handle`, checked to be a `T`, with one lookup:
    /// mutable when the table owns it, shared otherwise.
    #[inline]
    pub fn borrow_mut<T: Resource>(
        &mut self,
        handle: impl AsHandle<T>,
    ) -> Result<Borrowed<'_, T>, HandleError> {
        let raw = handle.as_raw();
        let entry = self.slots.get_raw_mut(raw)?;
        entry.object.check_type::<T>(raw)?;
        if entry.object.is_owned() {
            return match entry.object.owned_mut::<T>() {
                Some(object) => Ok(Borrowed::Owned(object)),
                None => Err(kind_changed(raw)),
            };
        }
        entry.object.get::<T>(raw).map(Borrowed::Shared)
    }

    /// The [`Shared`] cell of the object behind `handle`, for the host to
    /// keep, revoke, or hand to another table.
    ///
    /// An owned object moves into a new cell first, for good: from then on
    /// the table hands out `&` access to it only, like any shared object.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{HandleError, Resource, ResourceTable};
    ///
    /// struct Bucket(u32);
    /// impl Resource for Bucket {
    ///     const NAME: &'static str = "bucket";
    /// }
    ///
    /// let (mut a, mut b) = (ResourceTable::<String>::new(), ResourceTable::<String>::new());
    /// let ha = a.insert(Bucket(7))?;
    /// let shared = a.share(ha)?;
    /// let hb = b.insert_shared(shared)?;
    /// assert_eq!(b.get(hb)?.0, 7);
    /// assert!(matches!(a.get_mut(ha), Err(HandleError::Shared { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn share<T: Resource>(
        &mut self,
        handle: impl AsHandle<T>,
    ) -> Result<Arc<Shared<T>>, HandleError> {
        let raw = handle.as_raw();
        let entry = self.slots.get_raw_mut(raw)?;
        entry.object.share::<T>(raw)
    }

    /// Checks that `handle` names a live `T` without touching it.
    pub fn check<T: Resource>(&self, handle: impl AsHandle<T>) -> Result<Handle<T>, HandleError> {
        self.get::<T>(handle)
            .map(|_| Handle::from_raw(handle.as_raw()))
    }

    /// Releases one reference to the `T` behind `handle`, the guest's
    /// `[resource-drop]`. Returns whether the slot was freed; the object is
    /// dropped then, or lives on where others share it. A handle to a
    /// revoked object can be released.
    pub fn release<T: Resource>(&mut self, handle: impl AsHandle<T>) -> Result<bool, HandleError> {
        let raw = handle.as_raw();
        let entry = self.slots.get_raw_mut(raw)?;
        entry.object.check_type::<T>(raw)?;
        self.stats.drops += 1;
        if entry.refs > 1 {
            entry.refs -= 1;
            return Ok(false);
        }
        self.free(raw)
    }

    /// Takes the owned `T` behind `handle` out of the table: a guest passing
    /// an `own<T>` to the host. Shared objects are refused; take those with
    /// [`ResourceTable::take_shared`].
    pub fn take<T: Resource>(&mut self, handle: impl AsHandle<T>) -> Result<T, HandleError> {
        let raw = handle.as_raw();
        self.get_mut::<T>(raw)?;
        let entry = self.slots.remove_raw(raw)?;
        self.stats.drops += 1;
        match entry.object.into_object() {
            Object::Owned(object) => (object as Box<dyn Any>)
                .downcast::<T>()
                .map(|value| *value)
                .map_err(|_| downcast_failed(raw)),
            Object::Shared(_) => Err(kind_changed(raw)),
        }
    }

    /// Takes one reference to the `T` behind `handle`, owned or shared, as a
    /// [`Shared`] cell: a guest passing an `own<T>` of a shared resource.
    pub fn take_shared<T: Resource>(
        &mut self,
        handle: impl AsHandle<T>,
    ) -> Result<Arc<Shared<T>>, HandleError> {
        let raw = self.check::<T>(handle)?.raw();
        let object: Arc<dyn Any + Send + Sync> = match self.slots.get_raw(raw)?.object.object() {
            Object::Shared(object) => object.clone().into_any(),
            Object::Owned(_) => {
                let entry = self.slots.remove_raw(raw)?;
                self.stats.drops += 1;
                let Object::Owned(object) = entry.object.into_object() else {
                    return Err(kind_changed(raw));
                };
                let object: Box<dyn Any + Send + Sync> = object;
                return object
                    .downcast::<T>()
                    .map(|value| Shared::new(*value))
                    .map_err(|_| downcast_failed(raw));
            }
        };
        self.release_raw(raw)?;
        object
            .downcast::<Shared<T>>()
            .map_err(|_| downcast_failed(raw))
    }

    /// Releases one reference to whatever `raw` names, of any type.
    fn release_raw(&mut self, raw: RawHandle) -> Result<bool, HandleError> {
        let entry = self.slots.get_raw_mut(raw)?;
        self.stats.drops += 1;
        if entry.refs > 1 {
            entry.refs -= 1;
            return Ok(false);
        }
        self.free(raw)
    }

    /// Frees the slot of `raw`, forgetting its key.
    fn free(&mut self, raw: RawHandle) -> Result<bool, HandleError> {
        let entry = self.slots.remove_raw(raw)?;
        if let (Some(key), Some(keys)) = (entry.key, self.keys.of_mut(entry.object.type_id())) {
            keys.remove(&key);
        }
        Ok(true)
    }

    /// Releases every handle, as when the instance ends, and returns how many
    /// references were dropped. Owned objects are dropped; shared ones live
    /// on where others hold them.
    pub fn clear(&mut self) -> u64 {
        let mut dropped = 0;
        for entry in self.slots.drain() {
            dropped += u64::from(entry.refs);
        }
        self.keys.clear();
        self.stats.drops += dropped;
        dropped
    }

    /// The resource name of whatever `raw` names, if it is live.
    pub fn resource_name(&self, raw: RawHandle) -> Option<&'static str> {
        let entry = self.slots.get_raw(raw).ok()?;
        Some(entry.object.as_dyn().resource_name())
    }
}

impl<K: Hash + Eq + Clone> Default for ResourceTable<K> {
    fn default() -> Self {
        Self::new()
    }
}

//! Checking and taking handles whose Rust type is known only at run time:
//! what a host binding WIT functions dynamically needs to apply the
//! canonical ABI's rules to `borrow` and `own` parameters.

use std::any::{Any, TypeId};
use std::hash::Hash;
use std::sync::Arc;

use super::{Object, ResourceTable};
use crate::{HandleError, RawHandle, Resource, Shared};

/// An object an `own` parameter moved out of a [`ResourceTable`], of a Rust
/// type known only at run time ([`ResourceTable::take_as`]). Dropping it
/// drops the object, or one reference to it when it is shared.
pub enum TakenObject {
    /// The table's own object: nobody else holds it.
    Owned(Box<dyn Any + Send + Sync>),
    /// One reference to a shared object, as `Arc<Shared<T>>`.
    Shared(Arc<dyn Any + Send + Sync>),
}

impl TakenObject {
    /// The object as a `T`: `Ok(Ok(value))` when it was owned,
    /// `Ok(Err(cell))` when it is shared, and `Err(self)` when it is no `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::any::TypeId;
    /// use slots_core::{Resource, ResourceTable};
    ///
    /// struct Bucket(u32);
    /// impl Resource for Bucket {
    ///     const NAME: &'static str = "bucket";
    /// }
    ///
    /// let mut table = ResourceTable::<String>::new();
    /// let h = table.insert(Bucket(7))?;
    /// let taken = table.take_as(h.raw(), TypeId::of::<Bucket>(), "bucket")?;
    /// let Ok(Ok(bucket)) = taken.downcast::<Bucket>() else { panic!("a bucket") };
    /// assert_eq!(bucket.0, 7);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn downcast<T: Resource>(self) -> Result<Result<T, Arc<Shared<T>>>, Self> {
        match self {
            Self::Owned(object) => match object.downcast::<T>() {
                Ok(value) => Ok(Ok(*value)),
                Err(object) => Err(Self::Owned(object)),
            },
            Self::Shared(object) => match object.downcast::<Shared<T>>() {
                Ok(cell) => Ok(Err(cell)),
                Err(object) => Err(Self::Shared(object)),
            },
        }
    }
}

impl std::fmt::Debug for TakenObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Owned(_) => "TakenObject::Owned(..)",
            Self::Shared(_) => "TakenObject::Shared(..)",
        })
    }
}

impl<K: Hash + Eq + Clone> ResourceTable<K> {
    /// Whether handles `a` and `b` name the same object: the same handle,
    /// or two handles to one shared object (a grant adopted twice, say).
    /// Both must be live `T`s. Unlike comparing references, this holds for
    /// zero-sized objects too.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{Resource, ResourceTable};
    ///
    /// struct Marker;
    /// impl Resource for Marker {
    ///     const NAME: &'static str = "marker";
    /// }
    ///
    /// let mut table = ResourceTable::<String>::new();
    /// let a = table.insert(Marker)?;
    /// let b = table.insert(Marker)?;
    /// assert!(table.same_object::<Marker>(a, a)?);
    /// assert!(!table.same_object::<Marker>(a, b)?);
    /// let shared = table.share(a)?;
    /// let c = table.insert_shared(shared)?;
    /// assert!(table.same_object::<Marker>(a, c)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn same_object<T: Resource>(
        &self,
        a: impl crate::AsHandle<T>,
        b: impl crate::AsHandle<T>,
    ) -> Result<bool, HandleError> {
        self.get::<T>(a)?;
        self.get::<T>(b)?;
        let (a, b) = (a.as_raw(), b.as_raw());
        if a == b {
            return Ok(true);
        }
        let cell = |raw| match self.slots.get_raw(raw).ok()?.object.object() {
            Object::Shared(object) => Some(Arc::as_ptr(object) as *const ()),
            Object::Owned(_) => None,
        };
        Ok(match (cell(a), cell(b)) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            _ => false,
        })
    }

    /// Checks that `raw` names a live object of the Rust type `type_id`,
    /// whose resource is called `name` (for the error): a `borrow`
    /// parameter lifted by a host that knows its type only at run time.
    pub fn check_as(
        &self,
        raw: RawHandle,
        type_id: TypeId,
        name: &'static str,
    ) -> Result<(), HandleError> {
        let object = self.slots.get_raw(raw)?.object.live(raw)?;
        match (object as &dyn Any).type_id() == type_id {
            true => Ok(()),
            false => Err(HandleError::WrongType {
                handle: raw,
                expected: name,
                found: object.resource_name(),
            }),
        }
    }

    /// Takes the object behind `raw`, checked to be of the Rust type
    /// `type_id`, out of the table: an `own` parameter lifted by a host that
    /// knows its type only at run time. An owned object leaves whole; a
    /// shared one gives up this table's reference (an interned handle keeps
    /// its other references, as [`ResourceTable::take_shared`] does).
    pub fn take_as(
        &mut self,
        raw: RawHandle,
        type_id: TypeId,
        name: &'static str,
    ) -> Result<TakenObject, HandleError> {
        self.check_as(raw, type_id, name)?;
        let shared = match self.slots.get_raw(raw)?.object.object() {
            Object::Shared(object) => Some(object.clone().into_any()),
            Object::Owned(_) => None,
        };
        match shared {
            Some(object) => {
                self.release_raw(raw)?;
                Ok(TakenObject::Shared(object))
            }
            None => {
                let entry = self.slots.remove_raw(raw)?;
                self.stats.drops += 1;
                match entry.object.into_object() {
                    Object::Owned(object) => Ok(TakenObject::Owned(object)),
                    // Checked above: the entry is owned.
                    Object::Shared(object) => Ok(TakenObject::Shared(object.into_any())),
                }
            }
        }
    }
}

//! [`TypedObject`]: a table entry's object together with the `TypeId` of
//! its Rust type, so that a typed lookup checks the type with one
//! comparison and reaches an owned object with no virtual call.
//!
//! This module holds the only `unsafe` code of slots-core: two pointer
//! casts from `dyn DynResource` to the `T` the entry's type id names. A
//! safe downcast would ask the object's vtable for its type id, a virtual
//! call on every method a guest calls through a handle; the `bindgen`
//! benchmark measures that call as the difference between a hand-written
//! method within and past its bar. The casts are sound by one invariant,
//! kept in this module alone (the fields are private to it): `type_id` is
//! always the `TypeId` of the concrete type behind `object`.

use std::any::{Any, TypeId};
use std::sync::Arc;

use crate::resource::DynResource;
use crate::shared::DynShared;
use crate::{HandleError, RawHandle, Resource, Shared};

/// An object as a table slot holds it.
pub(super) enum Object {
    /// Made for this slot alone.
    Owned(Box<dyn DynResource>),
    /// A cell others may hold too.
    Shared(Arc<dyn DynShared>),
}

/// A slot's object and the `TypeId` of its Rust type.
pub(super) struct TypedObject {
    /// Invariant: the concrete type behind `object` (of the box, or of the
    /// value in the `Shared` cell) is the type `type_id` names. The
    /// constructors set both from one `T`, `share` moves the value into a
    /// cell of the same type, and nothing else writes either field; what
    /// leaves the module is `&Object` (which cannot replace the object) or
    /// the whole `Object` by value ([`TypedObject::into_object`]).
    object: Object,
    type_id: TypeId,
}

/// What an owned slot holds for the moment its object moves into a
/// [`Shared`] cell. A zero-sized box does not allocate.
struct Vacated;

impl Resource for Vacated {
    const NAME: &'static str = "vacated";
}

impl TypedObject {
    /// An object made for its slot alone.
    pub(super) fn owned<T: Resource>(value: T) -> Self {
        Self {
            object: Object::Owned(Box::new(value)),
            type_id: TypeId::of::<T>(),
        }
    }

    /// A cell others may hold too.
    pub(super) fn shared<T: Resource>(cell: Arc<Shared<T>>) -> Self {
        Self {
            object: Object::Shared(cell),
            type_id: TypeId::of::<T>(),
        }
    }

    /// The `TypeId` of the object's Rust type.
    #[inline]
    pub(super) fn type_id(&self) -> TypeId {
        self.type_id
    }

    /// The object, owned or shared.
    #[inline]
    pub(super) fn object(&self) -> &Object {
        &self.object
    }

    /// The object, for a slot being emptied.
    pub(super) fn into_object(self) -> Object {
        self.object
    }

    /// The object, revoked or not: for its name and type.
    pub(super) fn as_dyn(&self) -> &dyn DynResource {
        match &self.object {
            Object::Owned(object) => object.as_ref(),
            Object::Shared(object) => object.object(),
        }
    }

    /// The object, unless the host revoked it.
    #[inline]
    pub(super) fn live(&self, handle: RawHandle) -> Result<&dyn DynResource, HandleError> {
        match &self.object {
            Object::Owned(object) => Ok(object.as_ref()),
            Object::Shared(object) => match object.live() {
                Some(object) => Ok(object),
                None => Err(HandleError::Revoked { handle }),
            },
        }
    }

    /// Whether the host revoked the (shared) object.
    pub(super) fn is_revoked(&self) -> bool {
        match &self.object {
            Object::Owned(_) => false,
            Object::Shared(object) => object.live().is_none(),
        }
    }

    /// Whether the object is owned by its slot.
    #[inline]
    pub(super) fn is_owned(&self) -> bool {
        matches!(self.object, Object::Owned(_))
    }

    /// `Ok` if the object is a `T`; otherwise the error naming the type
    /// `handle` was used as and the type it names.
    #[inline]
    pub(super) fn check_type<T: Resource>(&self, handle: RawHandle) -> Result<(), HandleError> {
        if self.type_id == TypeId::of::<T>() {
            Ok(())
        } else {
            Err(wrong_type::<T>(handle, self.as_dyn()))
        }
    }

    /// The object as a `T`: the wrong type first, then revocation, is an
    /// error. An owned object is reached with no virtual call; a shared one
    /// with one, which reads its revocation.
    #[inline]
    pub(super) fn get<T: Resource>(&self, handle: RawHandle) -> Result<&T, HandleError> {
        self.check_type::<T>(handle)?;
        let object: *const dyn DynResource = self.live(handle)?;
        // SAFETY: `object` is the value of this slot (the box's, or the
        // cell's), whose concrete type is the one `type_id` names (the
        // invariant above), and that is `T`: checked just before. Casting a
        // `dyn` pointer to the pointer of its concrete type drops the
        // vtable and keeps the address, so this is the `&T` the object was
        // made from, borrowed for as long as `self` is.
        #[allow(unsafe_code)]
        Ok(unsafe { &*object.cast::<T>() })
    }

    /// The owned object as a `&mut T`, if the slot owns it and it is a `T`;
    /// `None` otherwise, and nothing is reached through a vtable.
    #[inline]
    pub(super) fn owned_mut<T: Resource>(&mut self) -> Option<&mut T> {
        if self.type_id != TypeId::of::<T>() {
            return None;
        }
        let Object::Owned(object) = &mut self.object else {
            return None;
        };
        let object: *mut dyn DynResource = object.as_mut();
        // SAFETY: as in `get`: the box's value is a `T` (the invariant, and
        // the type id just compared), and the `&mut` is the one the box
        // lends for as long as `self` is borrowed mutably.
        #[allow(unsafe_code)]
        Some(unsafe { &mut *object.cast::<T>() })
    }

    /// The object's [`Shared`] cell: an owned `T` moves into a new cell
    /// first, for good. Revocation, then the wrong type, is an error.
    pub(super) fn share<T: Resource>(
        &mut self,
        handle: RawHandle,
    ) -> Result<Arc<Shared<T>>, HandleError> {
        self.live(handle)?;
        self.check_type::<T>(handle)?;
        if let Object::Shared(cell) = &self.object {
            return cell
                .clone()
                .into_any()
                .downcast::<Shared<T>>()
                .map_err(|_| downcast_failed(handle));
        }
        let vacated = TypedObject::owned(Vacated);
        let Object::Owned(owned) = std::mem::replace(self, vacated).object else {
            return Err(kind_changed(handle));
        };
        // The type was checked above, so the downcast succeeds; if it did
        // not, the slot would hold the (zero-sized) vacated object, with
        // its own type id, and say so to the next lookup.
        let value = (owned as Box<dyn Any>)
            .downcast::<T>()
            .map_err(|_| downcast_failed(handle))?;
        let cell = Shared::new(*value);
        *self = TypedObject::shared(cell.clone());
        Ok(cell)
    }
}

/// The error for a handle to an object of another type.
#[cold]
fn wrong_type<T: Resource>(handle: RawHandle, found: &dyn DynResource) -> HandleError {
    HandleError::WrongType {
        handle,
        expected: T::NAME,
        found: found.resource_name(),
    }
}

/// The error for a downcast that the entry's type id said would succeed.
#[cold]
pub(super) fn downcast_failed(handle: RawHandle) -> HandleError {
    HandleError::Internal {
        handle,
        invariant: "an object's type matches the type id of its entry",
    }
}

/// The error for an entry whose owned or shared kind changed between two
/// looks at it within one call.
#[cold]
pub(super) fn kind_changed(handle: RawHandle) -> HandleError {
    HandleError::Internal {
        handle,
        invariant: "an entry stays owned or shared within one call",
    }
}

#[allow(clippy::unwrap_used)]
#[cfg(test)]
mod tests {
    use super::{Object, TypedObject};
    use crate::{HandleError, RawHandle, Resource, Shared};

    #[derive(Debug, PartialEq)]
    struct Bucket(u32);
    impl Resource for Bucket {
        const NAME: &'static str = "bucket";
    }

    struct Other;
    impl Resource for Other {
        const NAME: &'static str = "other";
    }

    fn handle() -> RawHandle {
        RawHandle::from_bits(1).unwrap()
    }

    #[test]
    fn a_typed_lookup_reaches_its_own_type_and_names_any_other() {
        let mut owned = TypedObject::owned(Bucket(7));
        assert_eq!(owned.get::<Bucket>(handle()).unwrap(), &Bucket(7));
        owned.owned_mut::<Bucket>().unwrap().0 = 8;
        assert_eq!(owned.get::<Bucket>(handle()).unwrap(), &Bucket(8));
        assert!(owned.owned_mut::<Other>().is_none());
        assert!(matches!(
            owned.get::<Other>(handle()),
            Err(HandleError::WrongType {
                expected: "other",
                found: "bucket",
                ..
            })
        ));

        let shared = TypedObject::shared(Shared::new(Bucket(9)));
        assert_eq!(shared.get::<Bucket>(handle()).unwrap(), &Bucket(9));
        let mut shared = shared;
        assert!(
            shared.owned_mut::<Bucket>().is_none(),
            "a shared object lends `&` only"
        );
    }

    #[test]
    fn sharing_keeps_the_type_and_a_revoked_cell_is_refused() {
        let mut object = TypedObject::owned(Bucket(3));
        assert!(matches!(
            object.share::<Other>(handle()),
            Err(HandleError::WrongType { .. })
        ));
        assert!(object.is_owned(), "a refused share leaves the object owned");
        let cell = object.share::<Bucket>(handle()).unwrap();
        assert!(matches!(object.object(), Object::Shared(_)));
        assert_eq!(object.get::<Bucket>(handle()).unwrap(), &Bucket(3));
        let again = object.share::<Bucket>(handle()).unwrap();
        assert!(std::sync::Arc::ptr_eq(&cell, &again));

        cell.revoke();
        assert!(object.is_revoked());
        assert!(matches!(
            object.get::<Bucket>(handle()),
            Err(HandleError::Revoked { .. })
        ));
    }
}

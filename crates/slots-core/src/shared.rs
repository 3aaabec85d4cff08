//! `Shared<T>`: an object several tables may hold at once, which the host
//! can revoke for all of them.

use std::any::Any;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::Resource;
use crate::resource::DynResource;

/// An object that many tables, a cache and a grant may hold at once, with a
/// flag that revokes it for all of them.
///
/// Every shared object in a [`ResourceTable`](crate::ResourceTable) lives in
/// a `Shared` cell: keyed opens, grants, and owned objects a guest has
/// granted. Revoking the cell makes every handle to it, in every table,
/// fail with [`HandleError::Revoked`](crate::HandleError::Revoked) from
/// then on; dropping such a handle still works, so guests can clean up.
///
/// # Examples
///
/// ```
/// use slots_core::{HandleError, Resource, ResourceTable, Shared};
///
/// struct Pattern(&'static str);
/// impl Resource for Pattern {
///     const NAME: &'static str = "pattern";
/// }
///
/// let pattern = Shared::new(Pattern("a+"));
/// let (mut a, mut b) = (ResourceTable::<String>::new(), ResourceTable::<String>::new());
/// let ha = a.insert_shared(pattern.clone())?;
/// let hb = b.insert_shared(pattern.clone())?;
/// assert_eq!(b.get(hb)?.0, "a+");
///
/// assert!(pattern.revoke());
/// assert!(matches!(a.get(ha), Err(HandleError::Revoked { .. })));
/// assert!(matches!(b.get(hb), Err(HandleError::Revoked { .. })));
/// assert!(a.release(ha)?, "a revoked handle can still be dropped");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Shared<T> {
    revoked: AtomicBool,
    value: T,
}

impl<T: Resource> Shared<T> {
    /// A new, unrevoked cell holding `value`.
    pub fn new(value: T) -> Arc<Self> {
        Arc::new(Self {
            revoked: AtomicBool::new(false),
            value,
        })
    }

    /// Revokes the object for every holder. Returns whether this call did
    /// it (`false` if it was revoked already). Revocation is final.
    pub fn revoke(&self) -> bool {
        !self.revoked.swap(true, Ordering::AcqRel)
    }

    /// Whether the object has been revoked.
    #[inline]
    pub fn is_revoked(&self) -> bool {
        self.revoked.load(Ordering::Acquire)
    }
}

impl<T> Shared<T> {
    /// The object, revoked or not. Tables refuse revoked objects; a host
    /// holding the cell itself decides for itself.
    pub fn value(&self) -> &T {
        &self.value
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Resource + std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("revoked", &self.is_revoked())
            .field("value", &self.value)
            .finish()
    }
}

/// A [`Shared`] cell whose type is known only at run time, as tables,
/// caches and grant registries keep them.
pub(crate) trait DynShared: Send + Sync {
    /// The object, or `None` once revoked.
    fn live(&self) -> Option<&dyn DynResource>;
    /// The object, revoked or not.
    fn object(&self) -> &dyn DynResource;
    /// The cell as `Arc<dyn Any>`, which downcasts to `Arc<Shared<T>>`.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<T: Resource> DynShared for Shared<T> {
    #[inline]
    fn live(&self) -> Option<&dyn DynResource> {
        (!self.is_revoked()).then_some(&self.value as &dyn DynResource)
    }

    fn object(&self) -> &dyn DynResource {
        &self.value
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

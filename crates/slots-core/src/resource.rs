//! The `Resource` trait: what a host type declares to live in a [`ResourceTable`](crate::ResourceTable).

use std::any::Any;

use crate::{Handle, RawHandle};

/// A host type that guests may hold handles to.
///
/// `NAME` is the resource's name as guests know it (the WIT resource name),
/// used in every error about a handle of this type.
///
/// # Examples
///
/// ```
/// use slots_core::Resource;
///
/// struct Bucket(Vec<u8>);
///
/// impl Resource for Bucket {
///     const NAME: &'static str = "bucket";
/// }
/// ```
pub trait Resource: Any + Send + Sync {
    /// The resource's name in messages, e.g. `"bucket"`.
    const NAME: &'static str;

    /// Whether keyed objects of this type are shared through the host's
    /// object cache (the default): every instance of a tenant that opens a
    /// key gets the same object, which stays warm after the last handle
    /// goes, state and all, for the next instance to open.
    ///
    /// A type whose objects hold state one instance must not leave to the
    /// next sets this to `false`: each instance's open of a key creates
    /// its own object (interned within the instance, so equal keys still
    /// give equal handles), and it is dropped with the instance's last
    /// handle to it.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::Resource;
    ///
    /// struct Session(Vec<String>);
    ///
    /// impl Resource for Session {
    ///     const NAME: &'static str = "session";
    ///     const CACHED: bool = false;
    /// }
    /// # assert!(!Session::CACHED);
    /// ```
    const CACHED: bool = true;
}

/// A resource behind a trait object that still knows its name.
pub(crate) trait DynResource: Any + Send + Sync {
    fn resource_name(&self) -> &'static str;
}

impl<T: Resource> DynResource for T {
    fn resource_name(&self) -> &'static str {
        T::NAME
    }
}

/// Something that names a `T` in a table: a typed [`Handle<T>`], or a
/// [`RawHandle`] a guest passed, whose type the table checks.
pub trait AsHandle<T: ?Sized>: Copy {
    /// The handle's bits.
    fn as_raw(self) -> RawHandle;
}

impl<T: ?Sized> AsHandle<T> for Handle<T> {
    #[inline]
    fn as_raw(self) -> RawHandle {
        self.raw()
    }
}

impl<T: ?Sized> AsHandle<T> for RawHandle {
    #[inline]
    fn as_raw(self) -> RawHandle {
        self
    }
}

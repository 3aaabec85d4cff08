//! `Borrowed`: an object a table lends for one call, mutably when the table
//! owns it and shared otherwise.

use std::ops::Deref;

/// The object behind a handle, as [`ResourceTable::borrow_mut`] lends it:
/// `&mut T` when the table owns the object, `&T` when others may hold it
/// too (a keyed open, a grant).
///
/// It dereferences to `&T` either way.
///
/// [`ResourceTable::borrow_mut`]: crate::ResourceTable::borrow_mut
///
/// # Examples
///
/// ```
/// use slots_core::{Borrowed, Resource, ResourceTable};
///
/// struct Counter(u32);
/// impl Resource for Counter {
///     const NAME: &'static str = "counter";
/// }
///
/// let mut table = ResourceTable::<String>::new();
/// let h = table.insert(Counter(1))?;
/// let mut counter = table.borrow_mut(h)?;
/// if let Some(counter) = counter.get_mut() {
///     counter.0 += 1;
/// }
/// assert_eq!(counter.0, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub enum Borrowed<'a, T> {
    /// The table owns the object: it may be changed in place.
    Owned(&'a mut T),
    /// Others may hold the object too: shared access only.
    Shared(&'a T),
}

impl<T> Borrowed<'_, T> {
    /// The object mutably, when the table owns it.
    #[inline]
    pub fn get_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Owned(object) => Some(object),
            Self::Shared(_) => None,
        }
    }

    /// Whether the table owns the object.
    #[inline]
    pub fn is_owned(&self) -> bool {
        matches!(self, Self::Owned(_))
    }
}

impl<T> Deref for Borrowed<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        match self {
            Self::Owned(object) => object,
            Self::Shared(object) => object,
        }
    }
}

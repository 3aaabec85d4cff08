//! Identity: whether two handles name the same host object.
//!
//! A handle is an index into the instance's handle table plus a generation,
//! so two live handles are equal exactly when they name the same slot, and so
//! the same host object. The host interns keyed opens: opening a pattern whose
//! key (source and options) the guest already holds returns the handle it
//! holds, so equal pattern handles mean one shared compiled pattern.
//!
//! The handle types implement `PartialEq` and `Eq` as identity but not `Hash`:
//! wit-bindgen keeps the handle in an atomic (it is taken when ownership moves
//! to the host), so Clippy rightly calls a handle a mutable key. To key a map
//! by object, key it by the `handle()` value of a handle the guest holds.

use crate::{Bucket, Pattern};

impl Pattern {
    /// Whether `a` and `b` are handles to the same host pattern.
    ///
    /// This is identity, not equality of sources: two patterns opened with
    /// the same source and options while the first is still held are the same
    /// object, and a pattern opened with other options is a different one.
    /// `a == b` means the same.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use slots_guest_sdk::{MatchOptions, Pattern};
    ///
    /// let a = Pattern::open("a+b", MatchOptions::empty())?;
    /// let b = Pattern::open("a+b", MatchOptions::empty())?;
    /// let c = Pattern::open("a+b", MatchOptions::CASE_INSENSITIVE)?;
    /// assert!(Pattern::same(&a, &b));
    /// assert!(!Pattern::same(&a, &c));
    /// # Ok::<(), slots_guest_sdk::Error>(())
    /// ```
    pub fn same(a: &Pattern, b: &Pattern) -> bool {
        a.handle() == b.handle()
    }
}

/// Identity: equal when both are handles to the same host pattern; see
/// [`Pattern::same`].
impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        Pattern::same(self, other)
    }
}

impl Eq for Pattern {}

impl Bucket {
    /// Whether `a` and `b` are handles to the same host bucket.
    ///
    /// Every [`Bucket::new`] creates a new object, even under a name already in
    /// use, so two buckets a guest created are never the same; this compares
    /// identity, not contents. `a == b` means the same.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use slots_guest_sdk::Bucket;
    ///
    /// let a = Bucket::new("twin");
    /// let b = Bucket::new("twin");
    /// assert!(Bucket::same(&a, &a));
    /// assert!(!Bucket::same(&a, &b));
    /// ```
    pub fn same(a: &Bucket, b: &Bucket) -> bool {
        a.handle() == b.handle()
    }

    /// Whether the bucket has no entries.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let bucket = slots_guest_sdk::Bucket::new("empty");
    /// assert!(bucket.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Identity: equal when both are handles to the same host bucket; see
/// [`Bucket::same`].
impl PartialEq for Bucket {
    fn eq(&self, other: &Self) -> bool {
        Bucket::same(self, other)
    }
}

impl Eq for Bucket {}

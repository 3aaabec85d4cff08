//! 32-bit handles: the raw value a guest holds and the typed wrapper the host uses.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::num::NonZeroU32;

/// The 32-bit value that crosses the Wasm boundary as an `i32`.
///
/// A raw handle packs a slot index in its low bits and the slot's generation
/// in its high bits; the split is chosen by the table (see
/// [`HandleLayout`]). It is never 0 and never `u32::MAX`, the two values
/// wit-bindgen reserves.
///
/// # Examples
///
/// ```
/// use slots_core::RawHandle;
///
/// assert!(RawHandle::from_bits(0).is_none());
/// assert!(RawHandle::from_bits(u32::MAX).is_none());
/// assert_eq!(RawHandle::from_bits(7).map(RawHandle::to_bits), Some(7));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct RawHandle(NonZeroU32);

impl RawHandle {
    /// Wraps `bits`, or returns `None` for the reserved values 0 and `u32::MAX`.
    ///
    /// A `Some` says nothing about whether any table knows the handle.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::RawHandle;
    ///
    /// assert!(RawHandle::from_bits(0x0001_0002).is_some());
    /// ```
    #[inline]
    pub const fn from_bits(bits: u32) -> Option<Self> {
        if bits == u32::MAX {
            return None;
        }
        match NonZeroU32::new(bits) {
            Some(bits) => Some(Self(bits)),
            None => None,
        }
    }

    /// Wraps bits a table issued, which are never `u32::MAX`: the table's
    /// hot paths skip [`RawHandle::from_bits`]'s check.
    #[inline]
    pub(crate) const fn from_issued(bits: NonZeroU32) -> Self {
        debug_assert!(bits.get() != u32::MAX);
        Self(bits)
    }

    /// The bits, known to be nonzero.
    #[inline]
    pub(crate) const fn nonzero(self) -> NonZeroU32 {
        self.0
    }

    /// The value the guest sees.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::RawHandle;
    ///
    /// let raw = RawHandle::from_bits(42).unwrap();
    /// assert_eq!(raw.to_bits(), 42);
    /// ```
    #[inline]
    pub const fn to_bits(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Debug for RawHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawHandle({:#010x})", self.to_bits())
    }
}

impl fmt::Display for RawHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010x}", self.to_bits())
    }
}

/// A handle to a `T` in a table: a [`RawHandle`] that remembers its type.
///
/// A `Handle<Bucket>` cannot be passed where a `Handle<Pattern>` is expected,
/// so host code gets the type check from the compiler; the tables check the
/// type again at run time for handles that came from a guest.
///
/// # Examples
///
/// ```
/// use slots_core::{Handle, SlotTable};
///
/// let mut table = SlotTable::new();
/// let h: Handle<&str> = table.insert("hello")?;
/// assert_eq!(table.get(h)?, &"hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Handle<T: ?Sized> {
    raw: RawHandle,
    _type: PhantomData<fn() -> T>,
}

impl<T: ?Sized> Handle<T> {
    /// Types a raw handle. Nothing is checked until the handle is used on a table.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{Handle, RawHandle};
    ///
    /// let raw = RawHandle::from_bits(5).unwrap();
    /// let h: Handle<String> = Handle::from_raw(raw);
    /// assert_eq!(h.raw(), raw);
    /// ```
    #[inline]
    pub const fn from_raw(raw: RawHandle) -> Self {
        Self {
            raw,
            _type: PhantomData,
        }
    }

    /// The untyped handle.
    #[inline]
    pub const fn raw(self) -> RawHandle {
        self.raw
    }

    /// The value the guest sees.
    #[inline]
    pub const fn to_bits(self) -> u32 {
        self.raw.to_bits()
    }
}

// Manual impls: deriving would wrongly require `T: Clone`, `T: PartialEq`, ...
impl<T: ?Sized> Clone for Handle<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Handle<T> {}
impl<T: ?Sized> PartialEq for Handle<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl<T: ?Sized> Eq for Handle<T> {}
impl<T: ?Sized> Hash for Handle<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}
impl<T: ?Sized> fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle<{}>({})", std::any::type_name::<T>(), self.raw)
    }
}

/// How a table splits the 32 bits of a handle into slot index and generation.
///
/// A table that may hold up to `2^k` slots uses the low `k` bits for the
/// index and the remaining `32 - k` bits for the generation. Generations run
/// from 1 to `2^(32-k) - 2`: generation 0 would let the handle of slot 0 be
/// 0, and the all-ones generation would let the last slot's handle be
/// `u32::MAX`, the two values wit-bindgen reserves.
///
/// # Examples
///
/// ```
/// use slots_core::HandleLayout;
///
/// let layout = HandleLayout::for_slots(1 << 16).unwrap();
/// assert_eq!(layout.index_bits(), 16);
/// assert_eq!(layout.generation_bits(), 16);
/// assert_eq!(layout.max_generation(), 65_534);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandleLayout {
    index_bits: u32,
}

impl HandleLayout {
    /// The fewest index bits a layout may have.
    pub const MIN_INDEX_BITS: u32 = 1;
    /// The most index bits a layout may have: two generation bits remain,
    /// which leaves generations 1 and 2.
    pub const MAX_INDEX_BITS: u32 = 30;

    /// The layout with the fewest index bits that can address `slots` slots,
    /// or `None` when `slots` is 0 or more than `2^30`.
    pub const fn for_slots(slots: u32) -> Option<Self> {
        if slots == 0 || slots > 1 << Self::MAX_INDEX_BITS {
            return None;
        }
        let needed = u32::BITS - (slots - 1).leading_zeros();
        let index_bits = if needed < Self::MIN_INDEX_BITS {
            Self::MIN_INDEX_BITS
        } else {
            needed
        };
        Some(Self { index_bits })
    }

    /// Bits of a handle that hold the slot index.
    #[inline]
    pub const fn index_bits(self) -> u32 {
        self.index_bits
    }

    /// Bits of a handle that hold the generation.
    #[inline]
    pub const fn generation_bits(self) -> u32 {
        u32::BITS - self.index_bits
    }

    /// Number of slots the layout can address.
    #[inline]
    pub const fn slot_count(self) -> u32 {
        1 << self.index_bits
    }

    /// The last generation a slot may reach before it is retired.
    #[inline]
    pub const fn max_generation(self) -> u32 {
        (1 << self.generation_bits()) - 2
    }

    /// The slot index of `raw` under this layout.
    #[inline]
    pub const fn index(self, raw: RawHandle) -> u32 {
        raw.to_bits() & (self.slot_count() - 1)
    }

    /// The generation of `raw` under this layout.
    #[inline]
    pub const fn generation(self, raw: RawHandle) -> u32 {
        raw.to_bits() >> self.index_bits
    }
}

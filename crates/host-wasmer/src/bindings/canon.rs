//! The traits generated bindings lift and lower values through, and their
//! implementations for the built-in WIT types.
//!
//! Every WIT type has a Rust type implementing [`Layout`] (its size,
//! alignment and flat count as constants), [`LiftGuest`] (read it from flat
//! values or guest memory) and [`LowerGuest`] (write it). `bindgen!`
//! implements them for each record, variant, enum and flags type of a world,
//! with field offsets computed by wit-parser at compile time; this module
//! implements them for scalars, `char`, `String`, `Vec<T>`, `Option<T>`,
//! `Result<T, E>` and tuples. The rules are the canonical ABI's, with the
//! same checks and errors as the run-time [`abi`](crate::abi) layer.

use slots_core::ResourceTable;

use super::flat::{Flat, FlatOut};
use crate::HostError;
use crate::abi::{
    AbiError, GuestMemory, allocate, check_aligned, check_string_len, list_bytes, read_utf8,
};
use crate::typed::Lent;

/// A WIT type's size, alignment and flat count, as the canonical ABI
/// computes them for 32-bit memories.
pub trait Layout {
    /// Bytes the value takes in guest memory.
    const SIZE: u32;
    /// Alignment of the value in guest memory (a power of two).
    const ALIGN: u32;
    /// Core values the value flattens to.
    const FLAT: usize;
}

/// What lifting values may touch: the guest's memory, the instance's
/// handle table (for handles inside parameters), and the host memory the
/// call may still allocate.
pub struct LiftCx<'a, M: ?Sized> {
    pub(crate) mem: &'a M,
    pub(crate) table: Option<&'a mut ResourceTable<String>>,
    pub(crate) lent: Lent,
    remaining: u64,
    limit: u64,
}

impl<'a, M: GuestMemory + ?Sized> LiftCx<'a, M> {
    /// A context reading `mem`, allocating at most `limit` host bytes.
    pub fn new(mem: &'a M, table: Option<&'a mut ResourceTable<String>>, limit: u64) -> Self {
        Self {
            mem,
            table,
            lent: Lent::default(),
            remaining: limit,
            limit,
        }
    }

    /// The guest's memory.
    #[inline]
    pub fn mem(&self) -> &M {
        self.mem
    }

    /// Takes `bytes` of host memory from the call's budget.
    #[inline]
    pub fn charge(&mut self, bytes: u64) -> Result<(), HostError> {
        if bytes > self.remaining {
            return Err(AbiError::LiftLimitExceeded { limit: self.limit }.into());
        }
        self.remaining -= bytes;
        Ok(())
    }

    /// Records `bits` as lent to the call: a `borrow` parameter looked up
    /// after every parameter is lifted, which no `own` may take meanwhile.
    #[inline]
    pub fn lend(&mut self, bits: u32) {
        self.lent.add(bits);
    }

    /// Reads `N` bytes at `ptr`.
    #[inline]
    pub fn read<const N: usize>(&self, ptr: u32) -> Result<[u8; N], HostError> {
        let mut bytes = [0; N];
        self.mem.read(ptr, &mut bytes)?;
        Ok(bytes)
    }

    /// Lifts a string from its `(ptr, len)`: the canonical ABI's length
    /// limit, then bounds, budget, copy and UTF-8 check.
    #[inline]
    pub fn string(&mut self, ptr: u32, len: u32) -> Result<String, HostError> {
        self.check_str(ptr, len)?;
        Ok(read_utf8(self.mem, ptr, len)?)
    }

    /// Lifts a string from its `(ptr, len)` into `buf` (emptied first),
    /// with the checks of [`LiftCx::string`]; nothing is allocated when
    /// `buf` has the capacity already.
    #[inline]
    pub fn str_into<'b>(
        &mut self,
        ptr: u32,
        len: u32,
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b str, HostError> {
        self.check_str(ptr, len)?;
        buf.clear();
        buf.resize(len as usize, 0);
        self.read_str(ptr, buf)
    }

    /// Checks the string at `(ptr, len)` before host memory is taken for
    /// it: length limit, bounds, and the call's budget, which it charges.
    #[inline]
    pub(crate) fn check_str(&mut self, ptr: u32, len: u32) -> Result<(), HostError> {
        check_string_len(len)?;
        self.mem.check_range(ptr, u64::from(len))?;
        self.charge(u64::from(len))
    }

    /// Reads the string at `ptr`, checked by [`LiftCx::check_str`], into
    /// `buf`, which has its length, and checks that it is UTF-8.
    #[inline]
    pub(crate) fn read_str<'b>(
        &mut self,
        ptr: u32,
        buf: &'b mut [u8],
    ) -> Result<&'b str, HostError> {
        self.mem.read(ptr, buf)?;
        std::str::from_utf8(buf).map_err(|error| {
            AbiError::InvalidUtf8 {
                ptr,
                len: buf.len() as u32,
                valid_up_to: error.valid_up_to(),
            }
            .into()
        })
    }

    /// Checks the list at `(ptr, len)` of elements of `size` bytes aligned
    /// to `align`, and charges `host_size` bytes per element to the budget.
    pub fn check_list(
        &mut self,
        ptr: u32,
        len: u32,
        size: u32,
        align: u32,
        host_size: usize,
    ) -> Result<(), HostError> {
        let bytes = list_bytes(u64::from(len), size)?;
        check_aligned("list", ptr, align)?;
        self.mem.check_range(ptr, u64::from(bytes))?;
        self.charge(u64::from(len).saturating_mul(host_size.max(1) as u64))
    }
}

/// A Rust type generated bindings lift from the guest.
pub trait LiftGuest: Layout + Sized {
    /// Lifts the value from its flat values.
    fn lift_flat<M: GuestMemory + ?Sized>(
        cx: &mut LiftCx<'_, M>,
        flat: &mut Flat<'_>,
    ) -> Result<Self, HostError>;

    /// Loads the value from guest memory at `ptr`, which the caller has
    /// checked is aligned and inside memory for [`Layout::SIZE`] bytes.
    fn load<M: GuestMemory + ?Sized>(cx: &mut LiftCx<'_, M>, ptr: u32) -> Result<Self, HostError>;

    /// Loads `len` values from `ptr` on, already checked and charged.
    /// Bytes override this with one read.
    fn load_list<M: GuestMemory + ?Sized>(
        cx: &mut LiftCx<'_, M>,
        ptr: u32,
        len: u32,
    ) -> Result<Vec<Self>, HostError> {
        let mut items = Vec::with_capacity(len as usize);
        for index in 0..len {
            items.push(Self::load(
                cx,
                ptr.wrapping_add(index.wrapping_mul(Self::SIZE)),
            )?);
        }
        Ok(items)
    }
}

/// A Rust type generated bindings lower into the guest.
pub trait LowerGuest: Layout {
    /// Lowers the value to its flat values. Strings and lists are copied
    /// into memory from the guest's `cabi_realloc`.
    fn lower_flat<M: GuestMemory + ?Sized>(
        &self,
        mem: &mut M,
        out: &mut FlatOut<'_>,
    ) -> Result<(), HostError>;

    /// Stores the value in guest memory at `ptr`, which the caller has
    /// checked is aligned and inside memory for [`Layout::SIZE`] bytes.
    fn store<M: GuestMemory + ?Sized>(&self, mem: &mut M, ptr: u32) -> Result<(), HostError>;

    /// Stores `items` from `ptr` on. Bytes override this with one write.
    fn store_list<M: GuestMemory + ?Sized>(
        items: &[Self],
        mem: &mut M,
        ptr: u32,
    ) -> Result<(), HostError>
    where
        Self: Sized,
    {
        let mut at = ptr;
        for item in items {
            item.store(mem, at)?;
            at = at.wrapping_add(Self::SIZE);
        }
        Ok(())
    }
}

/// Rounds `offset` up to a multiple of `align` (a power of two).
#[inline]
pub const fn align_to(offset: u32, align: u32) -> u32 {
    (offset + align - 1) & !(align - 1)
}

/// The larger of two numbers, in constants.
#[inline]
pub const fn max(a: u32, b: u32) -> u32 {
    if a > b { a } else { b }
}

/// The larger of two flat counts, in constants.
#[inline]
pub const fn max_flat(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// The error for a discriminant that names no case.
#[cold]
pub fn bad_discriminant(ty: &str, value: u32, cases: usize) -> HostError {
    AbiError::BadDiscriminant {
        ty: ty.to_string(),
        value,
        cases,
    }
    .into()
}

/// Checks the destination of a stored value: aligned, and inside memory.
#[inline]
pub fn check_store<M: GuestMemory + ?Sized>(
    mem: &M,
    what: &'static str,
    ptr: u32,
    size: u32,
    align: u32,
) -> Result<(), HostError> {
    check_aligned(what, ptr, align)?;
    mem.check_range(ptr, u64::from(size))?;
    Ok(())
}

/// A value of `N` little-endian bytes, widened to the 64-bit word its flat
/// form takes.
#[inline]
fn word<const N: usize>(bytes: [u8; N]) -> u64 {
    let mut word = [0; 8];
    word[..N].copy_from_slice(&bytes);
    u64::from_le_bytes(word)
}

/// The ABI traits of a type that is one core value: lifted from its flat
/// word or from its `$size` little-endian bytes by the same conversion
/// (`|v| ...`, which may refuse the value), lowered as its word
/// (`|s| ...`), stored as the word's low `$size` bytes. With `bytes`, a
/// list of it is copied in one read or write.
macro_rules! one_word {
    ($ty:ty, $size:literal, |$v:ident| $lift:expr, |$s:ident| $lower:expr $(, $bytes:ident)?) => {
        impl Layout for $ty {
            const SIZE: u32 = $size;
            const ALIGN: u32 = $size;
            const FLAT: usize = 1;
        }

        impl LiftGuest for $ty {
            #[inline]
            fn lift_flat<M: GuestMemory + ?Sized>(
                _: &mut LiftCx<'_, M>,
                flat: &mut Flat<'_>,
            ) -> Result<Self, HostError> {
                let $v = flat.next_bits();
                $lift
            }

            #[inline]
            fn load<M: GuestMemory + ?Sized>(
                cx: &mut LiftCx<'_, M>,
                ptr: u32,
            ) -> Result<Self, HostError> {
                let $v = word(cx.read::<$size>(ptr)?);
                $lift
            }

            $(one_word!(@load_list $bytes);)?
        }

        impl LowerGuest for $ty {
            #[inline]
            fn lower_flat<M: GuestMemory + ?Sized>(
                &self,
                _: &mut M,
                out: &mut FlatOut<'_>,
            ) -> Result<(), HostError> {
                let $s = *self;
                out.push($lower);
                Ok(())
            }

            #[inline]
            fn store<M: GuestMemory + ?Sized>(
                &self,
                mem: &mut M,
                ptr: u32,
            ) -> Result<(), HostError> {
                let $s = *self;
                Ok(mem.write(ptr, &u64::to_le_bytes($lower)[..$size])?)
            }

            $(one_word!(@store_list $bytes);)?
        }
    };
    (@load_list bytes) => {
        fn load_list<M: GuestMemory + ?Sized>(
            cx: &mut LiftCx<'_, M>,
            ptr: u32,
            len: u32,
        ) -> Result<Vec<Self>, HostError> {
            let mut bytes = vec![0; len as usize];
            cx.mem.read(ptr, &mut bytes)?;
            Ok(bytes)
        }
    };
    (@store_list bytes) => {
        fn store_list<M: GuestMemory + ?Sized>(
            items: &[Self],
            mem: &mut M,
            ptr: u32,
        ) -> Result<(), HostError> {
            Ok(mem.write(ptr, items)?)
        }
    };
}

/// A `char` from the guest's scalar value, refused when it is a surrogate
/// or past `0x10FFFF`.
#[inline]
fn to_char(value: u32) -> Result<char, HostError> {
    char::from_u32(value).ok_or_else(|| AbiError::InvalidChar { value }.into())
}

one_word!(bool, 1, |v| Ok(v as u32 != 0), |s| u64::from(s));
one_word!(u8, 1, |v| Ok(v as u8), |s| u64::from(s), bytes);
one_word!(u16, 2, |v| Ok(v as u16), |s| u64::from(s));
one_word!(i8, 1, |v| Ok(v as u8 as i8), |s| u64::from(s as u8));
one_word!(i16, 2, |v| Ok(v as u16 as i16), |s| u64::from(s as u16));
one_word!(u32, 4, |v| Ok(v as u32), |s| u64::from(s));
one_word!(i32, 4, |v| Ok(v as u32 as i32), |s| u64::from(s as u32));
one_word!(u64, 8, |v| Ok(v), |s| s);
one_word!(i64, 8, |v| Ok(v as i64), |s| s as u64);
one_word!(f32, 4, |v| Ok(f32::from_bits(v as u32)), |s| u64::from(
    s.to_bits()
));
one_word!(f64, 8, |v| Ok(f64::from_bits(v)), |s| s.to_bits());
one_word!(char, 4, |v| to_char(v as u32), |s| u64::from(u32::from(s)));

/// The unit type stands for an absent payload: `result<_, E>`, a case
/// without a type.
impl Layout for () {
    const SIZE: u32 = 0;
    const ALIGN: u32 = 1;
    const FLAT: usize = 0;
}

impl LiftGuest for () {
    #[inline]
    fn lift_flat<M: GuestMemory + ?Sized>(
        _: &mut LiftCx<'_, M>,
        _: &mut Flat<'_>,
    ) -> Result<Self, HostError> {
        Ok(())
    }

    #[inline]
    fn load<M: GuestMemory + ?Sized>(_: &mut LiftCx<'_, M>, _: u32) -> Result<Self, HostError> {
        Ok(())
    }
}

impl LowerGuest for () {
    #[inline]
    fn lower_flat<M: GuestMemory + ?Sized>(
        &self,
        _: &mut M,
        _: &mut FlatOut<'_>,
    ) -> Result<(), HostError> {
        Ok(())
    }

    #[inline]
    fn store<M: GuestMemory + ?Sized>(&self, _: &mut M, _: u32) -> Result<(), HostError> {
        Ok(())
    }
}

/// Reads the `(ptr, len)` pair of a string or list stored at `ptr`.
#[inline]
pub(crate) fn load_pair<M: GuestMemory + ?Sized>(
    cx: &mut LiftCx<'_, M>,
    ptr: u32,
) -> Result<(u32, u32), HostError> {
    let bytes: [u8; 8] = cx.read(ptr)?;
    let [a, b, c, d, e, f, g, h] = bytes;
    Ok((
        u32::from_le_bytes([a, b, c, d]),
        u32::from_le_bytes([e, f, g, h]),
    ))
}

/// Writes the `(ptr, len)` pair of a string or list at `at`.
#[inline]
fn store_pair<M: GuestMemory + ?Sized>(
    mem: &mut M,
    at: u32,
    (ptr, len): (u32, u32),
) -> Result<(), HostError> {
    let mut bytes = [0; 8];
    bytes[..4].copy_from_slice(&ptr.to_le_bytes());
    bytes[4..].copy_from_slice(&len.to_le_bytes());
    Ok(mem.write(at, &bytes)?)
}

/// Copies `s` into a fresh guest allocation from `cabi_realloc`.
pub fn store_string<M: GuestMemory + ?Sized>(
    mem: &mut M,
    s: &str,
) -> Result<(u32, u32), HostError> {
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    check_string_len(len)?;
    let ptr = allocate(mem, 1, len)?;
    mem.write(ptr, s.as_bytes())?;
    Ok((ptr, len))
}

/// Copies `items` into a fresh guest allocation from `cabi_realloc`.
pub fn store_list<T: LowerGuest, M: GuestMemory + ?Sized>(
    mem: &mut M,
    items: &[T],
) -> Result<(u32, u32), HostError> {
    let bytes = list_bytes(items.len() as u64, T::SIZE)?;
    // Under the byte limit, the count fits in a `u32` too (elements of
    // size 0 aside, which a list of `()` may have).
    let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
    let ptr = allocate(mem, T::ALIGN, bytes)?;
    T::store_list(items, mem, ptr)?;
    Ok((ptr, count))
}

/// Lifts the list at `(ptr, len)`.
#[inline]
fn lift_list<T: LiftGuest, M: GuestMemory + ?Sized>(
    cx: &mut LiftCx<'_, M>,
    ptr: u32,
    len: u32,
) -> Result<Vec<T>, HostError> {
    cx.check_list(ptr, len, T::SIZE, T::ALIGN, size_of::<T>())?;
    T::load_list(cx, ptr, len)
}

/// The ABI traits of a type passed as a `(ptr, len)` pair: lifted by
/// `|cx, ptr, len| ...` from the pair, flat or in memory; lowered by
/// `|mem, value| ...`, which copies the value into a fresh guest allocation
/// and gives its pair. The brackets hold the generics of the impls: of
/// `Layout`, `LiftGuest` and `LowerGuest`.
macro_rules! pair_type {
    (
        $ty:ty, [$($params:tt)*], [$($lift_bounds:tt)*], [$($lower_bounds:tt)*],
        |$cx:ident, $ptr:ident, $len:ident| $lift:expr,
        |$mem:ident, $value:ident| $lower:expr $(,)?
    ) => {
        impl<$($params)*> Layout for $ty {
            const SIZE: u32 = 8;
            const ALIGN: u32 = 4;
            const FLAT: usize = 2;
        }

        impl<$($lift_bounds)*> LiftGuest for $ty {
            #[inline]
            fn lift_flat<M: GuestMemory + ?Sized>(
                $cx: &mut LiftCx<'_, M>,
                flat: &mut Flat<'_>,
            ) -> Result<Self, HostError> {
                let $ptr = flat.next_bits() as u32;
                let $len = flat.next_bits() as u32;
                $lift
            }

            fn load<M: GuestMemory + ?Sized>(
                $cx: &mut LiftCx<'_, M>,
                ptr: u32,
            ) -> Result<Self, HostError> {
                let ($ptr, $len) = load_pair($cx, ptr)?;
                $lift
            }
        }

        impl<$($lower_bounds)*> LowerGuest for $ty {
            fn lower_flat<M: GuestMemory + ?Sized>(
                &self,
                $mem: &mut M,
                out: &mut FlatOut<'_>,
            ) -> Result<(), HostError> {
                let $value = self;
                let (ptr, len) = $lower?;
                out.push(u64::from(ptr));
                out.push(u64::from(len));
                Ok(())
            }

            fn store<M: GuestMemory + ?Sized>(
                &self,
                $mem: &mut M,
                ptr: u32,
            ) -> Result<(), HostError> {
                let $value = self;
                let pair = $lower?;
                store_pair($mem, ptr, pair)
            }
        }
    };
}

pair_type!(
    String,
    [],
    [],
    [],
    |cx, ptr, len| cx.string(ptr, len),
    |mem, s| store_string(mem, s),
);

pair_type!(
    Vec<T>,
    [T],
    [T: LiftGuest],
    [T: LowerGuest],
    |cx, ptr, len| lift_list(cx, ptr, len),
    |mem, items| store_list(mem, items),
);

impl<T: Layout> Layout for Option<T> {
    const SIZE: u32 = align_to(align_to(1, T::ALIGN) + T::SIZE, max(1, T::ALIGN));
    const ALIGN: u32 = max(1, T::ALIGN);
    const FLAT: usize = 1 + T::FLAT;
}

impl<T: LiftGuest> LiftGuest for Option<T> {
    #[inline]
    fn lift_flat<M: GuestMemory + ?Sized>(
        cx: &mut LiftCx<'_, M>,
        flat: &mut Flat<'_>,
    ) -> Result<Self, HostError> {
        match flat.next_bits() as u32 {
            0 => {
                flat.skip(T::FLAT);
                Ok(None)
            }
            1 => T::lift_flat(cx, flat).map(Some),
            other => Err(bad_discriminant("option", other, 2)),
        }
    }

    fn load<M: GuestMemory + ?Sized>(cx: &mut LiftCx<'_, M>, ptr: u32) -> Result<Self, HostError> {
        match read_tag8(cx, ptr)? {
            0 => Ok(None),
            1 => T::load(cx, ptr.wrapping_add(align_to(1, T::ALIGN))).map(Some),
            other => Err(bad_discriminant("option", other, 2)),
        }
    }
}

impl<T: LowerGuest> LowerGuest for Option<T> {
    #[inline]
    fn lower_flat<M: GuestMemory + ?Sized>(
        &self,
        mem: &mut M,
        out: &mut FlatOut<'_>,
    ) -> Result<(), HostError> {
        match self {
            None => {
                out.push(0);
                out.pad(T::FLAT);
                Ok(())
            }
            Some(value) => {
                out.push(1);
                value.lower_flat(mem, out)
            }
        }
    }

    fn store<M: GuestMemory + ?Sized>(&self, mem: &mut M, ptr: u32) -> Result<(), HostError> {
        match self {
            None => Ok(mem.write(ptr, &[0])?),
            Some(value) => {
                mem.write(ptr, &[1])?;
                value.store(mem, ptr.wrapping_add(align_to(1, T::ALIGN)))
            }
        }
    }
}

impl<T: Layout, E: Layout> Layout for Result<T, E> {
    const SIZE: u32 = align_to(
        align_to(1, max(T::ALIGN, E::ALIGN)) + max(T::SIZE, E::SIZE),
        max(1, max(T::ALIGN, E::ALIGN)),
    );
    const ALIGN: u32 = max(1, max(T::ALIGN, E::ALIGN));
    const FLAT: usize = 1 + max_flat(T::FLAT, E::FLAT);
}

impl<T: LiftGuest, E: LiftGuest> LiftGuest for Result<T, E> {
    #[inline]
    fn lift_flat<M: GuestMemory + ?Sized>(
        cx: &mut LiftCx<'_, M>,
        flat: &mut Flat<'_>,
    ) -> Result<Self, HostError> {
        let width = max_flat(T::FLAT, E::FLAT);
        match flat.next_bits() as u32 {
            0 => {
                let ok = T::lift_flat(cx, flat)?;
                flat.skip(width - T::FLAT);
                Ok(Ok(ok))
            }
            1 => {
                let err = E::lift_flat(cx, flat)?;
                flat.skip(width - E::FLAT);
                Ok(Err(err))
            }
            other => Err(bad_discriminant("result", other, 2)),
        }
    }

    fn load<M: GuestMemory + ?Sized>(cx: &mut LiftCx<'_, M>, ptr: u32) -> Result<Self, HostError> {
        let payload = ptr.wrapping_add(align_to(1, max(T::ALIGN, E::ALIGN)));
        match read_tag8(cx, ptr)? {
            0 => T::load(cx, payload).map(Ok),
            1 => E::load(cx, payload).map(Err),
            other => Err(bad_discriminant("result", other, 2)),
        }
    }
}

impl<T: LowerGuest, E: LowerGuest> LowerGuest for Result<T, E> {
    #[inline]
    fn lower_flat<M: GuestMemory + ?Sized>(
        &self,
        mem: &mut M,
        out: &mut FlatOut<'_>,
    ) -> Result<(), HostError> {
        let width = max_flat(T::FLAT, E::FLAT);
        match self {
            Ok(value) => {
                out.push(0);
                value.lower_flat(mem, out)?;
                out.pad(width - T::FLAT);
            }
            Err(value) => {
                out.push(1);
                value.lower_flat(mem, out)?;
                out.pad(width - E::FLAT);
            }
        }
        Ok(())
    }

    fn store<M: GuestMemory + ?Sized>(&self, mem: &mut M, ptr: u32) -> Result<(), HostError> {
        let payload = ptr.wrapping_add(align_to(1, max(T::ALIGN, E::ALIGN)));
        match self {
            Ok(value) => {
                mem.write(ptr, &[0])?;
                value.store(mem, payload)
            }
            Err(value) => {
                mem.write(ptr, &[1])?;
                value.store(mem, payload)
            }
        }
    }
}

macro_rules! tuple {
    ($($t:ident $v:ident),+) => {
        impl<$($t: Layout),+> Layout for ($($t,)+) {
            const SIZE: u32 = {
                let mut offset = 0;
                let mut align = 1;
                $(
                    offset = align_to(offset, $t::ALIGN) + $t::SIZE;
                    align = max(align, $t::ALIGN);
                )+
                align_to(offset, align)
            };
            const ALIGN: u32 = {
                let mut align = 1;
                $( align = max(align, $t::ALIGN); )+
                align
            };
            const FLAT: usize = 0 $(+ $t::FLAT)+;
        }

        impl<$($t: LiftGuest),+> LiftGuest for ($($t,)+) {
            #[inline]
            fn lift_flat<M: GuestMemory + ?Sized>(
                cx: &mut LiftCx<'_, M>,
                flat: &mut Flat<'_>,
            ) -> Result<Self, HostError> {
                Ok(($($t::lift_flat(cx, flat)?,)+))
            }

            #[allow(unused_assignments, reason = "the last field's size is added too")]
            fn load<M: GuestMemory + ?Sized>(
                cx: &mut LiftCx<'_, M>,
                ptr: u32,
            ) -> Result<Self, HostError> {
                let mut offset = 0;
                Ok(($({
                    offset = align_to(offset, $t::ALIGN);
                    let value = $t::load(cx, ptr.wrapping_add(offset))?;
                    offset += $t::SIZE;
                    value
                },)+))
            }
        }

        impl<$($t: LowerGuest),+> LowerGuest for ($($t,)+) {
            #[inline]
            fn lower_flat<M: GuestMemory + ?Sized>(
                &self,
                mem: &mut M,
                out: &mut FlatOut<'_>,
            ) -> Result<(), HostError> {
                let ($($v,)+) = self;
                $( $v.lower_flat(mem, out)?; )+
                Ok(())
            }

            fn store<M: GuestMemory + ?Sized>(&self, mem: &mut M, ptr: u32) -> Result<(), HostError> {
                let ($($v,)+) = self;
                let mut offset = 0;
                $(
                    offset = align_to(offset, $t::ALIGN);
                    $v.store(mem, ptr.wrapping_add(offset))?;
                    offset += $t::SIZE;
                )+
                let _ = offset;
                Ok(())
            }
        }
    };
}

tuple!(A a);
tuple!(A a, B b);
tuple!(A a, B b, C c);
tuple!(A a, B b, C c, D d);
tuple!(A a, B b, C c, D d, E e);
tuple!(A a, B b, C c, D d, E e, F f);
tuple!(A a, B b, C c, D d, E e, F f, G g);
tuple!(A a, B b, C c, D d, E e, F f, G g, H h);

/// The functions that read and write a discriminant of one width: the
/// canonical ABI stores a case number in the fewest bytes that hold every
/// case of its type.
macro_rules! tag_width {
    ($($read:ident, $write:ident, $ty:ty, $width:literal;)*) => {$(
        #[doc = concat!("Reads a ", $width, " discriminant.")]
        #[inline]
        pub fn $read<M: GuestMemory + ?Sized>(
            cx: &mut LiftCx<'_, M>,
            ptr: u32,
        ) -> Result<u32, HostError> {
            <$ty as LiftGuest>::load(cx, ptr).map(u32::from)
        }

        #[doc = concat!("Writes a ", $width, " discriminant.")]
        #[inline]
        pub fn $write<M: GuestMemory + ?Sized>(
            mem: &mut M,
            ptr: u32,
            case: u32,
        ) -> Result<(), HostError> {
            (case as $ty).store(mem, ptr)
        }
    )*};
}

tag_width! {
    read_tag8, write_tag8, u8, "one-byte";
    read_tag16, write_tag16, u16, "two-byte";
    read_tag32, write_tag32, u32, "four-byte";
}

/// Allocates `size` bytes aligned to `align` from the guest's `cabi_realloc`,
/// checked: a spilled parameter area.
#[inline]
pub fn alloc<M: GuestMemory + ?Sized>(
    mem: &mut M,
    size: u32,
    align: u32,
) -> Result<u32, HostError> {
    Ok(allocate(mem, align, size)?)
}

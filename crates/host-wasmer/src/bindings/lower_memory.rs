//! The guest memories a generated import sees: [`View`] while no guest
//! code runs, [`Mem`] when it may call the guest's `cabi_realloc`, and
//! [`LowerMemory`], either of them, which a result that may allocate is
//! stored through.

use wasmer::StoreMut;

use crate::abi::{AbiError, GuestMemory, ViewMemory, WasmerMemory};

/// The guest memory of an import whose result allocates in it: reads,
/// writes and `cabi_realloc`.
pub type Mem<'a, 's> = WasmerMemory<'a, StoreMut<'s>>;

/// The guest memory of an import while no guest code runs: one view.
pub type View<'a, 's> = ViewMemory<'a, StoreMut<'s>>;

/// The memory a result that may allocate is stored through: first the
/// call's one view, then, only if the result must allocate, the memory
/// and its allocator.
///
/// Most such results allocate nothing on most calls (a handle in `ok`, an
/// `error` case without a string), and storing them through the view the
/// parameters were lifted through costs no further look-up of the memory.
/// A store through [`LowerMemory::View`] that reaches an allocation stops
/// there with [`AbiError::ReallocUnavailable`]; the import then stores the
/// result again from the start through [`LowerMemory::Full`]. The lowering
/// is deterministic and no guest code runs between the two, so the second
/// store writes the same bytes up to that allocation and the guest's
/// allocator sees memory exactly as a single store would leave it.
pub enum LowerMemory<'m, 'a, 's> {
    /// The call's view: reads and writes, no allocator.
    View(&'m mut View<'a, 's>),
    /// The memory and the guest's `cabi_realloc`.
    Full(&'m mut Mem<'a, 's>),
}

impl GuestMemory for LowerMemory<'_, '_, '_> {
    #[inline]
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), AbiError> {
        match self {
            Self::View(view) => view.read(offset, buf),
            Self::Full(mem) => mem.read(offset, buf),
        }
    }

    #[inline]
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), AbiError> {
        match self {
            Self::View(view) => view.write(offset, bytes),
            Self::Full(mem) => mem.write(offset, bytes),
        }
    }

    #[inline]
    fn realloc(
        &mut self,
        old_ptr: u32,
        old_len: u32,
        align: u32,
        new_len: u32,
    ) -> Result<u32, AbiError> {
        match self {
            Self::View(view) => view.realloc(old_ptr, old_len, align, new_len),
            Self::Full(mem) => mem.realloc(old_ptr, old_len, align, new_len),
        }
    }

    #[inline]
    fn check_range(&self, offset: u32, len: u64) -> Result<(), AbiError> {
        match self {
            Self::View(view) => view.check_range(offset, len),
            Self::Full(mem) => mem.check_range(offset, len),
        }
    }
}

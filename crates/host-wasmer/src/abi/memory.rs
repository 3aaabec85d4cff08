//! [`GuestMemory`]: the guest's linear memory and allocator, as the ABI uses them.

use super::AbiError;

/// A guest's linear memory and its `cabi_realloc`.
///
/// The ABI code reads and writes through this trait only, so that it can be
/// tested on a plain [`VecMemory`](super::VecMemory) and run on a Wasmer
/// instance through [`WasmerMemory`](super::WasmerMemory).
///
/// Implementations bounds-check every access and return an error instead of
/// panicking. They need not check what `realloc` returns: the ABI code checks
/// that the block is non-null, aligned and inside memory itself, since the
/// allocator is guest code and cannot be trusted.
///
/// # Examples
///
/// ```
/// use host_wasmer::abi::{GuestMemory, VecMemory};
///
/// let mut mem = VecMemory::new(16);
/// mem.write(4, &[1, 2, 3])?;
/// let mut buf = [0; 3];
/// mem.read(4, &mut buf)?;
/// assert_eq!(buf, [1, 2, 3]);
/// assert!(mem.read(15, &mut buf).is_err());
/// # Ok::<(), host_wasmer::abi::AbiError>(())
/// ```
pub trait GuestMemory {
    /// Fills `buf` from memory at `offset`; reading past the end is an error.
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), AbiError>;

    /// Writes `bytes` to memory at `offset`; writing past the end is an error.
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), AbiError>;

    /// Calls the guest's `cabi_realloc(old_ptr, old_len, align, new_len)`.
    ///
    /// The memory may grow during the call: implementations must not cache
    /// anything derived from its size across it.
    fn realloc(
        &mut self,
        old_ptr: u32,
        old_len: u32,
        align: u32,
        new_len: u32,
    ) -> Result<u32, AbiError>;

    /// Checks that `[offset, offset + len)` lies inside memory, in the words
    /// of [`AbiError::OutOfBounds`].
    ///
    /// The ABI calls this before it allocates host memory for a guest-given
    /// length. The default implementation probes with reads of zero and one
    /// byte; implementations that know their size should override it.
    fn check_range(&self, offset: u32, len: u64) -> Result<(), AbiError> {
        let end = u64::from(offset) + len;
        if len == 0 {
            return self.read(offset, &mut []);
        }
        let last = u32::try_from(end - 1).map_err(|_| AbiError::OutOfBounds {
            ptr: offset,
            len,
            size: 1 << 32,
        })?;
        self.read(last, &mut [0])
    }
}

/// The bounds check shared by memory implementations of a known `size`.
pub(crate) fn range_in(size: u64, ptr: u32, len: u64) -> Result<(), AbiError> {
    match u64::from(ptr).checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => Err(AbiError::OutOfBounds { ptr, len, size }),
    }
}

/// Checks that `ptr` is a multiple of `align` (a power of two).
pub(crate) fn check_aligned(what: &'static str, ptr: u32, align: u32) -> Result<(), AbiError> {
    if align > 1 && ptr & (align - 1) != 0 {
        return Err(AbiError::Misaligned { what, ptr, align });
    }
    Ok(())
}

/// Allocates `len` bytes aligned to `align` with the guest's realloc and
/// checks the block it returns.
///
/// Like the canonical ABI, this calls `realloc(0, 0, align, len)` even for
/// `len == 0`; a null pointer is accepted for an empty block only.
pub(crate) fn allocate<M: GuestMemory + ?Sized>(
    mem: &mut M,
    align: u32,
    len: u32,
) -> Result<u32, AbiError> {
    let ptr = mem.realloc(0, 0, align, len)?;
    if ptr == 0 && len != 0 {
        return Err(AbiError::ReallocNull { len });
    }
    if align > 1 && ptr & (align - 1) != 0 {
        return Err(AbiError::ReallocMisaligned { ptr, align });
    }
    mem.check_range(ptr, u64::from(len))
        .map_err(|err| match err {
            AbiError::OutOfBounds { size, .. } => AbiError::ReallocOutOfBounds { ptr, len, size },
            other => other,
        })?;
    Ok(ptr)
}

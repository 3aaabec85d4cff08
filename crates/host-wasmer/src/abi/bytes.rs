//! Little-endian fields of a host-side copy of guest bytes, read and
//! written without any indexing that could panic.

use super::AbiError;

fn layout(offset: usize, len: usize, available: usize) -> AbiError {
    AbiError::Layout {
        offset,
        len,
        available,
    }
}

/// The `N` bytes at `offset`.
pub(crate) fn get<const N: usize>(bytes: &[u8], offset: usize) -> Result<[u8; N], AbiError> {
    bytes
        .get(offset..)
        .and_then(|rest| rest.first_chunk::<N>())
        .copied()
        .ok_or_else(|| layout(offset, N, bytes.len()))
}

/// A little-endian `u32` at `offset`.
pub(crate) fn u32_at(bytes: &[u8], offset: usize) -> Result<u32, AbiError> {
    get::<4>(bytes, offset).map(u32::from_le_bytes)
}

/// The bytes from `offset` to the end.
pub(crate) fn tail(bytes: &[u8], offset: usize) -> Result<&[u8], AbiError> {
    bytes
        .get(offset..)
        .ok_or_else(|| layout(offset, 0, bytes.len()))
}

/// The bytes from `offset` to the end, mutably.
pub(crate) fn tail_mut(bytes: &mut [u8], offset: usize) -> Result<&mut [u8], AbiError> {
    let available = bytes.len();
    bytes
        .get_mut(offset..)
        .ok_or_else(|| layout(offset, 0, available))
}

/// Copies `value` to `offset`.
pub(crate) fn put(bytes: &mut [u8], offset: usize, value: &[u8]) -> Result<(), AbiError> {
    let available = bytes.len();
    bytes
        .get_mut(offset..)
        .and_then(|rest| rest.get_mut(..value.len()))
        .ok_or_else(|| layout(offset, value.len(), available))?
        .copy_from_slice(value);
    Ok(())
}

/// Rounds `offset` up to a multiple of `align` (a power of two).
pub(crate) fn align_to(offset: usize, align: usize) -> usize {
    offset.next_multiple_of(align.max(1))
}

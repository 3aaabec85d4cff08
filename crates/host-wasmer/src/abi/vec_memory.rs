//! [`VecMemory`]: a guest memory in a `Vec<u8>`, for tests and fuzzing.

use super::memory::range_in;
use super::{AbiError, GuestMemory};

/// A linear memory held in a `Vec<u8>`, with a bump allocator standing in
/// for the guest's `cabi_realloc`.
///
/// The first `size` bytes are the guest's own data; allocations are carved
/// from the end of memory, which grows as they need it (as a guest's
/// `memory.grow` would) up to [`max_size`](VecMemory::with_max_size). The
/// allocator never frees and never returns 0 for a non-empty block.
///
/// # Examples
///
/// ```
/// use host_wasmer::abi::{GuestMemory, VecMemory};
///
/// let mut mem = VecMemory::new(10);
/// let ptr = mem.realloc(0, 0, 8, 4)?;
/// assert_eq!(ptr, 16);
/// assert_eq!(mem.len(), 20);
/// # Ok::<(), host_wasmer::abi::AbiError>(())
/// ```
#[derive(Debug, Clone)]
pub struct VecMemory {
    bytes: Vec<u8>,
    /// Where the bump allocator starts: after the initial bytes, never
    /// below 8, so that no non-empty allocation is null.
    start: u32,
    /// Next free byte of the bump allocator; never below `start`.
    next: u32,
    /// Largest size allocations may grow the memory to (64 MiB by default).
    max_size: u32,
    /// Number of `realloc` calls served.
    reallocs: usize,
}

const DEFAULT_MAX_SIZE: u32 = 64 << 20;

impl Default for VecMemory {
    /// An empty memory.
    fn default() -> Self {
        Self::new(0)
    }
}

impl VecMemory {
    /// A zeroed memory of `size` bytes; allocations start after them.
    pub fn new(size: u32) -> Self {
        Self::from_bytes(vec![0; size as usize])
    }

    /// A memory holding `bytes`; allocations start after them.
    ///
    /// ```
    /// use host_wasmer::abi::VecMemory;
    /// assert_eq!(VecMemory::from_bytes(vec![1, 2]).bytes(), &[1, 2]);
    /// ```
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        let next = u32::try_from(bytes.len()).unwrap_or(u32::MAX).max(8);
        Self {
            bytes,
            start: next,
            next,
            max_size: DEFAULT_MAX_SIZE,
            reallocs: 0,
        }
    }

    /// Caps how far allocations may grow the memory.
    ///
    /// ```
    /// use host_wasmer::abi::{GuestMemory, VecMemory};
    /// let mut mem = VecMemory::new(0).with_max_size(64);
    /// assert!(mem.realloc(0, 0, 1, 100).is_err());
    /// ```
    pub fn with_max_size(mut self, max_size: u32) -> Self {
        self.max_size = max_size;
        self
    }

    /// The memory's contents.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The memory's contents, for tests that plant guest data.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// The memory's size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the memory has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Forgets every allocation, as a guest freeing its whole heap would:
    /// the next `realloc` starts again right after the initial bytes. The
    /// memory keeps its size and contents, so a loop that lowers values into
    /// it stops growing it after the first round.
    ///
    /// ```
    /// use host_wasmer::abi::{GuestMemory, VecMemory};
    /// let mut mem = VecMemory::new(8);
    /// let first = mem.realloc(0, 0, 1, 100)?;
    /// mem.free_all();
    /// assert_eq!(mem.realloc(0, 0, 1, 100)?, first);
    /// assert_eq!(mem.len(), 108);
    /// # Ok::<(), host_wasmer::abi::AbiError>(())
    /// ```
    pub fn free_all(&mut self) {
        self.next = self.start;
    }

    /// How many times `realloc` was called.
    pub fn realloc_calls(&self) -> usize {
        self.reallocs
    }

    fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

impl GuestMemory for VecMemory {
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), AbiError> {
        range_in(self.size(), offset, buf.len() as u64)?;
        let start = offset as usize;
        let src = self
            .bytes
            .get(start..start + buf.len())
            .ok_or(AbiError::OutOfBounds {
                ptr: offset,
                len: buf.len() as u64,
                size: self.size(),
            })?;
        buf.copy_from_slice(src);
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), AbiError> {
        let size = self.size();
        let start = offset as usize;
        let dst = self
            .bytes
            .get_mut(start..start.saturating_add(bytes.len()))
            .ok_or(AbiError::OutOfBounds {
                ptr: offset,
                len: bytes.len() as u64,
                size,
            })?;
        dst.copy_from_slice(bytes);
        Ok(())
    }

    fn realloc(
        &mut self,
        old_ptr: u32,
        old_len: u32,
        align: u32,
        new_len: u32,
    ) -> Result<u32, AbiError> {
        self.reallocs += 1;
        let fail = |message: &str| AbiError::ReallocFailed {
            len: new_len,
            message: message.to_owned(),
        };
        if !align.is_power_of_two() {
            return Err(fail("alignment is not a power of two"));
        }
        let ptr = u64::from(self.next).next_multiple_of(u64::from(align));
        let end = ptr + u64::from(new_len);
        if end > u64::from(self.max_size) {
            return Err(fail("out of memory"));
        }
        // `end` fits in u32 because `max_size` does.
        let (ptr, end) = (ptr as u32, end as u32);
        if end as usize > self.bytes.len() {
            self.bytes.resize(end as usize, 0);
        }
        self.next = end;
        if old_len != 0 {
            let keep = old_len.min(new_len);
            let mut moved = vec![0; keep as usize];
            self.read(old_ptr, &mut moved)?;
            self.write(ptr, &moved)?;
        }
        Ok(ptr)
    }

    fn check_range(&self, offset: u32, len: u64) -> Result<(), AbiError> {
        range_in(self.size(), offset, len)
    }
}

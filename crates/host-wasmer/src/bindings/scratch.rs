//! Host buffers for strings lent to a host function: a `string` parameter
//! that the embedder takes as `&str` (see `bindgen!`'s `borrow_strings`)
//! is copied out of guest memory into one, and a host function can build a
//! key in one ([`Scratch::concat`]).
//!
//! A string of up to [`Scratch::INLINE`] bytes is kept in the buffer
//! itself, on the stack of the call: lifting it touches no heap and no
//! thread-local, so a keyed open of a key the instance already holds runs
//! without either. A longer string goes into a heap buffer lent by a pool
//! per thread, taken only when such a string arrives and given back when
//! the `Scratch` is dropped, so that once the pool's buffers have grown to
//! the strings a guest passes, lifting one allocates nothing. A host
//! function that calls into another guest (whose imports lift strings too)
//! finds the pool in use and gets a fresh buffer: never a panic.

use std::cell::RefCell;

use arrayvec::ArrayString;

use super::canon::{LiftCx, load_pair};
use super::flat::Flat;
use crate::HostError;
use crate::abi::GuestMemory;

/// Heap buffers kept per thread.
const KEPT: usize = 8;

/// A heap buffer grown past this is dropped after use, not kept: one long
/// string must not pin host memory for the thread's lifetime.
const KEEP_BYTES: usize = 64 * 1024;

thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A host buffer for one string: inline when short, else a heap buffer
/// lent by the thread's pool until the `Scratch` is dropped.
///
/// # Examples
///
/// ```
/// use host_wasmer::bindings::Scratch;
///
/// let mut buffer = Scratch::take();
/// assert_eq!(buffer.concat(&["00:", "a+"]), "00:a+");
/// let long = "x".repeat(Scratch::INLINE + 1);
/// assert_eq!(buffer.concat(&["00:", &long]).len(), long.len() + 3);
/// ```
pub struct Scratch {
    /// A short string lifted from the guest, checked as UTF-8 in place.
    inline: [u8; Scratch::INLINE],
    /// A short string joined from strings: already UTF-8, not checked again.
    joined: ArrayString<{ Scratch::INLINE }>,
    /// Empty (no allocation) until a string longer than `INLINE` comes.
    heap: Vec<u8>,
}

impl Default for Scratch {
    fn default() -> Self {
        Self::take()
    }
}

impl Scratch {
    /// Bytes a string may have and still be kept inline, off the heap.
    pub const INLINE: usize = 128;

    /// An empty buffer. It allocates nothing and touches no thread-local:
    /// a heap buffer is taken from the thread's pool only when a string
    /// longer than [`Scratch::INLINE`] comes.
    #[inline]
    pub fn take() -> Self {
        Self {
            inline: [0; Self::INLINE],
            joined: ArrayString::new_const(),
            heap: Vec::new(),
        }
    }

    /// `len` bytes of buffer: inline if they fit, else on the heap (from
    /// the thread's pool the first time).
    #[inline]
    fn space(&mut self, len: usize) -> &mut [u8] {
        if len <= Self::INLINE {
            return &mut self.inline[..len];
        }
        if self.heap.capacity() == 0 {
            self.heap = pooled();
        }
        self.heap.clear();
        self.heap.resize(len, 0);
        &mut self.heap
    }

    /// Lifts the string whose `(ptr, len)` are the next flat values into
    /// this buffer, with the checks of [`LiftCx::string`]: length limit,
    /// bounds, budget, UTF-8.
    #[inline]
    pub fn lift_flat<M: GuestMemory + ?Sized>(
        &mut self,
        cx: &mut LiftCx<'_, M>,
        flat: &mut Flat<'_>,
    ) -> Result<&str, HostError> {
        let ptr = flat.next_bits() as u32;
        let len = flat.next_bits() as u32;
        self.lift(cx, ptr, len)
    }

    /// Lifts the string whose `(ptr, len)` pair is stored at `at` into
    /// this buffer, with the same checks.
    #[inline]
    pub fn load<M: GuestMemory + ?Sized>(
        &mut self,
        cx: &mut LiftCx<'_, M>,
        at: u32,
    ) -> Result<&str, HostError> {
        let (ptr, len) = load_pair(cx, at)?;
        self.lift(cx, ptr, len)
    }

    #[inline]
    fn lift<M: GuestMemory + ?Sized>(
        &mut self,
        cx: &mut LiftCx<'_, M>,
        ptr: u32,
        len: u32,
    ) -> Result<&str, HostError> {
        // Checked before any host memory is taken for it.
        cx.check_str(ptr, len)?;
        cx.read_str(ptr, self.space(len as usize))
    }

    /// `parts` one after the other in this buffer: a key made of a prefix
    /// and a lent string, say, built without allocating when it is short.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::bindings::Scratch;
    ///
    /// let mut buffer = Scratch::take();
    /// assert_eq!(buffer.concat(&["00:", "a+"]), "00:a+");
    /// ```
    pub fn concat(&mut self, parts: &[&str]) -> &str {
        let len: usize = parts.iter().map(|part| part.len()).sum();
        if len <= Self::INLINE {
            self.joined.clear();
            for part in parts {
                // Fits: the parts add up to at most the capacity.
                let _ = self.joined.try_push_str(part);
            }
            return &self.joined;
        }
        let space = self.space(len);
        let mut at = 0;
        for part in parts {
            space[at..at + part.len()].copy_from_slice(part.as_bytes());
            at += part.len();
        }
        // Whole UTF-8 strings one after another are UTF-8.
        std::str::from_utf8(space).unwrap_or_default()
    }

    /// Whether the buffer holds a heap buffer (a string longer than
    /// [`Scratch::INLINE`] came).
    #[cfg(test)]
    fn on_heap(&self) -> bool {
        self.heap.capacity() > 0
    }
}

/// A heap buffer from the thread's pool, or a new empty one.
#[cold]
fn pooled() -> Vec<u8> {
    POOL.try_with(|pool| pool.try_borrow_mut().ok().and_then(|mut pool| pool.pop()))
        .ok()
        .flatten()
        .unwrap_or_default()
}

impl Drop for Scratch {
    #[inline]
    fn drop(&mut self) {
        if self.heap.capacity() != 0 {
            give_back(std::mem::take(&mut self.heap));
        }
    }
}

/// Gives a heap buffer back to the thread's pool, unless the pool is full
/// or the buffer grew past [`KEEP_BYTES`].
#[cold]
fn give_back(buf: Vec<u8>) {
    if buf.capacity() > KEEP_BYTES {
        return;
    }
    let _ = POOL.try_with(|pool| {
        if let Ok(mut pool) = pool.try_borrow_mut()
            && pool.len() < KEPT
        {
            pool.push(buf);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{KEEP_BYTES, POOL, Scratch};

    fn pooled_capacities() -> Vec<usize> {
        POOL.with(|pool| pool.borrow().iter().map(Vec::capacity).collect())
    }

    #[test]
    fn a_short_string_stays_inline_and_a_long_one_borrows_the_pool() {
        let mut short = Scratch::take();
        let text = "k".repeat(Scratch::INLINE);
        assert_eq!(short.concat(&[&text[..1], &text[1..]]), text);
        assert!(!short.on_heap(), "{} bytes fit inline", text.len());
        drop(short);

        let before = pooled_capacities().len();
        let mut long = Scratch::take();
        let text = "k".repeat(Scratch::INLINE + 1);
        assert_eq!(long.concat(&[&text]), text);
        assert!(long.on_heap());
        drop(long);
        let after = pooled_capacities();
        assert_eq!(after.len(), before + 1, "the heap buffer went to the pool");

        // Taken again, the pool's buffer serves without growing.
        let mut again = Scratch::take();
        assert_eq!(again.concat(&[&text]), text);
        assert_eq!(pooled_capacities().len(), before);
        drop(again);

        // One grown past the limit is not kept.
        let mut huge = Scratch::take();
        let text = "k".repeat(KEEP_BYTES + 1);
        assert_eq!(huge.concat(&[&text]).len(), text.len());
        drop(huge);
        assert!(pooled_capacities().iter().all(|&c| c <= KEEP_BYTES));
    }
}

//! Host buffers reused from call to call: a `string` parameter that the
//! embedder takes as `&str` (see `bindgen!`'s `borrow_strings`) is copied
//! out of guest memory into one, so that once the buffer has grown to the
//! strings a guest passes, lifting one allocates nothing. A keyed open of a
//! key the instance already holds then runs without touching the heap.
//!
//! Generated imports take their buffers from a small pool in the
//! instance's state: the buffer is moved out for the call (the lifted
//! `&str` must outlive the host function's borrow of that state) and moved
//! back after it, with no thread-local access. A buffer the instance's
//! pool does not have, or will not keep (it grew past 1 KiB), comes from
//! and goes to a pool per thread. A host function that calls into another
//! guest (whose imports lift strings too) finds that pool empty or in use
//! and gets a fresh buffer: never a panic.

use std::cell::RefCell;

use super::canon::{LiftCx, load_pair};
use super::flat::Flat;
use crate::HostError;
use crate::abi::GuestMemory;

/// Buffers kept per thread.
const KEPT: usize = 8;

/// A buffer grown past this is dropped after use, not kept: one long
/// string must not pin host memory for the thread's lifetime.
const KEEP_BYTES: usize = 64 * 1024;

/// Buffers kept per instance.
const KEPT_PER_INSTANCE: usize = 4;

/// A buffer grown past this goes back to the thread's pool, not the
/// instance's: a thousand instances must not each pin a long string's
/// buffer.
const KEEP_BYTES_PER_INSTANCE: usize = 1024;

thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A host buffer lent by the thread's pool for one call; it goes back to
/// the pool when dropped.
#[derive(Default)]
pub struct Scratch(Vec<u8>);

impl Scratch {
    /// A buffer from the pool, or a new empty one (which allocates only
    /// when a string is lifted into it).
    #[inline]
    pub fn take() -> Self {
        let pooled = POOL
            .try_with(|pool| pool.try_borrow_mut().ok().and_then(|mut pool| pool.pop()))
            .ok()
            .flatten();
        Self(pooled.unwrap_or_default())
    }

    /// A buffer from `pool` (an instance's), or else from the thread's.
    #[inline]
    pub(crate) fn take_from(pool: &mut Vec<Vec<u8>>) -> Self {
        match pool.pop() {
            Some(buffer) => Self(buffer),
            None => Self::take(),
        }
    }

    /// Gives the buffer back to `pool` (an instance's) if it is small and
    /// the pool has room; else to the thread's pool, as dropping it does.
    #[inline]
    pub(crate) fn return_to(mut self, pool: &mut Vec<Vec<u8>>) {
        if self.0.capacity() <= KEEP_BYTES_PER_INSTANCE && pool.len() < KEPT_PER_INSTANCE {
            pool.push(std::mem::take(&mut self.0));
        }
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
        cx.str_into(ptr, len, &mut self.0)
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
        cx.str_into(ptr, len, &mut self.0)
    }
}

impl Scratch {
    /// `parts` one after the other in this buffer: a key made of a prefix
    /// and a lent string, say, built without allocating once the buffer has
    /// grown to it.
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
        self.0.clear();
        for part in parts {
            self.0.extend_from_slice(part.as_bytes());
        }
        // Whole UTF-8 strings one after another are UTF-8: never empty
        // but for empty parts.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.0);
        if buf.capacity() == 0 || buf.capacity() > KEEP_BYTES {
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
}

#[cfg(test)]
mod tests {
    use super::{KEEP_BYTES_PER_INSTANCE, KEPT_PER_INSTANCE, Scratch};

    #[test]
    fn an_instance_pool_lends_its_buffers_back_and_keeps_few_small_ones() {
        let mut pool = Vec::new();
        let mut lent: Vec<Scratch> = (0..KEPT_PER_INSTANCE + 2)
            .map(|_| Scratch::take_from(&mut pool))
            .collect();
        for buffer in &mut lent {
            buffer.concat(&["a key"]);
        }
        for buffer in lent {
            buffer.return_to(&mut pool);
        }
        assert_eq!(
            pool.len(),
            KEPT_PER_INSTANCE,
            "the pool keeps at most its limit"
        );

        // A buffer lent again is one the pool kept, with its capacity.
        let again = Scratch::take_from(&mut pool);
        assert!(again.0.capacity() >= "a key".len());
        assert_eq!(pool.len(), KEPT_PER_INSTANCE - 1);
        again.return_to(&mut pool);

        // One grown past the per-instance limit is not kept by the instance.
        let mut long = Scratch::take_from(&mut pool);
        let text = "x".repeat(KEEP_BYTES_PER_INSTANCE + 1);
        assert_eq!(long.concat(&[&text]).len(), text.len());
        long.return_to(&mut pool);
        assert_eq!(pool.len(), KEPT_PER_INSTANCE - 1);
        assert!(
            pool.iter()
                .all(|buffer| buffer.capacity() <= KEEP_BYTES_PER_INSTANCE)
        );
    }
}

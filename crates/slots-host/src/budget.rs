//! `Budget`: the bytes of bucket data one instance may keep in the host.

use std::sync::atomic::{AtomicU64, Ordering};

/// A byte budget shared by every bucket of one instance, so that a guest
/// cannot grow host memory past its quota however many buckets it makes.
///
/// # Examples
///
/// ```
/// use slots_host::Budget;
///
/// let budget = Budget::new(10);
/// assert!(budget.reserve(8));
/// assert!(!budget.reserve(3));
/// budget.release(8);
/// assert!(budget.reserve(10));
/// ```
#[derive(Debug)]
pub struct Budget {
    used: AtomicU64,
    limit: u64,
}

impl Budget {
    /// The default: 64 MiB of bucket data per instance.
    pub const DEFAULT_LIMIT: u64 = 64 << 20;

    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Self {
            used: AtomicU64::new(0),
            limit,
        }
    }

    /// Takes `bytes` from the budget, or returns false if they do not fit.
    pub fn reserve(&self, bytes: u64) -> bool {
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(bytes).filter(|total| *total <= self.limit)
            })
            .is_ok()
    }

    /// Gives `bytes` back.
    pub fn release(&self, bytes: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                Some(used.saturating_sub(bytes))
            });
    }

    /// Bytes in use.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// The limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

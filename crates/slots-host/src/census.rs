//! `Census`: how many host objects were made and how many are gone, so that
//! a test or an embedder can check that none leaked.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts the objects (patterns, buckets) a host made and dropped.
///
/// Share one census between every instance of a host (it sits in
/// [`HostData`](crate::HostData)); once they have all ended, every object
/// made is either dropped or still warm in the host's cache:
/// `made == dropped + cached`.
///
/// # Examples
///
/// ```
/// use slots_host::Census;
///
/// let census = Census::new();
/// let object = census.count();
/// assert_eq!((census.made(), census.dropped()), (1, 0));
/// drop(object);
/// assert_eq!((census.made(), census.dropped()), (1, 1));
/// ```
#[derive(Debug, Default)]
pub struct Census {
    made: AtomicU64,
    dropped: AtomicU64,
}

impl Census {
    /// An empty census.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Counts one object made; the returned mark counts it dropped when it
    /// is dropped itself. Objects keep their mark in a field.
    pub fn count(self: &Arc<Self>) -> Counted {
        self.made.fetch_add(1, Ordering::Relaxed);
        Counted(self.clone())
    }

    /// Objects made so far.
    pub fn made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }

    /// Objects dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Objects alive now.
    pub fn alive(&self) -> u64 {
        self.made().saturating_sub(self.dropped())
    }
}

/// The mark an object carries so that its [`Census`] sees it dropped.
#[derive(Debug)]
pub struct Counted(Arc<Census>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, Ordering::Relaxed);
    }
}

//! `SharedHost`: what every instance of a host shares — the object cache,
//! the limits, and host-wide totals for leak accounting.

use std::any::{Any, TypeId};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use slots_core::{
    CacheLimits, CacheStats, GrantLimits, GrantRegistry, ObjectCache, Resource, Shared, TableLimits,
};

/// The key of a shared object in the host's cache.
///
/// Keys are scoped by namespace (tenant) and resource type, so two tenants
/// opening the same key, or one tenant opening the same key as two resource
/// types, never meet in the cache.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The namespace of the instance that opened the object.
    pub namespace: Arc<str>,
    /// The Rust type of the object.
    pub type_id: TypeId,
    /// The key the guest opened.
    pub key: String,
}

impl CacheKey {
    /// The key of a `T` opened as `key` in `namespace`.
    pub fn new<T: Resource>(namespace: Arc<str>, key: String) -> Self {
        Self {
            namespace,
            type_id: TypeId::of::<T>(),
            key,
        }
    }
}

/// A cached object of any resource type.
pub type SharedObject = Arc<dyn Any + Send + Sync>;

/// How a host is configured: its limits.
///
/// # Examples
///
/// ```
/// use host_wasmer::HostConfig;
/// use slots_core::{CacheLimits, TableLimits};
///
/// let config = HostConfig {
///     table: TableLimits::new(1 << 16)?,
///     cache: CacheLimits::entries(512),
///     ..HostConfig::default()
/// };
/// # let _ = config;
/// # Ok::<(), slots_core::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HostConfig {
    /// Limits of each instance's handle table.
    pub table: TableLimits,
    /// Bound of the shared object cache.
    pub cache: CacheLimits,
    /// Host memory, in bytes, that lifting one call's arguments (or one
    /// export's result) may allocate. A guest can point many list elements
    /// at the same bytes, so this, not the guest's memory size, bounds what
    /// one call can make the host copy.
    pub lift_limit: u64,
    /// Tokens' time to live and the bounds of the grant registry.
    pub grants: GrantLimits,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            table: TableLimits::default(),
            cache: CacheLimits::default(),
            lift_limit: HostConfig::DEFAULT_LIFT_LIMIT,
            grants: GrantLimits::default(),
        }
    }
}

impl HostConfig {
    /// The default lift limit: 64 MiB per call.
    pub const DEFAULT_LIFT_LIMIT: u64 = 64 << 20;
}

/// Totals over every instance the host has run, for leak accounting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostTotals {
    /// Instances alive now.
    pub instances: u64,
    /// Handle references issued by instances that have ended.
    pub opened: u64,
    /// Handle references released by instances that have ended, including
    /// those released at teardown.
    pub released: u64,
    /// Objects created by instances that have ended: constructor results
    /// and cache misses.
    pub created: u64,
}

impl HostTotals {
    /// References issued but never released by ended instances: a leak in
    /// the host if ever nonzero.
    pub fn leaked(&self) -> u64 {
        self.opened.saturating_sub(self.released)
    }
}

/// The state shared by every instance a host runs.
///
/// # Examples
///
/// ```
/// use host_wasmer::{HostConfig, SharedHost};
///
/// let host = SharedHost::new(HostConfig::default());
/// assert_eq!(host.totals().instances, 0);
/// assert_eq!(host.cache_stats().entries, 0);
/// ```
pub struct SharedHost {
    config: HostConfig,
    cache: ObjectCache<CacheKey, dyn Any + Send + Sync>,
    grants: GrantRegistry,
    instances: AtomicU64,
    opened: AtomicU64,
    released: AtomicU64,
    created: AtomicU64,
}

impl SharedHost {
    /// A host with `config`, shared by its instances through an `Arc`.
    pub fn new(config: HostConfig) -> Arc<Self> {
        Arc::new(Self {
            config,
            cache: ObjectCache::new(config.cache),
            grants: GrantRegistry::new(config.grants),
            instances: AtomicU64::new(0),
            opened: AtomicU64::new(0),
            released: AtomicU64::new(0),
            created: AtomicU64::new(0),
        })
    }

    /// The configuration the host runs with.
    pub fn config(&self) -> HostConfig {
        self.config
    }

    /// The shared object cache.
    pub fn cache(&self) -> &ObjectCache<CacheKey, dyn Any + Send + Sync> {
        &self.cache
    }

    /// The registry of unredeemed grant tokens.
    pub fn grants(&self) -> &GrantRegistry {
        &self.grants
    }

    /// Revokes the `T` cached for `key` in `namespace`: every handle to it,
    /// in every instance, fails from now on, and the cache forgets it, so
    /// the next open of the key creates it afresh. Returns whether such an
    /// object was cached and not yet revoked.
    ///
    /// # Examples
    ///
    /// ```
    /// use host_wasmer::{HostConfig, SharedHost};
    /// # struct Pattern;
    /// # impl slots_core::Resource for Pattern { const NAME: &'static str = "pattern"; }
    ///
    /// let host = SharedHost::new(HostConfig::default());
    /// assert!(!host.revoke_key::<Pattern>("tenant-a", "no such key"));
    /// ```
    pub fn revoke_key<T: Resource>(&self, namespace: &str, key: &str) -> bool {
        let key = CacheKey::new::<T>(namespace.into(), key.to_string());
        let Some(object) = self.cache.remove(&key) else {
            return false;
        };
        let revoked = object
            .downcast::<Shared<T>>()
            .is_ok_and(|object| object.revoke());
        if revoked {
            tracing::info!(target: "slots::grant", resource = T::NAME, namespace = %key.namespace, key = %key.key, "revoked");
        }
        revoked
    }

    /// The cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Totals over every instance.
    pub fn totals(&self) -> HostTotals {
        HostTotals {
            instances: self.instances.load(Ordering::Relaxed),
            opened: self.opened.load(Ordering::Relaxed),
            released: self.released.load(Ordering::Relaxed),
            created: self.created.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn instance_started(&self) {
        self.instances.fetch_add(1, Ordering::Relaxed);
    }

    /// Folds an ended instance's counters into the totals. Instances count
    /// locally while they run, so the hot path touches no shared atomics.
    pub(crate) fn instance_ended(&self, opened: u64, released: u64, created: u64) {
        self.opened.fetch_add(opened, Ordering::Relaxed);
        self.released.fetch_add(released, Ordering::Relaxed);
        self.created.fetch_add(created, Ordering::Relaxed);
        self.instances.fetch_sub(1, Ordering::Relaxed);
    }
}

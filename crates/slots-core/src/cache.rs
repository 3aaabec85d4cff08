//! `ObjectCache`: host-wide, thread-safe, bounded cache of keyed objects.

use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Lifecycle, OptionsBuilder, Weighter};

/// The cache's bound and how to weigh an object.
///
/// # Examples
///
/// ```
/// use slots_core::CacheLimits;
///
/// let limits = CacheLimits::entries(100);
/// assert_eq!(limits.max_weight(), 100);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheLimits {
    max_weight: u64,
    estimated_entries: usize,
}

impl CacheLimits {
    /// The default bound: 4,096 entries of weight 1.
    pub const DEFAULT_MAX_WEIGHT: u64 = 4096;

    /// At most `n` entries, each of weight 1.
    pub const fn entries(n: u64) -> Self {
        Self {
            max_weight: n,
            estimated_entries: n as usize,
        }
    }

    /// At most `max_weight` in total, about `estimated_entries` entries.
    pub const fn weight(max_weight: u64, estimated_entries: usize) -> Self {
        Self {
            max_weight,
            estimated_entries,
        }
    }

    /// The weight bound.
    pub const fn max_weight(&self) -> u64 {
        self.max_weight
    }
}

impl Default for CacheLimits {
    fn default() -> Self {
        Self::entries(Self::DEFAULT_MAX_WEIGHT)
    }
}

/// The weight of a cached object, for caches bounded by weight.
///
/// Any `Fn(&K, &V) -> u64` is a weigher; [`UnitWeight`] counts entries.
pub trait Weigh<K, V: ?Sized>: Send + Sync + 'static {
    /// The weight of `value`: at least 1 (a 0 is taken as 1).
    fn weigh(&self, key: &K, value: &V) -> u64;
}

impl<K, V: ?Sized, F> Weigh<K, V> for F
where
    F: Fn(&K, &V) -> u64 + Send + Sync + 'static,
{
    fn weigh(&self, key: &K, value: &V) -> u64 {
        self(key, value)
    }
}

/// Every entry weighs 1: the cache is bounded by its number of entries.
#[derive(Clone, Copy, Debug, Default)]
pub struct UnitWeight;

impl<K, V: ?Sized> Weigh<K, V> for UnitWeight {
    fn weigh(&self, _: &K, _: &V) -> u64 {
        1
    }
}

/// Adapts a [`Weigh`] to quick_cache. Zero weights become 1: quick_cache
/// never evicts a zero-weight entry, which would make the bound a lie.
struct Weights<W>(Arc<W>);

impl<W> Clone for Weights<W> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<K, V: ?Sized, W: Weigh<K, V>> Weighter<K, Arc<V>> for Weights<W> {
    fn weight(&self, key: &K, value: &Arc<V>) -> u64 {
        self.0.weigh(key, value).max(1)
    }
}

/// Pins an object while anyone besides the cache holds it, and counts evictions.
#[derive(Clone)]
struct PinWhileHeld {
    evictions: Arc<AtomicU64>,
}

impl<K, V: ?Sized> Lifecycle<K, Arc<V>> for PinWhileHeld {
    type RequestState = ();

    fn is_pinned(&self, _: &K, value: &Arc<V>) -> bool {
        // The cache's own reference is one; any other is a table's.
        Arc::strong_count(value) > 1
    }

    fn on_evict(&self, _: &mut (), _: K, _: Arc<V>) {
        self.evictions.fetch_add(1, Ordering::Relaxed);
    }
}

/// How a [`ObjectCache::get_or_create`] was served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The object was in the cache.
    Hit,
    /// The object was created by this call.
    Created,
}

/// What an [`ObjectCache`] has done since it was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups served from the cache.
    pub hits: u64,
    /// Lookups that found nothing.
    pub misses: u64,
    /// Objects created after a miss (a failed creation is not counted).
    pub creations: u64,
    /// Objects evicted to keep the bound, or refused for being over it.
    pub evictions: u64,
    /// Objects in the cache now, held or warm.
    pub entries: u64,
    /// Their total weight.
    pub weight: u64,
}

/// A host-wide cache of costly objects, shared by every instance and thread.
///
/// - An object is **pinned** while any handle table holds it (its `Arc` is
///   shared), so the cache never drops an object a guest is using.
/// - Once every holder releases it, the object stays **warm**: the next open
///   of its key is a hit, not a re-creation.
/// - Warm objects are evicted to keep the total weight within
///   [`CacheLimits`], by quick_cache's S3-FIFO-like policy (CLOCK-PRO
///   family: a cold queue, a hot queue and a ghost list of recently evicted
///   keys), which resists scans better than plain LRU. Pinned objects count
///   toward the weight but are never evicted, so they alone may hold the
///   cache above its bound. Eviction happens when an object is inserted:
///   objects released while the cache is above its bound stay warm until
///   the next insertion evicts them.
/// - Concurrent misses on one key create the object once: the others wait
///   for it and count as hits.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use slots_core::{CacheLimits, Lookup, ObjectCache};
///
/// let cache: ObjectCache<String, str> = ObjectCache::new(CacheLimits::entries(10));
/// let create = || Ok::<_, ()>(Arc::from("compiled"));
/// let (first, how) = cache.get_or_create(&"a".to_string(), create)?;
/// assert_eq!(how, Lookup::Created);
/// drop(first);
/// let (_, how) = cache.get_or_create(&"a".to_string(), create)?;
/// assert_eq!(how, Lookup::Hit);
/// assert_eq!(cache.stats().creations, 1);
/// # Ok::<(), ()>(())
/// ```
pub struct ObjectCache<K, V: ?Sized, W = UnitWeight> {
    cache: Cache<K, Arc<V>, Weights<W>, DefaultHashBuilder, PinWhileHeld>,
    limits: CacheLimits,
    hits: AtomicU64,
    misses: AtomicU64,
    creations: AtomicU64,
    evictions: Arc<AtomicU64>,
}

impl<K, V> ObjectCache<K, V>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
    V: ?Sized + Send + Sync + 'static,
{
    /// A cache bounded by `limits`, every entry of weight 1.
    pub fn new(limits: CacheLimits) -> Self {
        Self::with_weigher(limits, UnitWeight)
    }
}

impl<K, V, W> ObjectCache<K, V, W>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
    V: ?Sized + Send + Sync + 'static,
    W: Weigh<K, V>,
{
    /// Below this total weight the cache keeps a single shard.
    const SHARDED_ABOVE: u64 = 1024;

    /// A cache bounded by `limits`, entries weighed by `weigher`.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{CacheLimits, ObjectCache};
    ///
    /// // Bounded by total bytes of cached strings.
    /// let cache: ObjectCache<u32, str, _> =
    ///     ObjectCache::with_weigher(CacheLimits::weight(1 << 20, 1024), |_: &u32, s: &str| s.len() as u64);
    /// # let _ = cache;
    /// ```
    pub fn with_weigher(limits: CacheLimits, weigher: W) -> Self {
        let evictions = Arc::new(AtomicU64::new(0));
        let mut options = OptionsBuilder::new();
        options
            .estimated_items_capacity(limits.estimated_entries.max(1))
            .weight_capacity(limits.max_weight);
        // quick_cache splits the bound evenly between its shards; a small
        // cache keeps one shard so that its bound holds exactly.
        if limits.max_weight < Self::SHARDED_ABOVE {
            options.shards(1);
        }
        let options = options.build();
        let lifecycle = PinWhileHeld {
            evictions: evictions.clone(),
        };
        let weights = Weights(Arc::new(weigher));
        let cache = match options {
            Ok(options) => {
                Cache::with_options(options, weights, DefaultHashBuilder::default(), lifecycle)
            }
            // The builder only refuses a missing capacity, which is always set.
            Err(_) => Cache::with(
                limits.estimated_entries.max(1),
                limits.max_weight,
                weights,
                DefaultHashBuilder::default(),
                lifecycle,
            ),
        };
        Self {
            cache,
            limits,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            creations: AtomicU64::new(0),
            evictions,
        }
    }

    /// The bound in force.
    pub fn limits(&self) -> CacheLimits {
        self.limits
    }

    /// The object for `key`: from the cache, or made by `create` and cached.
    ///
    /// If `create` fails, nothing is cached and its error is returned.
    pub fn get_or_create<E>(
        &self,
        key: &K,
        create: impl FnOnce() -> Result<Arc<V>, E>,
    ) -> Result<(Arc<V>, Lookup), E> {
        let mut created = false;
        let object = self.cache.get_or_insert_with(key, || {
            created = true;
            create()
        });
        if created {
            self.misses.fetch_add(1, Ordering::Relaxed);
        } else {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        let object = object?;
        if created {
            self.creations.fetch_add(1, Ordering::Relaxed);
            return Ok((object, Lookup::Created));
        }
        Ok((object, Lookup::Hit))
    }

    /// The cached object for `key`, if any, without creating it or counting.
    pub fn peek(&self, key: &K) -> Option<Arc<V>> {
        self.cache.peek(key)
    }

    /// Removes `key` from the cache. Holders keep their `Arc`.
    pub fn remove(&self, key: &K) -> Option<Arc<V>> {
        self.cache.remove(key).map(|(_, object)| object)
    }

    /// Objects in the cache now.
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }

    /// Cached objects that no one outside the cache holds: the warm ones.
    pub fn warm(&self) -> usize {
        self.cache
            .iter()
            .filter(|(_, object)| Arc::strong_count(object) <= 2)
            .count()
    }

    /// Counters of what the cache has done.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            creations: self.creations.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            entries: self.cache.len() as u64,
            weight: self.cache.weight(),
        }
    }
}

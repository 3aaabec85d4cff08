//! Every object is dropped exactly once, at the moment its last holder lets
//! go: a table, the shared cache, or the host.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use slots_core::{CacheLimits, Lookup, ObjectCache, Resource, ResourceTable, Shared};

/// Counts its creations and drops.
#[derive(Clone, Default)]
struct Ledger {
    created: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

impl Ledger {
    fn pattern(&self, key: &str) -> Pattern {
        self.created.fetch_add(1, Ordering::SeqCst);
        Pattern {
            key: key.to_string(),
            dropped: self.dropped.clone(),
        }
    }

    fn created(&self) -> usize {
        self.created.load(Ordering::SeqCst)
    }

    fn dropped(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }

    fn alive(&self) -> usize {
        self.created() - self.dropped()
    }
}

struct Pattern {
    key: String,
    dropped: Arc<AtomicUsize>,
}

impl Drop for Pattern {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

impl Resource for Pattern {
    const NAME: &'static str = "pattern";
}

type Cache = ObjectCache<String, Shared<Pattern>>;

/// A keyed open through the cache, as a host does it.
fn open(
    table: &mut ResourceTable<String>,
    cache: &Cache,
    ledger: &Ledger,
    key: &str,
) -> slots_core::Handle<Pattern> {
    table
        .open(key.to_string(), |key: &String| {
            cache
                .get_or_create(key, || Ok::<_, ()>(Shared::new(ledger.pattern(key))))
                .map(|(object, _)| object)
        })
        .unwrap()
        .handle
}

#[test]
fn an_owned_object_is_dropped_when_its_handle_is_released() {
    let ledger = Ledger::default();
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(ledger.pattern("a")).unwrap();
    assert_eq!(ledger.dropped(), 0);
    assert_eq!(table.release(handle), Ok(true));
    assert_eq!(ledger.dropped(), 1);
    assert!(table.release(handle).is_err());
    assert_eq!(ledger.dropped(), 1);
}

#[test]
fn a_taken_object_is_dropped_by_whoever_took_it() {
    let ledger = Ledger::default();
    let mut table = ResourceTable::<String>::new();
    let handle = table.insert(ledger.pattern("a")).unwrap();
    let taken = table.take(handle).unwrap();
    assert_eq!(ledger.dropped(), 0);
    assert_eq!(taken.key, "a");
    drop(taken);
    assert_eq!(ledger.dropped(), 1);
}

#[test]
fn an_interned_object_is_created_once_and_dropped_once() {
    let ledger = Ledger::default();
    let mut table = ResourceTable::<String>::new();
    let create = |key: &String| Ok::<_, ()>(Shared::new(ledger.pattern(key)));
    let handle = table.open("k".to_string(), create).unwrap().handle;
    for _ in 0..4 {
        table.open("k".to_string(), create).unwrap();
    }
    assert_eq!(ledger.created(), 1);
    for _ in 0..4 {
        assert_eq!(table.release(handle), Ok(false));
        assert_eq!(ledger.dropped(), 0);
    }
    assert_eq!(table.release(handle), Ok(true));
    assert_eq!(ledger.dropped(), 1);
}

#[test]
fn a_shared_object_lives_until_the_table_and_the_host_both_let_go() {
    let ledger = Ledger::default();
    let mut table = ResourceTable::<String>::new();
    let object = Shared::new(ledger.pattern("s"));
    let handle = table.insert_shared(object.clone()).unwrap();
    table.release(handle).unwrap();
    assert_eq!(ledger.dropped(), 0);
    drop(object);
    assert_eq!(ledger.dropped(), 1);

    let object = Shared::new(ledger.pattern("t"));
    let handle = table.insert_shared(object.clone()).unwrap();
    drop(object);
    assert_eq!(ledger.dropped(), 1);
    table.release(handle).unwrap();
    assert_eq!(ledger.dropped(), 2);
}

#[test]
fn a_cached_object_outlives_its_release_and_dies_on_eviction() {
    let ledger = Ledger::default();
    let cache = Cache::new(CacheLimits::entries(1));
    let mut table = ResourceTable::<String>::new();
    let handle = open(&mut table, &cache, &ledger, "a");
    table.release(handle).unwrap();
    // Released by the table, kept warm by the cache.
    assert_eq!(ledger.dropped(), 0);
    assert_eq!(cache.warm(), 1);
    // Reopening is a hit: no new object.
    let handle = open(&mut table, &cache, &ledger, "a");
    assert_eq!(ledger.created(), 1);
    table.release(handle).unwrap();
    // Another key takes the one place in the cache: "a" is evicted, dropped.
    let other = open(&mut table, &cache, &ledger, "b");
    assert_eq!(ledger.dropped(), 1);
    assert_eq!(cache.stats().evictions, 1);
    table.release(other).unwrap();
    assert_eq!(ledger.alive(), 1);
    drop(cache);
    assert_eq!(ledger.alive(), 0);
}

#[test]
fn a_pinned_object_survives_eviction_pressure_and_its_cache() {
    let ledger = Ledger::default();
    let cache = Cache::new(CacheLimits::entries(1));
    let mut table = ResourceTable::<String>::new();
    let held = open(&mut table, &cache, &ledger, "held");
    for i in 0..10 {
        let key = format!("passing {i}");
        let handle = open(&mut table, &cache, &ledger, &key);
        table.release(handle).unwrap();
    }
    // All passing objects but the last were evicted and dropped; the held
    // one was never evicted.
    assert_eq!(ledger.created(), 11);
    assert_eq!(ledger.alive(), 2);
    assert_eq!(table.get(held).unwrap().key, "held");
    // Removed from the cache, it lives on in the table.
    let _ = cache.remove(&"held".to_string());
    assert_eq!(ledger.alive(), 2);
    drop(cache);
    assert_eq!(ledger.alive(), 1);
    table.release(held).unwrap();
    assert_eq!(ledger.alive(), 0);
}

#[test]
fn two_tables_share_one_object_through_the_cache() {
    let ledger = Ledger::default();
    let cache = Cache::new(CacheLimits::entries(4));
    let mut one = ResourceTable::<String>::new();
    let mut two = ResourceTable::<String>::new();
    let a = open(&mut one, &cache, &ledger, "k");
    let b = open(&mut two, &cache, &ledger, "k");
    assert_eq!(ledger.created(), 1);
    assert!(Arc::ptr_eq(&one.share(a).unwrap(), &two.share(b).unwrap()));
    one.release(a).unwrap();
    two.clear();
    assert_eq!(ledger.alive(), 1, "warm in the cache");
    let (_, how) = cache
        .get_or_create(&"k".to_string(), || Err::<Arc<Shared<Pattern>>, ()>(()))
        .unwrap();
    assert_eq!(how, Lookup::Hit);
    drop(cache);
    assert_eq!(ledger.alive(), 0);
}

#[test]
fn clearing_a_table_drops_owned_objects_and_leaves_cached_ones_warm() {
    let ledger = Ledger::default();
    let cache = Cache::new(CacheLimits::entries(8));
    let mut table = ResourceTable::<String>::new();
    table.insert(ledger.pattern("owned 1")).unwrap();
    table.insert(ledger.pattern("owned 2")).unwrap();
    open(&mut table, &cache, &ledger, "cached");
    open(&mut table, &cache, &ledger, "cached");
    assert_eq!(table.clear(), 4);
    assert_eq!(ledger.dropped(), 2);
    assert_eq!(cache.warm(), 1);
    drop(table);
    assert_eq!(ledger.dropped(), 2);
    drop(cache);
    assert_eq!(ledger.dropped(), 3);
    assert_eq!(ledger.created(), 3);
}

#[test]
fn dropping_a_table_releases_everything_it_held() {
    let ledger = Ledger::default();
    let cache = Cache::new(CacheLimits::entries(8));
    let mut table = ResourceTable::<String>::new();
    for i in 0..5 {
        table.insert(ledger.pattern(&format!("owned {i}"))).unwrap();
        open(&mut table, &cache, &ledger, &format!("cached {i}"));
    }
    assert_eq!(cache.warm(), 0);
    drop(table);
    assert_eq!(ledger.dropped(), 5);
    assert_eq!(cache.warm(), 5);
    drop(cache);
    assert_eq!(ledger.dropped(), 10);
}

#[test]
fn an_open_refused_by_the_quota_leaves_its_object_warm_in_the_cache() {
    let ledger = Ledger::default();
    let cache = Cache::new(CacheLimits::entries(8));
    let mut table = ResourceTable::<String>::with_limits(slots_core::TableLimits::new(1).unwrap());
    open(&mut table, &cache, &ledger, "first");
    let refused = table.open("second".to_string(), |key: &String| {
        cache
            .get_or_create(key, || Ok::<_, ()>(Shared::new(ledger.pattern(key))))
            .map(|(object, _)| object)
    });
    assert!(refused.is_err());
    assert_eq!(ledger.created(), 2);
    assert_eq!(ledger.dropped(), 0);
    assert_eq!(cache.warm(), 1);
}

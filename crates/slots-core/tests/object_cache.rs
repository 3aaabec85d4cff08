//! `ObjectCache`: counters, pinning, warm objects, the bound and contention.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use slots_core::{CacheLimits, Lookup, ObjectCache};

/// An object a host would rather not build twice.
#[derive(Debug)]
struct Compiled {
    key: u32,
}

type Cache = ObjectCache<u32, Compiled>;

// `ObjectCache` is shared by every instance and thread of a host.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ObjectCache<u32, Compiled>>();
    assert_send_sync::<ObjectCache<String, str>>();
    assert_send_sync::<ObjectCache<u64, [u8], fn(&u64, &[u8]) -> u64>>();
};

fn compiled(key: u32) -> impl FnOnce() -> Result<Arc<Compiled>, ()> {
    move || Ok(Arc::new(Compiled { key }))
}

/// A creation that must not run: the lookup has to hit.
fn unreachable_creation(why: &'static str) -> impl FnOnce() -> Result<Arc<Compiled>, ()> {
    move || panic!("created although {why}")
}

#[test]
fn object_cache_is_send_and_sync() {
    fn shared_across_threads<T: Send + Sync + 'static>(_: &T) {}
    let cache = Cache::new(CacheLimits::entries(4));
    shared_across_threads(&cache);
}

#[test]
fn a_miss_creates_and_a_second_lookup_hits() {
    let cache = Cache::new(CacheLimits::entries(8));
    let (first, how) = cache.get_or_create(&1, compiled(1)).unwrap();
    assert_eq!(how, Lookup::Created);
    let (second, how) = cache
        .get_or_create(&1, unreachable_creation("cached"))
        .unwrap();
    assert_eq!(how, Lookup::Hit);
    assert!(Arc::ptr_eq(&first, &second));
    let stats = cache.stats();
    assert_eq!(
        (stats.hits, stats.misses, stats.creations, stats.evictions),
        (1, 1, 1, 0)
    );
    assert_eq!((stats.entries, stats.weight), (1, 1));
}

#[test]
fn a_released_object_stays_warm_and_the_next_lookup_hits() {
    let cache = Cache::new(CacheLimits::entries(8));
    let (object, _) = cache.get_or_create(&5, compiled(5)).unwrap();
    let address = Arc::as_ptr(&object);
    assert_eq!(cache.warm(), 0);
    drop(object);
    assert_eq!(cache.warm(), 1);
    assert_eq!(cache.len(), 1);
    let (again, how) = cache
        .get_or_create(&5, unreachable_creation("warm"))
        .unwrap();
    assert_eq!(how, Lookup::Hit);
    assert_eq!(Arc::as_ptr(&again), address);
    assert_eq!(again.key, 5);
}

#[test]
fn pinned_objects_are_never_evicted_while_held() {
    let cache = Cache::new(CacheLimits::entries(2));
    let held: Vec<_> = (0..6)
        .map(|key| cache.get_or_create(&key, compiled(key)).unwrap().0)
        .collect();
    // Over the bound, but every object is held: nothing goes.
    assert_eq!(cache.len(), 6);
    assert_eq!(cache.stats().evictions, 0);
    for (key, object) in (0..).zip(&held) {
        assert!(Arc::ptr_eq(&cache.peek(&key).unwrap(), object));
    }
    // Warm objects come and go past them; the held ones stay.
    for key in 100..120 {
        let _ = cache.get_or_create(&key, compiled(key)).unwrap();
    }
    for (key, object) in (0..).zip(&held) {
        let (found, how) = cache
            .get_or_create(&key, unreachable_creation("pinned"))
            .unwrap();
        assert_eq!(how, Lookup::Hit);
        assert!(Arc::ptr_eq(&found, object));
    }
    assert_eq!(cache.stats().creations, 26);
}

/// Eviction runs on insertion: objects released while pinned ones held the
/// cache above its bound stay until the next insertion evicts them.
#[test]
fn objects_released_above_the_bound_stay_until_the_next_insertion() {
    let cache = Cache::new(CacheLimits::entries(2));
    let held: Vec<_> = (0..3)
        .map(|key| cache.get_or_create(&key, compiled(key)).unwrap().0)
        .collect();
    drop(held);
    assert_eq!((cache.len(), cache.warm()), (3, 3));
    let _ = cache.get_or_create(&9, compiled(9)).unwrap();
    assert!(cache.len() <= 2);
    assert_eq!(cache.stats().evictions, 2);
}

#[test]
fn warm_objects_are_evicted_to_keep_the_bound() {
    let cache = Cache::new(CacheLimits::entries(3));
    for key in 0..20 {
        let _ = cache.get_or_create(&key, compiled(key)).unwrap();
        assert!(cache.len() <= 3, "{} entries after key {key}", cache.len());
    }
    let stats = cache.stats();
    assert_eq!(stats.creations, 20);
    // Every object created is in the cache or was evicted.
    assert_eq!(stats.evictions, 20 - stats.entries);
    assert!(stats.evictions >= 17);
}

#[test]
fn an_evicted_key_is_created_again() {
    let cache = Cache::new(CacheLimits::entries(1));
    let _ = cache.get_or_create(&1, compiled(1)).unwrap();
    let _ = cache.get_or_create(&2, compiled(2)).unwrap();
    assert!(cache.peek(&1).is_none());
    let (_, how) = cache.get_or_create(&1, compiled(1)).unwrap();
    assert_eq!(how, Lookup::Created);
    assert_eq!(cache.stats().creations, 3);
}

#[test]
fn a_failed_creation_caches_nothing() {
    let cache = Cache::new(CacheLimits::entries(4));
    let failed = cache.get_or_create(&7, || Err::<Arc<Compiled>, _>("no"));
    assert_eq!(failed.unwrap_err(), "no");
    assert!(cache.is_empty());
    assert!(cache.peek(&7).is_none());
    let stats = cache.stats();
    assert_eq!((stats.misses, stats.creations), (1, 0));
    let (_, how) = cache.get_or_create(&7, compiled(7)).unwrap();
    assert_eq!(how, Lookup::Created);
    assert_eq!(cache.stats().creations, 1);
}

#[test]
fn a_weighed_cache_keeps_its_total_weight_within_the_bound() {
    let cache: ObjectCache<u32, Vec<u8>, _> =
        ObjectCache::with_weigher(CacheLimits::weight(100, 8), |_: &u32, v: &Vec<u8>| {
            v.len() as u64
        });
    assert_eq!(cache.limits().max_weight(), 100);
    for key in 0..30 {
        let size = 10 + (key as usize * 7) % 25;
        let _ = cache
            .get_or_create(&key, || Ok::<_, ()>(Arc::new(vec![0; size])))
            .unwrap();
        let stats = cache.stats();
        assert!(
            stats.weight <= 100,
            "weight {} after key {key}",
            stats.weight
        );
    }
    let stats = cache.stats();
    assert!(stats.evictions > 0);
    assert_eq!(stats.evictions, 30 - stats.entries);
}

#[test]
fn a_zero_weight_counts_as_one() {
    let cache: ObjectCache<u32, str, _> =
        ObjectCache::with_weigher(CacheLimits::weight(2, 2), |_: &u32, _: &str| 0);
    for key in 0..10 {
        let _ = cache.get_or_create(&key, || Ok::<_, ()>(Arc::from("x")));
        assert!(cache.len() <= 2);
    }
    assert!(cache.stats().weight <= 2);
}

#[test]
fn remove_drops_the_cache_reference_only() {
    let cache = Cache::new(CacheLimits::entries(4));
    let (held, _) = cache.get_or_create(&3, compiled(3)).unwrap();
    let removed = cache.remove(&3).unwrap();
    assert!(Arc::ptr_eq(&held, &removed));
    assert!(cache.peek(&3).is_none());
    let (fresh, how) = cache.get_or_create(&3, compiled(3)).unwrap();
    assert_eq!(how, Lookup::Created);
    assert!(!Arc::ptr_eq(&fresh, &held));
}

/// Eight threads look up overlapping keys and hold every object they get,
/// so each stays pinned: whichever thread misses first creates it, the
/// others wait for it or hit, and no key is ever created twice, although the
/// bound is a quarter of the keys.
#[test]
fn concurrent_lookups_create_each_pinned_key_exactly_once() {
    const THREADS: usize = 8;
    const LOOKUPS: usize = 2_000;
    const KEYS: u32 = 64;
    let cache = Arc::new(Cache::new(CacheLimits::entries(u64::from(KEYS) / 4)));
    let created: Arc<Vec<AtomicUsize>> = Arc::new((0..KEYS).map(|_| AtomicUsize::new(0)).collect());
    let start = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let (cache, created, start) = (cache.clone(), created.clone(), start.clone());
            thread::spawn(move || {
                let mut held = Vec::with_capacity(LOOKUPS);
                let mut created_here = 0;
                start.wait();
                for i in 0..LOOKUPS {
                    let key = ((i * 7 + thread * 13) as u32) % KEYS;
                    let (object, how) = cache
                        .get_or_create(&key, || {
                            created[key as usize].fetch_add(1, Ordering::SeqCst);
                            // Widen the window in which others must wait.
                            thread::yield_now();
                            Ok::<_, ()>(Arc::new(Compiled { key }))
                        })
                        .unwrap();
                    assert_eq!(object.key, key);
                    if how == Lookup::Created {
                        created_here += 1;
                    }
                    held.push(object);
                }
                (held, created_here)
            })
        })
        .collect();
    let results: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();

    for (key, count) in created.iter().enumerate() {
        assert_eq!(count.load(Ordering::SeqCst), 1, "key {key}");
    }
    let created_total: usize = results.iter().map(|(_, n)| n).sum();
    assert_eq!(created_total, KEYS as usize);
    // Every thread saw the one object of each key.
    for (held, _) in &results {
        for object in held {
            assert!(Arc::ptr_eq(object, &cache.peek(&object.key).unwrap()));
        }
    }
    let stats = cache.stats();
    let lookups = (THREADS * LOOKUPS) as u64;
    assert_eq!(stats.hits + stats.misses, lookups);
    assert_eq!(stats.misses, u64::from(KEYS));
    assert_eq!(stats.creations, u64::from(KEYS));
    assert_eq!(stats.evictions, 0);
    assert_eq!(stats.entries, u64::from(KEYS));
}

#[test]
fn contended_lookups_without_holders_keep_the_counters_consistent() {
    const THREADS: usize = 8;
    const LOOKUPS: usize = 5_000;
    let cache = Arc::new(Cache::new(CacheLimits::entries(8)));
    let created = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let (cache, created) = (cache.clone(), created.clone());
            thread::spawn(move || {
                for i in 0..LOOKUPS {
                    let key = ((i * 31 + thread * 17) % 40) as u32;
                    let (object, _) = cache
                        .get_or_create(&key, || {
                            created.fetch_add(1, Ordering::SeqCst);
                            Ok::<_, ()>(Arc::new(Compiled { key }))
                        })
                        .unwrap();
                    assert_eq!(object.key, key);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let stats = cache.stats();
    assert_eq!(stats.hits + stats.misses, (THREADS * LOOKUPS) as u64);
    assert_eq!(stats.creations, stats.misses);
    assert_eq!(stats.creations, created.load(Ordering::SeqCst) as u64);
    assert_eq!(stats.evictions, stats.creations - stats.entries);
    assert!(stats.entries <= 8);
}

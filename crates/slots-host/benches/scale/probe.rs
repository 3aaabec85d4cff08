//! One-shot probes of resident memory, each run in a fresh child process:
//! memory freed by an earlier measurement would otherwise be reused by the
//! next and hide its growth.

use std::time::Instant;

use slots_bench_support::memory::{Figures, Probe, emit, resident_bytes};

use crate::guest::Shared;

/// Set in a child to the probe it runs: `handles:N`, `instances:N` or
/// `bare:N`.
const PROBE: Probe = Probe::new("SLOTS_SCALE_PROBE");

/// Table sizes measured up to `max`: 1k, 10k, ... decades.
pub(crate) fn sizes(max: u32) -> Vec<u32> {
    std::iter::successors(Some(1_000u32), |s| s.checked_mul(10))
        .take_while(|&s| s <= max)
        .collect()
}

/// Runs the probe this process was started for, if it was; true then.
pub(crate) fn run_if_child() -> bool {
    let Some(spec) = PROBE.this_child() else {
        return false;
    };
    let (kind, n) = spec.split_once(':').unwrap();
    let n: u32 = n.parse().unwrap();
    match kind {
        "handles" => handles(n),
        "instances" => instances(n, false),
        "bare" => instances(n, true),
        other => panic!("unknown probe `{other}`"),
    }
    true
}

/// Runs a probe in a child process and gathers the figures it reports.
pub(crate) fn spawn(kind: &str, n: u32) -> Figures {
    PROBE.spawn(&format!("{kind}:{n}")).unwrap()
}

/// The process's resident memory, in bytes.
fn rss_bytes() -> u64 {
    resident_bytes().expect("resident memory is read from /proc/self/status")
}

/// Fills one instance's table to `max` handles, a decade at a time, with
/// the time per open and the resident memory per handle at each size; then
/// tears the instance down.
fn handles(max: u32) {
    let shared = Shared::new();
    // Another instance opens (and keeps) buckets first, so that neither
    // one-time set-up nor cold code is charged to the table measured, and
    // no freed memory is there for it to reuse.
    let mut warm = shared.guest();
    warm.reserve(1_000);
    warm.open(1_000);
    let mut guest = shared.guest();
    guest.reserve(max);
    let before = rss_bytes();
    for size in sizes(max) {
        let n = size - guest.count();
        let start = Instant::now();
        guest.open(n);
        let elapsed = start.elapsed();
        let grown = rss_bytes().saturating_sub(before);
        emit(
            &format!("fill_ns.{size}"),
            elapsed.as_nanos() as f64 / f64::from(n),
        );
        emit(
            &format!("rss_per_handle.{size}"),
            grown as f64 / f64::from(size),
        );
    }
    assert_eq!(guest.live(), max as usize);
    emit("live", guest.live() as f64);
    emit("slots_allocated", guest.slots_allocated() as f64);
    let start = Instant::now();
    guest.teardown();
    emit("teardown_ns", start.elapsed().as_nanos() as f64);
    assert_eq!(guest.live(), 0);
}

/// Keeps `n` instances of one compiled module alive at once, a store each,
/// with the resident memory and the time each took; then, for slots
/// instances, opens one key in the first and the last.
fn instances(n: u32, bare: bool) {
    let shared = Shared::new();
    // One instance first, so that one-time set-up is not charged to them.
    {
        let mut store = shared.store();
        if bare {
            shared.instantiate_bare(&mut store);
        } else {
            shared.instantiate(&mut store);
        }
    }
    let mut stores = Vec::with_capacity(n as usize);
    let mut guests = Vec::with_capacity(n as usize);
    let mut bare_instances = Vec::with_capacity(n as usize);
    let before = rss_bytes();
    let start = Instant::now();
    for _ in 0..n {
        let mut store = shared.store();
        if bare {
            bare_instances.push(shared.instantiate_bare(&mut store));
            stores.push(store);
        } else {
            let instance = shared.instantiate(&mut store);
            guests.push(crate::guest::ScaleGuest::from_parts(store, instance));
        }
    }
    let elapsed = start.elapsed();
    let grown = rss_bytes().saturating_sub(before);
    emit("instantiate_ns", elapsed.as_nanos() as f64 / f64::from(n));
    emit("rss_per_instance", grown as f64 / f64::from(n));
    if bare {
        return;
    }
    emit("alive", shared.host.totals().instances as f64);

    let start = Instant::now();
    let held = guests[0].open_pattern();
    emit("first_open_ns", start.elapsed().as_nanos() as f64);
    let before = shared.host.cache_stats();
    let last = guests.last_mut().unwrap();
    let start = Instant::now();
    let handle = last.open_pattern();
    emit("last_open_ns", start.elapsed().as_nanos() as f64);
    let after = shared.host.cache_stats();
    let counters = last.instance.counters(&last.store);
    assert!(held != 0 && handle != 0);
    emit("cache_hits_before", before.hits as f64);
    emit("cache_misses_before", before.misses as f64);
    emit("cache_creations_before", before.creations as f64);
    emit("cache_hits_after", after.hits as f64);
    emit("cache_misses_after", after.misses as f64);
    emit("cache_creations_after", after.creations as f64);
    emit("cache_entries_after", after.entries as f64);
    emit("last_instance_cache_hits", counters.cache_hits as f64);
    emit("last_instance_cache_misses", counters.cache_misses as f64);
}

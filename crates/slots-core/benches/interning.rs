//! The keyed paths a host takes on every guest call: an interned open, a
//! typed lookup, a cache hit, and an open served by the cache.
//!
//! - `interning/open-held-*`: `ResourceTable::open` of a key the instance
//!   already holds (its count is raised; nothing is created);
//! - `interning/open+release-u64`: the same, then the release a guest's drop
//!   makes, so the count stays put;
//! - `interning/get-typed`: `ResourceTable::get::<T>` of a guest's raw handle;
//! - `cache/hit-warm`, `cache/hit-pinned`: `ObjectCache::get_or_create` of
//!   a key no table holds, and of one a table holds;
//! - `cache/open-via-cache+release`: a keyed open the instance does not hold,
//!   served by a cache hit, then released (the object goes back warm).
//!
//! Run: `cargo bench -p slots-core --bench interning`
//! (`SLOTS_BENCH_QUICK=1` for a smoke run). The figures also go to
//! `interning.md` for `cargo xtask bench`, beside the cost of one
//! `SlotTable::get` measured in the same run, as the unit.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::Criterion;
use slots_bench_support::estimates::{CriterionRun, criterion_timed};
use slots_bench_support::report::{Section, Table};
use slots_core::{CacheLimits, ObjectCache, RawHandle, Resource, ResourceTable, Shared, SlotTable};

struct Pattern {
    source: String,
}

impl Resource for Pattern {
    const NAME: &'static str = "pattern";
}

fn compile(source: &str) -> Arc<Shared<Pattern>> {
    Shared::new(Pattern {
        source: source.to_string(),
    })
}

/// Tables holding 1,000 other keys besides the one measured, as a busy
/// instance would.
const OTHERS: u64 = 1_000;

fn interning(c: &mut Criterion) {
    let mut group = c.benchmark_group("interning");

    let mut table = ResourceTable::<u64>::new();
    for key in 0..OTHERS {
        table.open(key, |_| Ok::<_, ()>(compile("x"))).unwrap();
    }
    let held = table
        .open(OTHERS, |_| Ok::<_, ()>(compile("held")))
        .unwrap();
    group.bench_function("open-held-u64", |b| {
        b.iter(|| {
            let opened = table
                .open(black_box(OTHERS), |_| Err::<Arc<Shared<Pattern>>, ()>(()))
                .unwrap();
            black_box(opened.handle)
        });
    });
    group.bench_function("open+release-u64", |b| {
        b.iter(|| {
            let opened = table
                .open(black_box(OTHERS), |_| Err::<Arc<Shared<Pattern>>, ()>(()))
                .unwrap();
            black_box(table.release(opened.handle).unwrap())
        });
    });
    let raw: RawHandle = held.handle.raw();
    group.bench_function("get-typed", |b| {
        b.iter(|| black_box(table.get::<Pattern>(black_box(raw)).unwrap().source.len()));
    });

    let mut table = ResourceTable::<String>::new();
    for key in 0..OTHERS {
        table
            .open(format!("pattern {key}"), |_| Ok::<_, ()>(compile("x")))
            .unwrap();
    }
    let key = String::from("[a-z]+@[a-z]+\\.org");
    table
        .open(key.clone(), |k| Ok::<_, ()>(compile(k)))
        .unwrap();
    group.bench_function("open-held-string", |b| {
        // The guest's key arrives as a fresh string: its copy is timed too.
        b.iter(|| {
            let opened = table
                .open(key.clone(), |_| Err::<Arc<Shared<Pattern>>, ()>(()))
                .unwrap();
            black_box(opened.handle)
        });
    });
    group.finish();
}

fn cache(c: &mut Criterion) {
    let mut group = c.benchmark_group("cache");
    let cache: ObjectCache<u64, Shared<Pattern>> = ObjectCache::new(CacheLimits::default());
    for key in 0..OTHERS {
        let _ = cache.get_or_create(&key, || Ok::<_, ()>(compile("x")));
    }
    let warm = 1;
    group.bench_function("hit-warm", |b| {
        b.iter(|| {
            let (object, _) = cache
                .get_or_create(black_box(&warm), || Err::<Arc<Shared<Pattern>>, ()>(()))
                .unwrap();
            black_box(object)
        });
    });
    let pinned = 2;
    let holder = cache.peek(&pinned).unwrap();
    group.bench_function("hit-pinned", |b| {
        b.iter(|| {
            let (object, _) = cache
                .get_or_create(black_box(&pinned), || Err::<Arc<Shared<Pattern>>, ()>(()))
                .unwrap();
            black_box(object)
        });
    });
    drop(holder);

    let mut table = ResourceTable::<u64>::new();
    group.bench_function("open-via-cache+release", |b| {
        b.iter(|| {
            let opened = table
                .open(black_box(warm), |key| {
                    cache
                        .get_or_create(key, || Err::<Arc<Shared<Pattern>>, ()>(()))
                        .map(|(object, _)| object)
                })
                .unwrap();
            black_box(table.release(opened.handle).unwrap())
        });
    });
    group.finish();
}

/// The unit the other figures are given in: one `SlotTable::get` of a live
/// handle in a table of 1,000 others.
fn unit(c: &mut Criterion) {
    let mut group = c.benchmark_group("unit");
    let mut table = SlotTable::new();
    let handles: Vec<_> = (0..=OTHERS).map(|i| table.insert(i).unwrap()).collect();
    let handle = handles[handles.len() / 2];
    group.bench_function("slot-table-get", |b| {
        b.iter(|| black_box(table.get(black_box(handle)).unwrap()));
    });
    group.finish();
}

const ROWS: [(&str, &str, &str); 7] = [
    (
        "interning",
        "open-held-u64",
        "interned open of a held `u64` key",
    ),
    (
        "interning",
        "open-held-string",
        "interned open of a held `String` key (key copy included)",
    ),
    (
        "interning",
        "open+release-u64",
        "interned open + release, `u64` key",
    ),
    (
        "interning",
        "get-typed",
        "typed `ResourceTable::get` of a raw handle",
    ),
    (
        "cache",
        "hit-warm",
        "`ObjectCache::get_or_create` hit, warm object",
    ),
    (
        "cache",
        "hit-pinned",
        "`ObjectCache::get_or_create` hit, object held by a table",
    ),
    (
        "cache",
        "open-via-cache+release",
        "keyed open served by a cache hit, then release",
    ),
];

fn report(run: &CriterionRun) {
    let Some(unit) = run.typical_ns("unit", "slot-table-get") else {
        return;
    };
    let mut table = Table::new(&["operation", "ns", "in `SlotTable::get`s"]);
    for (group, function, label) in ROWS {
        if let Some(ns) = run.typical_ns(group, function) {
            table.row([
                label.to_string(),
                format!("{ns:.1}"),
                format!("{:.1}x", ns / unit),
            ]);
        }
    }
    Section::new("slots-core interning and cache hits")
        .paragraph(&format!(
            "Criterion's typical time per operation, and as a multiple of one `SlotTable::get` \
             measured in the same run ({unit:.2} ns). Tables and the cache hold 1,000 other \
             keys."
        ))
        .table(&table)
        .write("interning")
        .expect("the interning fragment is written");
}

fn main() {
    let run = CriterionRun::start();
    let mut c = criterion_timed(Duration::from_secs(1), Duration::from_secs(3));
    unit(&mut c);
    interning(&mut c);
    cache(&mut c);
    c.final_summary();
    report(&run);
}
